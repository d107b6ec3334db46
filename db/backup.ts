/**
 * Backups of the embedded database: PGlite's own dump of its data directory (a gzipped tar), taken
 * while no query runs, after a CHECKPOINT. A restore starts PostgreSQL on the copy, which recovers
 * from its write-ahead log as after a crash: the result is the database as it was at one instant.
 * PostgreSQL (DATABASE_URL) is backed up with pg_dump / pg_restore instead (README).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { createDb, type DbHandle } from "./client";
import { lockDataDir } from "./data-dir-lock";

export const BACKUP_SUFFIX = ".tar.gz";

export function backupName(reason: "manual" | "scheduled" | "pre-migration", now = new Date()) {
  return `noseworthy-${now.toISOString().replace(/[:.]/g, "-")}-${reason}${BACKUP_SUFFIX}`;
}

/** Write a consistent copy of the open database to `file` (0600; written aside, then renamed into place). */
export async function backupEmbedded(
  pglite: PGlite,
  file: string,
): Promise<{ file: string; bytes: number }> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Before the CHECKPOINT, which writes too: on a full disk, say so rather than fail inside PostgreSQL.
  ensureRoom(path.dirname(file), 0);
  // Inside a transaction of PGlite's own: no other transaction is half-way through while the files are copied.
  const dump = await pglite.transaction(async (tx) => {
    await tx.exec("CHECKPOINT");
    return pglite.dumpDataDir("gzip");
  });
  const bytes = Buffer.from(await dump.arrayBuffer());
  ensureRoom(path.dirname(file), bytes.length);
  const partial = `${file}.partial`;
  try {
    writeFileSync(partial, bytes, { mode: 0o600 });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { file, bytes: bytes.length };
}

export const BACKUP_HEADROOM_BYTES = 64 * 1024 * 1024;

/** The backups usually share the database's disk: a backup must not be what fills it. */
function ensureRoom(dir: string, bytes: number) {
  const fs = statfsSync(dir);
  if (fs.bavail * fs.bsize < bytes + BACKUP_HEADROOM_BYTES) {
    const size = bytes ? ` of ${Math.ceil(bytes / 1e6)} MB` : "";
    throw new Error(
      `Not enough room in ${dir} for a backup${size} (it keeps ${Math.round(BACKUP_HEADROOM_BYTES / 1e6)} MB free for the database).`,
    );
  }
}

/** Keep the newest `keep` backups of one kind (by name, which starts with the time). */
export function pruneBackups(dir: string, reason: string, keep: number) {
  if (!existsSync(dir)) return;
  // A backup cut off by a crash mid-write.
  for (const stray of readdirSync(dir).filter(
    (f) => f.startsWith("noseworthy-") && f.endsWith(".partial"),
  ))
    rmSync(path.join(dir, stray), { force: true });
  const mine = readdirSync(dir)
    .filter((f) => f.startsWith("noseworthy-") && f.endsWith(`-${reason}${BACKUP_SUFFIX}`))
    .sort();
  for (const old of mine.slice(0, Math.max(0, mine.length - keep)))
    rmSync(path.join(dir, old), { force: true });
}

export function latestBackupAgeMs(dir: string, now = Date.now()): number | null {
  if (!existsSync(dir)) return null;
  const times = readdirSync(dir)
    .filter((f) => f.startsWith("noseworthy-") && f.endsWith(BACKUP_SUFFIX))
    .map((f) => statSync(path.join(dir, f)).mtimeMs);
  return times.length ? now - Math.max(...times) : null;
}

/**
 * Replace the embedded database in `pgliteDir` by the backup in `file`. The current directory is kept
 * beside it (`pglite.before-restore-<time>`), never deleted. The caller must not have it open; this takes
 * the directory's lock, so a running server refuses it.
 */
export async function restoreEmbedded(
  pgliteDir: string,
  file: string,
  now = new Date(),
): Promise<{ keptAs: string | null }> {
  // Held from the start: a running server (or another task) is refused before anything else is looked at.
  const lock = lockDataDir(pgliteDir, "db:restore");
  let keptAs: string | null = null;
  try {
    if (!existsSync(file)) throw new Error(`No backup at ${file}.`);
    const blob = new Blob([readFileSync(file)]);
    // Check that the backup opens, in memory, before touching the directory.
    const probe = await createDb({ loadDataDir: blob }).catch((error: Error) => {
      throw new Error(`${file} is not a backup of the embedded database (${error.message}).`);
    });
    await probe.close();
    // Built beside the live directory, then swapped in: a restore that fails half-way leaves the live one as it was.
    const staging = `${pgliteDir}.restoring`;
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.lock`, { force: true });
    const restored = await createDb({
      pgliteDir: staging,
      loadDataDir: blob,
      purpose: "db:restore",
    });
    await restored.close();
    if (existsSync(pgliteDir)) {
      keptAs = `${pgliteDir}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
      renameSync(pgliteDir, keptAs);
    }
    try {
      renameSync(staging, pgliteDir);
    } catch (error) {
      if (keptAs) renameSync(keptAs, pgliteDir);
      keptAs = null;
      throw error;
    }
  } finally {
    lock.release();
  }
  return { keptAs };
}

export type ControlRequest =
  { command: "backup"; file?: string } | { command: "retention"; dryRun: boolean; now?: string };

/**
 * The server's side of the control socket: one JSON line in, one out. The command-line tasks that must
 * run inside the process holding the database ask here: a backup, and retention (an erasure due by the
 * retention rule must not wait for the server to be stopped).
 */
export function serveControl(
  socketPath: string,
  handle: DbHandle,
  backupDir: string,
  run: {
    retention: (request: Extract<ControlRequest, { command: "retention" }>) => Promise<object>;
  },
): net.Server {
  rmSync(socketPath, { force: true });
  const server = net.createServer((conn) => {
    let input = "";
    conn.setEncoding("utf8");
    const onData = async (chunk: string) => {
      input += chunk;
      if (input.length > 10_000) return void conn.destroy();
      if (!input.includes("\n")) return;
      conn.off("data", onData);
      let reply: object;
      try {
        const request = JSON.parse(input.split("\n")[0]) as ControlRequest;
        if (request.command === "backup" && handle.pglite) {
          const file = path.resolve(request.file || path.join(backupDir, backupName("manual")));
          reply = { ok: true, ...(await backupEmbedded(handle.pglite, file)) };
        } else if (request.command === "retention") {
          reply = { ok: true, ...(await run.retention(request)) };
        } else throw new Error("Unknown command.");
      } catch (error) {
        reply = { ok: false, error: (error as Error).message };
      }
      conn.end(`${JSON.stringify(reply)}\n`);
    };
    conn.on("data", onData);
    conn.on("error", () => {});
  });
  // Only this account may ask (the umask the database set makes the socket 0600 too).
  server.listen(socketPath);
  return server;
}

/** The command line's side: ask the running server to do it. */
export function askServer<T>(socketPath: string, request: ControlRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath);
    let output = "";
    conn.setEncoding("utf8");
    conn.on("connect", () => conn.write(`${JSON.stringify(request)}\n`));
    conn.on("data", (chunk) => (output += chunk));
    conn.on("error", (error) =>
      reject(new Error(`The running server did not answer on ${socketPath} (${error.message}).`)),
    );
    conn.on("end", () => {
      try {
        const reply = JSON.parse(output) as T & { ok: boolean; error?: string };
        if (reply.ok) resolve(reply);
        else reject(new Error(`The running server could not do it: ${reply.error}`));
      } catch {
        reject(new Error("The running server gave no answer."));
      }
    });
  });
}
