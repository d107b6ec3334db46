import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. /readyz writes one row here on every probe: a
// database that answers reads but cannot write (a full disk, a read-only file system, a held lock)
// is not ready. One row per server process would grow with restarts, so there is one row in all.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("readiness_probe")
    .ifNotExists()
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("checked_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("readiness_probe").ifExists().execute();
}
