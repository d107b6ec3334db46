import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// A board card's facts kept by the database, one row per candidate (docs/performance.md, issue 23):
// what the card and the board's nudge filters and last-activity sort used to compute with about ten
// correlated subqueries per card, and per candidate of a column whenever a filter or that sort applied.
// - observers, last_observed_on: distinct authors and latest date of live (not retracted) notes. Every
//   note has a dimension, so these are the evidence_coverage totals the profile shows.
// - open_flags, undiscussed_flags: flags open or being addressed, and those not yet discussed.
// - active_sniff_tests: assignments offered or accepted.
// - has_active_plan, checkin_due_on: an active coaching plan, and the earliest day one of them has an
//   overdue check-in by planNudges' rule (coaching.server.ts): the last check-in + 30 days
//   (NO_CHECKIN_DAYS), or with none yet the start + 15 (FIRST_CHECKIN_DAYS + 1). "Stale" is
//   checkin_due_on <= today, the same as the board's old stalePlan. The numbers are copied here on
//   purpose: a migration is frozen, and changing the rule means a new migration that recomputes.
// - last_event_on: the newest of a live note, a flag, a check-in and a sniff-test step. The stage
//   change, the last part of the board's "last activity", is read from the candidate itself, so a
//   stage move (or any other update of a candidate) needs no trigger.
//
// Kept exact by statement-level triggers on every table that feeds it: each recomputes the touched
// candidates' rows from scratch. It first takes the per-candidate advisory lock of evidence_coverage
// (4747, hashtext of the id), in candidate order: two transactions writing about one person take turns,
// and the later one's recomputation, a statement after the lock, sees the rows the earlier committed
// (in READ COMMITTED each statement of a plpgsql function takes a new snapshot), so the last writer
// always stores what is true. Without the lock, both compute from their own snapshot and the later
// upsert overwrites the earlier's facts with a count that misses them. Sharing evidence_coverage's key
// means a note's two sets of triggers take one lock per person, not two in varying order.
// A deleted candidate's row goes by ON DELETE CASCADE; the recomputation only writes rows for
// candidates that still exist, so the cascaded deletes of their notes and flags add nothing back.
const STORE = `CREATE FUNCTION candidate_card_facts_store(candidate_ids uuid[]) RETURNS void AS $$
   BEGIN
     INSERT INTO candidate_card_facts AS f (candidate_id, observers, last_observed_on, open_flags,
         undiscussed_flags, active_sniff_tests, has_active_plan, checkin_due_on, last_event_on)
       SELECT c.id, o.observers, o.last_observed_on, coalesce(fl.open_flags, 0), coalesce(fl.undiscussed_flags, 0),
         (SELECT count(*) FROM sniff_test_assignments a WHERE a.candidate_id = c.id AND a.status IN ('offered', 'accepted')),
         p.has_active_plan, p.checkin_due_on,
         greatest(o.last_observed_on, fl.last_flag_on,
           (SELECT max(k.held_on) FROM coaching_plans cp JOIN coaching_checkins k ON k.plan_id = cp.id WHERE cp.candidate_id = c.id),
           (SELECT max((e.created_at AT TIME ZONE 'UTC')::date) FROM sniff_test_assignments a
              JOIN sniff_test_assignment_events e ON e.assignment_id = a.id WHERE a.candidate_id = c.id))
       FROM candidates c
       CROSS JOIN LATERAL (
         SELECT count(DISTINCT ob.author_id) AS observers, max(ob.observed_on) AS last_observed_on
         FROM observations ob WHERE ob.candidate_id = c.id AND ob.retracted_at IS NULL) o
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE x.status IN ('open', 'addressing')) AS open_flags,
           count(*) FILTER (WHERE x.status IN ('open', 'addressing') AND x.discussed_with_candidate_on IS NULL) AS undiscussed_flags,
           max(x.observed_on) AS last_flag_on
         FROM flags x WHERE x.candidate_id = c.id) fl
       CROSS JOIN LATERAL (
         SELECT count(*) > 0 AS has_active_plan,
           min(coalesce((SELECT max(k.held_on) FROM coaching_checkins k WHERE k.plan_id = cp.id) + 30, cp.started_on + 15)) AS checkin_due_on
         FROM coaching_plans cp WHERE cp.candidate_id = c.id AND cp.status = 'active') p
       WHERE c.id = ANY(candidate_ids)
     ON CONFLICT (candidate_id) DO UPDATE SET
       observers = excluded.observers, last_observed_on = excluded.last_observed_on,
       open_flags = excluded.open_flags, undiscussed_flags = excluded.undiscussed_flags,
       active_sniff_tests = excluded.active_sniff_tests, has_active_plan = excluded.has_active_plan,
       checkin_due_on = excluded.checkin_due_on, last_event_on = excluded.last_event_on;
   END $$ LANGUAGE plpgsql`;

const RECOMPUTE = `CREATE FUNCTION candidate_card_facts_recompute(candidate_ids uuid[]) RETURNS void AS $$
   BEGIN
     PERFORM pg_advisory_xact_lock(4747, hashtext(c::text)) FROM (SELECT DISTINCT unnest(candidate_ids) AS c ORDER BY 1) x;
     PERFORM candidate_card_facts_store(candidate_ids);
   END $$ LANGUAGE plpgsql`;

// Each source table's trigger function: the candidates of the rows before and after the statement.
// A table with transition tables needs one trigger per event, so `previous` exists only for UPDATE and
// DELETE and `changed` only for INSERT and UPDATE; plpgsql plans a query when it first runs it.
function changedFunction(table: string, candidateOf: (rows: string) => string) {
  return `CREATE FUNCTION candidate_card_facts_${table}_changed() RETURNS trigger AS $$
   DECLARE cs uuid[];
   BEGIN
     IF TG_OP = 'INSERT' THEN
       SELECT array_agg(DISTINCT x.candidate_id) INTO cs FROM (${candidateOf("changed")}) x;
     ELSIF TG_OP = 'DELETE' THEN
       SELECT array_agg(DISTINCT x.candidate_id) INTO cs FROM (${candidateOf("previous")}) x;
     ELSE
       SELECT array_agg(DISTINCT x.candidate_id) INTO cs FROM (${candidateOf("changed")} UNION ${candidateOf("previous")}) x;
     END IF;
     IF cs IS NOT NULL THEN PERFORM candidate_card_facts_recompute(cs); END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`;
}

const direct = (rows: string) => `SELECT candidate_id FROM ${rows}`;
// A check-in or a sniff-test step names its plan or assignment; when those are deleted with the
// candidate or the plan, the cascaded delete's own trigger finds no parent and does nothing, and the
// plan's or assignment's trigger, which runs after it, recomputes.
const SOURCES: [string, (rows: string) => string][] = [
  ["observations", direct],
  ["flags", direct],
  ["sniff_test_assignments", direct],
  ["coaching_plans", direct],
  [
    "sniff_test_assignment_events",
    (rows) =>
      `SELECT a.candidate_id FROM ${rows} r JOIN sniff_test_assignments a ON a.id = r.assignment_id`,
  ],
  [
    "coaching_checkins",
    (rows) => `SELECT p.candidate_id FROM ${rows} r JOIN coaching_plans p ON p.id = r.plan_id`,
  ],
];

function triggers(table: string) {
  const fn = `candidate_card_facts_${table}_changed()`;
  return [
    `CREATE TRIGGER candidate_card_facts_inserted AFTER INSERT ON ${table}
       REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`,
    `CREATE TRIGGER candidate_card_facts_updated AFTER UPDATE ON ${table}
       REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`,
    `CREATE TRIGGER candidate_card_facts_deleted AFTER DELETE ON ${table}
       REFERENCING OLD TABLE AS previous FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`,
  ];
}

const up_ = [
  `CREATE TABLE candidate_card_facts (
    candidate_id uuid PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE,
    observers integer NOT NULL DEFAULT 0,
    last_observed_on date,
    open_flags integer NOT NULL DEFAULT 0,
    undiscussed_flags integer NOT NULL DEFAULT 0,
    active_sniff_tests integer NOT NULL DEFAULT 0,
    has_active_plan boolean NOT NULL DEFAULT false,
    checkin_due_on date,
    last_event_on date
  ) WITH (fillfactor = 80)`,
  STORE,
  RECOMPUTE,
  // A new candidate gets its row at once, so the board can join the facts rather than outer-join them.
  `CREATE FUNCTION candidate_card_facts_candidates_added() RETURNS trigger AS $$
   DECLARE cs uuid[];
   BEGIN
     SELECT array_agg(id) INTO cs FROM changed;
     IF cs IS NOT NULL THEN PERFORM candidate_card_facts_recompute(cs); END IF;
     RETURN NULL;
   END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER candidate_card_facts_inserted AFTER INSERT ON candidates
     REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION candidate_card_facts_candidates_added()`,
  ...SOURCES.flatMap(([table, candidateOf]) => [
    changedFunction(table, candidateOf),
    ...triggers(table),
  ]),
  // Existing candidates, in one pass and without the locks: the migration runs before the app does,
  // and one advisory lock per candidate would fill the lock table of a large organisation.
  `SELECT candidate_card_facts_store(coalesce(array_agg(id), '{}')) FROM candidates`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table] of SOURCES) {
    for (const event of ["inserted", "updated", "deleted"])
      await sql.raw(`DROP TRIGGER IF EXISTS candidate_card_facts_${event} ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS candidate_card_facts_${table}_changed()`).execute(db);
  }
  await sql.raw(`DROP TRIGGER IF EXISTS candidate_card_facts_inserted ON candidates`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS candidate_card_facts_candidates_added()`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS candidate_card_facts_recompute(uuid[])`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS candidate_card_facts_store(uuid[])`).execute(db);
  await sql.raw(`DROP TABLE IF EXISTS candidate_card_facts`).execute(db);
}
