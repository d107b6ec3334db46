import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { backupEmbedded, backupName, pruneBackups } from "./backup";
import type { DB, DbHandle } from "./client";
import { migrationProvider } from "./migrations";

interface Recorded {
  /** By the time each was applied, then by name: the order the Migrator checks. */
  names: string[];
  /** Every timestamp is a date (the Migrator refuses one that is not). */
  valid: boolean;
}

/**
 * The migrations this database records as applied, or null when it has no migration table yet
 * (Kysely's default table, found through the search path as the Migrator finds it).
 */
async function recordedMigrations(db: DB): Promise<Recorded | null> {
  const { rows } = await sql<{ present: boolean }>`
    select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!rows[0]?.present) return null;
  const recorded = await sql<{ name: string; timestamp: string }>`
    select name, timestamp from kysely_migration`.execute(db);
  const at = (r: { timestamp: string }) => new Date(r.timestamp).getTime();
  return {
    names: recorded.rows
      .sort((a, b) => at(a) - at(b) || a.name.localeCompare(b.name))
      .map((r) => r.name),
    valid: recorded.rows.every((r) => !Number.isNaN(at(r))),
  };
}

/**
 * Nothing to do: the database records exactly the migrations this build has, applied in their order.
 * The Migrator would take its lock and check its tables to find that out (on the embedded database,
 * about a tenth of a later start: decision 0021). Anything else (a migration to apply, one this build
 * does not know, an order or a timestamp the Migrator calls corrupted) goes to the Migrator, which
 * applies or refuses as before.
 */
function upToDate(recorded: Recorded | null, known: string[]): boolean {
  return (
    recorded !== null &&
    recorded.valid &&
    recorded.names.length === known.length &&
    known.every((name, i) => recorded.names[i] === name)
  );
}

/** This build's migrations, sorted by name as the Migrator sorts them. */
async function knownMigrations(): Promise<string[]> {
  return Object.keys(await migrationProvider.getMigrations()).sort();
}

async function runMigrator(db: DB): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

export async function migrateToLatest(db: DB): Promise<string[]> {
  if (upToDate(await recordedMigrations(db), await knownMigrations())) return [];
  return runMigrator(db);
}

export const PRE_MIGRATION_BACKUPS_KEPT = 5;

/**
 * Migrate; on an embedded database that already holds data and has migrations to apply, back it up
 * first. An older build refuses a directory a newer one migrated, so without this copy there would be
 * no way back.
 */
export async function migrateWithBackup(
  handle: DbHandle,
  backupDir: string | undefined,
): Promise<{ applied: string[]; backup: string | null }> {
  const recorded = await recordedMigrations(handle.db);
  const known = await knownMigrations();
  if (upToDate(recorded, known)) return { applied: [], backup: null };
  let backup: string | null = null;
  if (handle.pglite && backupDir) {
    const appliedKnown = known.filter((name) => recorded?.names.includes(name)).length;
    if (appliedKnown > 0 && appliedKnown < known.length) {
      backup = (await backupEmbedded(handle.pglite, `${backupDir}/${backupName("pre-migration")}`))
        .file;
      pruneBackups(backupDir, "pre-migration", PRE_MIGRATION_BACKUPS_KEPT);
    }
  }
  return { applied: await runMigrator(handle.db), backup };
}
