/**
 * Reminders (README: Reminders and the weekly digest). An hourly scan finds what is due as of now and
 * queues one message per event and person:
 * - a sniff test due in two days or overdue, to whoever offered it;
 * - a coaching check-in or action due, to the plan's mentor;
 * - a calibration pre-read not written two days before the meeting, to each attendee missing one;
 * - a flag not discussed with the person 14 days after it was raised, to whoever raised it.
 * A reminder goes out from 08:00 in the recipient's own time zone on its day (or at the first scan
 * after, when it is already late), only to someone the policy lets see the candidate, whose account is
 * active and who has not turned reminders off. The mail key names the event, its due day and the
 * person: an overdue sniff test is reminded of once per due date, not daily. A message names the
 * person and what is due, with a link — never what anyone wrote.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { canViewCandidate, seesPeopleData, type Viewer } from "../auth/policy.server";
import type { JobContext, JobHandler } from "../jobs/queue.server";
import { appUrl, queueMail, type MailDraft, type MailEnv } from "../mail/mail.server";
import { mailPreferencesOfMany } from "../mail/preferences.server";
import { addDays, formatDate, isoDate } from "../utils/dates";
import { formatInZone, formatWallClock, localMoment } from "../utils/time-zones";

/** Reminders go out from this hour of the recipient's day, not at midnight. */
export const REMINDER_HOUR = 8;
export const ASSIGNMENT_LEAD_DAYS = 2;
export const PREREAD_LEAD_DAYS = 2;
export const FLAG_UNDISCUSSED_DAYS = 14;

/** What a scan needs: a JobContext will do. */
export type ScanContext = Pick<JobContext, "db" | "now"> & { env: MailEnv };
type Env = MailEnv;

/** Something one person should be reminded of, before the policy, the preferences and the clock are asked. */
export interface ReminderEvent {
  key: string;
  userId: string;
  /** The candidate it is about (the policy decides whether the person may still see them). */
  candidateId: string | null;
  /** The day, in the recipient's zone, from whose REMINDER_HOUR on the reminder is sent. */
  remindOn: (timeZone: string) => string;
  /** Whether the recipient may see what it is about, beyond the candidate's circle. */
  allowed: (viewer: Viewer) => boolean;
  draft: (env: Env, timeZone: string, now: Date) => MailDraft;
}

/** Whether the reminder's moment has come: REMINDER_HOUR on its day, in the recipient's zone. */
export function reminderIsDue(now: Date, timeZone: string, remindOn: string): boolean {
  const here = localMoment(now, timeZone);
  return here.date > remindOn || (here.date === remindOn && here.hour >= REMINDER_HOUR);
}

// ---- The events -----------------------------------------------------------------------------------

async function assignmentEvents(db: DB, utcToday: string): Promise<ReminderEvent[]> {
  const rows = await db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("people", "people.id", "a.person_id")
    .leftJoin("candidates as c", "c.id", "a.candidate_id")
    .select([
      "a.id",
      "a.due_on",
      "a.assigned_by",
      "a.candidate_id",
      "a.person_id",
      "a.sniff_test_id",
      "a.offering_id",
      "people.name",
    ])
    .where("a.status", "in", ["offered", "accepted"])
    // A zone ahead of UTC may already be a day further on.
    .where("a.due_on", "<=", addDays(utcToday, ASSIGNMENT_LEAD_DAYS + 1))
    .where("people.left_on", "is", null)
    .where((eb) => eb.or([eb("a.candidate_id", "is", null), eb("c.archived_at", "is", null)]))
    .execute();
  return rows.map((a) => {
    const dueOn = String(a.due_on);
    const path = a.candidate_id
      ? `/candidates/${a.candidate_id}/assignments/${a.id}`
      : a.offering_id
        ? `/sniff-tests/${a.sniff_test_id}/offerings/${a.offering_id}`
        : `/people/${a.person_id}`;
    return {
      key: `reminder:assignment-due:${a.id}:${dueOn}:${a.assigned_by}`,
      userId: a.assigned_by,
      candidateId: a.candidate_id,
      remindOn: () => addDays(dueOn, -ASSIGNMENT_LEAD_DAYS),
      // Someone not nominated: whoever offered them the test is in their circle (policy.server.ts).
      allowed: seesPeopleData,
      draft: (env, timeZone, now) => {
        const late = localMoment(now, timeZone).date > dueOn;
        const url = appUrl(env, path);
        return {
          key: `reminder:assignment-due:${a.id}:${dueOn}:${a.assigned_by}`,
          kind: "reminder.assignment",
          userId: a.assigned_by,
          candidateId: a.candidate_id,
          subject: late
            ? `Sniff test for ${a.name} was due ${formatDate(dueOn)}`
            : `Sniff test for ${a.name} due ${formatDate(dueOn)}`,
          body: {
            paragraphs: [
              late
                ? `The sniff test you offered to ${a.name} was due on ${formatDate(dueOn)} and is still open.`
                : `The sniff test you offered to ${a.name} is due on ${formatDate(dueOn)}.`,
              "Open it to record how it went, or to change its status.",
            ],
            items: [{ text: `Sniff test for ${a.name}`, url, due: formatDate(dueOn) }],
            action: { label: "Open the sniff test", url },
          },
          list: "reminders",
        };
      },
    };
  });
}

async function flagEvents(db: DB, now: Date): Promise<ReminderEvent[]> {
  const rows = await db
    .selectFrom("flags as f")
    .innerJoin("candidates as c", "c.id", "f.candidate_id")
    .select(["f.id", "f.raised_by", "f.created_at", "c.id as candidate_id", "c.name"])
    .where("f.status", "in", ["open", "addressing"])
    .where("f.discussed_with_candidate_on", "is", null)
    .where("c.archived_at", "is", null)
    // A day of slack for the zones: the exact day is judged in the recipient's.
    .where("f.created_at", "<=", new Date(now.getTime() - (FLAG_UNDISCUSSED_DAYS - 1) * 86_400_000))
    .execute();
  return rows.map((f) => {
    const key = `reminder:flag-undiscussed:${f.id}:${f.raised_by}`;
    const path = `/candidates/${f.candidate_id}/flags/${f.id}`;
    return {
      key,
      userId: f.raised_by,
      candidateId: f.candidate_id,
      remindOn: (timeZone) =>
        addDays(localMoment(new Date(f.created_at), timeZone).date, FLAG_UNDISCUSSED_DAYS),
      allowed: () => true,
      draft: (env) => {
        const url = appUrl(env, path);
        return {
          key,
          kind: "reminder.flag",
          userId: f.raised_by,
          candidateId: f.candidate_id,
          subject: `A flag on ${f.name} has not been discussed with them`,
          body: {
            paragraphs: [
              `You raised a flag on ${f.name} ${FLAG_UNDISCUSSED_DAYS} or more days ago, and it has not been discussed with them yet.`,
              "A flag is meant to be talked through with the person: once you have, record the day on the flag.",
            ],
            items: [{ text: `Flag on ${f.name}`, url }],
            action: { label: "Open the flag", url },
          },
          list: "reminders",
        };
      },
    };
  });
}

async function coachingEvents(db: DB, utcToday: string): Promise<ReminderEvent[]> {
  const horizon = addDays(utcToday, 1);
  const plans = await db
    .selectFrom("coaching_plans as p")
    .innerJoin("candidates as c", "c.id", "p.candidate_id")
    .select((eb) => [
      "p.id",
      "p.mentor_id",
      "c.id as candidate_id",
      "c.name",
      // The next check-in is the one the latest check-in planned.
      eb
        .selectFrom("coaching_checkins as k")
        .select("k.next_on")
        .whereRef("k.plan_id", "=", "p.id")
        .orderBy("k.held_on", "desc")
        .orderBy("k.created_at", "desc")
        .limit(1)
        .$asScalar()
        .$castTo<string | null>()
        .as("next_on"),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_actions as ca")
          .select(["ca.id", "ca.due_on"])
          .whereRef("ca.plan_id", "=", "p.id")
          .where("ca.done_on", "is", null)
          .where("ca.due_on", "<=", horizon),
      ).as("actions"),
    ])
    .where("p.status", "=", "active")
    .where("c.archived_at", "is", null)
    .execute();
  const events: ReminderEvent[] = [];
  for (const p of plans) {
    const url = (env: Env) => appUrl(env, `/coaching/${p.id}`);
    const nextOn = p.next_on ? String(p.next_on).slice(0, 10) : null;
    if (nextOn && nextOn <= horizon) {
      const key = `reminder:checkin-due:${p.id}:${nextOn}:${p.mentor_id}`;
      events.push({
        key,
        userId: p.mentor_id,
        candidateId: p.candidate_id,
        remindOn: () => nextOn,
        allowed: () => true,
        draft: (env) => ({
          key,
          kind: "reminder.checkin",
          userId: p.mentor_id,
          candidateId: p.candidate_id,
          subject: `A check-in with ${p.name} is due ${formatDate(nextOn)}`,
          body: {
            paragraphs: [
              `The next check-in on ${p.name}'s coaching plan is due on ${formatDate(nextOn)}.`,
              "Record it on the plan once it is held.",
            ],
            items: [{ text: `Check-in with ${p.name}`, url: url(env), due: formatDate(nextOn) }],
            action: { label: "Open the coaching plan", url: url(env) },
          },
          list: "reminders",
        }),
      });
    }
    for (const a of p.actions) {
      const dueOn = String(a.due_on).slice(0, 10);
      const key = `reminder:action-due:${a.id}:${dueOn}:${p.mentor_id}`;
      // The action's title is the plan's own text: the message says only that one is due.
      events.push({
        key,
        userId: p.mentor_id,
        candidateId: p.candidate_id,
        remindOn: () => dueOn,
        allowed: () => true,
        draft: (env) => ({
          key,
          kind: "reminder.action",
          userId: p.mentor_id,
          candidateId: p.candidate_id,
          subject: `A coaching action for ${p.name} is due ${formatDate(dueOn)}`,
          body: {
            paragraphs: [
              `A coaching action on ${p.name}'s plan is due on ${formatDate(dueOn)}.`,
              "Open the plan to see it, and mark it done when it is.",
            ],
            items: [
              { text: `Coaching action for ${p.name}`, url: url(env), due: formatDate(dueOn) },
            ],
            action: { label: "Open the coaching plan", url: url(env) },
          },
          list: "reminders",
        }),
      });
    }
  }
  return events;
}

async function prereadEvents(db: DB, now: Date): Promise<ReminderEvent[]> {
  const meetings = await db
    .selectFrom("calibration_meetings as m")
    .select((eb) => [
      "m.id",
      "m.scheduled_for",
      "m.facilitator_id",
      jsonArrayFrom(
        eb
          .selectFrom("calibration_attendees as at")
          .select("at.user_id")
          .whereRef("at.meeting_id", "=", "m.id"),
      ).as("attendees"),
      jsonArrayFrom(
        eb
          .selectFrom("calibration_items as i")
          .innerJoin("candidates as c", "c.id", "i.candidate_id")
          .select((e) => [
            "i.id",
            "c.id as candidate_id",
            "c.name",
            jsonArrayFrom(
              e
                .selectFrom("calibration_prereads as pr")
                .select("pr.user_id")
                .whereRef("pr.item_id", "=", "i.id"),
            ).as("read_by"),
          ])
          .whereRef("i.meeting_id", "=", "m.id")
          // An opened item's pre-reads are locked: nothing left to write.
          .where("i.opened_at", "is", null)
          .orderBy("i.position")
          .orderBy("i.id"),
      ).as("items"),
    ])
    .where("m.status", "=", "planned")
    .where("m.scheduled_for", ">", now)
    .where("m.scheduled_for", "<=", new Date(now.getTime() + (PREREAD_LEAD_DAYS + 2) * 86_400_000))
    .execute();
  const events: ReminderEvent[] = [];
  for (const m of meetings) {
    const at = new Date(m.scheduled_for);
    const day = isoDate(at);
    const people = new Set([m.facilitator_id, ...m.attendees.map((a) => a.user_id)]);
    for (const userId of people) {
      const missing = m.items.filter((i) => !i.read_by.some((r) => r.user_id === userId));
      if (missing.length === 0) continue;
      const key = `reminder:preread-due:${m.id}:${day}:${userId}`;
      events.push({
        key,
        userId,
        // A packet shows its candidate to the meeting's attendees (policy.server.ts), whatever the
        // circle: the policy's check here is the meeting's, in `allowed`.
        candidateId: null,
        remindOn: (timeZone) => addDays(localMoment(at, timeZone).date, -PREREAD_LEAD_DAYS),
        allowed: seesPeopleData,
        draft: (env, timeZone) => ({
          key,
          kind: "reminder.preread",
          userId,
          // Erasing the candidate deletes a message about them alone.
          candidateId: missing.length === 1 ? missing[0].candidate_id : null,
          subject: `Pre-reads to write before the calibration meeting on ${formatWallClock(at, timeZone)}`,
          body: {
            paragraphs: [
              `The calibration meeting is on ${formatInZone(at, timeZone)}. You have not written your pre-read for ${missing.length === 1 ? "this candidate" : "these candidates"} yet:`,
            ],
            items: missing.map((i) => ({
              text: `Pre-read on ${i.name}`,
              url: appUrl(env, `/calibrations/${m.id}/items/${i.id}`),
            })),
            action: { label: "Open the meeting", url: appUrl(env, `/calibrations/${m.id}`) },
          },
          list: "reminders",
        }),
      });
    }
  }
  return events;
}

// ---- The scan ---------------------------------------------------------------------------------------

/** Every reminder event as of `now`, before the policy, the preferences and the recipient's clock. */
export async function findReminderEvents(db: DB, now: Date): Promise<ReminderEvent[]> {
  const utcToday = isoDate(now);
  const found = await Promise.all([
    assignmentEvents(db, utcToday),
    flagEvents(db, now),
    coachingEvents(db, utcToday),
    prereadEvents(db, now),
  ]);
  return found.flat();
}

/** The circle facts of the candidates the events are about, for canViewCandidate. */
async function circleFacts(db: DB, candidateIds: string[]) {
  if (candidateIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("candidates")
    .select([
      "candidates.id",
      "candidates.manager_id",
      "candidates.nominated_by",
      sql<string[]>`array(select o.user_id::text from candidate_observers o
        where o.candidate_id = candidates.id)`.as("observer_ids"),
      sql<string[]>`array(select p.mentor_id::text from coaching_plans p
        where p.candidate_id = candidates.id and p.status in ('active', 'paused'))`.as(
        "mentor_ids",
      ),
    ])
    .where("candidates.id", "in", candidateIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        managerId: r.manager_id,
        nominatedBy: r.nominated_by,
        observerIds: r.observer_ids ?? [],
        activeMentorIds: r.mentor_ids ?? [],
      },
    ]),
  );
}

/** The keys among these that already have a message (so the scan does not render them again). */
async function existingKeys(db: DB, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const rows = await db
      .selectFrom("mail_messages")
      .select("key")
      .where("key", "in", chunk)
      .execute();
    for (const r of rows) found.add(r.key);
  }
  return found;
}

/**
 * The reminders to queue now: due in the recipient's own zone, allowed by the policy, wanted, and not
 * made before. A handful of set-based queries whatever the number of candidates.
 */
export async function dueReminders(
  db: DB,
  now: Date,
): Promise<{ event: ReminderEvent; timeZone: string }[]> {
  const events = await findReminderEvents(db, now);
  if (events.length === 0) return [];
  const userIds = [...new Set(events.map((e) => e.userId))];
  const candidateIds = [
    ...new Set(events.map((e) => e.candidateId).filter((id): id is string => id !== null)),
  ];
  const [users, prefs, facts] = await Promise.all([
    db
      .selectFrom("users")
      .select(["id", "roles"])
      .where("id", "in", userIds)
      .where("disabled_at", "is", null)
      .execute(),
    mailPreferencesOfMany(db, userIds),
    circleFacts(db, candidateIds),
  ]);
  const viewers = new Map<string, Viewer>(
    users.map((u) => [u.id, { id: u.id, roles: u.roles as Role[] }]),
  );
  const chosen: { event: ReminderEvent; timeZone: string }[] = [];
  for (const event of events) {
    const viewer = viewers.get(event.userId);
    const pref = prefs.get(event.userId);
    if (!viewer || !pref?.reminders) continue;
    if (!event.allowed(viewer)) continue;
    if (event.candidateId !== null) {
      const circle = facts.get(event.candidateId);
      if (!circle || !canViewCandidate(viewer, circle)) continue;
    }
    if (!reminderIsDue(now, pref.timeZone, event.remindOn(pref.timeZone))) continue;
    chosen.push({ event, timeZone: pref.timeZone });
  }
  const made = await existingKeys(
    db,
    chosen.map((c) => c.event.key),
  );
  return chosen.filter((c) => !made.has(c.event.key));
}

/** The "reminders.scan" job (hourly): queues every reminder due now; returns how many were made. */
export async function scanReminders(ctx: ScanContext): Promise<number> {
  const now = ctx.now();
  let queued = 0;
  for (const { event, timeZone } of await dueReminders(ctx.db, now)) {
    // queueMail refuses a key made since (a scan running twice): the message exists once.
    if (await queueMail(ctx, event.draft(ctx.env, timeZone, now))) queued += 1;
  }
  return queued;
}

/** The "reminders.scan" handler (hourly). A late run only sends late: each reminder is due from its moment on. */
export const reminderScanJob: JobHandler = async (ctx) => {
  await scanReminders(ctx);
};
