import type { ColumnType, Generated, Selectable } from "kysely";

// Dates (date columns) travel as 'YYYY-MM-DD' strings; see db/client.ts for the type parsers.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type DateOnly = string;
type Id = Generated<string>;
type Version = ColumnType<number, number | undefined, number>;

export const ROLES = ["admin", "leader", "manager", "mentor"] as const;
export type Role = (typeof ROLES)[number];
export const STAGES = [
  "spotted",
  "exploring",
  "coaching",
  "ready",
  "promoted",
  "paused",
  "archived",
] as const;
export type Stage = (typeof STAGES)[number];
export const TRACKS = ["people_leadership", "technical_leadership"] as const;
export type Track = (typeof TRACKS)[number];
export const SIGNALS = ["strength", "concern", "context"] as const;
export type Signal = (typeof SIGNALS)[number];
export const ASSIGNMENT_STATUSES = [
  "offered",
  "accepted",
  "declined",
  "completed",
  "not_completed",
  "withdrawn",
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];
export const FLAG_STATUSES = ["open", "addressing", "resolved", "dismissed"] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];
export const PLAN_STATUSES = ["active", "paused", "completed", "abandoned"] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export const MEETING_STATUSES = ["planned", "in_progress", "closed", "cancelled"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];
export const LEANINGS = [
  "ready_now",
  "ready_with_development",
  "not_yet",
  "insufficient_evidence",
] as const;
export type Leaning = (typeof LEANINGS)[number];
export type AuditOutcome = "ok" | "denied" | "failed";

export interface UsersTable {
  id: Id;
  email: string;
  name: string;
  password_hash: string;
  roles: ColumnType<Role[], Role[] | undefined, Role[]>;
  disabled_at: Timestamp | null;
  /** The identity provider's id for the account (SCIM externalId). */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** An IANA time zone name (the digest's day and hour, invitations). */
  time_zone: ColumnType<string, string | undefined, string>;
  /** A temporary password set by an admin: the next password login must choose a new one. */
  password_must_change: ColumnType<boolean, boolean | undefined, boolean>;
  /** Sealed (app/utils/security.server.ts sealSecret); null until set-up is confirmed. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_pending_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** The last accepted 30-second step: a code is accepted once. */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
/** A SCIM bearer token: only its SHA-256 is kept. created_by null: made by npm run scim:token. */
export interface ScimTokensTable {
  id: Id;
  name: string;
  token_hash: string;
  created_by: string | null;
  version: Version;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}
export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  user_agent: string | null;
  /** A login half done (app/auth/login-stages.server.ts); null once the session is in. */
  stage: ColumnType<LoginStage | null, LoginStage | null | undefined, LoginStage | null>;
  /** When the person last proved who they are in this session. */
  authenticated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  method: ColumnType<LoginMethod, LoginMethod | undefined, LoginMethod>;
}
export const LOGIN_STAGES = ["second_factor", "change_password", "set_up_mfa"] as const;
export type LoginStage = (typeof LOGIN_STAGES)[number];
export type LoginMethod = "password" | "sso" | "passkey" | "invitation" | "setup";
export interface AccountTokensTable {
  id: Id;
  user_id: string;
  purpose: "invitation" | "reset";
  token_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}
export interface RecoveryCodesTable {
  id: Id;
  user_id: string;
  code_hash: string;
  created_at: CreatedAt;
  used_at: Timestamp | null;
}
export interface PasskeysTable {
  /** The credential id, base64url. */
  id: string;
  user_id: string;
  name: string;
  public_key: Uint8Array;
  /** bigint: read it with Number() (pg gives a string, PGlite may give a bigint). */
  counter: ColumnType<string | number | bigint, number | undefined, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  device_type: "singleDevice" | "multiDevice" | null;
  backed_up: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
}
export interface WebauthnChallengesTable {
  /** The SHA-256 of the cookie's value. */
  id: string;
  user_id: string | null;
  purpose: "register" | "sign_in" | "second_factor" | "confirm";
  challenge: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}
export interface LoginThrottleTable {
  email: string;
  ip: string;
  failures: number;
  last_at: Timestamp;
  succeeded_at: Timestamp | null;
}
export interface FrameworkTable {
  id: Id;
  key: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  position: number;
  archived_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
/** Everyone in the organisation (decision 0017): directory facts only. */
export interface PeopleTable {
  id: Id;
  name: string;
  email: string | null;
  title: ColumnType<string, string | undefined, string>;
  team: ColumnType<string, string | undefined, string>;
  manager_id: string | null;
  user_id: string | null;
  left_on: DateOnly | null;
  /** Who added them by hand (none: migrated, imported or joined with an account). */
  created_by: string | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface PeopleImportsTable {
  id: Id;
  uploaded_by: string;
  file_name: ColumnType<string, string | undefined, string>;
  content: string | null;
  applied_at: Timestamp | null;
  applied_by: string | null;
  summary: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
}
/** A person who has been nominated. name, email, title and team are kept equal to the person's by triggers. */
export interface CandidatesTable {
  id: Id;
  /** Filled by the database from the email (or a new person) when left out. */
  person_id: ColumnType<string, string | undefined, never>;
  name: string;
  email: string | null;
  title: ColumnType<string, string | undefined, string>;
  team: ColumnType<string, string | undefined, string>;
  track: Track;
  manager_id: string;
  nominated_by: string;
  nominated_reason: string;
  stage: ColumnType<Stage, Stage | undefined, Stage>;
  stage_changed_at: Timestamp;
  revisit_on: DateOnly | null;
  archived_at: Timestamp | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CandidateObserversTable {
  candidate_id: string;
  user_id: string;
  added_by: string;
  created_at: CreatedAt;
}
export interface StageChangesTable {
  id: Id;
  candidate_id: string;
  from_stage: Stage | null;
  to_stage: Stage;
  changed_by: string;
  reason: string;
  calibration_decision_id: string | null;
  created_at: CreatedAt;
}
export interface SniffTestsTable {
  id: Id;
  title: string;
  dimension_id: string;
  assignment: string;
  rationale: string;
  signals: string;
  red_flags: string;
  timebox_days: number;
  /** false: the person completes it or not, in one step, without accepting it first. */
  needs_acceptance: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  archived_at: Timestamp | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface SniffTestRevisionsTable {
  id: Id;
  sniff_test_id: string;
  version: number;
  title: string;
  dimension_id: string;
  assignment: string;
  rationale: string;
  signals: string;
  red_flags: string;
  timebox_days: number;
  edited_by: string;
  created_at: CreatedAt;
}
export interface SniffTestOfferingsTable {
  id: Id;
  sniff_test_id: string;
  sniff_test_revision_id: string;
  offered_by: string;
  /** Who it went to, in words: a team's name, or "People picked from the directory". */
  audience: string;
  offered_on: DateOnly;
  due_on: DateOnly;
  idempotency_key: string | null;
  created_at: CreatedAt;
}
export interface SniffTestAssignmentsTable {
  id: Id;
  sniff_test_id: string;
  sniff_test_revision_id: string;
  /** Set when the person is a candidate (by the database, also when they are nominated later). */
  candidate_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Filled by the database from candidate_id when left out. */
  person_id: ColumnType<string, string | undefined, never>;
  offering_id: string | null;
  assigned_by: string;
  offered_on: DateOnly;
  due_on: DateOnly;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  closed_on: DateOnly | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface SniffTestAssignmentEventsTable {
  id: Id;
  assignment_id: string;
  from_status: AssignmentStatus | null;
  to_status: AssignmentStatus;
  changed_by: string;
  note: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
}
export interface ObservationsTable {
  id: Id;
  candidate_id: string;
  author_id: string;
  observed_on: DateOnly;
  situation: string;
  behavior: string;
  impact: string;
  signal: Signal;
  assignment_id: string | null;
  coaching_plan_id: string | null;
  retracted_at: Timestamp | null;
  retracted_by: string | null;
  retraction_reason: string | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface ObservationDimensionsTable {
  observation_id: string;
  dimension_id: string;
}

/** Kept by triggers (migration 0004): live observations per candidate, dimension and author. Read-only for the app. */
export interface EvidenceCoverageTable {
  candidate_id: string;
  dimension_id: string;
  author_id: string;
  observations: number;
  last_observed_on: string;
}
/** A board card's facts per candidate, kept by triggers (migration 0016). */
export interface CandidateCardFactsTable {
  candidate_id: string;
  observers: Generated<number>;
  last_observed_on: string | null;
  open_flags: Generated<number>;
  undiscussed_flags: Generated<number>;
  active_sniff_tests: Generated<number>;
  has_active_plan: Generated<boolean>;
  /** The earliest day an active plan's check-in is overdue (stale when on or before today). */
  checkin_due_on: string | null;
  /** The newest note, flag, check-in or sniff-test step; the stage change is on the candidate. */
  last_event_on: string | null;
}
export interface ObservationRevisionsTable {
  id: Id;
  observation_id: string;
  version: number;
  observed_on: DateOnly;
  situation: string;
  behavior: string;
  impact: string;
  signal: Signal;
  dimension_ids: string[];
  edited_by: string;
  created_at: CreatedAt;
}
export interface FlagsTable {
  id: Id;
  candidate_id: string;
  anti_pattern_id: string;
  raised_by: string;
  observed_on: DateOnly;
  situation: string;
  behavior: string;
  impact: string;
  discussed_with_candidate_on: DateOnly | null;
  status: ColumnType<FlagStatus, FlagStatus | undefined, FlagStatus>;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface FlagEventsTable {
  id: Id;
  flag_id: string;
  kind: "raised" | "discussed" | "status";
  from_status: FlagStatus | null;
  to_status: FlagStatus | null;
  note: ColumnType<string, string | undefined, string>;
  changed_by: string;
  created_at: CreatedAt;
}
export interface CoachingPlansTable {
  id: Id;
  candidate_id: string;
  mentor_id: string;
  created_by: string;
  goal: string;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  started_on: DateOnly;
  target_on: DateOnly | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CoachingPlanChangesTable {
  id: Id;
  plan_id: string;
  from_status: PlanStatus | null;
  to_status: PlanStatus;
  from_mentor_id: string | null;
  to_mentor_id: string | null;
  changed_by: string;
  reason: ColumnType<string, string | undefined, string>;
  changed_on: DateOnly;
  created_at: CreatedAt;
}
export interface CoachingPlanDimensionsTable {
  plan_id: string;
  dimension_id: string;
}
export interface CoachingPlanFlagsTable {
  plan_id: string;
  flag_id: string;
}
export interface CoachingActionsTable {
  id: Id;
  plan_id: string;
  title: string;
  position: number;
  due_on: DateOnly | null;
  done_on: DateOnly | null;
  created_by: string;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CoachingCheckinsTable {
  id: Id;
  plan_id: string;
  author_id: string;
  held_on: DateOnly;
  notes: string;
  next_on: DateOnly | null;
  idempotency_key: string | null;
  created_at: CreatedAt;
}
export interface CalibrationMeetingsTable {
  id: Id;
  title: string;
  scheduled_for: Timestamp;
  facilitator_id: string;
  status: ColumnType<MeetingStatus, MeetingStatus | undefined, MeetingStatus>;
  timebox_minutes: number | null;
  created_by: string;
  closed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CalibrationAttendeesTable {
  meeting_id: string;
  user_id: string;
  created_at: CreatedAt;
}
export interface CalibrationItemsTable {
  id: Id;
  meeting_id: string;
  candidate_id: string;
  position: number;
  opened_at: Timestamp | null;
  /** The packet as it was when the meeting closed (decision 0006); null while open. */
  packet_snapshot: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  /** When the pre-reads were revealed to the attendees; before it each is its author's alone. */
  revealed_at: Timestamp | null;
  /** The facilitator who opened the item before every attendee had written a pre-read. */
  revealed_early_by: string | null;
  /** Discussion time measured by the meeting timer. */
  discussion_seconds: ColumnType<number, number | undefined, number>;
  /** The timer runs on this item since then; null when stopped. */
  discussion_started_at: Timestamp | null;
  /** Who recorded the decision before every attendee's final leaning was in. */
  decided_early_by: string | null;
}
export interface CalibrationFinalLeaningsTable {
  id: Id;
  item_id: string;
  user_id: string;
  leaning: Leaning;
  note: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CalibrationItemAdditionsTable {
  id: Id;
  item_id: string;
  observation_id: string;
  added_by: string;
  created_at: CreatedAt;
}
export interface CalibrationRevisitsTable {
  id: Id;
  item_id: string;
  opened_by: string;
  opened_at: CreatedAt;
  decision_before: string | null;
  closed_at: Timestamp | null;
}
export interface CalibrationPacketReadsTable {
  item_id: string;
  user_id: string;
  read_at: Timestamp;
}
export interface CalibrationPrereadsTable {
  id: Id;
  item_id: string;
  user_id: string;
  view: string;
  leaning: Leaning;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface CalibrationDecisionsTable {
  id: Id;
  item_id: string;
  outcome: Leaning;
  rationale: string;
  dissent: string | null;
  next_steps: string | null;
  revisit_on: DateOnly | null;
  decided_by: string;
  decided_at: Timestamp;
  superseded_at: Timestamp | null;
  superseded_by: string | null;
  amendment_reason: string | null;
  idempotency_key: string | null;
  created_at: CreatedAt;
  /** The named role or stretch the decision is about (issue 22); null: not about a named role. */
  readiness_role_id: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface CalibrationDecisionEvidenceTable {
  id: Id;
  decision_id: string;
  observation_id: string | null;
  flag_id: string | null;
  assignment_id: string | null;
}
export interface AuditEventsTable {
  id: Generated<string>;
  at: Timestamp;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  outcome: AuditOutcome;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}
export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: Timestamp;
}

export type JobStatus = "pending" | "running" | "done" | "failed";
/** Durable background work (decision 0019): taken with SKIP LOCKED, leased until locked_until. */
export interface JobsTable {
  id: Id;
  kind: string;
  payload: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** One job per key, ever (idempotent enqueueing). */
  key: string | null;
  status: ColumnType<JobStatus, JobStatus | undefined, JobStatus>;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  done_at: Timestamp | null;
}
export type MailStatus = "queued" | "sent" | "outbox" | "failed";
/** A message, rendered once; key names the event and the person (never the same message twice). */
export interface MailMessagesTable {
  id: Id;
  key: string;
  kind: string;
  user_id: string | null;
  candidate_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  ics: string | null;
  headers: ColumnType<Record<string, string>, string | undefined, string>;
  status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}
/** A person's own mail choices; null means the organisation's default. */
export interface MailPreferencesTable {
  user_id: string;
  digest: boolean | null;
  /** 0 = Sunday … 6 = Saturday, in the person's time zone. */
  digest_day: number | null;
  digest_hour: number | null;
  reminders: boolean | null;
  invitations: boolean | null;
  version: Version;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
/** A personal calendar feed: only the SHA-256 of its secret token is kept. */
export interface CalendarFeedsTable {
  id: Id;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** A role or stretch a decision may name (team, role, when) instead of a free-floating "potential". */
export interface ReadinessRolesTable {
  id: Id;
  title: string;
  team: string;
  needed_by: string | null;
  description: string | null;
  created_by: string;
  archived_at: Timestamp | null;
  idempotency_key: string | null;
  version: Version;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ReadinessProbeTable {
  id: number;
  checked_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  scim_tokens: ScimTokensTable;
  login_throttle: LoginThrottleTable;
  dimensions: FrameworkTable;
  anti_patterns: FrameworkTable;
  people: PeopleTable;
  people_imports: PeopleImportsTable;
  candidates: CandidatesTable;
  candidate_observers: CandidateObserversTable;
  stage_changes: StageChangesTable;
  sniff_tests: SniffTestsTable;
  sniff_test_revisions: SniffTestRevisionsTable;
  sniff_test_offerings: SniffTestOfferingsTable;
  sniff_test_assignments: SniffTestAssignmentsTable;
  sniff_test_assignment_events: SniffTestAssignmentEventsTable;
  observations: ObservationsTable;
  observation_dimensions: ObservationDimensionsTable;
  evidence_coverage: EvidenceCoverageTable;
  candidate_card_facts: CandidateCardFactsTable;
  observation_revisions: ObservationRevisionsTable;
  flags: FlagsTable;
  flag_events: FlagEventsTable;
  coaching_plans: CoachingPlansTable;
  coaching_plan_changes: CoachingPlanChangesTable;
  coaching_plan_dimensions: CoachingPlanDimensionsTable;
  coaching_plan_flags: CoachingPlanFlagsTable;
  coaching_actions: CoachingActionsTable;
  coaching_checkins: CoachingCheckinsTable;
  calibration_meetings: CalibrationMeetingsTable;
  calibration_attendees: CalibrationAttendeesTable;
  calibration_items: CalibrationItemsTable;
  calibration_packet_reads: CalibrationPacketReadsTable;
  calibration_prereads: CalibrationPrereadsTable;
  calibration_decisions: CalibrationDecisionsTable;
  calibration_decision_evidence: CalibrationDecisionEvidenceTable;
  calibration_final_leanings: CalibrationFinalLeaningsTable;
  calibration_item_additions: CalibrationItemAdditionsTable;
  calibration_revisits: CalibrationRevisitsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  readiness_probe: ReadinessProbeTable;
  jobs: JobsTable;
  mail_messages: MailMessagesTable;
  mail_preferences: MailPreferencesTable;
  calendar_feeds: CalendarFeedsTable;
  account_tokens: AccountTokensTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  readiness_roles: ReadinessRolesTable;
}

export type User = Selectable<UsersTable>;
