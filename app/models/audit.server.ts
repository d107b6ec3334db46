import type { DB } from "../../db/client";
import type { AuditOutcome } from "../../db/schema";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  outcome?: AuditOutcome;
  requestId?: string | null;
  /** Identifiers and field names only: never names, notes or other personal text. */
  details?: Record<string, unknown>;
}

/** Append one audit row. Pass the transaction that makes the change so both commit together. */
export async function audit(db: DB, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_events")
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId ?? null,
      outcome: entry.outcome ?? "ok",
      request_id: entry.requestId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** Entities that are not about a person's record: their details (roles, settings, sign-in reasons) are shown as written. */
const ACCOUNT_AND_SETUP_ENTITIES = new Set([
  "user",
  "session",
  "route",
  "setting",
  "people_import",
  "scim_token",
  "job",
  "calendar_feed",
  "dimension",
  "anti_pattern",
  "sniff_test",
  "pipeline",
]);

/**
 * Keys of a person's record events that say which record and what kind of change, never what is true
 * of the person (outcomes, stages, signals, anti-patterns, mentors, managers, dimensions, dates).
 */
const EVENT_KEYS = new Set([
  "candidateId",
  "personId",
  "importId",
  "offeringId",
  /** Which directory facts a change touched (names of fields, never their values). */
  "fields",
  "observationId",
  "assignmentId",
  "planId",
  "coachingPlanId",
  "itemId",
  "meetingId",
  "sniffTestId",
  "revisionId",
  "supersedes",
  "fields",
  "fromVersion",
  "toVersion",
]);

/**
 * The details an admin may read on the audit page: who did what to which record, not facts about
 * people. Anything about a person's record keeps only its EVENT_KEYS (an unknown entity counts as one).
 */
export function detailsForAdmin(event: {
  action: string;
  entity: string;
  details: Record<string, unknown>;
}): Record<string, unknown> {
  if (ACCOUNT_AND_SETUP_ENTITIES.has(event.entity)) return event.details;
  const kept = Object.entries(event.details).filter(
    ([key]) => EVENT_KEYS.has(key) || (event.action === "candidate.erase" && key === "via"),
  );
  return Object.fromEntries(kept);
}

/** The audit log as the admin's page shows it, newest first: details pass through detailsForAdmin. */
export async function listAuditEvents(
  db: DB,
  {
    before,
    limit = 50,
    action,
    actorId,
  }: { before?: number; limit?: number; action?: string; actorId?: string },
) {
  let query = db
    .selectFrom("audit_events")
    .leftJoin("users", "users.id", "audit_events.actor_id")
    .select([
      "audit_events.id",
      "audit_events.at",
      "audit_events.action",
      "audit_events.entity",
      "audit_events.entity_id",
      "audit_events.outcome",
      "audit_events.request_id",
      "audit_events.details",
      "users.email as actor_email",
    ])
    .orderBy("audit_events.id", "desc")
    .limit(limit + 1);
  if (before) query = query.where("audit_events.id", "<", String(before));
  if (action)
    query = query.where("audit_events.action", "like", `${action.replace(/[%_\\]/g, "\\$&")}%`);
  if (actorId) query = query.where("audit_events.actor_id", "=", actorId);
  const rows = await query.execute();
  const events = rows.slice(0, limit).map((e) => ({ ...e, details: detailsForAdmin(e) }));
  return { events, hasMore: rows.length > limit };
}
