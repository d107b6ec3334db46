import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// SCIM 2.0 provisioning (decision 0018). A bearer token is stored only as the SHA-256 of a random
// 32-byte value (a copy of the table lets nobody in); it is shown once when created. created_by is
// the admin who made it, or null when it came from `npm run scim:token`. users.external_id is the
// identity provider's own id for the account (SCIM externalId), unique when given.
const up_ = [
  `CREATE TABLE scim_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_by uuid REFERENCES users(id),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `ALTER TABLE users ADD COLUMN external_id text UNIQUE CHECK (length(external_id) BETWEEN 1 AND 500)`,
];

const down_ = [`ALTER TABLE users DROP COLUMN external_id`, `DROP TABLE scim_tokens`];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
