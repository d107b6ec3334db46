import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. Indexes found missing by the organisation-scale
// benchmark (tests/bench, docs/performance.md), each for a filter and sort a page runs.
const indexes: [name: string, definition: string][] = [
  // Pipeline cards, profile coverage and totals: a candidate's live notes, read from the index alone.
  [
    "observations_candidate_live_idx",
    "observations (candidate_id, observed_on DESC) INCLUDE (author_id) WHERE retracted_at IS NULL",
  ],
  // Notes written under a coaching plan (the plan page and its timeline branch).
  [
    "observations_coaching_plan_idx",
    "observations (coaching_plan_id) WHERE coaching_plan_id IS NOT NULL",
  ],
  // The board ranks each column by name or by time in stage before computing a page of cards.
  ["candidates_board_name_idx", "candidates (stage, lower(name), id) WHERE archived_at IS NULL"],
  [
    "candidates_board_days_idx",
    "candidates (stage, stage_changed_at, id) WHERE archived_at IS NULL",
  ],
  ["candidates_team_idx", "candidates (team) WHERE archived_at IS NULL"],
  // A sniff test's assignments, newest first.
  [
    "sniff_test_assignments_test_offered_idx",
    "sniff_test_assignments (sniff_test_id, offered_on DESC, created_at DESC)",
  ],
  // Flags linked to plans, and the stage moves a calibration decision made.
  ["coaching_plan_flags_flag_idx", "coaching_plan_flags (flag_id)"],
  [
    "stage_changes_decision_idx",
    "stage_changes (calibration_decision_id) WHERE calibration_decision_id IS NOT NULL",
  ],
  // A calibration item's decisions including superseded ones, and evidence cited from a record.
  ["calibration_decisions_item_idx", "calibration_decisions (item_id, decided_at DESC)"],
  [
    "calibration_decision_evidence_observation_idx",
    "calibration_decision_evidence (observation_id) WHERE observation_id IS NOT NULL",
  ],
  [
    "calibration_decision_evidence_flag_idx",
    "calibration_decision_evidence (flag_id) WHERE flag_id IS NOT NULL",
  ],
  [
    "calibration_decision_evidence_assignment_idx",
    "calibration_decision_evidence (assignment_id) WHERE assignment_id IS NOT NULL",
  ],
  ["calibration_prereads_user_idx", "calibration_prereads (user_id)"],
  // The audit log filtered by who did it, newest first.
  ["audit_events_actor_at_idx", "audit_events (actor_id, at DESC, id DESC)"],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, definition] of indexes)
    await sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of indexes) await sql.raw(`DROP INDEX IF EXISTS ${name}`).execute(db);
}
