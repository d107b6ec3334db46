import pg from "pg";
import { createDb } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";

// One prefix per run, so two runs against the same server never drop each other's databases.
export function runPrefix(): string {
  process.env.NOSEWORTHY_TEST_RUN ??= `${process.pid.toString(36)}${Date.now().toString(36)}`;
  return `noseworthy_test_${process.env.NOSEWORTHY_TEST_RUN}`;
}
export const templateDb = () => `${runPrefix()}_template`;

/** On PostgreSQL, migrate a template database once; each test file then copies it. */
export async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const TEMPLATE_DB = templateDb();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const handle = await createDb({ databaseUrl: withDatabase(url, TEMPLATE_DB) });
  await migrateToLatest(handle.db);
  await handle.close();
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await dropTestDatabases(client);
    await client.end();
  };
}

async function dropTestDatabases(client: pg.Client) {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
    [runPrefix()],
  );
  for (const { datname } of rows)
    await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
