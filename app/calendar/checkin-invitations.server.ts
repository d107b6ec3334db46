/**
 * A coaching check-in as a calendar invitation: when a check-in plans the next one (`next_on`), the
 * plan's mentor gets a mail with an all-day event on that day (METHOD:REQUEST, made by the `ics`
 * library), if they want invitations. The event's UID is the plan's, the one the personal feed uses,
 * and its SEQUENCE is the number of check-ins that planned a next one: a later check-in moves the
 * event instead of adding one. Keyed by check-in and person, so it is sent once.
 *
 * The message and the event say "Coaching check-in", the candidate's name, the day and a link to the
 * plan: never the check-in's notes, the plan's goal or anything else written in it.
 *
 * The check-in's page enqueues a "calendar.checkin" job in the transaction that records the check-in.
 */
import type { DB } from "../../db/client";
import { enqueueJob, type JobHandler } from "../jobs/queue.server";
import { appUrl, queueMail } from "../mail/mail.server";
import { mailPreferencesOf } from "../mail/preferences.server";
import { formatDate } from "../utils/dates";
import { build, dayArray, nextDay, UID_DOMAIN } from "./ics.server";

export const CHECKIN_INVITATION_JOB = "calendar.checkin";
export const CHECKIN_SUMMARY = "Coaching check-in";

/** Call with the transaction that recorded a check-in with a next date. */
export async function queueCheckinInvitation(
  db: DB,
  { checkinId, runAt }: { checkinId: string; runAt: Date },
): Promise<void> {
  await enqueueJob(db, {
    kind: CHECKIN_INVITATION_JOB,
    payload: { checkinId },
    key: `${CHECKIN_INVITATION_JOB}:${checkinId}`,
    runAt,
  });
}

/** The invitation's iCalendar object: an all-day event on `nextOn` for the mentor. */
export function checkinIcs(input: {
  planId: string;
  sequence: number;
  nextOn: string;
  url: string;
  mentor: { name: string; email: string };
}): string {
  return build(
    [
      {
        start: dayArray(input.nextOn),
        end: nextDay(input.nextOn),
        uid: `coaching-checkin-${input.planId}@${UID_DOMAIN}`,
        sequence: input.sequence,
        title: CHECKIN_SUMMARY,
        description: `${CHECKIN_SUMMARY} in Noseworthy: ${input.url}`,
        url: input.url,
        transp: "TRANSPARENT",
        organizer: input.mentor,
        attendees: [{ ...input.mentor, rsvp: false, partstat: "ACCEPTED", role: "CHAIR" }],
      },
    ],
    { method: "REQUEST" },
  );
}

/** Sends the invitation of one check-in's next date to the plan's mentor. Safe to run twice. */
export async function inviteToCheckin(
  ctx: Parameters<typeof queueMail>[0],
  checkinId: string,
): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("coaching_checkins as k")
    .innerJoin("coaching_plans as p", "p.id", "k.plan_id")
    .innerJoin("candidates as c", "c.id", "p.candidate_id")
    .innerJoin("users as m", "m.id", "p.mentor_id")
    .select([
      "k.plan_id",
      "k.next_on",
      "k.created_at",
      "p.status",
      "p.candidate_id",
      "p.mentor_id",
      "c.name as candidate_name",
      "m.name as mentor_name",
      "m.email as mentor_email",
      "m.disabled_at",
    ])
    .where("k.id", "=", checkinId)
    .executeTakeFirst();
  if (!row?.next_on || row.status !== "active" || row.disabled_at) return false;
  if (!(await mailPreferencesOf(ctx.db, row.mentor_id)).invitations) return false;
  const { n } = await ctx.db
    .selectFrom("coaching_checkins")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("plan_id", "=", row.plan_id)
    .where("next_on", "is not", null)
    .where("created_at", "<=", row.created_at)
    .executeTakeFirstOrThrow();
  const nextOn = String(row.next_on).slice(0, 10);
  const url = appUrl(ctx.env, `/coaching/${row.plan_id}`);
  return queueMail(ctx, {
    key: `invitation:checkin:${checkinId}:${row.mentor_id}`,
    kind: "invitation.checkin",
    userId: row.mentor_id,
    candidateId: row.candidate_id,
    subject: `Coaching check-in with ${row.candidate_name}: ${formatDate(nextOn)}`,
    body: {
      paragraphs: [
        `The next coaching check-in with ${row.candidate_name} is planned for ${formatDate(nextOn)}.`,
        "The invitation is attached: add it to your calendar.",
      ],
      action: { label: "Open the coaching plan", url },
    },
    ics: {
      content: checkinIcs({
        planId: row.plan_id,
        sequence: Number(n),
        nextOn,
        url,
        mentor: { name: row.mentor_name, email: row.mentor_email },
      }),
      method: "REQUEST",
    },
    list: "invitations",
  });
}

/** The "calendar.checkin" job (app/jobs/handlers.server.ts registers it). */
export const checkinInvitationJob: JobHandler = async (ctx, payload) => {
  if (typeof payload.checkinId !== "string")
    throw new Error("calendar.checkin: a checkinId is needed");
  await inviteToCheckin(ctx, payload.checkinId);
};
