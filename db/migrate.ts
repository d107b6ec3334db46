import { Migrator } from "kysely/migration";
import { backupEmbedded, backupName, pruneBackups } from "./backup";
import type { DB, DbHandle } from "./client";
import { migrationProvider } from "./migrations";

export async function migrateToLatest(db: DB): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
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
  let backup: string | null = null;
  if (handle.pglite && backupDir) {
    const migrations = await new Migrator({
      db: handle.db,
      provider: migrationProvider,
    }).getMigrations();
    const applied = migrations.filter((m) => m.executedAt);
    if (applied.length > 0 && applied.length < migrations.length) {
      backup = (await backupEmbedded(handle.pglite, `${backupDir}/${backupName("pre-migration")}`))
        .file;
      pruneBackups(backupDir, "pre-migration", PRE_MIGRATION_BACKUPS_KEPT);
    }
  }
  return { applied: await migrateToLatest(handle.db), backup };
}
