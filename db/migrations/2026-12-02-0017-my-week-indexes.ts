import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. My week (and the weekly digest, which reads it per
// user) starts from the viewer's own rows. Measured with EXPLAIN (ANALYZE, BUFFERS) on the bench's
// 5,000-candidate organisation (execute time, a busy machine), for the manager (user 6), the mentor
// (user 7) and the leader (user 1).
const indexes: [name: string, definition: string][] = [
  // The recent list: the viewer's latest note per candidate, read from the index alone. Replaces
  // observations_author_idx (author_id), its prefix, which nothing else filtered by.
  // The recent list as a whole: 62 / 50 / 54 ms before (every candidate in the circle asked for the
  // viewer's activity: a leader's circle is everyone, 1,060 ms and 167,000 buffers with the old query),
  // 1.5 / 0.7 / 0.2 ms after.
  ["observations_author_candidate_idx", "observations (author_id, candidate_id, created_at)"],
  // The recent list (flags the viewer raised), and a leader's open flags raised by them: 10–16 ms and
  // 991 buffers before (every open flag), 0.1 ms and 5 buffers after.
  ["flags_raised_by_idx", "flags (raised_by, candidate_id, created_at)"],
  // The recent list: stage moves, check-ins, plan actions and plan changes the viewer made.
  ["stage_changes_changed_by_idx", "stage_changes (changed_by, candidate_id, created_at)"],
  ["coaching_checkins_author_idx", "coaching_checkins (author_id, plan_id, created_at)"],
  ["coaching_actions_created_by_idx", "coaching_actions (created_by, plan_id, created_at)"],
  [
    "coaching_plan_changes_changed_by_idx",
    "coaching_plan_changes (changed_by, plan_id, created_at)",
  ],
  // Sniff tests due: the open assignments the viewer offered. 12–15 ms and 525–735 buffers before
  // (every open assignment due in the organisation, hashed against every candidate), 0.2 ms for the
  // mentor and the leader and 1.5–5 ms for the manager (their own 84 assignments) after.
  [
    "sniff_test_assignments_assigned_by_due_idx",
    "sniff_test_assignments (assigned_by, due_on) WHERE status IN ('offered', 'accepted')",
  ],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, definition] of indexes)
    await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`).execute(db);
  await sql`DROP INDEX IF EXISTS observations_author_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS observations_author_idx ON observations (author_id)`.execute(
    db,
  );
  for (const [name] of indexes) await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
}
