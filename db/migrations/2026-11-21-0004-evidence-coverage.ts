import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Evidence coverage kept by the database (docs/performance.md): per candidate, dimension and author,
// how many live (not retracted) observations there are and the latest date. A card or a profile then
// reads a handful of rows instead of joining every note of the person to its dimensions; at
// organisation scale that join was 32 ms of the board's 46 ms statement. The numbers shown are the
// same: observations = sum, observers = count of authors, last observed = max.
//
// The triggers keep it exact (0006 closes two gaps in them):
// - a dimension added to a live note increments its row (the common write; concurrent inserts add up,
//   because INSERT … ON CONFLICT DO UPDATE locks the row it adds to);
// - anything else (an edit, a retraction, a deleted note or dimension) recomputes the rows of the
//   (candidate, author) pairs it touched from the notes themselves, under a per-candidate advisory lock
//   so that two recomputations of the same person never interleave.
const statements = [
  `CREATE TABLE evidence_coverage (
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    dimension_id uuid NOT NULL REFERENCES dimensions(id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    observations integer NOT NULL CHECK (observations > 0),
    last_observed_on date NOT NULL,
    PRIMARY KEY (candidate_id, dimension_id, author_id)
  ) WITH (fillfactor = 80)`,
  `CREATE FUNCTION evidence_coverage_recompute(candidate_ids uuid[], author_ids uuid[]) RETURNS void AS $$
   BEGIN
     PERFORM pg_advisory_xact_lock(4747, hashtext(c::text)) FROM (SELECT DISTINCT unnest(candidate_ids) AS c ORDER BY 1) x;
     DELETE FROM evidence_coverage ec USING unnest(candidate_ids, author_ids) AS p(candidate_id, author_id)
       WHERE ec.candidate_id = p.candidate_id AND ec.author_id = p.author_id;
     INSERT INTO evidence_coverage (candidate_id, dimension_id, author_id, observations, last_observed_on)
       SELECT o.candidate_id, od.dimension_id, o.author_id, count(*), max(o.observed_on)
       FROM (SELECT DISTINCT * FROM unnest(candidate_ids, author_ids) AS u(candidate_id, author_id)) p
       JOIN observations o ON o.candidate_id = p.candidate_id AND o.author_id = p.author_id AND o.retracted_at IS NULL
       JOIN observation_dimensions od ON od.observation_id = o.id
       WHERE EXISTS (SELECT 1 FROM candidates c WHERE c.id = o.candidate_id)
       GROUP BY o.candidate_id, od.dimension_id, o.author_id;
   END $$ LANGUAGE plpgsql`,
  // Notes edited, retracted or deleted: recompute their people's rows.
  `CREATE FUNCTION evidence_coverage_observations_changed() RETURNS trigger AS $$
   DECLARE cs uuid[]; au uuid[];
   BEGIN
     SELECT array_agg(candidate_id), array_agg(author_id) INTO cs, au FROM (SELECT DISTINCT candidate_id, author_id FROM changed) x;
     IF cs IS NOT NULL THEN PERFORM evidence_coverage_recompute(cs, au); END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER evidence_coverage_observations_updated AFTER UPDATE ON observations
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_observations_changed()`,
  `CREATE TRIGGER evidence_coverage_observations_deleted AFTER DELETE ON observations
     REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_observations_changed()`,
  // Dimensions added to notes: add to the counts.
  `CREATE FUNCTION evidence_coverage_dimensions_added() RETURNS trigger AS $$
   BEGIN
     INSERT INTO evidence_coverage AS ec (candidate_id, dimension_id, author_id, observations, last_observed_on)
       SELECT o.candidate_id, n.dimension_id, o.author_id, count(*), max(o.observed_on)
       FROM changed n JOIN observations o ON o.id = n.observation_id AND o.retracted_at IS NULL
       GROUP BY o.candidate_id, n.dimension_id, o.author_id
     ON CONFLICT (candidate_id, dimension_id, author_id) DO UPDATE
       SET observations = ec.observations + excluded.observations,
           last_observed_on = greatest(ec.last_observed_on, excluded.last_observed_on);
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER evidence_coverage_dimensions_inserted AFTER INSERT ON observation_dimensions
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_dimensions_added()`,
  // Dimensions removed from notes that still exist: recompute (a deleted note was handled above).
  `CREATE FUNCTION evidence_coverage_dimensions_removed() RETURNS trigger AS $$
   DECLARE cs uuid[]; au uuid[];
   BEGIN
     SELECT array_agg(candidate_id), array_agg(author_id) INTO cs, au FROM (
       SELECT DISTINCT o.candidate_id, o.author_id FROM changed n JOIN observations o ON o.id = n.observation_id) x;
     IF cs IS NOT NULL THEN PERFORM evidence_coverage_recompute(cs, au); END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER evidence_coverage_dimensions_deleted AFTER DELETE ON observation_dimensions
     REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_dimensions_removed()`,
  `INSERT INTO evidence_coverage (candidate_id, dimension_id, author_id, observations, last_observed_on)
     SELECT o.candidate_id, od.dimension_id, o.author_id, count(*), max(o.observed_on)
     FROM observations o JOIN observation_dimensions od ON od.observation_id = o.id
     WHERE o.retracted_at IS NULL
     GROUP BY o.candidate_id, od.dimension_id, o.author_id`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(`DROP TRIGGER IF EXISTS evidence_coverage_observations_updated ON observations`)
    .execute(db);
  await sql
    .raw(`DROP TRIGGER IF EXISTS evidence_coverage_observations_deleted ON observations`)
    .execute(db);
  await sql
    .raw(`DROP TRIGGER IF EXISTS evidence_coverage_dimensions_inserted ON observation_dimensions`)
    .execute(db);
  await sql
    .raw(`DROP TRIGGER IF EXISTS evidence_coverage_dimensions_deleted ON observation_dimensions`)
    .execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS evidence_coverage_dimensions_removed()`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS evidence_coverage_dimensions_added()`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS evidence_coverage_observations_changed()`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS evidence_coverage_recompute(uuid[], uuid[])`).execute(db);
  await sql.raw(`DROP TABLE IF EXISTS evidence_coverage`).execute(db);
}
