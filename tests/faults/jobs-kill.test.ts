/**
 * Background jobs under faults (decision 0019), on a real PostgreSQL with runner processes
 * (tests/faults/jobs-worker.ts, each as a server process runs them):
 * (a) a process killed (SIGKILL) in the middle of a job: after a restart the job runs again, once its
 *     lease has run out, and its effect happens once;
 * (b) two processes on one database never run the same job: 200 jobs, each logging its run and
 *     inserting a row keyed by the job's id — all done, each run once, both processes took some.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { enqueueJob } from "../../app/jobs/queue.server";
import { DATABASE_URL, pgStopFast, ROOT, SECRET, sleep, startPostgres } from "./harness";

let handle: DbHandle;
const workers: ChildProcess[] = [];

interface Worker {
  proc: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

async function startWorker(name: string, leaseMs: number): Promise<Worker> {
  let out = "";
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "tests/faults/jobs-worker.ts", name, String(leaseMs)],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, SESSION_SECRET: SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  workers.push(proc);
  proc.stdout!.on("data", (d: Buffer) => (out += d));
  proc.stderr!.on("data", (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  for (let i = 0; i < 600 && !out.includes(`${name} ready`); i++) {
    if (proc.exitCode !== null) break;
    await sleep(100);
  }
  if (!out.includes(`${name} ready`)) throw new Error(`${name} did not start:\n${out}`);
  return { proc, exited, output: () => out };
}

/** Polls until `done` holds (a condition on the database), failing with `what` after 60 s. */
async function until(what: string, done: () => Promise<boolean>) {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    await sleep(100);
  }
  throw new Error(`Timed out waiting until ${what}`);
}

const count = async (query: string) =>
  Number((await sql.raw<{ n: string }>(query).execute(handle.db)).rows[0].n);

beforeAll(async () => {
  handle = await startPostgres();
  await sql`CREATE TABLE fault_runs (job_id uuid NOT NULL, worker text NOT NULL)`.execute(
    handle.db,
  );
  await sql`CREATE TABLE fault_effects (job_id uuid PRIMARY KEY)`.execute(handle.db);
});
afterEach(async () => {
  for (const proc of workers.splice(0)) if (proc.exitCode === null) proc.kill("SIGKILL");
  await sql`TRUNCATE fault_runs, fault_effects, jobs`.execute(handle.db);
});
afterAll(async () => {
  await handle?.close().catch(() => {});
  pgStopFast();
});

describe("jobs under faults", () => {
  it("(a) a job whose process is killed mid-run runs again after a restart, and its effect happens once", async () => {
    const first = await startWorker("first", 1_500);
    const { id } = (await enqueueJob(handle.db, { kind: "fault.slow" }))!;
    await until(
      "the first process started the job",
      async () =>
        (await count(`SELECT count(*) AS n FROM fault_runs WHERE job_id = '${id}'`)) === 1,
    );
    first.proc.kill("SIGKILL");
    await first.exited;
    const stalled = await handle.db
      .selectFrom("jobs")
      .select(["status", "attempts", "locked_by"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(stalled).toEqual({ status: "running", attempts: 1, locked_by: "first" });
    expect(await count("SELECT count(*) AS n FROM fault_effects")).toBe(0);

    const restarted = await startWorker("restarted", 1_500);
    await until("the job is done", async () => {
      const row = await handle.db
        .selectFrom("jobs")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      return row.status === "done";
    });
    const runs = await sql<{
      worker: string;
    }>`SELECT worker FROM fault_runs ORDER BY worker`.execute(handle.db);
    expect(runs.rows.map((r) => r.worker).sort()).toEqual(["first", "restarted"]);
    expect(await count("SELECT count(*) AS n FROM fault_effects")).toBe(1);
    const done = await handle.db
      .selectFrom("jobs")
      .select(["attempts", "last_error"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(done).toEqual({ attempts: 2, last_error: null });
    restarted.proc.kill("SIGTERM");
    expect(await restarted.exited).toBe(0);
  });

  it("(b) two processes on one PostgreSQL never run the same job: 200 jobs, each run once, shared", async () => {
    const a = await startWorker("a", 60_000);
    const b = await startWorker("b", 60_000);
    const TOTAL = 200;
    for (let i = 0; i < TOTAL; i++) await enqueueJob(handle.db, { kind: "fault.insert" });
    await until(
      "all jobs are done",
      async () => (await count("SELECT count(*) AS n FROM jobs WHERE status = 'done'")) === TOTAL,
    );
    expect(await count("SELECT count(*) AS n FROM fault_runs")).toBe(TOTAL);
    expect(await count("SELECT count(DISTINCT job_id) AS n FROM fault_runs")).toBe(TOTAL);
    expect(await count("SELECT count(*) AS n FROM fault_effects")).toBe(TOTAL);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE attempts <> 1")).toBe(0);
    const byWorker = await sql<{ worker: string; n: string }>`
      SELECT worker, count(*) AS n FROM fault_runs GROUP BY worker ORDER BY worker`.execute(
      handle.db,
    );
    expect(
      byWorker.rows.map((r) => r.worker),
      a.output() + b.output(),
    ).toEqual(["a", "b"]);
    a.proc.kill("SIGTERM");
    b.proc.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });
});
