/**
 * Migrating at start (db/migrate.ts): a database that records exactly this build's migrations is left
 * alone without asking the Migrator; every other state still goes to the Migrator, which applies what
 * is missing and refuses what it calls corrupted, as it did before.
 */
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import { migrateToLatest, migrateWithBackup } from "../../db/migrate";
import { migrationProvider } from "../../db/migrations";
import { createTestDb } from "../helpers/db";

// One database for the file: each test puts back what it changed.
let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});

const names = async () => Object.keys(await migrationProvider.getMigrations()).sort();

describe("migrating at start", () => {
  it("applies nothing to an up-to-date database without asking the Migrator, and the migrations stay recorded", async () => {
    const asked = vi.spyOn(Migrator.prototype, "migrateToLatest");
    try {
      expect(await migrateToLatest(handle.db)).toEqual([]);
      expect(await migrateWithBackup(handle, undefined)).toEqual({ applied: [], backup: null });
      expect(asked).not.toHaveBeenCalled();
    } finally {
      asked.mockRestore();
    }
    const recorded = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(handle.db);
    expect(recorded.rows.map((r) => r.name)).toEqual(await names());
  });

  it("applies the migration a database is missing", async () => {
    const all = await names();
    const { error } = await new Migrator({
      db: handle.db,
      provider: migrationProvider,
    }).migrateDown();
    expect(error).toBeUndefined();
    expect(await migrateToLatest(handle.db)).toEqual([all.at(-1)]);
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it("refuses a database that records a migration this build does not have", async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('2999-01-01-9999-from-a-newer-build', ${new Date().toISOString()})`.execute(
      handle.db,
    );
    try {
      await expect(migrateToLatest(handle.db)).rejects.toThrow(/corrupted migrations/);
      await expect(migrateWithBackup(handle, undefined)).rejects.toThrow(/corrupted migrations/);
    } finally {
      await sql`delete from kysely_migration where name = '2999-01-01-9999-from-a-newer-build'`.execute(
        handle.db,
      );
    }
  });

  it("refuses migrations recorded out of order, and a timestamp that is not a date, as the Migrator does", async () => {
    const first = (await names())[0];
    const { rows } = await sql<{
      timestamp: string;
    }>`select timestamp from kysely_migration where name = ${first}`.execute(handle.db);
    const setFirst = (timestamp: string) =>
      sql`update kysely_migration set timestamp = ${timestamp} where name = ${first}`.execute(
        handle.db,
      );
    try {
      // The first migration recorded as applied after the last one.
      await setFirst(new Date(Date.now() + 60_000).toISOString());
      await expect(migrateToLatest(handle.db)).rejects.toThrow(/corrupted migrations/);
      await setFirst("yesterday");
      await expect(migrateToLatest(handle.db)).rejects.toThrow(/invalid timestamp/);
    } finally {
      await setFirst(rows[0]!.timestamp);
    }
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });
});

describe("the embedded database", () => {
  it.skipIf(process.env.DATABASE_URL)("runs with 32 MB of shared buffers", async () => {
    expect(handle.kind).toBe("pglite");
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(handle.db);
    expect(rows[0]?.shared_buffers).toBe("32MB");
  });
});
