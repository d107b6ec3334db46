/**
 * The weekly digest (README: Reminders and the weekly digest): My week by mail, at each person's own
 * day and hour in their own time zone. An hourly scan finds the active people whose local day and hour
 * it is now and who want the digest, reads My week for each with its own model (getMyWeek) and queues
 * one message keyed by the person and the ISO week in their zone, so a week has one digest at most.
 *
 * It lists names and what is due, with links: never the title of a coaching action, a nomination's
 * reason, a flag's anti-pattern or anything else someone wrote. A week with nothing due sends nothing:
 * a message that says "nothing" every week teaches people to skip the ones that matter.
 */
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { seesPeopleData, type Viewer } from "../auth/policy.server";
import {
  appUrl,
  queueMail,
  type MailBody,
  type MailDraft,
  type MailEnv,
} from "../mail/mail.server";
import { mailPreferencesOfMany, type MailPreferences } from "../mail/preferences.server";
import { getMyWeek } from "../models/my-week.server";
import { addDays, formatDate } from "../utils/dates";
import { formatWallClock, isoWeek, localMoment } from "../utils/time-zones";
import type { JobHandler } from "../jobs/queue.server";
import type { ScanContext } from "./reminders.server";

/** Whether `now` is the person's digest day and hour in their zone. */
export function isDigestHour(now: Date, prefs: MailPreferences): boolean {
  const here = localMoment(now, prefs.timeZone);
  return here.weekday === prefs.digestDay && here.hour === prefs.digestHour;
}

export function digestKey(userId: string, now: Date, timeZone: string): string {
  return `digest:${userId}:${isoWeek(localMoment(now, timeZone).date)}`;
}

type MyWeek = Awaited<ReturnType<typeof getMyWeek>>;

/** The digest's lines from My week: names and what is due, with links; nothing anyone wrote. */
export function digestItems(
  env: MailEnv,
  week: MyWeek,
  { today, timeZone }: { today: string; timeZone: string },
): NonNullable<MailBody["items"]> {
  const url = (path: string) => appUrl(env, path);
  const items: NonNullable<MailBody["items"]> = [];
  for (const a of week.assignments)
    items.push({
      text: `Sniff test for ${a.candidate_name}`,
      url: url(
        a.candidate_id
          ? `/candidates/${a.candidate_id}/assignments/${a.id}`
          : `/sniff-tests/${a.sniff_test_id}/offerings/${a.offering_id}`,
      ),
      due: `${String(a.due_on) < today ? "was due" : "due"} ${formatDate(String(a.due_on))}`,
    });
  for (const c of week.checkins)
    items.push({
      text: `Check-in with ${c.candidate_name}`,
      url: url(`/coaching/${c.id}`),
      due: c.next_on ? `due ${formatDate(String(c.next_on))}` : undefined,
    });
  // An action's title is the plan's own text: the line says only that one is due.
  for (const a of week.actions)
    items.push({
      text: `Coaching action for ${a.candidate_name}`,
      url: url(`/coaching/${a.plan_id}`),
      due: `due ${formatDate(a.due_on)}`,
    });
  for (const m of week.prereads)
    for (const i of m.items.filter((x) => !x.has_own_preread))
      items.push({
        text: `Pre-read on ${i.candidate_name}`,
        url: url(`/calibrations/${m.id}/items/${i.id}`),
        due: `meeting ${formatWallClock(new Date(m.scheduled_for), timeZone)}`,
      });
  for (const f of week.flags)
    items.push({
      text: `Flag on ${f.candidate_name} to discuss with them`,
      url: url(`/candidates/${f.candidate_id}/flags/${f.id}`),
    });
  // The next meeting, when it falls in the coming week.
  if (week.meeting) {
    const at = new Date(week.meeting.scheduled_for);
    if (localMoment(at, timeZone).date <= addDays(today, 7))
      items.push({
        text: "Calibration meeting",
        url: url(`/calibrations/${week.meeting.id}`),
        due: formatWallClock(at, timeZone),
      });
  }
  for (const n of week.nominations)
    items.push({
      text: `${n.name} was nominated by ${n.nominatedByName}`,
      url: url(`/candidates/${n.id}`),
    });
  for (const h of week.handovers)
    items.push({
      text: `${h.candidateName}'s coaching plan moved from ${h.fromMentorName} to ${h.toMentorName}`,
      url: url(`/coaching/${h.planId}`),
    });
  return items;
}

export function digestDraft(
  env: MailEnv,
  { userId, key, items }: { userId: string; key: string; items: NonNullable<MailBody["items"]> },
): MailDraft {
  return {
    key,
    kind: "digest.weekly",
    userId,
    // It names several candidates; see README: Reminders and the weekly digest (erasure).
    candidateId: null,
    subject: "Your week in Noseworthy",
    body: {
      paragraphs: ["What needs your attention this week:"],
      items,
      action: { label: "Open My week", url: appUrl(env, "/") },
    },
    list: "digest",
  };
}

/** The people whose digest hour it is now, who want it, with an account that is active. */
export async function dueDigestRecipients(db: DB, now: Date) {
  const users = await db
    .selectFrom("users")
    .select(["id", "roles"])
    .where("disabled_at", "is", null)
    .execute();
  // Only people who see candidates have a My week; an admin-only account has nothing to list.
  const leading = users.filter((u) => seesPeopleData({ id: u.id, roles: u.roles as Role[] }));
  const prefs = await mailPreferencesOfMany(
    db,
    leading.map((u) => u.id),
  );
  const due: { viewer: Viewer; prefs: MailPreferences; key: string }[] = [];
  for (const u of leading) {
    const p = prefs.get(u.id);
    if (!p?.digest || !isDigestHour(now, p)) continue;
    due.push({
      viewer: { id: u.id, roles: u.roles as Role[] },
      prefs: p,
      key: digestKey(u.id, now, p.timeZone),
    });
  }
  if (due.length === 0) return due;
  const made = new Set(
    (
      await db
        .selectFrom("mail_messages")
        .select("key")
        .where(
          "key",
          "in",
          due.map((d) => d.key),
        )
        .execute()
    ).map((r) => r.key),
  );
  return due.filter((d) => !made.has(d.key));
}

/**
 * Queues the digests due in the hour of `at` (by default now); returns how many were made. The job
 * passes its slot's start, so a run retried or delayed past its hour still sends that hour's digests.
 */
export async function scanDigests(ctx: ScanContext, { at }: { at?: Date } = {}): Promise<number> {
  const now = at ?? ctx.now();
  let queued = 0;
  for (const { viewer, prefs, key } of await dueDigestRecipients(ctx.db, now)) {
    const today = localMoment(now, prefs.timeZone).date;
    const week = await getMyWeek(ctx.db, { viewer, today });
    const items = digestItems(ctx.env, week, { today, timeZone: prefs.timeZone });
    if (items.length === 0) continue;
    if (await queueMail(ctx, digestDraft(ctx.env, { userId: viewer.id, key, items }))) queued += 1;
  }
  return queued;
}

/** The start of a recurring job's slot, from its key ("schedule:<kind>:<ISO instant>"), if it has one. */
export function slotOfJob(key: string | null): Date | undefined {
  const iso = key?.match(/^schedule:[^:]+:(\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/)?.[1];
  const at = iso ? new Date(iso) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** The "digest.scan" handler (hourly): the digests of its slot's hour. */
export const digestScanJob: JobHandler = async (ctx, _payload, job) => {
  await scanDigests(ctx, { at: slotOfJob(job.key) });
};
