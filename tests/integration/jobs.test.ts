/**
 * Durable background jobs (decision 0019): enqueueing by key, running once, retrying with back-off
 * on an injected clock, failing clearly, taking over a job whose process died, renewing the lease of
 * a slow handler, recurring slots, pruning; and /admin/jobs (admins only, "Run again" audited).
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { parseEnv } from "../../app/env.server";
import { jobHandlers, jobSchedules } from "../../app/jobs/handlers.server";
import {
  enqueueJob,
  enqueueScheduled,
  ERROR_MAX_CHARS,
  type JobContext,
  type JobHandler,
  retryDelayMs,
  runDueJobs,
} from "../../app/jobs/queue.server";
import AdminJobs, { action, loader } from "../../app/routes/admin.jobs";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  TEST_SECRET,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

const remix = vi.hoisted(() => ({ loaderData: undefined as unknown }));
vi.mock("@remix-run/react", async () => {
  const { createElement: h } = await import("react");
  return {
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => undefined,
    useNavigation: () => ({ state: "idle" }),
  };
});

const env = parseEnv({ NODE_ENV: "test", SESSION_SECRET: TEST_SECRET, DATABASE_URL: "" });
const T0 = new Date("2026-12-01T09:00:00.000Z");
const SECOND = 1_000;

let handle: DbHandle;
let clock: TestClock;
let ctx: JobContext;

function worker(name: string): JobContext {
  return { db: handle.db, env, now: () => clock.now, workerId: name };
}
const at = (ms: number) => new Date(T0.getTime() + ms);
const jobRow = (id: string) =>
  handle.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});
beforeEach(async () => {
  await handle.db.deleteFrom("jobs").execute();
  clock = { now: T0 };
  ctx = worker("worker-a");
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

describe("enqueueJob", () => {
  it("makes one job per key, ever: the second enqueue with the key returns null", async () => {
    const first = await enqueueJob(handle.db, { kind: "test.once", key: "event:1", runAt: T0 });
    const second = await enqueueJob(handle.db, {
      kind: "test.once",
      key: "event:1",
      payload: { other: true },
    });
    expect(first).toEqual({ id: expect.any(String) });
    expect(second).toBeNull();
    const rows = await handle.db.selectFrom("jobs").select(["id", "payload"]).execute();
    expect(rows).toEqual([{ id: first!.id, payload: {} }]);
  });

  it("makes a job each time without a key", async () => {
    await enqueueJob(handle.db, { kind: "test.many" });
    await enqueueJob(handle.db, { kind: "test.many" });
    expect(await handle.db.selectFrom("jobs").select("id").execute()).toHaveLength(2);
  });
});

describe("runDueJobs", () => {
  it("runs a due job once, with its payload, and marks it done; a job not yet due waits", async () => {
    const calls: unknown[] = [];
    const handlers: Record<string, JobHandler> = {
      "test.echo": async (_ctx, payload, job) => {
        calls.push({ payload, job });
      },
    };
    const due = await enqueueJob(handle.db, {
      kind: "test.echo",
      key: "echo:1",
      payload: { n: 1 },
      runAt: T0,
    });
    const later = await enqueueJob(handle.db, {
      kind: "test.echo",
      payload: { n: 2 },
      runAt: at(60 * SECOND),
    });

    expect(await runDueJobs(ctx, handlers)).toBe(1);
    expect(await runDueJobs(worker("worker-b"), handlers)).toBe(0);
    expect(calls).toEqual([
      { payload: { n: 1 }, job: { id: due!.id, attempts: 1, key: "echo:1" } },
    ]);
    expect(await jobRow(due!.id)).toMatchObject({
      status: "done",
      attempts: 1,
      done_at: T0,
      locked_by: null,
      locked_until: null,
      last_error: null,
    });
    expect((await jobRow(later!.id)).status).toBe("pending");

    clock.now = at(60 * SECOND);
    expect(await runDueJobs(ctx, handlers)).toBe(1);
    expect(calls).toHaveLength(2);
    expect((await jobRow(later!.id)).status).toBe("done");
  });

  it("runs at most `limit` jobs a pass", async () => {
    const handlers = { "test.noop": async () => {} };
    for (let i = 0; i < 5; i++) await enqueueJob(handle.db, { kind: "test.noop", runAt: T0 });
    expect(await runDueJobs(ctx, handlers, { limit: 3 })).toBe(3);
    expect(await runDueJobs(ctx, handlers, { limit: 3 })).toBe(2);
  });

  it("retries a failing handler with growing back-off, then marks it failed with the message only", async () => {
    let runs = 0;
    const handlers: Record<string, JobHandler> = {
      "test.fail": async () => {
        runs += 1;
        throw new Error(`SMTP refused (run ${runs})`);
      },
    };
    const again = (await enqueueJob(handle.db, {
      kind: "test.fail",
      runAt: T0,
      maxAttempts: 4,
    }))!;

    let now = T0.getTime();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      clock.now = new Date(now);
      expect(await runDueJobs(ctx, handlers)).toBe(1);
      const row = await jobRow(again.id);
      expect(row).toMatchObject({
        status: "pending",
        attempts: attempt,
        last_error: `SMTP refused (run ${attempt})`,
        locked_by: null,
      });
      const wait = row.run_at.getTime() - now;
      waits.push(wait);
      // Not before its time.
      clock.now = new Date(row.run_at.getTime() - 1);
      expect(await runDueJobs(ctx, handlers)).toBe(0);
      now = row.run_at.getTime();
    }
    expect(waits).toEqual([30 * SECOND, 60 * SECOND, 120 * SECOND]);

    clock.now = new Date(now);
    expect(await runDueJobs(ctx, handlers)).toBe(1);
    expect(await jobRow(again.id)).toMatchObject({
      status: "failed",
      attempts: 4,
      last_error: "SMTP refused (run 4)",
      locked_by: null,
      done_at: null,
    });
    clock.now = new Date(now + 24 * 3600 * SECOND);
    expect(await runDueJobs(ctx, handlers)).toBe(0);
    expect(runs).toBe(4);
  });

  it("waits 30 s, doubling, at most an hour; eight attempts by default", async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelayMs)).toEqual(
      [30, 60, 120, 240, 480, 960, 1920, 3600, 3600].map((s) => s * SECOND),
    );
    const { id } = (await enqueueJob(handle.db, { kind: "test.default" }))!;
    expect((await jobRow(id)).max_attempts).toBe(8);
  });

  it("keeps at most 500 characters of the message, no stack, and survives a thrown non-Error", async () => {
    const long = (await enqueueJob(handle.db, { kind: "test.long", runAt: T0, maxAttempts: 1 }))!;
    const odd = (await enqueueJob(handle.db, { kind: "test.odd", runAt: T0, maxAttempts: 1 }))!;
    await runDueJobs(ctx, {
      "test.long": async () => {
        throw new Error(`to ada@example.test: ${"x".repeat(2000)}\u0000`);
      },
      "test.odd": async () => {
        throw "a string";
      },
    });
    const longRow = await jobRow(long.id);
    expect(longRow.status).toBe("failed");
    expect(longRow.last_error).toHaveLength(ERROR_MAX_CHARS);
    expect(longRow.last_error).not.toContain("    at ");
    expect(await jobRow(odd.id)).toMatchObject({ status: "failed", last_error: "a string" });
  });

  it("fails a job of an unknown kind at once, saying so, without stopping the others", async () => {
    const unknown = (await enqueueJob(handle.db, { kind: "test.nobody-handles", runAt: T0 }))!;
    const known = (await enqueueJob(handle.db, { kind: "test.noop", runAt: at(1) }))!;
    clock.now = at(1);
    expect(await runDueJobs(ctx, { "test.noop": async () => {} })).toBe(2);
    expect(await jobRow(unknown.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      last_error: "No handler for job kind “test.nobody-handles” in this version.",
    });
    expect((await jobRow(known.id)).status).toBe("done");
  });

  it("takes again a job whose lease ran out (its process died), not one still leased", async () => {
    const runs: string[] = [];
    const handlers = {
      "test.work": async (c: JobContext) => {
        runs.push(c.workerId);
      },
    };
    const dead = (await enqueueJob(handle.db, { kind: "test.work", runAt: T0 }))!;
    const alive = (await enqueueJob(handle.db, { kind: "test.work", runAt: T0 }))!;
    await handle.db
      .updateTable("jobs")
      .set({ status: "running", attempts: 1, locked_by: "died", locked_until: at(-SECOND) })
      .where("id", "=", dead.id)
      .execute();
    await handle.db
      .updateTable("jobs")
      .set({ status: "running", attempts: 1, locked_by: "busy", locked_until: at(SECOND) })
      .where("id", "=", alive.id)
      .execute();

    expect(await runDueJobs(ctx, handlers)).toBe(1);
    expect(runs).toEqual(["worker-a"]);
    expect(await jobRow(dead.id)).toMatchObject({ status: "done", attempts: 2 });
    expect(await jobRow(alive.id)).toMatchObject({ status: "running", locked_by: "busy" });
  });

  it("a run whose lease was taken over does not record its ending over the new run's", async () => {
    let runs = 0;
    const handlers: Record<string, JobHandler> = {
      "test.slow": async () => {
        runs += 1;
        if (runs > 1) return; // the second run (worker b) succeeds
        // Worker a stalls past its lease; worker b takes the job and finishes it.
        clock.now = at(10 * 60 * SECOND);
        expect(await runDueJobs(worker("worker-b"), handlers)).toBe(1);
        throw new Error("worker a failed late");
      },
    };
    const { id } = (await enqueueJob(handle.db, { kind: "test.slow", runAt: T0 }))!;
    expect(await runDueJobs(ctx, handlers)).toBe(1);
    expect(runs).toBe(2);
    expect(await jobRow(id)).toMatchObject({ status: "done", attempts: 2, last_error: null });
  });

  it("renews the lease while a slow handler runs, so no other process takes the job", async () => {
    let seenByOther = -1;
    const handlers: Record<string, JobHandler> = {
      "test.long-running": async (_c, _p, job) => {
        // Time passes beyond the first lease; the renewal (every third of the lease) extends it.
        clock.now = at(5 * SECOND);
        for (let i = 0; i < 200; i++) {
          const row = await jobRow(job.id);
          if (row.locked_until && row.locked_until > clock.now) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        seenByOther = await runDueJobs(worker("worker-b"), handlers, { leaseMs: 300 });
      },
    };
    const { id } = (await enqueueJob(handle.db, { kind: "test.long-running", runAt: T0 }))!;
    expect(await runDueJobs(ctx, handlers, { leaseMs: 300 })).toBe(1);
    expect(seenByOther).toBe(0);
    expect(await jobRow(id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("fails, without running it again, a job whose process died during its last attempt", async () => {
    let runs = 0;
    const { id } = (await enqueueJob(handle.db, {
      kind: "test.crash",
      runAt: T0,
      maxAttempts: 2,
    }))!;
    await handle.db
      .updateTable("jobs")
      .set({ status: "running", attempts: 2, locked_by: "died", locked_until: at(-1) })
      .where("id", "=", id)
      .execute();
    expect(await runDueJobs(ctx, { "test.crash": async () => void (runs += 1) })).toBe(0);
    expect(runs).toBe(0);
    expect(await jobRow(id)).toMatchObject({
      status: "failed",
      last_error: "The process running it stopped before it finished, 2 times.",
    });
  });
});

describe("recurring jobs", () => {
  it("enqueues each slot once, whoever asks and however often", async () => {
    const schedules = [{ kind: "test.every-15", everyMinutes: 15 }];
    expect(await enqueueScheduled(handle.db, schedules, at(SECOND))).toEqual(["test.every-15"]);
    expect(await enqueueScheduled(handle.db, schedules, at(14 * 60 * SECOND))).toEqual([]);
    expect(await enqueueScheduled(handle.db, schedules, at(15 * 60 * SECOND))).toEqual([
      "test.every-15",
    ]);
    const rows = await handle.db
      .selectFrom("jobs")
      .select(["kind", "run_at", "key"])
      .orderBy("run_at")
      .execute();
    expect(rows).toEqual([
      { kind: "test.every-15", run_at: T0, key: `schedule:test.every-15:${T0.toISOString()}` },
      {
        kind: "test.every-15",
        run_at: at(15 * 60 * SECOND),
        key: `schedule:test.every-15:${at(15 * 60 * SECOND).toISOString()}`,
      },
    ]);
  });

  it("jobs.prune runs daily and deletes done jobs older than 30 days, keeping the rest", async () => {
    expect(jobSchedules).toContainEqual({ kind: "jobs.prune", everyMinutes: 1440 });
    const day = 86_400 * SECOND;
    const make = async (status: "done" | "failed" | "pending", doneDaysAgo: number | null) => {
      const { id } = (await enqueueJob(handle.db, { kind: "test.old", runAt: at(-40 * day) }))!;
      await handle.db
        .updateTable("jobs")
        .set({
          status,
          done_at: doneDaysAgo === null ? null : at(-doneDaysAgo * day),
          run_at: status === "pending" ? at(day) : at(-40 * day),
        })
        .where("id", "=", id)
        .execute();
      return id;
    };
    const oldDone = await make("done", 31);
    const recentDone = await make("done", 29);
    const oldFailed = await make("failed", null);
    const waiting = await make("pending", null);
    await enqueueScheduled(
      handle.db,
      jobSchedules.filter((s) => s.kind === "jobs.prune"),
      T0,
    );
    expect(await runDueJobs(ctx, jobHandlers)).toBe(1);
    const left = (await handle.db.selectFrom("jobs").select(["id", "kind"]).execute()).map(
      (r) => r.id,
    );
    expect(left).not.toContain(oldDone);
    expect(left).toEqual(expect.arrayContaining([recentDone, oldFailed, waiting]));
    expect(left).toHaveLength(4); // and the prune job itself, done today
  });
});

describe("/admin/jobs", () => {
  let app: AppContext;
  let adminCookie: string;
  let leaderCookie: string;
  let leaderId: string;

  beforeAll(async () => {
    app = makeContext(handle.db, { now: T0 });
    const admin = await makeUser(handle.db, ["admin"], "Ada Admin");
    adminCookie = await sessionCookie(app, admin.id);
    const leader = await makeUser(handle.db, ["leader"]);
    leaderId = leader.id;
    leaderCookie = await sessionCookie(app, leader.id);
  });

  async function failedJob(message = "SMTP 550 for pat@example.test") {
    const { id } = (await enqueueJob(handle.db, {
      kind: "test.mail",
      runAt: T0,
      maxAttempts: 1,
      payload: { messageId: "secret-payload-id", to: "payload@example.test" },
    }))!;
    await runDueJobs(ctx, {
      "test.mail": async () => {
        throw new Error(message);
      },
    });
    return id;
  }

  it("is for admins only: a leader gets an audited 403 on the page and on Run again; no session is sent to sign in", async () => {
    const id = await failedJob();
    expect((await call(loader, get("/admin/jobs", leaderCookie), app)).status).toBe(403);
    const row = await jobRow(id);
    const denied = await call(
      action,
      post(
        "/admin/jobs",
        { intent: "retry", jobId: id, version: row.updated_at.toISOString() },
        leaderCookie,
      ),
      app,
    );
    expect(denied.status).toBe(403);
    expect((await jobRow(id)).status).toBe("failed");
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["action", "outcome", "entity_id"])
      .where("actor_id", "=", leaderId)
      .where("outcome", "=", "denied")
      .execute();
    expect(audited).toEqual([
      { action: "access.denied", outcome: "denied", entity_id: "/admin/jobs" },
      { action: "access.denied", outcome: "denied", entity_id: "/admin/jobs" },
    ]);
    const anonymous = await call(loader, get("/admin/jobs"), app);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toContain("/login");
  });

  it("lists waiting, failed (with the error) and done jobs: kind, times, attempts — never the payload", async () => {
    const failed = await failedJob();
    const waiting = (await enqueueJob(handle.db, {
      kind: "test.later",
      runAt: at(3600 * SECOND),
      payload: { name: "Casey Candidate" },
    }))!;
    const done = (await enqueueJob(handle.db, { kind: "test.quick", runAt: T0 }))!;
    await runDueJobs(ctx, { "test.quick": async () => {} });

    const response = await call(loader, get("/admin/jobs", adminCookie), app);
    expect(response.status).toBe(200);
    const page = await body(response);
    expect(page.failed).toEqual([
      expect.objectContaining({
        id: failed,
        kind: "test.mail",
        attempts: 1,
        max_attempts: 1,
        last_error: "SMTP 550 for pat@example.test",
      }),
    ]);
    expect(page.waiting).toEqual([
      expect.objectContaining({ id: waiting.id, kind: "test.later", status: "pending" }),
    ]);
    expect(page.done).toEqual([expect.objectContaining({ id: done.id, kind: "test.quick" })]);
    expect(page.counts).toEqual({ pending: 1, running: 0, failed: 1, done: 1 });
    const text = JSON.stringify(page);
    expect(text).not.toContain("secret-payload-id");
    expect(text).not.toContain("payload@example.test");
    expect(text).not.toContain("Casey Candidate");

    remix.loaderData = page;
    const html = renderToString(createElement(AdminJobs));
    expect(html).toContain("SMTP 550 for pat@example.test");
    expect(html).toContain("Run again");
    expect(html).toContain("test.later");
    expect(html).not.toContain("Casey Candidate");
  });

  it("says so when there is nothing to show", async () => {
    const page = await body(await call(loader, get("/admin/jobs", adminCookie), app));
    expect(page).toMatchObject({ waiting: [], failed: [], done: [] });
    remix.loaderData = page;
    const html = renderToString(createElement(AdminJobs));
    expect(html).toContain("No failed jobs.");
    expect(html).toContain("Nothing is waiting.");
    expect(html).toContain("No jobs done in the last 30 days.");
  });

  it("caps each list and says how many there are", async () => {
    for (let i = 0; i < 55; i++) await enqueueJob(handle.db, { kind: "test.many", runAt: T0 });
    const page = await body(await call(loader, get("/admin/jobs", adminCookie), app));
    expect(page.waiting).toHaveLength(50);
    expect(page.counts.pending).toBe(55);
    remix.loaderData = page;
    expect(renderToString(createElement(AdminJobs))).toContain("Showing 50 of 55.");
  });

  it("Run again: sets a failed job pending with fresh attempts, audited, with a confirmation; a repeat changes nothing", async () => {
    const id = await failedJob();
    const page = await body(await call(loader, get("/admin/jobs", adminCookie), app));
    const version = page.failed[0].version as string;
    const later = at(120 * SECOND);
    const appLater = { ...app, now: () => later };
    const form = { intent: "retry", jobId: id, version };

    const response = await call(action, post("/admin/jobs", form, adminCookie), appLater);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/jobs");
    expect(decodeURIComponent(response.headers.get("Set-Cookie") ?? "")).toContain(
      "The “test.mail” job will run again",
    );
    expect(await jobRow(id)).toMatchObject({ status: "pending", attempts: 0, run_at: later });

    const repeat = await call(action, post("/admin/jobs", form, adminCookie), appLater);
    expect(repeat.status).toBe(302);
    expect(decodeURIComponent(repeat.headers.get("Set-Cookie") ?? "")).toContain(
      "already set to run again",
    );
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["action", "entity", "entity_id", "details"])
      .where("action", "=", "job.retry")
      .where("entity_id", "=", id)
      .execute();
    expect(audited).toEqual([
      { action: "job.retry", entity: "job", entity_id: id, details: { kind: "test.mail" } },
    ]);

    // It runs again at once, as any due job.
    clock.now = later;
    let ran = 0;
    expect(await runDueJobs(ctx, { "test.mail": async () => void (ran += 1) })).toBe(1);
    expect(ran).toBe(1);
    expect((await jobRow(id)).status).toBe("done");
  });

  it("Run again with a stale version (it failed again since) is 409 with the form kept; an unknown job 404; a bad id 400", async () => {
    const id = await failedJob();
    const stale = await call(
      action,
      post(
        "/admin/jobs",
        { intent: "retry", jobId: id, version: at(-60 * SECOND).toISOString() },
        adminCookie,
      ),
      app,
    );
    expect(stale.status).toBe(409);
    expect(await body(stale)).toMatchObject({
      ok: false,
      formError: expect.stringContaining("failed again"),
      values: { jobId: id },
    });
    expect((await jobRow(id)).status).toBe("failed");

    const missing = await call(
      action,
      post(
        "/admin/jobs",
        {
          intent: "retry",
          jobId: "00000000-0000-4000-8000-000000000000",
          version: T0.toISOString(),
        },
        adminCookie,
      ),
      app,
    );
    expect(missing.status).toBe(404);

    const bad = await call(
      action,
      post("/admin/jobs", { intent: "retry", jobId: "nope", version: "yesterday" }, adminCookie),
      app,
    );
    expect(bad.status).toBe(400);
    expect(await body(bad)).toMatchObject({
      fieldErrors: { jobId: expect.any(Array), version: expect.any(Array) },
      values: { jobId: "nope", version: "yesterday" },
    });
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "job.retry")
      .where("entity_id", "=", id)
      .execute();
    expect(audits).toEqual([]);
  });
});
