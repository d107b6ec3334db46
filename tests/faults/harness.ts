/**
 * The faults harness: its own PostgreSQL on PG_PORT (55440 by default, via .ci/start-postgres.sh,
 * then restarted with synchronous_commit=on so an acknowledged commit survives an immediate stop),
 * and the production server from a build (FAULTS_ROOT, default the repository: `npm run build` first).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb, type DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { createSession } from "../../app/auth/session.server";
import { createUser } from "../../app/models/user.server";

export const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 55440);
export const PG_DIR = `/tmp/noseworthy-pg-${PG_PORT}`;
export const DATABASE_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;
export const SECRET = "faults-secret-faults-secret-faults-secret-01";
export const ROOT = path.resolve(process.env.FAULTS_ROOT ?? process.cwd());
const PG_BIN = `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort().at(-1)}/bin`;

function asPostgres(command: string) {
  if (process.getuid?.() === 0)
    return execFileSync("su", ["postgres", "-s", "/bin/bash", "-c", command], { stdio: "pipe" });
  return execFileSync("bash", ["-c", command], { stdio: "pipe" });
}

const OPTIONS = `-p ${PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=on -c max_connections=200`;
export function pgStart() {
  asPostgres(`${PG_BIN}/pg_ctl -D ${PG_DIR} -l ${PG_DIR}/server.log -w -o "${OPTIONS}" start`);
}
export function pgStopImmediate() {
  asPostgres(`${PG_BIN}/pg_ctl -D ${PG_DIR} -m immediate -w stop`);
}
export function pgStopFast() {
  try {
    asPostgres(`${PG_BIN}/pg_ctl -D ${PG_DIR} -m fast -w stop`);
  } catch {
    // already stopped
  }
}

export async function startPostgres(): Promise<DbHandle> {
  execFileSync("bash", ["-c", `PG_PORT=${PG_PORT} source .ci/start-postgres.sh >/dev/null`], {
    cwd: process.cwd(),
    stdio: "pipe",
  });
  pgStopFast();
  pgStart();
  const handle = await createDb({ databaseUrl: DATABASE_URL, poolMax: 5 });
  await migrateToLatest(handle.db);
  return handle;
}

export interface Fixture {
  cookie: string;
  candidateId: string;
  dimensionId: string;
}

export async function seed(handle: DbHandle): Promise<Fixture> {
  const db = handle.db;
  const { id: userId } = await createUser(db, {
    email: `faults.${Date.now()}@example.test`,
    name: "Fay Faults",
    roles: ["manager"],
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$x",
  });
  const { id: dimensionId } = await db
    .insertInto("dimensions")
    .values({ key: `commitment_${Date.now()}`, name: "Commitment", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: candidateId } = await db
    .insertInto("candidates")
    .values({
      name: "Casey Faults",
      track: "technical_leadership",
      manager_id: userId,
      nominated_by: userId,
      nominated_reason: "r",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const ctx = {
    db,
    env: { NODE_ENV: "production" as const, SESSION_SECRET: SECRET },
    now: () => new Date(),
  };
  const cookie = (await createSession(ctx as never, { userId, userAgent: "faults" })).split(";")[0];
  return { cookie, candidateId, dimensionId };
}

export interface Server {
  proc: ChildProcess;
  port: number;
  url: string;
  exited: Promise<{ code: number | null; at: number }>;
  output: () => string;
}

export async function startServer(
  port: number,
  extraEnv: Record<string, string> = {},
  args: string[] = [],
): Promise<Server> {
  if (!existsSync(path.join(ROOT, "build/server/index.js")))
    throw new Error(`No build in ${ROOT}: run npm run build first (or set FAULTS_ROOT).`);
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "app/server.ts", ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL,
      SESSION_SECRET: SECRET,
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = `/tmp/noseworthy-faults-server-${port}.log`;
  writeFileSync(log, "");
  const keep = (d: Buffer) => {
    out = (out + d).slice(-200_000);
    appendFileSync(log, d);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    proc.on("exit", (code) => resolve({ code, at: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  // An embedded first start (initdb, migrations) on a busy two-core machine can take half a minute.
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200)
        return { proc, port, url, exited, output: () => out };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  proc.kill("SIGKILL");
  throw new Error(`The server did not start:\n${out}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function observationForm(f: Fixture, key: string, n: number) {
  const body = new URLSearchParams({
    idempotencyKey: key,
    observedOn: new Date().toISOString().slice(0, 10),
    situation: "",
    behavior: `Observation ${n}`,
    impact: "The team shipped on time",
    signal: "strength",
  });
  body.append("dimensionIds", f.dimensionId);
  return body;
}

export async function postObservation(
  server: Server,
  f: Fixture,
  key: string,
  n: number,
  timeoutMs = 20_000,
): Promise<number> {
  const response = await fetch(`${server.url}/candidates/${f.candidateId}/observations/new`, {
    method: "POST",
    redirect: "manual",
    body: observationForm(f, key, n),
    headers: {
      Cookie: f.cookie,
      Origin: server.url,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  return response.status;
}
