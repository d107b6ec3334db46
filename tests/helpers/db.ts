import { randomBytes } from "node:crypto";
import type { KyselyPlugin } from "kysely";
import pg from "pg";
import { createDb, type DB, type DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { runPrefix, templateDb, withDatabase } from "./global-setup";

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a copy of the
 * migrated template on the PostgreSQL server named by DATABASE_URL.
 */
export async function createTestDb(): Promise<DbHandle & { url?: string }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await createDb({});
    await migrateToLatest(handle.db);
    return handle;
  }
  const name = `${runPrefix()}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
  await admin.end();
  const dbUrl = withDatabase(url, name);
  const handle = await createDb({ databaseUrl: dbUrl, poolMax: 5 });
  return {
    ...handle,
    url: dbUrl,
    close: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * `database` with a count of the statements it sends, as the benchmark counts them (tests/bench/run.ts):
 * one per statement, and BEGIN and COMMIT one each for a transaction.
 */
export function countingStatements(database: DB) {
  const counter = { statements: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    // A result arrives once per statement sent (transformQuery also sees every sub-builder).
    async transformResult(args) {
      counter.statements += 1;
      return args.result;
    },
  };
  const counted = database.withPlugin(plugin);
  const db = new Proxy(counted, {
    get(target, property) {
      if (property === "transaction")
        return () => {
          counter.statements += 2;
          return target.transaction();
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, counter };
}
