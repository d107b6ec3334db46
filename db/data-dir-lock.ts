/**
 * The embedded database belongs to one process. PGlite does not lock its data directory (its
 * postmaster.pid holds -42 for every process), and two processes writing one directory corrupt it:
 * each keeps its own shared buffers and overwrites the other's pages. So every process that opens the
 * directory (the server, each command-line task) first takes this lock: a file created with O_EXCL
 * beside the directory, holding the owner's pid, its start time and what it is.
 *
 * A lock left by a process that no longer runs (kill -9, a power cut) is taken over: the taker
 * serialises with other takers through a second O_EXCL file, re-reads the lock under it, and replaces
 * it only if it is still the stale one it saw. Whether the holder runs is judged from its pid and start
 * time when it ran under the same kernel boot and in the same pid namespace; a holder this process
 * cannot see (another container, another machine on a shared disk) is judged by the lock's heartbeat:
 * every holder touches the file every HEARTBEAT_MS, and one untouched for STALE_AFTER_MS is gone.
 */
import {
  closeSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";

export interface LockOwner {
  pid: number;
  host: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22), or null off Linux. */
  procStart: number | null;
  startedAt: string;
  purpose: string;
  /** Where a running server accepts control requests (backups, retention), if it does. */
  controlSocket?: string;
  /** The kernel boot and pid namespace the pid belongs to: a pid means nothing outside them. */
  bootId?: string | null;
  pidNamespace?: string | null;
}

export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 60_000;

function readQuiet(read: () => string): string | null {
  try {
    return read().trim();
  } catch {
    return null;
  }
}
const BOOT_ID = readQuiet(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));
const PID_NAMESPACE = readQuiet(() => readlinkSync("/proc/self/ns/pid"));

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
    purpose: string,
  ) {
    const what =
      owner.purpose === "server"
        ? "a running Noseworthy server"
        : `another task (${owner.purpose})`;
    const advice =
      purpose === "server"
        ? "Only one process may use the embedded database: stop the other one, or give this one another PGLITE_DIR."
        : owner.purpose === "server"
          ? "Stop the server first, or do this from the running app's admin pages."
          : "Wait for it to finish, then try again.";
    super(
      `The embedded database in ${dir} is in use by ${what}: process ${owner.pid} on ${owner.host}, since ${owner.startedAt}. ${advice}` +
        ` (If you are sure no process uses it, delete ${lockFileFor(dir)}; a lock nobody renews is taken over after ${STALE_AFTER_MS / 1000} s.)`,
    );
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

/**
 * Is the process that wrote this lock (at `file`) still running? Judged by its pid where this process
 * can see it (same boot, same pid namespace), otherwise by the lock's heartbeat.
 */
export function isAlive(owner: LockOwner, file: string): boolean {
  const sameBoot = owner.bootId !== undefined && owner.bootId !== null && owner.bootId === BOOT_ID;
  const visible =
    owner.host === hostname() &&
    sameBoot &&
    (owner.pidNamespace ?? null) === PID_NAMESPACE &&
    PID_NAMESPACE !== null;
  if (owner.host === hostname() && owner.bootId && BOOT_ID && owner.bootId !== BOOT_ID)
    return false; // written before this machine's last boot
  if (!visible) return ageMs(file) < STALE_AFTER_MS;
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
  } catch (error) {
    // A full disk: an empty lock would block the next start for a minute. Leave none.
    closeSync(fd);
    rmQuiet(file);
    throw error;
  }
  closeSync(fd);
  return true;
}

/** Take the lock on dataDir for this process, or throw DataDirLockedError naming who holds it. */
export function lockDataDir(
  dataDir: string,
  purpose: string,
  extra: Partial<LockOwner> = {},
): DataDirLock {
  const file = lockFileFor(dataDir);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: procStart(process.pid),
    startedAt: new Date().toISOString(),
    purpose,
    bootId: BOOT_ID,
    pidNamespace: PID_NAMESPACE,
    ...extra,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, owner)) return held(file, owner);
    const current = readOwner(file);
    // A lock file being written this instant (empty) or unreadable: look again shortly.
    if (!current) {
      if (ageMs(file) > 10_000 && takeOver(file, null, owner)) return held(file, owner);
      sleepSync(50);
      continue;
    }
    if (isAlive(current, file)) throw new DataDirLockedError(dataDir, current, purpose);
    if (takeOver(file, current, owner)) return { ...held(file, owner), tookOverFrom: current };
  }
  const current = readOwner(file);
  if (current) throw new DataDirLockedError(dataDir, current, purpose);
  throw new Error(
    `Could not lock the embedded database in ${dataDir}: ${file} could not be taken.`,
  );
}

/** Replace a stale lock, serialised with other takers; true when this process now holds it. */
function takeOver(file: string, stale: LockOwner | null, owner: LockOwner): boolean {
  const guard = `${file}.takeover`;
  // A guard left by a taker that died within the few statements below is old by now (and is only
  // removed while it still holds what was read, so a fresh guard of another taker stays).
  const oldGuard = ageMs(guard) > 10_000 ? readQuiet(() => readFileSync(guard, "utf8")) : null;
  if (oldGuard !== null && readQuiet(() => readFileSync(guard, "utf8")) === oldGuard)
    rmQuiet(guard);
  if (!tryCreate(guard, owner)) return false;
  try {
    const again = readOwner(file);
    const same =
      stale === null
        ? again === null
        : again !== null && again.pid === stale.pid && again.startedAt === stale.startedAt;
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
  const mine = () => {
    const current = readOwner(file);
    return current?.pid === owner.pid && current.startedAt === owner.startedAt;
  };
  // The heartbeat that tells a holder in another container or on another machine that this one lives.
  const heartbeat = setInterval(() => {
    try {
      if (mine()) utimesSync(file, new Date(), new Date());
    } catch {
      // A full disk does not stop the clock: the next beat tries again.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off("exit", release);
    // Only our own lock is removed, never one another process took over.
    if (mine()) rmQuiet(file);
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
