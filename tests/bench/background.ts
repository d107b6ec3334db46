/**
 * The background work of a generated organisation, measured and then finished before any page is.
 *
 * Every server process runs the job queue (decision 0019). On a freshly generated organisation the
 * first hourly reminder scan finds thousands of reminders due and queues a message for each, so a
 * server started straight after generation spent its first minutes on jobs, and that CPU landed on
 * whichever routes were being measured (/healthz cost 5.9 ms a request instead of 1.4). So the bench
 * runs that work here first, timed — the reminder scan, the weekly digest for every user, delivering
 * the messages to the outbox — then the current slot of every recurring job, so the servers find
 * nothing due. `jobsTouchedSince` tells the caller if a job ran during the measurements anyway (an
 * hour boundary passed: the next slot's scans).
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { createDb, type DB } from "../../db/client";
import { parseEnv } from "../../app/env.server";
import { jobHandlers, jobSchedules } from "../../app/jobs/handlers.server";
import { enqueueScheduled, runDueJobs } from "../../app/jobs/queue.server";
import { scanDigests } from "../../app/notify/digest.server";
import { scanReminders } from "../../app/notify/reminders.server";

export interface BackgroundWork {
  /** One reminder scan over the whole organisation, and the messages it queued. */
  reminders: { seconds: number; queued: number };
  /** The weekly digest of every user who has a My week, all made due at once (Monday 08:00 UTC). */
  digest: { users: number; queued: number; seconds: number; seconds_per_1000_users: number };
  /** Handing every queued message to the outbox (no SMTP_URL), and the current slots' jobs. */
  drain: { seconds: number; jobs: number };
}

/** The latest Monday 08:00 UTC at or before `now`: every user's default digest hour (time zone UTC). */
export function lastDigestHour(now: Date): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8));
  const back = (at.getUTCDay() + 6) % 7; // days since Monday
  at.setUTCDate(at.getUTCDate() - back);
  if (at > now) at.setUTCDate(at.getUTCDate() - 7);
  return at;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

export async function runBackgroundWork(
  url: string,
  secret: string,
  { scans = true } = {},
): Promise<BackgroundWork | null> {
  const handle = await createDb({ databaseUrl: url, poolMax: 2 });
  const env = parseEnv({ NODE_ENV: "production", SESSION_SECRET: secret, DATABASE_URL: url });
  const ctx = { db: handle.db, env, now: () => new Date(), workerId: `bench-${randomUUID()}` };
  try {
    if (!scans) {
      // A reused organisation: only what is due now, so the servers find nothing to do.
      await drain(ctx);
      return null;
    }
    let t = process.hrtime.bigint();
    const queuedReminders = await scanReminders(ctx);
    const reminders = { seconds: round(seconds(t)), queued: queuedReminders };

    const users = await countDigestUsers(handle.db);
    t = process.hrtime.bigint();
    const queuedDigests = await scanDigests(ctx, { at: lastDigestHour(new Date()) });
    const digestSeconds = seconds(t);
    const digest = {
      users,
      queued: queuedDigests,
      seconds: round(digestSeconds),
      seconds_per_1000_users: round((digestSeconds / Math.max(1, users)) * 1000),
    };

    t = process.hrtime.bigint();
    const jobs = await drain(ctx);
    return { reminders, digest, drain: { seconds: round(seconds(t)), jobs } };
  } finally {
    await handle.close();
  }
}

/** The current slot of every recurring job, and every job due, run here until none is left. */
async function drain(ctx: Parameters<typeof runDueJobs>[0]): Promise<number> {
  await enqueueScheduled(ctx.db, jobSchedules, new Date());
  let jobs = 0;
  for (;;) {
    const ran = await runDueJobs(ctx, jobHandlers, { limit: 200 });
    jobs += ran;
    if (ran === 0) return jobs;
  }
}

/** Active users who see candidates (the digest's recipients; an admin-only account has no My week). */
async function countDigestUsers(db: DB): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from users
    where disabled_at is null and roles && array['manager', 'mentor', 'leader']::text[]`.execute(
    db,
  );
  return rows[0].n;
}

/** Jobs started or finished since `since`: work the servers did beside the pages being measured. */
export async function jobsTouchedSince(url: string, since: Date): Promise<string[]> {
  const handle = await createDb({ databaseUrl: url, poolMax: 1 });
  try {
    const { rows } = await sql<{ kind: string; n: number }>`
      select kind, count(*)::int as n from jobs where updated_at >= ${since} group by kind order by kind`.execute(
      handle.db,
    );
    return rows.map((r) => `${r.kind} × ${r.n}`);
  } finally {
    await handle.close();
  }
}
