import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code. Each statement runs on its own because
// PGlite's extended query protocol accepts one statement per query.
const up_statements = [
  `CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$
   BEGIN NEW.updated_at = now(); RETURN NEW; END $$ LANGUAGE plpgsql`,

  `CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    password_hash text NOT NULL,
    roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['admin','leader','manager','mentor']::text[]),
    disabled_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE sessions (
    id text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    user_agent text
  )`,
  `CREATE INDEX sessions_user_id_idx ON sessions (user_id)`,

  `CREATE TABLE login_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip text NOT NULL,
    succeeded boolean NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX login_attempts_email_at_idx ON login_attempts (email, at)`,
  `CREATE INDEX login_attempts_ip_at_idx ON login_attempts (ip, at)`,

  `CREATE TABLE dimensions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9_]*$'),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    description text NOT NULL DEFAULT '',
    position integer NOT NULL,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE anti_patterns (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (key ~ '^[a-z][a-z0-9_]*$'),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    description text NOT NULL DEFAULT '',
    position integer NOT NULL,
    archived_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE candidates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    email text,
    title text NOT NULL DEFAULT '',
    team text NOT NULL DEFAULT '',
    track text NOT NULL CHECK (track IN ('people_leadership','technical_leadership')),
    manager_id uuid NOT NULL REFERENCES users(id),
    nominated_by uuid NOT NULL REFERENCES users(id),
    nominated_reason text NOT NULL CHECK (length(trim(nominated_reason)) > 0),
    stage text NOT NULL DEFAULT 'spotted'
      CHECK (stage IN ('spotted','exploring','coaching','ready','promoted','paused','archived')),
    stage_changed_at timestamptz NOT NULL DEFAULT now(),
    revisit_on date,
    archived_at timestamptz,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((stage = 'archived') = (archived_at IS NOT NULL)),
    CHECK (stage <> 'paused' OR revisit_on IS NOT NULL)
  )`,
  `CREATE INDEX candidates_manager_id_idx ON candidates (manager_id)`,
  `CREATE INDEX candidates_stage_idx ON candidates (stage, stage_changed_at)`,
  `CREATE INDEX candidates_name_idx ON candidates (lower(name), id)`,

  `CREATE TABLE candidate_observers (
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    added_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidate_id, user_id)
  )`,
  `CREATE INDEX candidate_observers_user_idx ON candidate_observers (user_id)`,

  `CREATE TABLE sniff_tests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(trim(title)) > 0),
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    assignment text NOT NULL CHECK (length(trim(assignment)) > 0),
    rationale text NOT NULL DEFAULT '',
    signals text NOT NULL DEFAULT '',
    red_flags text NOT NULL DEFAULT '',
    timebox_days integer NOT NULL CHECK (timebox_days BETWEEN 1 AND 365),
    created_by uuid NOT NULL REFERENCES users(id),
    archived_at timestamptz,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX sniff_tests_dimension_idx ON sniff_tests (dimension_id)`,
  // Every version of a template as it was: an assignment points at the revision it was given from.
  `CREATE TABLE sniff_test_revisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sniff_test_id uuid NOT NULL REFERENCES sniff_tests(id),
    version integer NOT NULL,
    title text NOT NULL,
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    assignment text NOT NULL,
    rationale text NOT NULL,
    signals text NOT NULL,
    red_flags text NOT NULL,
    timebox_days integer NOT NULL,
    edited_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sniff_test_id, version)
  )`,

  `CREATE TABLE sniff_test_assignments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sniff_test_id uuid NOT NULL REFERENCES sniff_tests(id),
    sniff_test_revision_id uuid NOT NULL REFERENCES sniff_test_revisions(id),
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    assigned_by uuid NOT NULL REFERENCES users(id),
    offered_on date NOT NULL,
    due_on date NOT NULL CHECK (due_on >= offered_on),
    status text NOT NULL DEFAULT 'offered'
      CHECK (status IN ('offered','accepted','declined','completed','not_completed','withdrawn')),
    closed_on date,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('offered','accepted')) = (closed_on IS NULL))
  )`,
  `CREATE INDEX sniff_test_assignments_candidate_idx ON sniff_test_assignments (candidate_id)`,
  `CREATE INDEX sniff_test_assignments_test_idx ON sniff_test_assignments (sniff_test_id)`,
  `CREATE INDEX sniff_test_assignments_open_due_idx ON sniff_test_assignments (due_on) WHERE status IN ('offered','accepted')`,
  `CREATE TABLE sniff_test_assignment_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    assignment_id uuid NOT NULL REFERENCES sniff_test_assignments(id) ON DELETE CASCADE,
    from_status text CHECK (from_status IN ('offered','accepted','declined','completed','not_completed','withdrawn')),
    to_status text NOT NULL CHECK (to_status IN ('offered','accepted','declined','completed','not_completed','withdrawn')),
    changed_by uuid NOT NULL REFERENCES users(id),
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX sniff_test_assignment_events_assignment_idx ON sniff_test_assignment_events (assignment_id)`,

  `CREATE TABLE coaching_plans (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    mentor_id uuid NOT NULL REFERENCES users(id),
    created_by uuid NOT NULL REFERENCES users(id),
    goal text NOT NULL CHECK (length(trim(goal)) > 0),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused','completed','abandoned')),
    started_on date NOT NULL,
    target_on date CHECK (target_on IS NULL OR target_on >= started_on),
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX coaching_plans_candidate_idx ON coaching_plans (candidate_id)`,
  `CREATE INDEX coaching_plans_mentor_idx ON coaching_plans (mentor_id, status)`,
  `CREATE TABLE coaching_plan_changes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id uuid NOT NULL REFERENCES coaching_plans(id) ON DELETE CASCADE,
    from_status text CHECK (from_status IN ('active','paused','completed','abandoned')),
    to_status text NOT NULL CHECK (to_status IN ('active','paused','completed','abandoned')),
    from_mentor_id uuid REFERENCES users(id),
    to_mentor_id uuid REFERENCES users(id),
    changed_by uuid NOT NULL REFERENCES users(id),
    reason text NOT NULL DEFAULT '',
    changed_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX coaching_plan_changes_plan_idx ON coaching_plan_changes (plan_id)`,
  `CREATE TABLE coaching_plan_dimensions (
    plan_id uuid NOT NULL REFERENCES coaching_plans(id) ON DELETE CASCADE,
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    PRIMARY KEY (plan_id, dimension_id)
  )`,
  `CREATE TABLE coaching_actions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id uuid NOT NULL REFERENCES coaching_plans(id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(trim(title)) > 0),
    position integer NOT NULL,
    due_on date,
    done_on date,
    created_by uuid NOT NULL REFERENCES users(id),
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX coaching_actions_plan_idx ON coaching_actions (plan_id, position)`,
  `CREATE TABLE coaching_checkins (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    plan_id uuid NOT NULL REFERENCES coaching_plans(id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users(id),
    held_on date NOT NULL,
    notes text NOT NULL CHECK (length(trim(notes)) > 0),
    next_on date CHECK (next_on IS NULL OR next_on >= held_on),
    idempotency_key uuid UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX coaching_checkins_plan_idx ON coaching_checkins (plan_id, held_on)`,

  `CREATE TABLE observations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users(id),
    observed_on date NOT NULL,
    situation text NOT NULL DEFAULT '',
    behavior text NOT NULL CHECK (length(trim(behavior)) > 0),
    impact text NOT NULL DEFAULT '',
    signal text NOT NULL CHECK (signal IN ('strength','concern','context')),
    assignment_id uuid REFERENCES sniff_test_assignments(id) ON DELETE SET NULL,
    coaching_plan_id uuid REFERENCES coaching_plans(id) ON DELETE SET NULL,
    retracted_at timestamptz,
    retracted_by uuid REFERENCES users(id),
    retraction_reason text,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL))
  )`,
  `CREATE INDEX observations_candidate_idx ON observations (candidate_id, observed_on DESC, created_at DESC)`,
  `CREATE INDEX observations_author_idx ON observations (author_id)`,
  `CREATE INDEX observations_assignment_idx ON observations (assignment_id) WHERE assignment_id IS NOT NULL`,
  `CREATE TABLE observation_dimensions (
    observation_id uuid NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    dimension_id uuid NOT NULL REFERENCES dimensions(id),
    PRIMARY KEY (observation_id, dimension_id)
  )`,
  `CREATE INDEX observation_dimensions_dimension_idx ON observation_dimensions (dimension_id)`,
  // Evidence is never silently rewritten: each edit keeps the text it replaced.
  `CREATE TABLE observation_revisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    observation_id uuid NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    version integer NOT NULL,
    observed_on date NOT NULL,
    situation text NOT NULL,
    behavior text NOT NULL,
    impact text NOT NULL,
    signal text NOT NULL CHECK (signal IN ('strength','concern','context')),
    dimension_ids uuid[] NOT NULL,
    edited_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (observation_id, version)
  )`,

  `CREATE TABLE flags (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    anti_pattern_id uuid NOT NULL REFERENCES anti_patterns(id),
    raised_by uuid NOT NULL REFERENCES users(id),
    observed_on date NOT NULL,
    situation text NOT NULL DEFAULT '',
    behavior text NOT NULL CHECK (length(trim(behavior)) > 0),
    impact text NOT NULL DEFAULT '',
    discussed_with_candidate_on date,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','addressing','resolved','dismissed')),
    resolution text,
    resolved_by uuid REFERENCES users(id),
    resolved_at timestamptz,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('resolved','dismissed')) = (resolution IS NOT NULL AND resolved_by IS NOT NULL AND resolved_at IS NOT NULL))
  )`,
  `CREATE INDEX flags_candidate_idx ON flags (candidate_id, observed_on DESC)`,
  `CREATE INDEX flags_open_idx ON flags (candidate_id) WHERE status IN ('open','addressing')`,
  `CREATE TABLE flag_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    flag_id uuid NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('raised','discussed','status')),
    from_status text CHECK (from_status IN ('open','addressing','resolved','dismissed')),
    to_status text CHECK (to_status IN ('open','addressing','resolved','dismissed')),
    note text NOT NULL DEFAULT '',
    changed_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX flag_events_flag_idx ON flag_events (flag_id)`,
  `CREATE TABLE coaching_plan_flags (
    plan_id uuid NOT NULL REFERENCES coaching_plans(id) ON DELETE CASCADE,
    flag_id uuid NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, flag_id)
  )`,

  `CREATE TABLE calibration_meetings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(trim(title)) > 0),
    scheduled_for timestamptz NOT NULL,
    facilitator_id uuid NOT NULL REFERENCES users(id),
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','closed')),
    timebox_minutes integer CHECK (timebox_minutes IS NULL OR timebox_minutes BETWEEN 1 AND 120),
    created_by uuid NOT NULL REFERENCES users(id),
    closed_at timestamptz,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
  )`,
  `CREATE TABLE calibration_attendees (
    meeting_id uuid NOT NULL REFERENCES calibration_meetings(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, user_id)
  )`,
  `CREATE INDEX calibration_attendees_user_idx ON calibration_attendees (user_id)`,
  `CREATE TABLE calibration_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id uuid NOT NULL REFERENCES calibration_meetings(id) ON DELETE CASCADE,
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    position integer NOT NULL,
    opened_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meeting_id, candidate_id),
    UNIQUE (meeting_id, position) DEFERRABLE INITIALLY IMMEDIATE
  )`,
  `CREATE INDEX calibration_items_candidate_idx ON calibration_items (candidate_id)`,
  `CREATE TABLE calibration_packet_reads (
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    read_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_id, user_id)
  )`,
  `CREATE TABLE calibration_prereads (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    view text NOT NULL CHECK (length(trim(view)) > 0),
    leaning text NOT NULL CHECK (leaning IN ('ready_now','ready_with_development','not_yet','insufficient_evidence')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, user_id)
  )`,
  `CREATE TABLE calibration_decisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    outcome text NOT NULL CHECK (outcome IN ('ready_now','ready_with_development','not_yet','insufficient_evidence')),
    rationale text NOT NULL CHECK (length(trim(rationale)) > 0),
    dissent text,
    next_steps text,
    revisit_on date,
    decided_by uuid NOT NULL REFERENCES users(id),
    decided_at timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz,
    superseded_by uuid REFERENCES calibration_decisions(id),
    amendment_reason text,
    idempotency_key uuid UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (outcome <> 'not_yet' OR revisit_on IS NOT NULL)
  )`,
  // One current decision per item: an amendment supersedes, never overwrites.
  `CREATE UNIQUE INDEX calibration_decisions_one_current ON calibration_decisions (item_id) WHERE superseded_at IS NULL`,
  `CREATE TABLE calibration_decision_evidence (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    decision_id uuid NOT NULL REFERENCES calibration_decisions(id) ON DELETE CASCADE,
    observation_id uuid REFERENCES observations(id) ON DELETE CASCADE,
    flag_id uuid REFERENCES flags(id) ON DELETE CASCADE,
    assignment_id uuid REFERENCES sniff_test_assignments(id) ON DELETE CASCADE,
    CHECK (num_nonnulls(observation_id, flag_id, assignment_id) = 1)
  )`,
  `CREATE INDEX calibration_decision_evidence_decision_idx ON calibration_decision_evidence (decision_id)`,

  `CREATE TABLE stage_changes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    candidate_id uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    from_stage text CHECK (from_stage IN ('spotted','exploring','coaching','ready','promoted','paused','archived')),
    to_stage text NOT NULL CHECK (to_stage IN ('spotted','exploring','coaching','ready','promoted','paused','archived')),
    changed_by uuid NOT NULL REFERENCES users(id),
    reason text NOT NULL CHECK (length(trim(reason)) > 0),
    calibration_decision_id uuid REFERENCES calibration_decisions(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (to_stage NOT IN ('ready','promoted') OR calibration_decision_id IS NOT NULL OR from_stage IS NULL)
  )`,
  `CREATE INDEX stage_changes_candidate_idx ON stage_changes (candidate_id, created_at DESC)`,

  // Append-only: the database itself refuses to change or remove audit history.
  `CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    outcome text NOT NULL CHECK (outcome IN ('ok','denied','failed')),
    request_id text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb
  )`,
  `CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC)`,
  `CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id)`,
  `CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
   BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
   FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
  `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
   FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`,

  `CREATE TABLE settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    updated_by uuid REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
];

const touched = [
  "users",
  "dimensions",
  "anti_patterns",
  "candidates",
  "sniff_tests",
  "sniff_test_assignments",
  "coaching_plans",
  "coaching_actions",
  "observations",
  "flags",
  "calibration_meetings",
  "calibration_prereads",
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
  for (const table of touched) {
    await sql
      .raw(
        `CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    "settings",
    "audit_events",
    "stage_changes",
    "calibration_decision_evidence",
    "calibration_decisions",
    "calibration_prereads",
    "calibration_packet_reads",
    "calibration_items",
    "calibration_attendees",
    "calibration_meetings",
    "coaching_plan_flags",
    "flag_events",
    "flags",
    "observation_revisions",
    "observation_dimensions",
    "observations",
    "coaching_checkins",
    "coaching_actions",
    "coaching_plan_dimensions",
    "coaching_plan_changes",
    "coaching_plans",
    "sniff_test_assignment_events",
    "sniff_test_assignments",
    "sniff_test_revisions",
    "sniff_tests",
    "candidate_observers",
    "candidates",
    "anti_patterns",
    "dimensions",
    "login_attempts",
    "sessions",
    "users",
  ];
  for (const table of tables) await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS audit_events_append_only()`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS touch_updated_at()`).execute(db);
}
