import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Accounts a security review passes (issue 21).
// - users.password_must_change: the password was set by an admin (a temporary one); the next password
//   login must choose a new one before anything else (ASVS 6.4.1).
// - users.totp_*: the TOTP secret (RFC 6238), sealed with a key derived from SESSION_SECRET; the
//   pending one while the person confirms set-up; the last accepted 30-second step, so a code is
//   accepted once.
// - sessions.stage: a login half done. 'second_factor' (the password was right, the second factor is
//   due), 'change_password' (a temporary password), 'set_up_mfa' (the admin's policy asks this role
//   for a second factor and none is set up). A session with a stage opens only its own page.
// - sessions.authenticated_at: when the person last proved who they are in this session (login,
//   second factor, confirmation); sensitive actions want it within ten minutes.
// - sessions.method: how the session began.
// - account_tokens: one-time links sent by mail (invitation: 72 hours; reset: 30 minutes), stored as
//   the SHA-256 of a random 32-byte value, used once.
// - recovery_codes: ten single-use codes, stored as their SHA-256.
// - passkeys: WebAuthn credentials (the public key and the signature counter).
// - webauthn_challenges: a challenge handed to the browser, used once, for a few minutes; the browser
//   holds only a cookie naming it.
const up_ = [
  `ALTER TABLE users ADD COLUMN password_must_change boolean NOT NULL DEFAULT false`,
  `ALTER TABLE users ADD COLUMN totp_secret text CHECK (length(totp_secret) BETWEEN 1 AND 500)`,
  `ALTER TABLE users ADD COLUMN totp_pending_secret text CHECK (length(totp_pending_secret) BETWEEN 1 AND 500)`,
  `ALTER TABLE users ADD COLUMN totp_last_step integer`,
  `ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz`,
  `ALTER TABLE sessions ADD COLUMN stage text CHECK (stage IN ('second_factor', 'change_password', 'set_up_mfa'))`,
  `ALTER TABLE sessions ADD COLUMN authenticated_at timestamptz NOT NULL DEFAULT now()`,
  `ALTER TABLE sessions ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'sso', 'passkey', 'invitation', 'setup'))`,
  `CREATE TABLE account_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_by uuid REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
  )`,
  `CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose)`,
  `CREATE TABLE recovery_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz,
    UNIQUE (user_id, code_hash)
  )`,
  `CREATE TABLE passkeys (
    id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 1400),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
    public_key bytea NOT NULL,
    counter bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
    transports text[] NOT NULL DEFAULT '{}',
    device_type text CHECK (device_type IN ('singleDevice', 'multiDevice')),
    backed_up boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
  )`,
  `CREATE INDEX passkeys_user ON passkeys (user_id)`,
  `CREATE TABLE webauthn_challenges (
    id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
    user_id uuid REFERENCES users(id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('register', 'sign_in', 'second_factor', 'confirm')),
    challenge text NOT NULL CHECK (length(challenge) BETWEEN 16 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
  )`,
];

const down_ = [
  `DROP TABLE webauthn_challenges`,
  `DROP TABLE passkeys`,
  `DROP TABLE recovery_codes`,
  `DROP TABLE account_tokens`,
  `ALTER TABLE sessions DROP COLUMN method`,
  `ALTER TABLE sessions DROP COLUMN authenticated_at`,
  `ALTER TABLE sessions DROP COLUMN stage`,
  `ALTER TABLE users DROP COLUMN totp_enabled_at`,
  `ALTER TABLE users DROP COLUMN totp_last_step`,
  `ALTER TABLE users DROP COLUMN totp_pending_secret`,
  `ALTER TABLE users DROP COLUMN totp_secret`,
  `ALTER TABLE users DROP COLUMN password_must_change`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
