/**
 * Adding one candidate to the agenda of a meeting that has not started yet (from the pipeline board).
 * createMeeting (calibration.server.ts) writes a whole agenda in shuffled order; this adds one item at
 * the end, under the same lock as every other change to a meeting, and only while the meeting is
 * planned: once it has started, the agenda in front of the room stays as it is.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import { lockMeeting, MeetingRefusal } from "./calibration.server";

export const ARCHIVED_MESSAGE = "This person is archived, so they cannot be put on an agenda.";

export const NOT_PLANNED_MESSAGE =
  "This meeting has already started or is closed, so its agenda can no longer change. Choose a meeting that has not started.";

/**
 * Meetings this person facilitates that have not started (status planned), soonest first, with
 * whether the candidate is already on each agenda. Only a meeting's facilitator changes its agenda,
 * as on the meeting page. One statement.
 */
export async function listUpcomingMeetings(
  db: DB,
  { candidateId, facilitatorId }: { candidateId: string; facilitatorId: string },
) {
  const rows = await db
    .selectFrom("calibration_meetings as m")
    .innerJoin("users as f", "f.id", "m.facilitator_id")
    .select((eb) => [
      "m.id",
      "m.title",
      "m.scheduled_for",
      "f.name as facilitator_name",
      eb
        .exists(
          eb
            .selectFrom("calibration_items as i")
            .select("i.id")
            .whereRef("i.meeting_id", "=", "m.id")
            .where("i.candidate_id", "=", candidateId),
        )
        .as("on_agenda"),
      eb
        .selectFrom("calibration_items as i")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("i.meeting_id", "=", "m.id")
        .as("items"),
    ])
    .where("m.status", "=", "planned")
    .where("m.facilitator_id", "=", facilitatorId)
    .orderBy("m.scheduled_for")
    .orderBy("m.id")
    .limit(100)
    .execute();
  return rows.map((r) => ({
    ...r,
    on_agenda: Boolean(r.on_agenda),
    items: Number(r.items ?? 0),
  }));
}

export type AddAgendaItemResult =
  { added: true; itemId: string; position: number } | { added: false; reason: "already_on_agenda" };

/**
 * Puts the candidate last on the meeting's agenda. Run inside a transaction: the meeting row is locked
 * first, so a start, a close or another addition cannot cross this one. A meeting that is not planned
 * any more is refused with 409; a candidate already on the agenda is answered, not added twice.
 */
export async function addAgendaItem(
  trx: DB,
  { meetingId, candidateId }: { meetingId: string; candidateId: string },
): Promise<AddAgendaItemResult> {
  const meeting = await lockMeeting(trx, meetingId);
  if (meeting.status !== "planned") throw new MeetingRefusal(409, NOT_PLANNED_MESSAGE);
  // Checked again under a share lock: an archive committed since the page was read wins.
  const person = await trx
    .selectFrom("candidates")
    .select("archived_at")
    .where("id", "=", candidateId)
    .forShare()
    .executeTakeFirst();
  if (!person || person.archived_at) throw new MeetingRefusal(409, ARCHIVED_MESSAGE);
  const existing = await trx
    .selectFrom("calibration_items")
    .select("id")
    .where("meeting_id", "=", meetingId)
    .where("candidate_id", "=", candidateId)
    .executeTakeFirst();
  if (existing) return { added: false, reason: "already_on_agenda" };
  const row = await trx
    .insertInto("calibration_items")
    .values({
      meeting_id: meetingId,
      candidate_id: candidateId,
      position: sql<number>`(select coalesce(max(position), 0) + 1 from calibration_items where meeting_id = ${meetingId})`,
    })
    .returning(["id", "position"])
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("calibration_meetings")
    .set({ version: sql<number>`version + 1` })
    .where("id", "=", meetingId)
    .execute();
  return { added: true, itemId: row.id, position: row.position };
}
