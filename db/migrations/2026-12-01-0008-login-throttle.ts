import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Login throttling by (account, address) pair with growing delays, replacing login_attempts (a log of
// attempts counted after the password check, so concurrent attempts all passed the count, and whose
// per-account and per-address limits let a stranger lock others out). One row per pair that has
// failed or logged in: an attempt is reserved by one INSERT … ON CONFLICT DO UPDATE on it before the
// password is checked, under advisory locks on the account and on the address so that the counts it
// depends on are those of every reservation before it. A successful login sets failures to 0 and
// records succeeded_at: the owner's usual address keeps its full allowance while the account is under
// attack. ip is the client's IPv4 address, or its IPv6 /64 prefix.
const up_ = [
  `CREATE TABLE login_throttle (
    email text NOT NULL,
    ip text NOT NULL,
    failures integer NOT NULL CHECK (failures >= 0),
    last_at timestamptz NOT NULL,
    succeeded_at timestamptz,
    PRIMARY KEY (email, ip),
    CHECK (failures > 0 OR succeeded_at IS NOT NULL)
  )`,
  `CREATE INDEX login_throttle_ip_idx ON login_throttle (ip)`,
  `CREATE INDEX login_throttle_last_at_idx ON login_throttle (last_at)`,
  `DROP TABLE login_attempts`,
];

const down_ = [
  `CREATE TABLE login_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip text NOT NULL,
    succeeded boolean NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX login_attempts_email_at_idx ON login_attempts (email, at)`,
  `CREATE INDEX login_attempts_ip_at_idx ON login_attempts (ip, at)`,
  `DROP TABLE login_throttle`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
