import { z } from "zod";
import type { DB } from "../../db/client";
import type { FlagStatus } from "../../db/schema";
import { id, isUuid, optionalText, text, version } from "../utils/fields";
import { IdempotencyKeySchema, type Saved } from "../utils/idempotency.server";
import type { SettableFlagStatus } from "../utils/lifecycle";
import { audit } from "./audit.server";
import { pastDaySchema } from "./observation.server";

export function listAntiPatternsForForm(db: DB) {
  return db
    .selectFrom("anti_patterns")
    .select(["id", "name", "description"])
    .where("archived_at", "is", null)
    .orderBy("position")
    .orderBy("name")
    .execute();
}

export async function antiPatternIsActive(db: DB, antiPatternId: string): Promise<boolean> {
  const row = await db
    .selectFrom("anti_patterns")
    .select("id")
    .where("id", "=", antiPatternId)
    .where("archived_at", "is", null)
    .executeTakeFirst();
  return Boolean(row);
}

export async function findFlagByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("flags")
    .select(["id", "candidate_id", "raised_by"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

/** Inserts the flag and its 'raised' event. Call inside a transaction (the route's saveOnce). */
export async function createFlag(
  trx: DB,
  input: {
    candidateId: string;
    antiPatternId: string;
    raisedBy: string;
    observedOn: string;
    situation: string;
    behavior: string;
    impact: string;
    idempotencyKey: string;
  },
): Promise<Saved<{ id: string; candidate_id: string; raised_by: string }>> {
  const row = await trx
    .insertInto("flags")
    .values({
      candidate_id: input.candidateId,
      anti_pattern_id: input.antiPatternId,
      raised_by: input.raisedBy,
      observed_on: input.observedOn,
      situation: input.situation,
      behavior: input.behavior,
      impact: input.impact,
      idempotency_key: input.idempotencyKey,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("flag_events")
    .values({ flag_id: row.id, kind: "raised", to_status: "open", changed_by: input.raisedBy })
    .execute();
  return { id: row.id, candidate_id: input.candidateId, raised_by: input.raisedBy, created: true };
}

/** The flag as its raiser wrote it (on `flags as f`): the day, situation, behaviour, impact. */
export const FLAG_TEXT = ["f.observed_on", "f.situation", "f.behavior", "f.impact"] as const;

/** One flag of this candidate with its anti-pattern and people; undefined otherwise. */
export async function getFlag(
  db: DB,
  { candidateId, flagId }: { candidateId: string; flagId: string },
) {
  return db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
    .innerJoin("users as raiser", "raiser.id", "f.raised_by")
    .leftJoin("users as resolver", "resolver.id", "f.resolved_by")
    .select([
      "f.id",
      "f.candidate_id",
      "f.anti_pattern_id",
      "ap.name as anti_pattern_name",
      "ap.description as anti_pattern_description",
      "f.raised_by",
      "raiser.name as raised_by_name",
      ...FLAG_TEXT,
      "f.discussed_with_candidate_on",
      "f.status",
      "f.resolution",
      "f.resolved_by",
      "resolver.name as resolved_by_name",
      "f.resolved_at",
      "f.version",
      "f.created_at",
    ])
    .where("f.id", "=", flagId)
    .where("f.candidate_id", "=", candidateId)
    .executeTakeFirst();
}

/**
 * The flag's history, newest first. Event times come from the database clock (one transaction per
 * change), so they order the events even where the app's clock is fixed, as in tests.
 */
export async function listFlagEvents(db: DB, { flagId }: { flagId: string }) {
  return db
    .selectFrom("flag_events as e")
    .innerJoin("users as u", "u.id", "e.changed_by")
    .select([
      "e.id",
      "e.kind",
      "e.from_status",
      "e.to_status",
      "e.note",
      "e.created_at",
      "u.name as changed_by_name",
    ])
    .where("e.flag_id", "=", flagId)
    .orderBy("e.created_at", "desc")
    .orderBy("e.id", "desc")
    .execute();
}

/** Records that the flag was talked through with the person. 'stale' when the version moved on. */
export async function recordFlagDiscussed(
  trx: DB,
  {
    flagId,
    version,
    discussedOn,
    note,
    actorId,
  }: { flagId: string; version: number; discussedOn: string; note: string; actorId: string },
): Promise<"stale" | { version: number }> {
  const row = await trx
    .updateTable("flags")
    .set({ discussed_with_candidate_on: discussedOn, version: version + 1 })
    .where("id", "=", flagId)
    .where("version", "=", version)
    .returning("version")
    .executeTakeFirst();
  if (!row) return "stale";
  await trx
    .insertInto("flag_events")
    .values({ flag_id: flagId, kind: "discussed", note, changed_by: actorId })
    .execute();
  return row;
}

/**
 * Resolves, dismisses or reopens a flag, with a 'status' event. 'stale' when the version moved on;
 * the caller checks canMoveFlag first.
 */
export async function setFlagStatus(
  trx: DB,
  {
    flagId,
    version,
    from,
    to,
    note,
    actorId,
    now,
  }: {
    flagId: string;
    version: number;
    from: FlagStatus;
    to: SettableFlagStatus;
    note: string;
    actorId: string;
    now: Date;
  },
): Promise<"stale" | { version: number }> {
  const closing = to !== "open";
  const row = await trx
    .updateTable("flags")
    .set({
      status: to,
      resolution: closing ? note : null,
      resolved_by: closing ? actorId : null,
      resolved_at: closing ? now : null,
      version: version + 1,
    })
    .where("id", "=", flagId)
    .where("version", "=", version)
    .where("status", "=", from)
    .returning("version")
    .executeTakeFirst();
  if (!row) return "stale";
  await trx
    .insertInto("flag_events")
    .values({
      flag_id: flagId,
      kind: "status",
      from_status: from,
      to_status: to,
      note,
      changed_by: actorId,
    })
    .execute();
  return row;
}

/**
 * For the coaching plan that takes these flags up: every open one among them moves to addressing,
 * with an event and an audit row each. Returns the ids that moved. Call inside the plan's transaction.
 */
export async function markFlagsAddressing(
  trx: DB,
  {
    flagIds,
    actorId,
    requestId = null,
  }: { flagIds: string[]; actorId: string; requestId?: string | null },
): Promise<string[]> {
  const ids = flagIds.filter(isUuid);
  if (!ids.length) return [];
  const moved = await trx
    .updateTable("flags")
    .set((eb) => ({ status: "addressing", version: eb("version", "+", 1) }))
    .where("id", "in", ids)
    .where("status", "=", "open")
    .returning(["id", "candidate_id"])
    .execute();
  for (const flag of moved) {
    await trx
      .insertInto("flag_events")
      .values({
        flag_id: flag.id,
        kind: "status",
        from_status: "open",
        to_status: "addressing",
        changed_by: actorId,
      })
      .execute();
    await audit(trx, {
      actorId,
      action: "flag.addressing",
      entity: "flag",
      entityId: flag.id,
      requestId,
      details: { candidateId: flag.candidate_id, from: "open", to: "addressing" },
    });
  }
  return moved.map((f) => f.id);
}

// ---- Form input ----------------------------------------------------------------------------------

export function NewFlagSchema(today: string) {
  return z.object({
    antiPatternId: id("Choose the anti-pattern you saw."),
    observedOn: pastDaySchema(today, "the day you saw it"),
    situation: optionalText(),
    behavior: text("Describe what the person did: a concrete, observable behaviour."),
    impact: optionalText(),
    idempotencyKey: IdempotencyKeySchema,
  });
}

export function FlagActionSchema(today: string) {
  return z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("discussed"),
      version,
      discussedOn: pastDaySchema(today, "the day you discussed it"),
      note: optionalText(2000),
    }),
    z.object({
      intent: z.literal("resolve"),
      version,
      note: text("Say how it was resolved.", 2000),
    }),
    z.object({
      intent: z.literal("dismiss"),
      version,
      note: text("Say why you dismiss this flag.", 2000),
    }),
    z.object({
      intent: z.literal("reopen"),
      version,
      note: optionalText(2000),
    }),
  ]);
}
