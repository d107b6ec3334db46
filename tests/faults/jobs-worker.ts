/**
 * A job runner process for tests/faults/jobs-kill.test.ts: runs the fault handlers from the jobs table
 * on DATABASE_URL in a loop, as a server process would. Usage: node --import tsx jobs-worker.ts <name> <leaseMs>
 */
import { sql } from "kysely";
import { createDb } from "../../db/client";
import { parseEnv } from "../../app/env.server";
import { type JobHandler, runDueJobs } from "../../app/jobs/queue.server";

const [name = "worker", lease = "60000"] = process.argv.slice(2);
const env = parseEnv({ ...process.env, NODE_ENV: "production" });
const handle = await createDb({ databaseUrl: env.DATABASE_URL, poolMax: 2 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handlers: Record<string, JobHandler> = {
  // Each run is logged; the effect has a unique job id, so a second run of one job would fail loudly.
  "fault.insert": async (ctx, _payload, job) => {
    await sql`INSERT INTO fault_runs (job_id, worker) VALUES (${job.id}, ${name})`.execute(ctx.db);
    await sleep(5);
    await sql`INSERT INTO fault_effects (job_id) VALUES (${job.id})`.execute(ctx.db);
  },
  // The first attempt stalls (the test kills the process then); the effect is written once, idempotently.
  "fault.slow": async (ctx, _payload, job) => {
    await sql`INSERT INTO fault_runs (job_id, worker) VALUES (${job.id}, ${name})`.execute(ctx.db);
    if (job.attempts === 1) await sleep(120_000);
    await sql`INSERT INTO fault_effects (job_id) VALUES (${job.id}) ON CONFLICT DO NOTHING`.execute(
      ctx.db,
    );
  },
};

let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});
const ctx = { db: handle.db, env, now: () => new Date(), workerId: name };
console.log(`${name} ready`);
while (!stopping) {
  try {
    if ((await runDueJobs(ctx, handlers, { leaseMs: Number(lease) })) === 0) await sleep(50);
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    await sleep(200);
  }
}
await handle.close();
process.exit(0);
