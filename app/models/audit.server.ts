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

export async function listAuditEvents(
  db: DB,
  { before, limit = 50, action, actorId }: { before?: number; limit?: number; action?: string; actorId?: string },
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
  if (action) query = query.where("audit_events.action", "like", `${action.replace(/[%_\\]/g, "\\$&")}%`);
  if (actorId) query = query.where("audit_events.actor_id", "=", actorId);
  const rows = await query.execute();
  return { events: rows.slice(0, limit), hasMore: rows.length > limit };
}

