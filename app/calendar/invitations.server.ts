/**
 * Calendar invitations to a calibration meeting, by mail: a REQUEST when it is planned or moved, a
 * CANCEL when it is cancelled, to each attendee and the facilitator who wants invitations
 * (mailPreferencesOf(...).invitations). Each message is keyed by meeting, version and person, so
 * running this twice sends nothing new; a later version (a move, a cancellation) is a new message.
 *
 * A message says when, who facilitates and where the meeting's page is: never the meeting's title (a
 * person wrote it and it may name a candidate) nor anything about the candidates.
 *
 * A page that plans, moves or cancels a meeting enqueues a "calendar.invitations" job in the same
 * transaction as the change (queueMeetingInvitations): the invitations cannot be lost to a crash after
 * the commit, and the job's context has the mail configuration a request's context does not carry.
 */
import type { DB } from "../../db/client";
import { enqueueJob, type JobHandler } from "../jobs/queue.server";
import { appUrl, queueMail } from "../mail/mail.server";
import { mailPreferencesOfMany } from "../mail/preferences.server";
import { formatInZone } from "../utils/time-zones";
import { meetingIcs, MEETING_SUMMARY } from "./ics.server";

type MailContext = Parameters<typeof queueMail>[0];

/** The key of one person's message about one version of a meeting. */
export function invitationKey(meetingId: string, version: number, userId: string): string {
  return `invitation:calibration:${meetingId}:${version}:${userId}`;
}

async function loadMeeting(db: DB, meetingId: string) {
  const meeting = await db
    .selectFrom("calibration_meetings as m")
    .innerJoin("users as f", "f.id", "m.facilitator_id")
    .select([
      "m.id",
      "m.version",
      "m.status",
      "m.scheduled_for",
      "m.timebox_minutes",
      "m.facilitator_id",
      "f.name as facilitator_name",
      "f.email as facilitator_email",
    ])
    .where("m.id", "=", meetingId)
    .executeTakeFirst();
  if (!meeting) return undefined;
  const people = await db
    .selectFrom("calibration_attendees as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["u.id", "u.name", "u.email", "u.disabled_at"])
    .where("a.meeting_id", "=", meetingId)
    .orderBy("u.name")
    .orderBy("u.id")
    .execute();
  return { ...meeting, people };
}

/** Who was sent some version of this meeting: for them a new version is an update, and a cancellation is news. */
async function invitedBefore(db: DB, meetingId: string): Promise<Set<string | null>> {
  const rows = await db
    .selectFrom("mail_messages")
    .select("user_id")
    .distinct()
    .where("key", "like", `invitation:calibration:${meetingId}:%`)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

async function send(ctx: MailContext, meetingId: string, method: "REQUEST" | "CANCEL") {
  const meeting = await loadMeeting(ctx.db, meetingId);
  if (!meeting) return 0;
  if (meeting.status !== (method === "REQUEST" ? "planned" : "cancelled")) return 0;
  const url = appUrl(ctx.env, `/calibrations/${meeting.id}`);
  const people = meeting.people.filter((p) => p.disabled_at === null);
  const ics = meetingIcs(
    {
      id: meeting.id,
      version: meeting.version,
      scheduledFor: new Date(meeting.scheduled_for),
      timeboxMinutes: meeting.timebox_minutes,
      url,
      organizer: { name: meeting.facilitator_name, email: meeting.facilitator_email },
      attendees: people.map((p) => ({ name: p.name, email: p.email })),
    },
    method,
  );
  const [invited, preferences] = await Promise.all([
    invitedBefore(ctx.db, meeting.id),
    mailPreferencesOfMany(
      ctx.db,
      people.map((p) => p.id),
    ),
  ]);
  let queued = 0;
  for (const person of people) {
    // A cancellation goes to those who were sent the meeting, not to someone who never heard of it.
    if (method === "CANCEL" && !invited.has(person.id)) continue;
    const wanted = preferences.get(person.id);
    if (!wanted?.invitations) continue;
    const when = formatInZone(meeting.scheduled_for, wanted.timeZone);
    const facilitated =
      person.id === meeting.facilitator_id
        ? "you facilitate"
        : `facilitated by ${meeting.facilitator_name}`;
    const update = method === "REQUEST" && invited.has(person.id);
    const subject =
      method === "CANCEL"
        ? `Cancelled: ${MEETING_SUMMARY.toLowerCase()} on ${when}`
        : update
          ? `Moved: ${MEETING_SUMMARY.toLowerCase()} now on ${when}`
          : `Invitation: ${MEETING_SUMMARY.toLowerCase()} on ${when}`;
    const first =
      method === "CANCEL"
        ? `The calibration meeting ${facilitated} on ${when} has been cancelled.`
        : update
          ? `The calibration meeting ${facilitated} has moved to ${when}.`
          : `You are invited to a calibration meeting ${facilitated}, on ${when}.`;
    const made = await queueMail(ctx, {
      key: invitationKey(meeting.id, meeting.version, person.id),
      kind: method === "CANCEL" ? "invitation.calibration-cancel" : "invitation.calibration",
      userId: person.id,
      candidateId: null,
      subject,
      body: {
        paragraphs: [
          first,
          method === "CANCEL"
            ? "The attached calendar file removes it from your calendar."
            : "The attached calendar file adds it to your calendar. The meeting's page has the agenda and the packets to read before it.",
        ],
        action: { label: "Open the meeting", url },
      },
      ics: { content: ics, method },
      list: "invitations",
    });
    if (made) queued += 1;
  }
  return queued;
}

/** After a meeting is planned or moved: the invitation (or its update) to each attendee. Returns how many were queued. */
export function inviteToMeeting(ctx: MailContext, meetingId: string): Promise<number> {
  return send(ctx, meetingId, "REQUEST");
}

/** After a meeting is cancelled: the cancellation to each attendee. Returns how many were queued. */
export function cancelMeetingInvitations(ctx: MailContext, meetingId: string): Promise<number> {
  return send(ctx, meetingId, "CANCEL");
}

export const CALENDAR_INVITATIONS_JOB = "calendar.invitations";

/**
 * Enqueues the invitations (or the cancellation) of this version of the meeting, once per version.
 * Call it with the transaction that planned, moved or cancelled the meeting.
 */
export async function queueMeetingInvitations(
  db: DB,
  input: { meetingId: string; version: number; method: "REQUEST" | "CANCEL"; runAt: Date },
): Promise<void> {
  await enqueueJob(db, {
    kind: CALENDAR_INVITATIONS_JOB,
    payload: { meetingId: input.meetingId, method: input.method },
    key: `${CALENDAR_INVITATIONS_JOB}:${input.meetingId}:${input.version}`,
    runAt: input.runAt,
  });
}

/** The "calendar.invitations" job (app/jobs/handlers.server.ts registers it): safe to run twice. */
export const calendarInvitationsJob: JobHandler = async (ctx, payload) => {
  const { meetingId, method } = payload;
  if (typeof meetingId !== "string" || (method !== "REQUEST" && method !== "CANCEL"))
    throw new Error(
      "calendar.invitations: a meetingId and a method (REQUEST or CANCEL) are needed",
    );
  if (method === "REQUEST") await inviteToMeeting(ctx, meetingId);
  else await cancelMeetingInvitations(ctx, meetingId);
};
