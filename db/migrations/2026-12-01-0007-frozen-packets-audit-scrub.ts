import { type Kysely, sql } from "kysely";

// Frozen: this file must never import app code.
//
// 1. A calibration item keeps its packet as it was when the meeting closed (decision 0006).
// 2. The audit log stays append-only, with one exception: inside an erasure's transaction (which
//    says so with `set local noseworthy.erasing = 'on'`), an UPDATE may remove keys from `details`
//    and change nothing else, so erasing a candidate can scrub facts about them from the log while
//    every event (who, what, when, outcome) stays. Anywhere else, removing a key (say rolesAdded,
//    hiding a role grant from leaders) is refused like any other change.
// 3. Leaders' My week lists recent account changes from the log: an index on just those rows.
const up_ = [
  `ALTER TABLE calibration_items ADD COLUMN packet_snapshot jsonb`,
  `CREATE INDEX audit_events_user_changes_idx ON audit_events (at) WHERE entity = 'user' AND outcome = 'ok'`,
  `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'UPDATE'
        AND current_setting('noseworthy.erasing', true) = 'on'
        AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.entity = OLD.entity
        AND NEW.outcome = OLD.outcome
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
        AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
        AND jsonb_typeof(NEW.details) = 'object'
        AND NOT EXISTS (SELECT 1 FROM jsonb_each(NEW.details) n WHERE OLD.details -> n.key IS DISTINCT FROM n.value)
     THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION 'audit_events is append-only';
   END $$ LANGUAGE plpgsql`,
];

const down_ = [
  `DROP INDEX audit_events_user_changes_idx`,
  `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
   BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$ LANGUAGE plpgsql`,
  `ALTER TABLE calibration_items DROP COLUMN packet_snapshot`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_) await sql.raw(statement).execute(db);
}
