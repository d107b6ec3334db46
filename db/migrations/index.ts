import type { Migration, MigrationProvider } from "kysely/migration";
import * as m0001 from "./2026-11-21-0001-initial";

// A static list: the bundled server build has no migration files on disk to scan.
const migrations: Record<string, Migration> = {
  "2026-11-21-0001-initial": m0001,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
