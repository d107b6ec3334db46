import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. Checked with EXPLAIN (ANALYZE, BUFFERS) at 5,000 and
// 10,000 candidates (docs/performance.md).
const indexes: [name: string, definition: string][] = [
  // /candidates?stage=…: the page in name order read from the index (25 entries) instead of walking
  // the name index and discarding the other stages (1,000 rows removed at 5,000 candidates).
  ["candidates_stage_name_idx", "candidates (stage, lower(name), id)"],
  // The team filter's options: a skip scan over this index reads one entry per team, where
  // SELECT DISTINCT read every candidate (its cost grew with the organisation).
  ["candidates_team_all_idx", "candidates (team)"],
  // The circle rule (candidateVisibleTo) collects a viewer's candidates from four indexed sources;
  // this is the one that had no index (people they nominated).
  ["candidates_nominated_by_idx", "candidates (nominated_by)"],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, definition] of indexes)
    await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of indexes) await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
}
