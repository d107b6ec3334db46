import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// Calibration rounds (issue 22, docs/calibration.md).
// - calibration_items.revealed_at: when the attendees' pre-reads were revealed to each other, all at
//   once: when the last attendee wrote one, or when the facilitator opened the item anyway
//   (revealed_early_by names them; null when every pre-read was in). Before it, a pre-read is its
//   author's alone. Items opened before this column existed were revealed when opened.
// - discussion_seconds / discussion_started_at: the meeting timer, kept by the server when the
//   facilitator opens, stops or moves on from an item. started_at is set while it runs.
// - decided_early_by: who recorded the decision before every attendee's final leaning was in.
// - calibration_final_leanings: the second round, after discussion; one per attendee and item.
// - calibration_item_additions: the unique-evidence round: an observation an attendee wrote into the
//   packet from the meeting, and who added it.
// - calibration_revisits: "revisit the early cases" at the end of a meeting; decision_before is the
//   decision that stood when the item was reopened, so the summary can say whether it changed.
const up_ = [
  `ALTER TABLE calibration_items
    ADD COLUMN revealed_at timestamptz,
    ADD COLUMN revealed_early_by uuid REFERENCES users(id),
    ADD COLUMN discussion_seconds integer NOT NULL DEFAULT 0 CHECK (discussion_seconds >= 0),
    ADD COLUMN discussion_started_at timestamptz,
    ADD COLUMN decided_early_by uuid REFERENCES users(id)`,
  `ALTER TABLE calibration_items ADD CONSTRAINT calibration_items_revealed_early
    CHECK (revealed_early_by IS NULL OR revealed_at IS NOT NULL)`,
  `UPDATE calibration_items SET revealed_at = opened_at WHERE opened_at IS NOT NULL`,
  `CREATE TABLE calibration_final_leanings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id),
    leaning text NOT NULL CHECK (leaning IN ('ready_now','ready_with_development','not_yet','insufficient_evidence')),
    note text CHECK (note IS NULL OR length(note) <= 2000),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, user_id)
  )`,
  `CREATE TRIGGER calibration_final_leanings_touch BEFORE UPDATE ON calibration_final_leanings
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`,
  `CREATE INDEX calibration_final_leanings_user ON calibration_final_leanings (user_id)`,
  `CREATE TABLE calibration_item_additions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    observation_id uuid NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
    added_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, observation_id)
  )`,
  `CREATE INDEX calibration_item_additions_observation ON calibration_item_additions (observation_id)`,
  `CREATE TABLE calibration_revisits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES calibration_items(id) ON DELETE CASCADE,
    opened_by uuid NOT NULL REFERENCES users(id),
    opened_at timestamptz NOT NULL DEFAULT now(),
    decision_before uuid REFERENCES calibration_decisions(id),
    closed_at timestamptz,
    CHECK (closed_at IS NULL OR closed_at >= opened_at)
  )`,
  `CREATE INDEX calibration_revisits_item ON calibration_revisits (item_id)`,
];

const down_ = [
  `DROP TABLE calibration_revisits`,
  `DROP TABLE calibration_item_additions`,
  `DROP TABLE calibration_final_leanings`,
  `ALTER TABLE calibration_items DROP CONSTRAINT calibration_items_revealed_early`,
  `ALTER TABLE calibration_items
    DROP COLUMN decided_early_by,
    DROP COLUMN discussion_started_at,
    DROP COLUMN discussion_seconds,
    DROP COLUMN revealed_early_by,
    DROP COLUMN revealed_at`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
