/**
 * The embedded database belongs to one process. PGlite does not lock its data directory (its
 * postmaster.pid holds -42 for every process), and two processes writing one directory corrupt it:
 * each keeps its own shared buffers and overwrites the other's pages. So every process that opens the
 * directory (the server, each command-line task) first takes this lock: a file created with O_EXCL
 * beside the directory, holding the owner's pid, its start time and what it is.
 *
 * A lock left by a process that no longer runs (kill -9, a power cut) is taken over: the taker
 * serialises with other takers through a second O_EXCL file, re-reads the lock under it, and replaces
 * it only if it is still the stale one it saw. A pid that now belongs to another program is told apart
 * by the process start time in /proc.
 */
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";

export interface LockOwner {
  pid: number;
  host: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22), or null off Linux. */
  procStart: number | null;
  startedAt: string;
  purpose: string;
  /** Where a running server accepts control requests (backups), if it does. */
  controlSocket?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
    purpose: string,
  ) {
    const what = owner.purpose === "server" ? "a running Noseworthy server" : `another task (${owner.purpose})`;
    const advice =
      purpose === "server"
        ? "Only one process may use the embedded database: stop the other one, or give this one another PGLITE_DIR."
        : owner.purpose === "server"
          ? "Stop the server first, or do this from the running app's admin pages."
          : "Wait for it to finish, then try again.";
    super(`The embedded database in ${dir} is in use by ${what}: process ${owner.pid} on ${owner.host}, since ${owner.startedAt}. ${advice}`);
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  file: string;
  owner: LockOwner;
  /** The process whose stale lock this one replaced, if any. */
  tookOverFrom?: LockOwner;
  release: () => void;
}

export function lockFileFor(dataDir: string) {
  return `${dataDir}.lock`;
}

function procStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** Is the process that wrote this lock still running (on this machine)? Unknown hosts count as alive. */
export function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  // The pid exists: the same process only if it started when the owner did.
  const start = procStart(owner.pid);
  return owner.procStart === null || start === null || start === owner.procStart;
}

export function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
    return typeof owner.pid === "number" ? owner : null;
  } catch {
    return null;
  }
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Take the lock on dataDir for this process, or throw DataDirLockedError naming who holds it. */
export function lockDataDir(dataDir: string, purpose: string, extra: Partial<LockOwner> = {}): DataDirLock {
  const file = lockFileFor(dataDir);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: procStart(process.pid),
    startedAt: new Date().toISOString(),
    purpose,
    ...extra,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, owner)) return held(file, owner);
    const current = readOwner(file);
    // A lock file being written this instant (empty) or unreadable: look again shortly.
    if (!current) {
      if (ageMs(file) > 10_000) takeOver(file, null, owner);
      sleepSync(50);
      continue;
    }
    if (isAlive(current)) throw new DataDirLockedError(dataDir, current, purpose);
    if (takeOver(file, current, owner)) return { ...held(file, owner), tookOverFrom: current };
  }
  const current = readOwner(file);
  if (current) throw new DataDirLockedError(dataDir, current, purpose);
  throw new Error(`Could not lock the embedded database in ${dataDir}: ${file} could not be taken.`);
}

/** Replace a stale lock, serialised with other takers; true when this process now holds it. */
function takeOver(file: string, stale: LockOwner | null, owner: LockOwner): boolean {
  const guard = `${file}.takeover`;
  // A guard left by a taker that died within the few statements below is old by now.
  if (ageMs(guard) > 10_000) rmQuiet(guard);
  if (!tryCreate(guard, owner)) return false;
  try {
    const again = readOwner(file);
    const same = stale === null ? again === null : again !== null && again.pid === stale.pid && again.startedAt === stale.startedAt;
    if (!same) return false;
    const aside = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    rmQuiet(aside);
    return tryCreate(file, owner);
  } finally {
    rmQuiet(guard);
  }
}

function held(file: string, owner: LockOwner): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Only our own lock is removed, never one another process took over.
    if (readOwner(file)?.pid === owner.pid) rmQuiet(file);
  };
  process.on("exit", release);
  return { file, owner, release };
}

function ageMs(file: string) {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function rmQuiet(file: string) {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
