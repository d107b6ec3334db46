import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect } from "kysely";
import pg from "pg";
import { type DataDirLock, lockDataDir } from "./data-dir-lock";
import type { Database } from "./schema";

export type DB = Kysely<Database>;

export interface DbHandle {
  db: DB;
  kind: "pglite" | "postgres";
  close: () => Promise<void>;
  /** The embedded database itself (for backups), with the data directory it holds locked. */
  pglite?: PGlite;
  dataDir?: string;
  lock?: DataDirLock;
}

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Calendar dates stay 'YYYY-MM-DD' strings: a JS Date would shift them across time zones.
const parsers = {
  [DATE_OID]: (value: string) => value,
  [INT8_OID]: (value: string) => Number(value),
  [NUMERIC_OID]: (value: string) => Number(value),
};

export interface CreateDbOptions {
  databaseUrl?: string;
  pgliteDir?: string; // undefined with no databaseUrl: an in-memory database (tests)
  loadDataDir?: Blob; // a PGlite dump to start from (tests, restore)
  poolMax?: number;
  /** Who opens the embedded data directory ("server", "db:backup"…): named to anyone refused its lock. */
  purpose?: string;
  /** A running server's control socket, written into its lock so command-line tasks can reach it. */
  controlSocket?: string;
  /** The caller already holds the directory's lock (a restore swapping the directory); released on close. */
  heldLock?: DataDirLock;
}

// Each query text is parsed once per connection, and planned once PostgreSQL settles on a generic plan for
// it (after five executions, when that plan costs no more than the custom ones): measured
// (docs/performance.md), planning was most of PostgreSQL's work per page (16 ms of the profile's timeline).
// Only queries are named (SELECT, INSERT, UPDATE, DELETE, WITH): DDL and anything else go as sent. Texts
// whose shape depends on the data (IN lists, multi-row VALUES) stay unnamed, and each connection keeps at
// most PREPARED_PER_CONNECTION of them, so the server's memory for plans stays bounded.
// PostgreSQL replans a prepared statement after DDL; one whose result columns changed (a migration that
// alters a table read with SELECT *) fails until its connection is replaced, so a server that was running
// while such a migration was applied by hand must be restarted (the server, or its primary, migrates at start).
const PREPARED_PER_CONNECTION = 300;
const VARIABLE_SHAPE = /\bin \(\$|\bvalues \(\$[^)]*\), \(/i;
const QUERY = /^\s*(select|insert|update|delete|with)\b/i;
class PreparingClient extends pg.Client {
  /** Statement text → its name on this connection (hashed once, not on every query). */
  #prepared = new Map<string, string>();
  // @ts-expect-error -- pg's overloads; Kysely calls query(text, values) and awaits the promise.
  override query(config: unknown, values?: unknown, callback?: unknown) {
    if (
      typeof config === "string" &&
      Array.isArray(values) &&
      callback === undefined &&
      QUERY.test(config) &&
      !VARIABLE_SHAPE.test(config)
    ) {
      let name = this.#prepared.get(config);
      if (name === undefined && this.#prepared.size < PREPARED_PER_CONNECTION) {
        name = `nw_${createHash("sha1").update(config).digest("base64url")}`;
        this.#prepared.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values });
    }
    return (super.query as (...args: unknown[]) => unknown)(config, values, callback);
  }
}

/**
 * PostgreSQL settings for the embedded database, after PGlite's own. PGlite zeroes the whole shared
 * memory segment in WebAssembly at every start: with PostgreSQL's default of 128 MB of shared buffers
 * that was the largest single piece of an embedded start (decision 0021). 32 MB holds the demo
 * organisation's tables and indexes whole; pages beyond it are read from the data directory's files.
 */
const EMBEDDED_SETTINGS = ["-c", "shared_buffers=32MB"];

/** PGlite when no DATABASE_URL is given, a pg Pool when it is. Same migrations, same queries. */
export async function createDb(options: CreateDbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const types = {
      getTypeParser: (oid: number, format?: "text" | "binary") =>
        (parsers as Record<number, (v: string) => unknown>)[oid] ??
        pg.types.getTypeParser(oid, format),
    };
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 10_000,
      // A request waiting on a row lock held elsewhere gives up quickly (answered 503) instead of holding a pool slot.
      lock_timeout: 3_000,
      idle_in_transaction_session_timeout: 30_000,
      query_timeout: 15_000,
      // JIT compilation costs short OLTP queries far more than it saves (a second on the pipeline board).
      options: "-c jit=off",
      types: types as pg.CustomTypesConfig,
      Client: PreparingClient as unknown as typeof pg.Client,
    });
    // An idle client that loses its server emits 'error'; without a listener Node would crash.
    pool.on("error", () => {});
    // A checked-out client whose server goes away (PostgreSQL restarted mid-transaction) emits 'error'
    // too, outside any query: without this listener the whole process crashed (found by the fault test
    // of a PostgreSQL restart, tests/faults/faults.test.ts (a)).
    // The query in flight still fails and the request answers 503; the pool discards the client.
    pool.on("connect", (client) => client.on("error", () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }

  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (options.pgliteDir) {
    dataDir = path.resolve(options.pgliteDir);
    // People data and password hashes: readable by this account only (PGlite creates its files 0666).
    process.umask(0o077);
    mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o700 });
    lock =
      options.heldLock ??
      lockDataDir(
        dataDir,
        options.purpose ?? "task",
        options.controlSocket ? { controlSocket: options.controlSocket } : {},
      );
    try {
      restrictModes(path.dirname(dataDir));
    } catch (error) {
      lock.release();
      throw openError(dataDir, error);
    }
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir,
      loadDataDir: options.loadDataDir,
      parsers,
      startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
    });
    // initdb and a loaded dump write their files 0666 whatever the umask, and so does every start's
    // relation cache file (pg_internal.init): found by tests/faults/embedded.test.ts (j).
    if (dataDir) restrictModes(path.dirname(dataDir));
  } catch (error) {
    lock?.release();
    throw dataDir ? openError(dataDir, error) : error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: "pglite",
    pglite,
    dataDir,
    lock,
    close: async () => {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Files 0600 and directories 0700 under the embedded data directory, whatever an older build left. */
export function restrictModes(dir: string) {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) restrictModes(full);
    else if (entry.isFile()) chmodSync(full, 0o600);
  }
}

/** A start-up failure as one sentence naming the directory and the cause, not a stack from the WebAssembly build. */
function openError(dataDir: string, error: unknown): Error {
  const e = error as NodeJS.ErrnoException & { code?: string };
  const causes: Record<string, string> = {
    ENOSPC: "the disk is full",
    EDQUOT: "the disk quota is used up",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "permission denied",
    "53100": "the disk is full",
  };
  const text = String(e?.message ?? error);
  const cause =
    (e?.code && causes[e.code]) ??
    (/no space left/i.test(text)
      ? "the disk is full"
      : /read-only file system/i.test(text)
        ? "the file system is read-only"
        : /permission denied/i.test(text)
          ? "permission denied"
          : text.split("\n")[0]);
  return new Error(`Cannot open the embedded database in ${dataDir}: ${cause}.`, { cause: error });
}
