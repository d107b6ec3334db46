import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Two gaps in 0004's triggers, found in review:
// - A recomputation (edit, retraction, deletion) deletes a person's rows for an author and inserts them
//   again from the notes. A note by the same author added between those two statements, on a dimension
//   that had no row yet, is counted by the new note's own increment *and* seen by the recomputation's
//   INSERT: a duplicate key, and the edit failed. The increment now takes the same per-candidate
//   advisory lock first, so increments and recomputations of one person take turns. Increments of the
//   same rows already waited for each other on the row lock; the lock is held until COMMIT either way.
// - An UPDATE that moved a note to another person or author recomputed only the new pair: the old
//   pair's rows stayed. The update trigger now recomputes both (the app never does this; the table is
//   exact whatever changes the notes).
const up_ = [
  `CREATE OR REPLACE FUNCTION evidence_coverage_dimensions_added() RETURNS trigger AS $$
   BEGIN
     PERFORM pg_advisory_xact_lock(4747, hashtext(c::text)) FROM (
       SELECT DISTINCT o.candidate_id AS c FROM changed n JOIN observations o ON o.id = n.observation_id ORDER BY 1) x;
     INSERT INTO evidence_coverage AS ec (candidate_id, dimension_id, author_id, observations, last_observed_on)
       SELECT o.candidate_id, n.dimension_id, o.author_id, count(*), max(o.observed_on)
       FROM changed n JOIN observations o ON o.id = n.observation_id AND o.retracted_at IS NULL
       GROUP BY o.candidate_id, n.dimension_id, o.author_id
     ON CONFLICT (candidate_id, dimension_id, author_id) DO UPDATE
       SET observations = ec.observations + excluded.observations,
           last_observed_on = greatest(ec.last_observed_on, excluded.last_observed_on);
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE FUNCTION evidence_coverage_observations_moved() RETURNS trigger AS $$
   DECLARE cs uuid[]; au uuid[];
   BEGIN
     SELECT array_agg(candidate_id), array_agg(author_id) INTO cs, au FROM (
       SELECT candidate_id, author_id FROM changed UNION SELECT candidate_id, author_id FROM previous) x;
     IF cs IS NOT NULL THEN PERFORM evidence_coverage_recompute(cs, au); END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `DROP TRIGGER evidence_coverage_observations_updated ON observations`,
  `CREATE TRIGGER evidence_coverage_observations_updated AFTER UPDATE ON observations
     REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_observations_moved()`,
];

const down_ = [
  `DROP TRIGGER evidence_coverage_observations_updated ON observations`,
  `CREATE TRIGGER evidence_coverage_observations_updated AFTER UPDATE ON observations
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION evidence_coverage_observations_changed()`,
  `DROP FUNCTION evidence_coverage_observations_moved()`,
  `CREATE OR REPLACE FUNCTION evidence_coverage_dimensions_added() RETURNS trigger AS $$
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
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
