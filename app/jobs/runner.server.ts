/**
 * The loop every server process runs (each cluster worker too: SKIP LOCKED shares the work): enqueue
 * the recurring jobs' current slots, run what is due, wait a few seconds, again.
 */
import type { DB } from "../../db/client";
import type { Env } from "../env.server";
import {
  enqueueScheduled,
  type JobHandler,
  type JobSchedule,
  newWorkerId,
  runDueJobs,
  slotStart,
} from "./queue.server";

/** How long an idle runner waits before looking again. */
export const POLL_MS = 5_000;
/** Jobs per pass; a full pass is followed at once by another. */
const BATCH = 20;

export interface JobRunner {
  workerId: string;
  /** Stops polling and waits for the pass in flight (its handler finishes; it is not cut off). */
  stop: () => Promise<void>;
}

export function startJobRunner(options: {
  db: DB;
  env: Env;
  handlers: Record<string, JobHandler>;
  schedules: readonly JobSchedule[];
  pollMs?: number;
}): JobRunner {
  const workerId = newWorkerId();
  const ctx = { db: options.db, env: options.env, now: () => new Date(), workerId };
  const pollMs = options.pollMs ?? POLL_MS;
  // The slot each schedule was last enqueued for, so a poll costs no insert while the slot lasts.
  const enqueued = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  let failing = false;

  const once = async (): Promise<boolean> => {
    const now = ctx.now();
    const due = options.schedules.filter(
      (s) => enqueued.get(s.kind) !== slotStart(now, s.everyMinutes).getTime(),
    );
    if (due.length) {
      await enqueueScheduled(ctx.db, due, now);
      for (const s of due) enqueued.set(s.kind, slotStart(now, s.everyMinutes).getTime());
    }
    return (await runDueJobs(ctx, options.handlers, { limit: BATCH })) === BATCH;
  };

  const tick = () => {
    pass = once().then(
      (more) => {
        if (failing) console.log("Jobs: the database answers again.");
        failing = false;
        if (!stopped) timer = setTimeout(tick, more ? 0 : pollMs);
      },
      (error: unknown) => {
        // A database outage is said once, not every five seconds; the message only (no stack, no data).
        if (!failing)
          console.error(
            `Jobs: cannot run jobs now (${String((error as Error)?.message ?? error)}).`,
          );
        failing = true;
        if (!stopped) timer = setTimeout(tick, pollMs);
      },
    );
  };
  timer = setTimeout(tick, 0);

  return {
    workerId,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
