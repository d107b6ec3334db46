import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Reaching people outside the browser (decision 0019).
// - jobs: durable background work. A job is taken with FOR UPDATE SKIP LOCKED and leased until
//   locked_until; a running job whose lease has passed belongs to a process that died (SIGKILL, a lost
//   machine) and is taken again. `key` makes enqueueing idempotent: one job per key, ever.
// - mail_messages: every message, rendered once. `key` names the event and the person, so the same
//   message is never made twice. Without SMTP_URL a message stays here (status 'outbox') for admins to
//   read. A message names a person and what is due, never the text of a judgement; candidate_id lets
//   erasure delete every message that names the candidate.
// - mail_preferences: a person's own choices (null: the organisation's default, kept in `settings`).
// - calendar_feeds: a personal calendar feed's secret token, stored as its SHA-256, revocable.
// - users.time_zone: an IANA zone name, for the digest's day and hour and for invitations.
const up_ = [
  `CREATE TABLE jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    key text UNIQUE CHECK (length(key) BETWEEN 1 AND 300),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 8 CHECK (max_attempts BETWEEN 1 AND 100),
    locked_by text,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz
  )`,
  `CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('pending', 'running')`,
  `CREATE INDEX jobs_recent ON jobs (status, updated_at DESC)`,
  `CREATE TABLE mail_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 300),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    user_id uuid REFERENCES users(id) ON DELETE CASCADE,
    candidate_id uuid REFERENCES candidates(id) ON DELETE CASCADE,
    to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    text_body text NOT NULL,
    html_body text NOT NULL,
    ics text,
    headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'outbox', 'failed')),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
  )`,
  `CREATE INDEX mail_messages_recent ON mail_messages (created_at DESC)`,
  `CREATE INDEX mail_messages_user ON mail_messages (user_id)`,
  `CREATE INDEX mail_messages_candidate ON mail_messages (candidate_id) WHERE candidate_id IS NOT NULL`,
  `CREATE TABLE mail_preferences (
    user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    digest boolean,
    digest_day smallint CHECK (digest_day BETWEEN 0 AND 6),
    digest_hour smallint CHECK (digest_hour BETWEEN 0 AND 23),
    reminders boolean,
    invitations boolean,
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE calendar_feeds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id)`,
  `ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64)`,
  // A planned meeting can be cancelled (its attendees get the calendar's cancellation).
  `ALTER TABLE calibration_meetings DROP CONSTRAINT calibration_meetings_status_check`,
  `ALTER TABLE calibration_meetings ADD CONSTRAINT calibration_meetings_status_check
    CHECK (status IN ('planned', 'in_progress', 'closed', 'cancelled'))`,
  `ALTER TABLE calibration_meetings ADD COLUMN cancelled_at timestamptz`,
  `ALTER TABLE calibration_meetings ADD CONSTRAINT calibration_meetings_cancelled_at
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))`,
];

const down_ = [
  `ALTER TABLE calibration_meetings DROP CONSTRAINT calibration_meetings_cancelled_at`,
  `ALTER TABLE calibration_meetings DROP COLUMN cancelled_at`,
  `ALTER TABLE calibration_meetings DROP CONSTRAINT calibration_meetings_status_check`,
  `ALTER TABLE calibration_meetings ADD CONSTRAINT calibration_meetings_status_check
    CHECK (status IN ('planned', 'in_progress', 'closed'))`,
  `ALTER TABLE users DROP COLUMN time_zone`,
  `DROP TABLE calendar_feeds`,
  `DROP TABLE mail_preferences`,
  `DROP TABLE mail_messages`,
  `DROP TABLE jobs`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
