import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type DbHandle } from "../../db/client";
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
