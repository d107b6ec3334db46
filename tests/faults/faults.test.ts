/**
 * Reliability under faults (docs/security.md §5), against the production server on a real PostgreSQL.
 * (a) an immediate PostgreSQL stop, twice, under 20 writing clients: every acknowledged write is
 *     there exactly once, the app answers 503 (never 500) and recovers by itself;
 * (b) a held row lock: requests fail fast with 503 and recover when it is released;
 * (c) SIGTERM under load: requests in flight complete and the process exits within 10 s;
 * (d) WEB_CONCURRENCY=2: two workers share the port and the sessions, a killed worker is replaced, and
 *     SIGTERM to the primary stops both cleanly.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  DATABASE_URL,
  pgStart,
  pgStopFast,
  pgStopImmediate,
  postObservation,
  seed,
  sleep,
  startPostgres,
  startServer,
  type Fixture,
  type Server,
} from "./harness";

let handle: DbHandle;
let fixture: Fixture;
let server: Server | undefined;

beforeAll(async () => {
  handle = await startPostgres();
  fixture = await seed(handle);
  server = await startServer(3470);
});
afterAll(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
  await handle?.close().catch(() => {});
  pgStopFast();
});

/**
 * Sends `n` observations, then SIGTERM while they are in flight: the process must exit 0 within 10 s
 * and every request that reached it must have had its answer (a 302), none cut off.
 */
async function sigtermUnderLoad(s: Server, n: number, firstNumber: number) {
  const inflight = Array.from({ length: n }, (_, i) =>
    postObservation(s, fixture, crypto.randomUUID(), firstNumber + i).catch((e: Error) => e.name),
  );
  await sleep(30);
  const t0 = Date.now();
  s.proc.kill("SIGTERM");
  const statuses = await Promise.all(inflight);
  const { code, at } = await s.exited;
  expect(at - t0).toBeLessThan(10_000);
  expect(code).toBe(0);
  expect(
    statuses.filter((x) => typeof x === "number" && x !== 302),
    JSON.stringify(statuses),
  ).toEqual([]);
  return { accepted: statuses.filter((x) => x === 302).length, exitAfterMs: at - t0 };
}

describe("faults", () => {
  it("(a) 20 clients, 2,000 observations, PostgreSQL stopped immediately and restarted twice: each acknowledged write exactly once", async () => {
    const s = server!;
    const TOTAL = 2000;
    const CLIENTS = 20;
    const statuses = new Map<number | string, number>();
    const acked = new Set<string>();
    const keys: string[] = Array.from({ length: TOTAL }, () => crypto.randomUUID());
    let next = 0;
    const count = (k: number | string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);

    async function client() {
      while (next < TOTAL) {
        const n = next++;
        const key = keys[n];
        for (let attempt = 0; attempt < 400; attempt++) {
          let status: number | string;
          try {
            status = await postObservation(s, fixture, key, n);
          } catch (error) {
            status = (error as Error).name;
          }
          count(status);
          if (status === 302) {
            acked.add(key);
            break;
          }
          // Unacknowledged: retry with the same key after a pause.
          await sleep(100 + Math.random() * 100);
        }
      }
    }

    async function chaos() {
      for (const threshold of [400, 1200]) {
        while (acked.size < threshold) await sleep(20);
        pgStopImmediate();
        // During the outage the app answers 503 — the readiness check and the writes alike — while
        // liveness stays 200: the process is fine, restarting it would not help.
        await sleep(1500);
        expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
        expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
        pgStart();
      }
    }

    await Promise.all([...Array.from({ length: CLIENTS }, client), chaos()]);
    expect(acked.size).toBe(TOTAL);
    expect(statuses.get(500) ?? 0, JSON.stringify([...statuses])).toBe(0);
    expect(statuses.get(503) ?? 0, "the outage was seen as 503").toBeGreaterThan(0);

    const rows = await handle.db
      .selectFrom("observations")
      .select(["idempotency_key"])
      .where("candidate_id", "=", fixture.candidateId)
      .execute();
    const stored = rows.map((r) => r.idempotency_key);
    expect(stored.length).toBe(TOTAL);
    expect(new Set(stored).size).toBe(TOTAL);
    expect(new Set(stored)).toEqual(new Set(keys));
    // Recovered by itself: the same process still serves.
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    console.log(`(a) statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it("(b) a held row lock: requests that need it fail fast with 503 and succeed once it is released", async () => {
    const s = server!;
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT id FROM candidates WHERE id = $1 FOR UPDATE", [fixture.candidateId]);
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const started = Date.now();
        const status = await postObservation(s, fixture, crypto.randomUUID(), 10_000 + i, 30_000);
        return { status, ms: Date.now() - started };
      }),
    );
    const elapsed = Date.now() - t0;
    expect(
      results.every((r) => r.status === 503),
      JSON.stringify(results),
    ).toBe(true);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(12_000);
    await locker.query("ROLLBACK");
    await locker.end();
    expect(await postObservation(s, fixture, crypto.randomUUID(), 20_000)).toBe(302);
    console.log(`(b) 30 requests under a held lock: all 503 within ${elapsed} ms`);
  });

  it("(c) SIGTERM under load: requests in flight complete, the process exits within 10 s", async () => {
    const { accepted, exitAfterMs } = await sigtermUnderLoad(server!, 40, 30_000);
    const stored = await handle.db
      .selectFrom("observations")
      .select("id")
      .where("behavior", "like", "Observation 3____")
      .execute();
    expect(stored.length).toBe(accepted);
    console.log(`(c) ${accepted} of 40 in-flight requests completed; exit after ${exitAfterMs} ms`);
  });

  it("(d) WEB_CONCURRENCY=2: two workers answer with the same sessions; a killed worker is replaced; SIGTERM stops all", async () => {
    const s = await startServer(3471, { WEB_CONCURRENCY: "2" });
    try {
      const workerPids = () =>
        [...s.output().matchAll(/listening on \S+ \(worker (\d+),/g)].map((m) => Number(m[1]));
      for (let i = 0; i < 50 && workerPids().length < 2; i++) await sleep(100);
      expect(workerPids()).toHaveLength(2);
      const [first, second] = workerPids();
      // Workers run with the larger young generation (app/server.ts) unless NODE_OPTIONS says otherwise.
      for (const pid of [first, second])
        expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain(
          "--max-semi-space-size=64",
        );
      // Both workers verify the same session cookie: every request is served, whichever worker takes it.
      const page = async () =>
        (
          await fetch(`${s.url}/candidates/${fixture.candidateId}`, {
            headers: { Cookie: fixture.cookie },
            redirect: "manual",
          })
        ).status;
      expect(await Promise.all(Array.from({ length: 30 }, page))).toEqual(Array(30).fill(200));
      process.kill(first, "SIGKILL");
      for (let i = 0; i < 100 && workerPids().length < 3; i++) await sleep(100);
      expect(workerPids().length).toBe(3);
      expect(await Promise.all(Array.from({ length: 10 }, page))).toEqual(Array(10).fill(200));
      await sigtermUnderLoad(s, 20, 40_000);
      for (const pid of workerPids()) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    }
  });
});
