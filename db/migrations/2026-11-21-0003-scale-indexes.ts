import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. Found by EXPLAIN (ANALYZE, BUFFERS) on the
// organisation-scale benchmark (docs/performance.md).
const indexes: [name: string, definition: string][] = [
  // Pipeline cards and profile coverage: a candidate's live notes with the note id, so the join to
  // observation_dimensions reads the index alone (replaces observations_candidate_live_idx).
  [
    "observations_candidate_live_cover_idx",
    "observations (candidate_id, observed_on DESC) INCLUDE (author_id, id) WHERE retracted_at IS NULL",
  ],
  // The timeline's observation branch in its own order (the note's day at the time it was written),
  // so a page reads 21 rows of a candidate with a thousand notes instead of sorting all of them.
  [
    "observations_candidate_timeline_idx",
    "observations (candidate_id, (((observed_on + (created_at AT TIME ZONE 'UTC')::time) AT TIME ZONE 'UTC')) DESC, id DESC)",
  ],
  // Flag events after the raise (the timeline lists only those): without it, a sequential scan.
  ["flag_events_flag_later_idx", "flag_events (flag_id) WHERE kind <> 'raised'"],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, definition] of indexes)
    await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`).execute(db);
  await sql.raw(`DROP INDEX IF EXISTS observations_candidate_live_idx`).execute(db);
  // Short queries only: JIT compilation cost the board's statement a whole second (1.06 s of 1.18 s)
  // once the planner's estimate passed jit_above_cost. Where the role may not alter the database
  // (or the server has no JIT), nothing changes.
  await sql
    .raw(
      `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); EXCEPTION WHEN OTHERS THEN NULL; END $$`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE INDEX IF NOT EXISTS observations_candidate_live_idx ON observations (candidate_id, observed_on DESC) INCLUDE (author_id) WHERE retracted_at IS NULL`,
    )
    .execute(db);
  for (const [name] of indexes) await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
  await sql
    .raw(
      `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); EXCEPTION WHEN OTHERS THEN NULL; END $$`,
    )
    .execute(db);
}
