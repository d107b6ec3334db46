import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DataDirLockedError,
  lockDataDir,
  lockFileFor,
  type LockOwner,
} from "../../db/data-dir-lock";

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), "nw-lock-")), "pglite");

/** The pid of a process that has already ended. */
function deadPid() {
  return spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout.trim();
}

const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
const pidNamespace = readlinkSync("/proc/self/ns/pid");

function staleOwner(pid: number, extra: Partial<LockOwner> = {}): LockOwner {
  return {
    pid,
    host: hostname(),
    procStart: 1,
    startedAt: "2026-01-01T00:00:00.000Z",
    purpose: "server",
    bootId,
    pidNamespace,
    ...extra,
  };
}

/** Make the lock file look untouched for `seconds`. */
function age(file: string, seconds: number) {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(file, then, then);
}

describe("the data directory lock", () => {
  it("is exclusive: a second taker is refused with the directory and the holder named, and it is free again once released", () => {
    const dir = fresh();
    const lock = lockDataDir(dir, "server");
    expect(JSON.parse(readFileSync(lockFileFor(dir), "utf8")).pid).toBe(process.pid);
    let refused: unknown;
    try {
      lockDataDir(dir, "npm run user:create");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(
      `The embedded database in ${dir} is in use by a running Noseworthy server: process ${process.pid}`,
    );
    expect((refused as Error).message).toContain("Stop the server first");
    lock.release();
    expect(existsSync(lockFileFor(dir))).toBe(false);
    lockDataDir(dir, "npm run user:create").release();
  });

  it("takes over a lock whose process no longer runs, and says whose it was", () => {
    const dir = fresh();
    const pid = Number(deadPid());
    writeFileSync(lockFileFor(dir), JSON.stringify(staleOwner(pid)));
    const lock = lockDataDir(dir, "server");
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(JSON.parse(readFileSync(lockFileFor(dir), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("takes over a lock whose pid now belongs to another process (a different start time)", () => {
    const dir = fresh();
    // This very process's pid, but a start time it never had: the pid was reused after the owner died.
    writeFileSync(lockFileFor(dir), JSON.stringify(staleOwner(process.pid, { procStart: 1 })));
    const lock = lockDataDir(dir, "server");
    expect(lock.tookOverFrom?.procStart).toBe(1);
    lock.release();
  });

  it("a holder it cannot see (another machine, another container's pid namespace) counts as alive while its heartbeat is fresh, and is taken over once it stops", () => {
    for (const other of [{ host: "elsewhere.example" }, { pidNamespace: "pid:[1]", pid: 1 }]) {
      const dir = fresh();
      writeFileSync(lockFileFor(dir), JSON.stringify(staleOwner(Number(deadPid()), other)));
      expect(() => lockDataDir(dir, "server")).toThrow(
        /in use by a running Noseworthy server: process \d+ on .*delete .*pglite\.lock/,
      );
      age(lockFileFor(dir), 30);
      expect(() => lockDataDir(dir, "server")).toThrow(DataDirLockedError);
      age(lockFileFor(dir), 61);
      const lock = lockDataDir(dir, "server");
      expect(lock.tookOverFrom).toBeDefined();
      lock.release();
    }
  });

  it("takes over a lock written before this machine last booted, whatever its pid", () => {
    const dir = fresh();
    writeFileSync(
      lockFileFor(dir),
      JSON.stringify(
        staleOwner(process.pid, {
          bootId: "00000000-0000-0000-0000-000000000000",
          procStart: null,
        }),
      ),
    );
    const lock = lockDataDir(dir, "server");
    expect(lock.tookOverFrom?.bootId).toBe("00000000-0000-0000-0000-000000000000");
    lock.release();
  });

  it("takes over an empty lock file left by a writer that died (or a full disk) once it is old", () => {
    const dir = fresh();
    writeFileSync(lockFileFor(dir), "");
    age(lockFileFor(dir), 11);
    const lock = lockDataDir(dir, "server");
    expect(JSON.parse(readFileSync(lockFileFor(dir), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("a release removes only its own lock, not one with the same pid written by another holder", () => {
    const dir = fresh();
    const lock = lockDataDir(dir, "server");
    // Another container whose server is pid 1 too, say, took it over meanwhile.
    writeFileSync(
      lockFileFor(dir),
      JSON.stringify(staleOwner(process.pid, { startedAt: "2026-06-01T00:00:00.000Z" })),
    );
    lock.release();
    expect(existsSync(lockFileFor(dir))).toBe(true);
  });

  it("the holder renews its heartbeat", async () => {
    const dir = fresh();
    const lock = lockDataDir(dir, "server");
    age(lockFileFor(dir), 50);
    const { HEARTBEAT_MS } = await import("../../db/data-dir-lock");
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS + 500));
    const { statSync } = await import("node:fs");
    expect(Date.now() - statSync(lockFileFor(dir)).mtimeMs).toBeLessThan(40_000); // aged to 50 s, renewed since
    lock.release();
  }, 20_000);

  it("lets exactly one of eight processes racing for a stale lock have it", async () => {
    const dir = fresh();
    writeFileSync(lockFileFor(dir), JSON.stringify(staleOwner(Number(deadPid()))));
    const script = `
      import { lockDataDir } from ${JSON.stringify(path.resolve("db/data-dir-lock.ts"))};
      try { lockDataDir(${JSON.stringify(dir)}, "race"); console.log("HELD"); setTimeout(() => {}, 3000); }
      catch (e) { console.log("REFUSED " + e.name); }`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "--input-type=module", "-e", script],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        return new Promise<string>((resolve) => child.on("close", () => resolve(out.trim())));
      }),
    );
    expect(results.filter((r) => r === "HELD")).toHaveLength(1);
    expect(results.filter((r) => r === "REFUSED DataDirLockedError")).toHaveLength(7);
  });
});
