/**
 * The embedded database (PGlite) under an operator's bad day, against the production server:
 * (e) a second server on the same data directory is refused, naming the directory and the holder, and
 *     the first server's acknowledged writes all survive;
 * (f) every command-line task that opens the directory is refused while the server runs, and changes nothing;
 * (g) a lock left by a killed server (kill -9) is taken over by the next start;
 * (h) backup while the server runs, write more, restore: exactly the backed-up data; an older
 *     database is backed up before the server migrates it;
 * (i) a full disk: writes answer 503 with Retry-After (never 500), /readyz 503, /healthz 200, and both
 *     recover once there is room again.
 * (j) the data directory is private: files 0600, directories 0700.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { Migrator } from "kysely/migration";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { migrationProvider } from "../../db/migrations";
import {
  postObservation,
  ROOT,
  SECRET,
  seed,
  sleep,
  startServer,
  type Fixture,
  type Server,
} from "./harness";

const BASE = "/tmp/noseworthy-faults-embedded";
const servers: Server[] = [];

function embeddedEnv(dir: string, extra: Record<string, string> = {}) {
  return { DATABASE_URL: "", PGLITE_DIR: dir, BACKUP_DIR: path.join(dir, "backups"), ...extra };
}

/** A migrated directory with a manager, a candidate and a session, made before any server opens it. */
async function prepare(dir: string): Promise<Fixture> {
  rmSync(dir, { recursive: true, force: true });
  const handle = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
  await migrateToLatest(handle.db);
  const fixture = await seed(handle);
  await handle.close();
  return fixture;
}

async function start(
  dir: string,
  port: number,
  extra: Record<string, string> = {},
  args: string[] = [],
) {
  const server = await startServer(port, embeddedEnv(dir, extra), args);
  servers.push(server);
  return server;
}

async function stop(server: Server) {
  server.proc.kill("SIGTERM");
  const { code } = await server.exited;
  expect(code).toBe(0);
}

/** Count what the directory holds once no server has it open. */
async function observationCount(dir: string, fixture: Fixture) {
  const handle = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
  try {
    const { n } = await handle.db
      .selectFrom("observations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("candidate_id", "=", fixture.candidateId)
      .executeTakeFirstOrThrow();
    return Number(n);
  } finally {
    await handle.close();
  }
}

/** A command-line task, awaited (not spawnSync: a blocked event loop would leave fetch's pooled connections stale). */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "db/cli.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", SESSION_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, out })));
}

async function writeMany(server: Server, fixture: Fixture, count: number, from: number) {
  const statuses = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      postObservation(server, fixture, crypto.randomUUID(), from + i),
    ),
  );
  expect(statuses.filter((s) => s !== 302)).toEqual([]);
}

beforeAll(() => mkdirSync(BASE, { recursive: true }));
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
  await sleep(200);
});
afterAll(() => {
  try {
    execFileSync("umount", [`${BASE}/full`], { stdio: "ignore" });
  } catch {
    // not mounted
  }
});

describe("the embedded database belongs to one process", () => {
  it("(e) a second server on the same directory is refused, naming both, and no acknowledged write is lost", async () => {
    const dir = `${BASE}/two`;
    const fixture = await prepare(dir);
    const first = await start(dir, 3480);
    await writeMany(first, fixture, 40, 0);

    const second = spawn(process.execPath, ["--import", "tsx", "app/server.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "3481",
        HOST: "127.0.0.1",
        SESSION_SECRET: SECRET,
        ...embeddedEnv(dir),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    second.stdout.on("data", (d) => (out += d));
    second.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => second.on("exit", resolve));
    expect(code).toBe(1);
    expect(out).toContain(
      `The embedded database in ${dir}/pglite is in use by a running Noseworthy server: process ${first.proc.pid}`,
    );
    expect(out).not.toMatch(/\n\s+at /); // one sentence, not a stack

    // The first server is unharmed and keeps serving; everything it acknowledged is there after it stops.
    await writeMany(first, fixture, 10, 40);
    await stop(first);
    expect(await observationCount(dir, fixture)).toBe(50);
  });

  it("(f) every command-line task is refused while the server runs, and changes nothing", async () => {
    const dir = `${BASE}/cli`;
    const fixture = await prepare(dir);
    const server = await start(dir, 3482);
    await writeMany(server, fixture, 5, 0);
    const env = embeddedEnv(dir, { NEW_USER_PASSWORD: "a-long-enough-password" });
    for (const args of [
      ["user:create", "--email", "late@example.test", "--name", "Late Admin"],
      ["migrate"],
      ["seed"],
      ["restore", "/nonexistent-backup.tar.gz"],
    ]) {
      const { status, out } = await cli(args, env);
      expect(status, `${args[0]}: ${out}`).not.toBe(0);
      expect(out, args[0]).toContain(
        `in use by a running Noseworthy server: process ${server.proc.pid}`,
      );
      expect(out, args[0]).toContain("Stop the server first");
      expect(out, args[0]).not.toMatch(/^Created|Erased|Seeded|Restored/m);
    }
    await writeMany(server, fixture, 5, 5);
    await stop(server);
    const handle = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
    expect(
      await handle.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "late@example.test")
        .executeTakeFirst(),
    ).toBeUndefined();
    await handle.close();
    expect(await observationCount(dir, fixture)).toBe(10);
    // With the server stopped, the same task runs.
    const { status, out } = await cli(
      ["user:create", "--email", "late@example.test", "--name", "Late Admin"],
      env,
    );
    expect(status, out).toBe(0);
    expect(out).toContain("Created late@example.test");
  });

  it("(f) retention runs inside the running server when asked from the command line, and the erasure stays", async () => {
    const dir = `${BASE}/retention`;
    const fixture = await prepare(dir);
    const handle = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
    await handle.db
      .insertInto("settings")
      .values({ key: "retention_months", value: JSON.stringify(12), updated_by: null })
      .execute();
    const { id: manager } = await handle.db
      .selectFrom("users")
      .select("id")
      .executeTakeFirstOrThrow();
    const { id: archived } = await handle.db
      .insertInto("candidates")
      .values({
        name: "Old Archived",
        track: "technical_leadership",
        manager_id: manager,
        nominated_by: manager,
        nominated_reason: "r",
        stage: "archived",
        archived_at: new Date("2024-01-01T00:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await handle.close();

    const server = await start(dir, 3494);
    const dry = await cli(["retention", "--dry-run"], embeddedEnv(dir));
    expect(dry.status, dry.out).toBe(0);
    expect(dry.out).toContain(`would erase candidate ${archived}`);
    const run = await cli(["retention"], embeddedEnv(dir));
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain("Erased 1 candidate(s).");
    await writeMany(server, fixture, 3, 0);
    await stop(server);
    const after = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
    expect(
      await after.db
        .selectFrom("candidates")
        .select("id")
        .where("id", "=", archived)
        .executeTakeFirst(),
    ).toBeUndefined();
    await after.close();
    expect(await observationCount(dir, fixture)).toBe(3);
  });

  it("(g) a lock left by kill -9 is taken over by the next start, with every acknowledged write", async () => {
    const dir = `${BASE}/killed`;
    const fixture = await prepare(dir);
    const first = await start(dir, 3483);
    await writeMany(first, fixture, 20, 0);
    first.proc.kill("SIGKILL");
    await first.exited;
    const lock = JSON.parse(readFileSync(`${dir}/pglite.lock`, "utf8")) as { pid: number };
    expect(lock.pid).toBe(first.proc.pid); // the lock is still there: nothing removed it

    const next = await start(dir, 3484);
    expect(next.output()).toContain(
      `Took over the lock of process ${first.proc.pid}, which no longer runs.`,
    );
    expect((JSON.parse(readFileSync(`${dir}/pglite.lock`, "utf8")) as { pid: number }).pid).toBe(
      next.proc.pid,
    );
    await writeMany(next, fixture, 5, 20);
    await stop(next);
    expect(existsSync(`${dir}/pglite.lock`)).toBe(false); // a clean stop removes it
    expect(await observationCount(dir, fixture)).toBe(25);
  });
});

describe("backups", () => {
  it("(h) backup while the server runs, write, restore: exactly the backed-up data", async () => {
    const dir = `${BASE}/backup`;
    const fixture = await prepare(dir);
    const server = await start(dir, 3485);
    await writeMany(server, fixture, 30, 0);
    const file = `${BASE}/round-trip.tar.gz`;
    rmSync(file, { force: true });
    const backup = await cli(["backup", "--out", file], embeddedEnv(dir));
    expect(backup.status, backup.out).toBe(0);
    expect(backup.out).toContain(`Backed up the running server's database to ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await writeMany(server, fixture, 12, 30);

    // A restore is refused while the server runs.
    expect((await cli(["restore", file], embeddedEnv(dir))).status).not.toBe(0);
    await stop(server);
    expect(await observationCount(dir, fixture)).toBe(42);

    const restore = await cli(["restore", file], embeddedEnv(dir));
    expect(restore.status, restore.out).toBe(0);
    expect(restore.out).toMatch(/The database it replaced is kept in .*pglite\.before-restore-/);
    expect(await observationCount(dir, fixture)).toBe(30);
    // The server starts on the restored directory and serves it.
    const again = await start(dir, 3486);
    await writeMany(again, fixture, 1, 100);
    await stop(again);
    expect(await observationCount(dir, fixture)).toBe(31);

    // A file that is not a backup is refused and the directory is left alone.
    const bad = await cli(["restore", path.join(ROOT, "package.json")], embeddedEnv(dir));
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain("is not a backup of the embedded database");
    expect(await observationCount(dir, fixture)).toBe(31);
  });

  it("(h) an embedded database with migrations to apply is backed up before the server migrates it", async () => {
    const dir = `${BASE}/older`;
    rmSync(dir, { recursive: true, force: true });
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    const older = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
    const { error } = await new Migrator({ db: older.db, provider: migrationProvider }).migrateTo(
      names.at(-2)!,
    );
    expect(error).toBeUndefined();
    await older.close();

    const server = await start(dir, 3487);
    expect(server.output()).toContain("Backed up the database before migrating:");
    expect(server.output()).toContain(`Applied migrations: ${names.at(-1)}`);
    await stop(server);
    const backups = readdirSync(`${dir}/backups`).filter((f) =>
      f.endsWith("-pre-migration.tar.gz"),
    );
    expect(backups).toHaveLength(1);

    // The backup is the database as the older build left it: rolling back is possible.
    const restore = await cli(["restore", `${dir}/backups/${backups[0]}`], embeddedEnv(dir));
    expect(restore.status, restore.out).toBe(0);
    const handle = await createDb({ pgliteDir: path.join(dir, "pglite"), purpose: "test" });
    const applied = (
      await new Migrator({ db: handle.db, provider: migrationProvider }).getMigrations()
    ).filter((m) => m.executedAt);
    await handle.close();
    expect(applied.map((m) => m.name)).toEqual(names.slice(0, -1));

    // A fresh directory has nothing to keep: no backup before its first migrations.
    const fresh = `${BASE}/fresh`;
    rmSync(fresh, { recursive: true, force: true });
    const first = await start(fresh, 3488);
    await stop(first);
    expect(existsSync(`${fresh}/backups`)).toBe(false);
  });
});

describe("a full disk", () => {
  it("(i) writes answer 503 with Retry-After and readiness says so; both recover when there is room", async () => {
    if (process.getuid?.() !== 0)
      throw new Error("This test mounts a small tmpfs and needs root (CI runs as root).");
    const mount = `${BASE}/full`;
    mkdirSync(mount, { recursive: true });
    try {
      execFileSync("umount", [mount], { stdio: "ignore" });
    } catch {
      // not mounted
    }
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=96m", "tmpfs", mount]);
    const dir = `${mount}/data`;
    const fixture = await prepare(dir);
    const server = await start(dir, 3489, { BACKUP_INTERVAL_HOURS: "0" });
    await writeMany(server, fixture, 5, 0);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // Fill the disk to the last byte.
    spawnSync("dd", ["if=/dev/zero", `of=${mount}/filler`, "bs=1M"], { stdio: "ignore" });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 60; i++) {
      const response = await fetch(
        `${server.url}/candidates/${fixture.candidateId}/observations/new`,
        {
          method: "POST",
          redirect: "manual",
          body: new URLSearchParams({
            idempotencyKey: crypto.randomUUID(),
            observedOn: new Date().toISOString().slice(0, 10),
            situation: "",
            behavior: "x".repeat(3000),
            impact: "The team shipped on time",
            signal: "strength",
            dimensionIds: fixture.dimensionId,
          }),
          headers: {
            Cookie: fixture.cookie,
            Origin: server.url,
            "Content-Type": "application/x-www-form-urlencoded",
          },
        },
      );
      await response.arrayBuffer();
      statuses.push(response.status);
      if (response.status === 503) retryAfter = response.headers.get("Retry-After");
    }
    expect(statuses.filter((s) => s === 500)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length, JSON.stringify(statuses)).toBeGreaterThan(0);
    expect(retryAfter).toBe("5");
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("Retry-After")).toBe("5");
    expect(await notReady.text()).toContain("disk is full");
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.output()).not.toMatch(/\n\s+at /);
    // A backup on the full disk is refused before it writes anything, and leaves no partial file behind.
    const backup = await cli(["backup"], embeddedEnv(dir));
    expect(backup.status).not.toBe(0);
    expect(backup.out).toContain("Not enough room in");
    expect(existsSync(`${dir}/backups`) ? readdirSync(`${dir}/backups`) : []).toEqual([]);

    rmSync(`${mount}/filler`);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await writeMany(server, fixture, 5, 100);
    await stop(server);
  });

  it("(i) a server that cannot write its data directory at start says which and why, in one sentence", async () => {
    const dir = `${BASE}/unwritable`;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // A file where the data directory should be: nothing can be created under it.
    execFileSync("touch", [`${dir}/pglite`]);
    const proc = spawnSync(process.execPath, ["--import", "tsx", "app/server.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "3490",
        HOST: "127.0.0.1",
        SESSION_SECRET: SECRET,
        ...embeddedEnv(dir),
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(proc.status).toBe(1);
    expect(proc.stderr).toContain(`Cannot open the embedded database in ${dir}/pglite:`);
    expect(proc.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("a real installation starts empty", () => {
  it("(k) npm start on an empty directory seeds no demo accounts and names the first-run link; npm run demo seeds them", async () => {
    const dir = `${BASE}/empty`;
    rmSync(dir, { recursive: true, force: true });
    const login = (s: Server) =>
      fetch(`${s.url}/login`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ email: "admin@demo.test", password: "noseworthy-demo" }),
        headers: { Origin: s.url, "Content-Type": "application/x-www-form-urlencoded" },
      }).then((r) => r.status);
    const plain = await start(dir, 3492);
    expect(plain.output()).toMatch(
      /No accounts yet\. Create the first admin at \/setup\?token=[\w-]{32} /,
    );
    expect(plain.output()).not.toContain("Seeded");
    expect(await login(plain)).toBe(400);
    await stop(plain);

    const demoDir = `${BASE}/demo`;
    rmSync(demoDir, { recursive: true, force: true });
    const demo = await start(demoDir, 3493, {}, ["--demo"]);
    expect(demo.output()).toContain("Seeded the demo organisation");
    expect(await login(demo)).toBe(302);
    await stop(demo);
  });
});

describe("(j) the data directory is private", () => {
  it("files are 0600 and directories 0700, including those an older build left open", async () => {
    const dir = `${BASE}/modes`;
    const fixture = await prepare(dir);
    // An older build left everything world-writable.
    execFileSync("chmod", ["-R", "a+rwX", dir]);
    const server = await start(dir, 3491);
    await writeMany(server, fixture, 3, 0);
    const open = execFileSync(
      "find",
      [dir, "(", "-type", "f", "-o", "-type", "d", ")", "-perm", "/077"],
      { encoding: "utf8" },
    ).trim();
    expect(open).toBe("");
    await stop(server);
  });
});
