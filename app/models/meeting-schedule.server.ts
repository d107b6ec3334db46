/**
 * Moving and cancelling a planned calibration meeting. Each change is made at the version the form was
 * rendered with (a stale one changes nothing) and raises the version, which the calendar invitations
 * carry as their SEQUENCE.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { MeetingStatus } from "../../db/schema";
import { isFacilitator, isLeader, type Viewer } from "../auth/policy.server";
import { knownTimeZone } from "../utils/time-zones";
import { lockMeeting } from "./calibration.server";

/** Moves or cancels the meeting: its facilitator, or a leader (leaders plan meetings). */
export function canManageMeeting(viewer: Viewer, meeting: { facilitator_id: string }): boolean {
  return isFacilitator(viewer, meeting) || isLeader(viewer);
}

export const NOT_PLANNED: Record<Exclude<MeetingStatus, "planned">, string> = {
  in_progress: "This meeting has started: it can no longer be moved or cancelled.",
  closed: "This meeting is closed: it can no longer be moved or cancelled.",
  cancelled: "This meeting was cancelled.",
};

export type ScheduleChange =
  | { ok: true; version: number }
  | { ok: false; reason: "stale"; version: number }
  | { ok: false; reason: "not_planned"; status: Exclude<MeetingStatus, "planned"> };

async function change(
  trx: DB,
  meetingId: string,
  version: number,
  set: {
    scheduled_for?: Date;
    timebox_minutes?: number | null;
    status?: "cancelled";
    cancelled_at?: Date;
  },
): Promise<ScheduleChange> {
  const meeting = await lockMeeting(trx, meetingId);
  if (meeting.status !== "planned")
    return { ok: false, reason: "not_planned", status: meeting.status };
  if (meeting.version !== version) return { ok: false, reason: "stale", version: meeting.version };
  const row = await trx
    .updateTable("calibration_meetings")
    .set({ ...set, version: sql<number>`version + 1` })
    .where("id", "=", meetingId)
    .returning("version")
    .executeTakeFirstOrThrow();
  return { ok: true, version: row.version };
}

/** A new date and time (and timebox) for a planned meeting. Run inside a transaction. */
export function moveMeeting(
  trx: DB,
  input: { meetingId: string; version: number; scheduledFor: Date; timeboxMinutes: number | null },
) {
  return change(trx, input.meetingId, input.version, {
    scheduled_for: input.scheduledFor,
    timebox_minutes: input.timeboxMinutes,
  });
}

/** Cancels a planned meeting. Run inside a transaction. */
export function cancelMeeting(trx: DB, input: { meetingId: string; version: number; now: Date }) {
  return change(trx, input.meetingId, input.version, {
    status: "cancelled",
    cancelled_at: input.now,
  });
}

/** The person's time zone (users.time_zone), or UTC when it is not one the runtime knows. */
export async function timeZoneOf(db: DB, userId: string): Promise<string> {
  const row = await db
    .selectFrom("users")
    .select("time_zone")
    .where("id", "=", userId)
    .executeTakeFirst();
  return knownTimeZone(row?.time_zone);
}
