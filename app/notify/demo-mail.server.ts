/**
 * The demo organisation's mail (`npm run demo` only, right after seeding): this morning's reminders,
 * this week's digests and the invitations to the planned meetings, made as the hourly jobs would have
 * made them, so the outbox (`/admin/outbox`) shows what Noseworthy sends from the first minute.
 */
import type { DB } from "../../db/client";
import { queueMeetingInvitations } from "../calendar/invitations.server";
import type { MailEnv } from "../mail/mail.server";
import { scanDigests } from "./digest.server";
import { scanReminders } from "./reminders.server";

/** The last time it was `hour`:00 UTC on a day that `keep` accepts, at or before `now`. */
function lastUtc(now: Date, hour: number, keep: (day: number) => boolean): Date {
  const at = new Date(now);
  at.setUTCHours(hour, 0, 0, 0);
  while (at > now || !keep(at.getUTCDay())) at.setUTCDate(at.getUTCDate() - 1);
  return at;
}

export async function queueDemoMail(
  { db, env }: { db: DB; env: MailEnv },
  now = new Date(),
): Promise<{ reminders: number; digests: number; meetings: number }> {
  // The demo's people are in UTC and keep the defaults: reminders from 08:00, the digest Monday 08:00.
  const morning = lastUtc(now, 9, () => true);
  const monday = lastUtc(now, 8, (day) => day === 1);
  const reminders = await scanReminders({ db, env, now: () => morning });
  const digests = await scanDigests({ db, env, now: () => monday }, { at: monday });
  const planned = await db
    .selectFrom("calibration_meetings")
    .select(["id", "version"])
    .where("status", "=", "planned")
    .execute();
  for (const meeting of planned)
    await queueMeetingInvitations(db, {
      meetingId: meeting.id,
      version: meeting.version,
      method: "REQUEST",
      runAt: now,
    });
  return { reminders, digests, meetings: planned.length };
}
