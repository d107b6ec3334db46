import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Readiness for a named role (issue 22, mechanism 4): a calibration decision may say what it is about —
// a role or stretch (team, role, when) — instead of a free-floating "potential" label, which is where
// bias concentrates (Benson, Li & Shue 2026). A role is archived, never deleted: decisions cite it.
// The writing check's word list lives in `settings` (key writing_check_words), its defaults in code.
const up_ = [
  `CREATE TABLE readiness_roles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    team text NOT NULL CHECK (length(team) BETWEEN 1 AND 120),
    needed_by text CHECK (length(needed_by) BETWEEN 1 AND 60),
    description text CHECK (length(description) <= 2000),
    created_by uuid NOT NULL REFERENCES users(id),
    archived_at timestamptz,
    idempotency_key uuid UNIQUE,
    version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX readiness_roles_open ON readiness_roles (team, title) WHERE archived_at IS NULL`,
  `ALTER TABLE calibration_decisions ADD COLUMN readiness_role_id uuid REFERENCES readiness_roles(id)`,
  `CREATE INDEX calibration_decisions_role ON calibration_decisions (readiness_role_id)
    WHERE readiness_role_id IS NOT NULL`,
];

const down_ = [
  `DROP INDEX calibration_decisions_role`,
  `ALTER TABLE calibration_decisions DROP COLUMN readiness_role_id`,
  `DROP TABLE readiness_roles`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
