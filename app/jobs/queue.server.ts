/**
 * Durable background jobs in the `jobs` table (decision 0019). A job is taken with FOR UPDATE SKIP LOCKED
 * and leased until `locked_until`, renewed while its handler runs; a running job whose lease has passed
 * belongs to a process that died and is taken again. So a handler may run twice and must be safe to.
 * The same code runs on the embedded PGlite (one connection) and on PostgreSQL (many processes).
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { Env } from "../env.server";

export interface JobContext {
  db: DB;
  env: Env;
  now: () => Date;
  /** Who holds a lease: unique per process (the host, the pid and a random part). */
  workerId: string;
}

export type JobHandler = (
  ctx: JobContext,
  payload: Record<string, unknown>,
  job: { id: string; attempts: number; key: string | null },
) => Promise<void>;

export const DEFAULT_MAX_ATTEMPTS = 8;
/** Long enough for a slow handler between two renewals, short enough that a dead process's job waits little. */
export const DEFAULT_LEASE_MS = 60_000;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 3_600_000;
/** Mail errors can carry addresses: the message only, cut short, never a stack. */
export const ERROR_MAX_CHARS = 500;

export function newWorkerId(): string {
  return `${hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The wait before the next attempt after `attempts` failed ones: 30 s, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

/** What is kept of an error: its message (PostgreSQL text cannot hold U+0000), at most 500 characters. */
export function errorText(error: unknown): string {
  const message =
    error instanceof Error ? error.message || error.name : String(error ?? "Unknown error");
  // eslint-disable-next-line no-control-regex
  return (message.replace(/\u0000/g, "") || "Unknown error").slice(0, ERROR_MAX_CHARS);
}

/** Idempotent by key: returns null when a job with that key already exists (ever). */
export async function enqueueJob(
  db: DB,
  job: {
    kind: string;
    payload?: Record<string, unknown>;
    key?: string;
    runAt?: Date;
    maxAttempts?: number;
  },
): Promise<{ id: string } | null> {
  const row = await db
    .insertInto("jobs")
    .values({
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? {}),
      key: job.key ?? null,
      ...(job.runAt ? { run_at: job.runAt } : {}),
      max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row ?? null;
}

interface Taken {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  key: string | null;
  attempts: number;
  max_attempts: number;
}

/**
 * Takes the next due job: a pending one whose time has come, or a running one whose lease ran out.
 * One statement: the row is locked by the subquery (skipping rows other processes hold) and leased.
 */
async function takeNext(ctx: JobContext, leaseMs: number): Promise<Taken | undefined> {
  const now = ctx.now();
  const result = await sql<Taken>`
    UPDATE jobs
    SET status = 'running', attempts = attempts + 1, locked_by = ${ctx.workerId},
        locked_until = ${new Date(now.getTime() + leaseMs)}, updated_at = ${now}
    WHERE id = (
      SELECT id FROM jobs
      WHERE run_at <= ${now}
        AND (status = 'pending' OR (status = 'running' AND locked_until < ${now}))
      ORDER BY run_at, created_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, kind, payload, key, attempts, max_attempts`.execute(ctx.db);
  return result.rows[0];
}

/** Extends the lease while the handler runs; false once the job is no longer this run's. */
async function renewLease(ctx: JobContext, job: Taken, leaseMs: number): Promise<boolean> {
  const result = await ctx.db
    .updateTable("jobs")
    .set({ locked_until: new Date(ctx.now().getTime() + leaseMs) })
    .where("id", "=", job.id)
    .where("status", "=", "running")
    .where("locked_by", "=", ctx.workerId)
    .where("attempts", "=", job.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records how a run ended, only if the job is still this run's: when the lease ran out and another
 * process took the job, that run records its own ending.
 */
async function finish(ctx: JobContext, job: Taken, error: string | null, giveUp = false) {
  const now = ctx.now();
  const fail = error !== null && (giveUp || job.attempts >= job.max_attempts);
  await ctx.db
    .updateTable("jobs")
    .set(
      error === null
        ? { status: "done", done_at: now, last_error: null }
        : fail
          ? { status: "failed", last_error: error }
          : {
              status: "pending",
              run_at: new Date(now.getTime() + retryDelayMs(job.attempts)),
              last_error: error,
            },
    )
    .set({ locked_by: null, locked_until: null, updated_at: now })
    .where("id", "=", job.id)
    .where("status", "=", "running")
    .where("locked_by", "=", ctx.workerId)
    .where("attempts", "=", job.attempts)
    .execute();
  // Kind and id only: the message can name people.
  if (fail)
    console.warn(
      `Job ${job.kind} ${job.id} failed after ${job.attempts} attempts (see /admin/jobs).`,
    );
}

/**
 * One pass: takes due jobs one at a time (FOR UPDATE SKIP LOCKED, leased), runs their handler, marks
 * done or retries with back-off, up to `limit`; returns how many ran. Tests call this directly.
 */
export async function runDueJobs(
  ctx: JobContext,
  handlers: Record<string, JobHandler>,
  options: { limit?: number; leaseMs?: number } = {},
): Promise<number> {
  const limit = options.limit ?? 20;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  let ran = 0;
  while (ran < limit) {
    const job = await takeNext(ctx, leaseMs);
    if (!job) break;
    // A job whose process died during its last allowed attempt is not run once more: it may be what
    // kills the process (memory, a crash), and it would otherwise be taken again for ever.
    if (job.attempts > job.max_attempts) {
      await finish(
        ctx,
        job,
        `The process running it stopped before it finished, ${job.max_attempts} times.`,
        true,
      );
      continue;
    }
    ran += 1;
    const handler = Object.hasOwn(handlers, job.kind) ? handlers[job.kind] : undefined;
    if (!handler) {
      await finish(ctx, job, `No handler for job kind “${job.kind}” in this version.`, true);
      continue;
    }
    const renewing = setInterval(
      () => void renewLease(ctx, job, leaseMs).catch(() => {}),
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    let error: string | null = null;
    try {
      await handler(ctx, job.payload ?? {}, { id: job.id, attempts: job.attempts, key: job.key });
    } catch (thrown) {
      error = errorText(thrown);
    } finally {
      clearInterval(renewing);
    }
    await finish(ctx, job, error);
  }
  return ran;
}

export interface JobSchedule {
  kind: string;
  everyMinutes: number;
}

/** The start of the slot of `everyMinutes` that `now` falls in (slots counted from the Unix epoch, UTC). */
export function slotStart(now: Date, everyMinutes: number): Date {
  const width = everyMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / width) * width);
}

/**
 * Enqueues each recurring job's current slot, once: the key names the kind and the slot's start, so
 * every process may call this on every poll. Returns the kinds enqueued now.
 */
export async function enqueueScheduled(
  db: DB,
  schedules: readonly JobSchedule[],
  now: Date,
): Promise<string[]> {
  const made: string[] = [];
  for (const { kind, everyMinutes } of schedules) {
    const start = slotStart(now, everyMinutes);
    const job = await enqueueJob(db, {
      kind,
      key: `schedule:${kind}:${start.toISOString()}`,
      runAt: start,
    });
    if (job) made.push(kind);
  }
  return made;
}

// ---- The admin page ---------------------------------------------------------------------------------

/** Rows shown per list on the admin page; the counts say how many there are in all. */
export const JOBS_LIST_CAP = 50;

/**
 * The jobs for /admin/jobs: waiting or running (soonest first), failed and done (latest first). Kind,
 * times, attempts and the error only: a payload may name people or records, and is never read here.
 */
export async function listJobs(db: DB, { cap = JOBS_LIST_CAP }: { cap?: number } = {}) {
  const base = db
    .selectFrom("jobs")
    .select(["id", "kind", "status", "run_at", "attempts", "max_attempts", "updated_at"]);
  const [waiting, failed, done, counts] = await Promise.all([
    base
      .select(["locked_until"])
      .where("status", "in", ["pending", "running"])
      .orderBy("run_at")
      .orderBy("id")
      .limit(cap)
      .execute(),
    base
      .select(["last_error"])
      .where("status", "=", "failed")
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(cap)
      .execute(),
    base
      .select(["done_at"])
      .where("status", "=", "done")
      .orderBy("done_at", "desc")
      .orderBy("id")
      .limit(cap)
      .execute(),
    db
      .selectFrom("jobs")
      .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
      .groupBy("status")
      .execute(),
  ]);
  const count = Object.fromEntries(counts.map((c) => [c.status, Number(c.count)]));
  return {
    waiting,
    failed,
    done,
    counts: {
      pending: count.pending ?? 0,
      running: count.running ?? 0,
      failed: count.failed ?? 0,
      done: count.done ?? 0,
    },
  };
}

/** A failed job's version on the page: when it last changed, to the millisecond. */
export function jobVersion(updatedAt: Date | string): string {
  return new Date(updatedAt).toISOString();
}

/**
 * "Run again": a failed job, as the page showed it (`version`), becomes pending now with its attempts
 * counted afresh. "already" when it is no longer failed (the same form sent twice, or someone else
 * did it first); "stale" when it failed again since; "missing" when there is no such job.
 */
export async function retryFailedJob(
  db: DB,
  { id, version, now }: { id: string; version: string; now: Date },
): Promise<{ outcome: "retried" | "already" | "stale" | "missing"; kind?: string }> {
  const updated = await db
    .updateTable("jobs")
    .set({
      status: "pending",
      attempts: 0,
      run_at: now,
      updated_at: now,
      locked_by: null,
      locked_until: null,
    })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .where(sql<boolean>`date_trunc('milliseconds', updated_at) = ${new Date(version)}`)
    .returning("kind")
    .executeTakeFirst();
  if (updated) return { outcome: "retried", kind: updated.kind };
  const row = await db
    .selectFrom("jobs")
    .select(["status", "kind"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return { outcome: "missing" };
  return { outcome: row.status === "failed" ? "stale" : "already", kind: row.kind };
}
