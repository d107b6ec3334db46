import { sql, type ExpressionBuilder } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { DB } from "../../db/client";
import { SIGNALS, type Database, type PlanStatus } from "../../db/schema";
import {
  candidateVisibleTo,
  planVisibleTo,
  seesPeopleData,
  type Viewer,
} from "../auth/policy.server";
import { addDays, daysBetween, formatDate } from "../utils/dates";
import { day, id, idList, optionalDay, optionalText, text, version } from "../utils/fields";
import { IdempotencyKeySchema, type Saved } from "../utils/idempotency.server";
import { markFlagsAddressing } from "./flag.server";
import { findActiveDimensionIds, OBSERVATION_LINE, pastDaySchema } from "./observation.server";

const MENTOR_ROLES = ["leader", "manager", "mentor"] as const;
const OPEN_FLAG = ["open", "addressing"] as const;
export const NO_CHECKIN_DAYS = 30;
/** A new plan's grace period: its first check-in is due this many days after the start. */
export const FIRST_CHECKIN_DAYS = 14;

// ---- Pickers ---------------------------------------------------------------------------------------

/** Active users who hold a people role: anyone of them may mentor. */
export function listMentorOptions(db: DB) {
  return db
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("disabled_at", "is", null)
    .where(sql<boolean>`roles && ${sql.val([...MENTOR_ROLES])}::text[]`)
    .orderBy("name")
    .orderBy("id")
    .execute();
}

export async function mentorIsEligible(db: DB, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("id", "=", userId)
    .where("disabled_at", "is", null)
    .where(sql<boolean>`roles && ${sql.val([...MENTOR_ROLES])}::text[]`)
    .executeTakeFirst();
  return Boolean(row);
}

/** The candidate's flags a new plan may take up: open, or already addressed by another plan. */
export function listAddressableFlags(db: DB, { candidateId }: { candidateId: string }) {
  return db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
    .select(["f.id", "f.status", "f.observed_on", "ap.name as anti_pattern_name"])
    .where("f.candidate_id", "=", candidateId)
    .where("f.status", "in", OPEN_FLAG)
    .orderBy("f.observed_on", "desc")
    .orderBy("f.id")
    .execute();
}

// ---- Plans -----------------------------------------------------------------------------------------

export async function findPlanByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("coaching_plans")
    .select(["id", "candidate_id", "created_by"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

/**
 * Starts a plan: the plan, its focus dimensions and flags, the flags moved to "addressing" and the
 * first change row. Call inside a transaction (the route's saveOnce).
 */
export async function createPlan(
  trx: DB,
  input: {
    candidateId: string;
    mentorId: string;
    createdBy: string;
    goal: string;
    startedOn: string;
    targetOn: string | null;
    dimensionIds: string[];
    flagIds: string[];
    today: string;
    idempotencyKey: string;
    requestId: string | null;
  },
): Promise<
  Saved<{ id: string; candidate_id: string; created_by: string }> & { movedFlagIds: string[] }
> {
  const plan = await trx
    .insertInto("coaching_plans")
    .values({
      candidate_id: input.candidateId,
      mentor_id: input.mentorId,
      created_by: input.createdBy,
      goal: input.goal,
      started_on: input.startedOn,
      target_on: input.targetOn,
      idempotency_key: input.idempotencyKey,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await insertPlanDimensions(trx, plan.id, input.dimensionIds);
  const flagIds = [...new Set(input.flagIds)];
  if (flagIds.length) {
    await trx
      .insertInto("coaching_plan_flags")
      .values(flagIds.map((flag_id) => ({ plan_id: plan.id, flag_id })))
      .execute();
  }
  const movedFlagIds = await markFlagsAddressing(trx, {
    flagIds,
    actorId: input.createdBy,
    requestId: input.requestId,
  });
  await trx
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: plan.id,
      from_status: null,
      to_status: "active",
      from_mentor_id: null,
      to_mentor_id: input.mentorId,
      changed_by: input.createdBy,
      reason: "Plan started",
      changed_on: input.today,
    })
    .execute();
  return {
    id: plan.id,
    candidate_id: input.candidateId,
    created_by: input.createdBy,
    created: true,
    movedFlagIds,
  };
}

async function insertPlanDimensions(trx: DB, planId: string, dimensionIds: string[]) {
  const unique = [...new Set(dimensionIds)];
  if (!unique.length) return;
  await trx
    .insertInto("coaching_plan_dimensions")
    .values(unique.map((dimension_id) => ({ plan_id: planId, dimension_id })))
    .execute();
}

/** The subset of flagIds that are this candidate's open or addressing flags. */
export async function findAddressableFlagIds(
  db: DB,
  { candidateId, flagIds }: { candidateId: string; flagIds: string[] },
) {
  if (!flagIds.length) return [];
  const rows = await db
    .selectFrom("flags")
    .select("id")
    .where("candidate_id", "=", candidateId)
    .where("id", "in", flagIds)
    .where("status", "in", OPEN_FLAG)
    .execute();
  return rows.map((r) => r.id);
}

type WithPlan = Database & { p: Database["coaching_plans"] };

/** The plan `p`'s focus dimensions, in the framework's order. */
const planDimensions = (eb: ExpressionBuilder<WithPlan, "p">) =>
  jsonArrayFrom(
    eb
      .selectFrom("coaching_plan_dimensions as pd")
      .innerJoin("dimensions as d", "d.id", "pd.dimension_id")
      .select(["d.id", "d.name"])
      .whereRef("pd.plan_id", "=", "p.id")
      .orderBy("d.position")
      .orderBy("d.name"),
  );

/** Everything the plan page shows, in one query. Access has been checked already. */
export async function getPlan(db: DB, { planId }: { planId: string }) {
  return db
    .selectFrom("coaching_plans as p")
    .innerJoin("candidates as c", "c.id", "p.candidate_id")
    .innerJoin("users as mentor", "mentor.id", "p.mentor_id")
    .innerJoin("users as creator", "creator.id", "p.created_by")
    .select((eb) => [
      "p.id",
      "p.candidate_id",
      "c.name as candidate_name",
      "c.manager_id",
      "p.mentor_id",
      "mentor.name as mentor_name",
      "creator.name as created_by_name",
      "p.goal",
      "p.status",
      "p.started_on",
      "p.target_on",
      "p.version",
      planDimensions(eb).as("dimensions"),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_plan_flags as pf")
          .innerJoin("flags as f", "f.id", "pf.flag_id")
          .innerJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
          .select([
            "f.id",
            "f.status",
            "f.version",
            "f.observed_on",
            "f.behavior",
            "f.resolution",
            "ap.name as anti_pattern_name",
          ])
          .whereRef("pf.plan_id", "=", "p.id")
          .orderBy("f.observed_on", "desc")
          .orderBy("f.id"),
      ).as("flags"),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_actions as a")
          .select(["a.id", "a.title", "a.position", "a.due_on", "a.done_on", "a.version"])
          .whereRef("a.plan_id", "=", "p.id")
          .orderBy("a.position")
          .orderBy("a.id"),
      ).as("actions"),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_checkins as k")
          .innerJoin("users as u", "u.id", "k.author_id")
          .select(["k.id", "k.held_on", "k.notes", "k.next_on", "u.name as author_name"])
          .whereRef("k.plan_id", "=", "p.id")
          .orderBy("k.held_on", "desc")
          .orderBy("k.created_at", "desc")
          .orderBy("k.id"),
      ).as("checkins"),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_plan_changes as pc")
          .innerJoin("users as u", "u.id", "pc.changed_by")
          .leftJoin("users as fm", "fm.id", "pc.from_mentor_id")
          .leftJoin("users as tm", "tm.id", "pc.to_mentor_id")
          .select([
            "pc.id",
            "pc.from_status",
            "pc.to_status",
            "pc.reason",
            "pc.changed_on",
            "u.name as changed_by_name",
            "fm.name as from_mentor_name",
            "tm.name as to_mentor_name",
          ])
          .whereRef("pc.plan_id", "=", "p.id")
          .orderBy("pc.created_at", "desc")
          .orderBy("pc.id"),
      ).as("changes"),
      jsonArrayFrom(
        eb
          .selectFrom("observations as o")
          .innerJoin("users as u", "u.id", "o.author_id")
          .select([...OBSERVATION_LINE, "u.name as author_name"])
          .whereRef("o.coaching_plan_id", "=", "p.id")
          .orderBy("o.observed_on", "desc")
          .orderBy("o.created_at", "desc"),
      ).as("observations"),
    ])
    .where("p.id", "=", planId)
    .executeTakeFirst();
}

export type PlanDetails = NonNullable<Awaited<ReturnType<typeof getPlan>>>;

/** The editable fields as they are saved now (for the 409 page). */
export async function getPlanFields(db: DB, { planId }: { planId: string }) {
  return db
    .selectFrom("coaching_plans as p")
    .innerJoin("users as m", "m.id", "p.mentor_id")
    .select((eb) => [
      "p.goal",
      "p.started_on",
      "p.target_on",
      "p.mentor_id",
      "m.name as mentor_name",
      "p.status",
      "p.version",
      planDimensions(eb).as("dimensions"),
    ])
    .where("p.id", "=", planId)
    .executeTakeFirstOrThrow();
}

/**
 * Edits goal, target date, focus dimensions and (optionally) the mentor. A new mentor is recorded in
 * coaching_plan_changes with the reason. 'stale' when the version moved on; nothing is written then.
 */
export async function updatePlan(
  trx: DB,
  input: {
    planId: string;
    version: number;
    goal: string;
    targetOn: string | null;
    dimensionIds: string[];
    mentorId: string;
    mentorReason: string;
    actorId: string;
    today: string;
  },
): Promise<"stale" | { version: number; changedFields: string[] }> {
  const current = await trx
    .selectFrom("coaching_plans")
    .select(["id", "goal", "target_on", "mentor_id", "status", "version"])
    .where("id", "=", input.planId)
    .where("version", "=", input.version)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return "stale";
  const dims = await trx
    .selectFrom("coaching_plan_dimensions")
    .select("dimension_id")
    .where("plan_id", "=", input.planId)
    .execute();
  const before = new Set(dims.map((d) => d.dimension_id));
  const after = new Set(input.dimensionIds);
  const changedFields: string[] = [];
  if (current.goal !== input.goal) changedFields.push("goal");
  if (current.target_on !== input.targetOn) changedFields.push("targetOn");
  if (before.size !== after.size || [...after].some((d) => !before.has(d)))
    changedFields.push("dimensionIds");
  if (current.mentor_id !== input.mentorId) changedFields.push("mentorId");
  const updated = await trx
    .updateTable("coaching_plans")
    .set({
      goal: input.goal,
      target_on: input.targetOn,
      mentor_id: input.mentorId,
      version: current.version + 1,
    })
    .where("id", "=", input.planId)
    .where("version", "=", input.version)
    .returning("version")
    .executeTakeFirst();
  if (!updated) return "stale";
  if (changedFields.includes("dimensionIds")) {
    await trx.deleteFrom("coaching_plan_dimensions").where("plan_id", "=", input.planId).execute();
    await insertPlanDimensions(trx, input.planId, input.dimensionIds);
  }
  if (changedFields.includes("mentorId")) {
    await trx
      .insertInto("coaching_plan_changes")
      .values({
        plan_id: input.planId,
        from_status: current.status,
        to_status: current.status,
        from_mentor_id: current.mentor_id,
        to_mentor_id: input.mentorId,
        changed_by: input.actorId,
        reason: input.mentorReason,
        changed_on: input.today,
      })
      .execute();
  }
  return { version: updated.version, changedFields };
}

/** Moves the plan's status with a change row. 'stale' when the version or status moved on; the caller checks canMovePlan first. */
export async function changePlanStatus(
  trx: DB,
  input: {
    planId: string;
    version: number;
    from: PlanStatus;
    to: PlanStatus;
    changedOn: string;
    reason: string;
    actorId: string;
  },
): Promise<"stale" | { version: number }> {
  const row = await trx
    .updateTable("coaching_plans")
    .set({ status: input.to, version: input.version + 1 })
    .where("id", "=", input.planId)
    .where("version", "=", input.version)
    .where("status", "=", input.from)
    .returning("version")
    .executeTakeFirst();
  if (!row) return "stale";
  await trx
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: input.planId,
      from_status: input.from,
      to_status: input.to,
      changed_by: input.actorId,
      reason: input.reason,
      changed_on: input.changedOn,
    })
    .execute();
  return row;
}

export async function planHasFlag(
  db: DB,
  { planId, flagId }: { planId: string; flagId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("coaching_plan_flags")
    .select("flag_id")
    .where("plan_id", "=", planId)
    .where("flag_id", "=", flagId)
    .executeTakeFirst();
  return Boolean(row);
}

// ---- Actions ---------------------------------------------------------------------------------------

export async function findActionByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("coaching_actions")
    .select(["id", "plan_id", "created_by"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

/** Adds an action at the end of the plan's list. Call inside a transaction (the route's saveOnce). */
export async function createAction(
  trx: DB,
  input: {
    planId: string;
    title: string;
    dueOn: string | null;
    createdBy: string;
    idempotencyKey: string;
  },
): Promise<Saved<{ id: string; plan_id: string; created_by: string }>> {
  // Lock the plan row so two adds at once do not take the same position.
  await trx
    .selectFrom("coaching_plans")
    .select("id")
    .where("id", "=", input.planId)
    .forUpdate()
    .executeTakeFirst();
  const last = await trx
    .selectFrom("coaching_actions")
    .select((eb) => eb.fn.max("position").as("max"))
    .where("plan_id", "=", input.planId)
    .executeTakeFirst();
  const row = await trx
    .insertInto("coaching_actions")
    .values({
      plan_id: input.planId,
      title: input.title,
      due_on: input.dueOn,
      position: (last?.max ?? 0) + 1,
      created_by: input.createdBy,
      idempotency_key: input.idempotencyKey,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, plan_id: input.planId, created_by: input.createdBy, created: true };
}

export async function getAction(
  db: DB,
  { planId, actionId }: { planId: string; actionId: string },
) {
  return db
    .selectFrom("coaching_actions")
    .select(["id", "plan_id", "title", "due_on", "done_on", "position", "version"])
    .where("id", "=", actionId)
    .where("plan_id", "=", planId)
    .executeTakeFirst();
}

/** Edits title and due date. 'stale' when the version moved on. */
export async function updateAction(
  trx: DB,
  input: { planId: string; actionId: string; version: number; title: string; dueOn: string | null },
): Promise<"stale" | { version: number }> {
  const row = await trx
    .updateTable("coaching_actions")
    .set({ title: input.title, due_on: input.dueOn, version: input.version + 1 })
    .where("id", "=", input.actionId)
    .where("plan_id", "=", input.planId)
    .where("version", "=", input.version)
    .returning("version")
    .executeTakeFirst();
  return row ?? "stale";
}

/** Ticks an action done today, or undoes the tick. False when it already was in that state. */
export async function setActionDone(
  trx: DB,
  {
    planId,
    actionId,
    done,
    today,
  }: { planId: string; actionId: string; done: boolean; today: string },
): Promise<boolean> {
  const row = await trx
    .updateTable("coaching_actions")
    .set((eb) => ({ done_on: done ? today : null, version: eb("version", "+", 1) }))
    .where("id", "=", actionId)
    .where("plan_id", "=", planId)
    .where("done_on", done ? "is" : "is not", null)
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Swaps an action with its neighbour, then numbers the list 1..n so that duplicate or gapped
 * positions never make a move silently do nothing. Call inside a transaction.
 */
export async function moveAction(
  trx: DB,
  { planId, actionId, direction }: { planId: string; actionId: string; direction: "up" | "down" },
): Promise<"moved" | "edge" | "not_found"> {
  const items = await trx
    .selectFrom("coaching_actions")
    .select(["id", "position"])
    .where("plan_id", "=", planId)
    .orderBy("position")
    .orderBy("id")
    .forUpdate()
    .execute();
  const index = items.findIndex((item) => item.id === actionId);
  if (index === -1) return "not_found";
  const other = direction === "up" ? index - 1 : index + 1;
  if (other < 0 || other >= items.length) return "edge";
  [items[index], items[other]] = [items[other]!, items[index]!];
  for (const [i, item] of items.entries()) {
    if (item.position !== i + 1) {
      await trx
        .updateTable("coaching_actions")
        .set({ position: i + 1 })
        .where("id", "=", item.id)
        .execute();
    }
  }
  return "moved";
}

// ---- Check-ins -------------------------------------------------------------------------------------

export async function findCheckinByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("coaching_checkins")
    .select(["id", "plan_id", "author_id"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export async function createCheckin(
  trx: DB,
  input: {
    planId: string;
    authorId: string;
    heldOn: string;
    notes: string;
    nextOn: string | null;
    idempotencyKey: string;
  },
): Promise<Saved<{ id: string; plan_id: string; author_id: string }>> {
  const row = await trx
    .insertInto("coaching_checkins")
    .values({
      plan_id: input.planId,
      author_id: input.authorId,
      held_on: input.heldOn,
      notes: input.notes,
      next_on: input.nextOn,
      idempotency_key: input.idempotencyKey,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, plan_id: input.planId, author_id: input.authorId, created: true };
}

// ---- Nudges: facts about the process, never about the person --------------------------------------

export interface PlanNudgeFacts {
  status: PlanStatus;
  startedOn: string;
  targetOn: string | null;
  lastCheckinOn: string | null;
  overdueActions: number;
}

export type PlanNudge =
  | { kind: "no_checkin"; days: number; text: string }
  | { kind: "overdue_actions"; count: number; text: string }
  | { kind: "target_passed"; targetOn: string; text: string };

/**
 * When an active plan without any check-in should have its first one: FIRST_CHECKIN_DAYS after its
 * start. Before that day passes the plan is new, not overdue. Null once a check-in is held, or when
 * the plan is not active.
 */
export function firstCheckinDueOn(facts: PlanNudgeFacts): string | null {
  if (facts.status !== "active" || facts.lastCheckinOn) return null;
  return addDays(facts.startedOn, FIRST_CHECKIN_DAYS);
}

/**
 * The process nudges of one plan on `today`. Only active plans nudge: a paused plan is paused on
 * purpose, and a closed one has nothing left to do.
 */
export function planNudges(facts: PlanNudgeFacts, today: string): PlanNudge[] {
  if (facts.status !== "active") return [];
  const nudges: PlanNudge[] = [];
  const firstDue = firstCheckinDueOn(facts);
  if (firstDue) {
    if (today > firstDue) {
      const days = daysBetween(facts.startedOn, today);
      nudges.push({
        kind: "no_checkin",
        days,
        text: `No check-in since the plan started ${days} days ago (the first was due by ${formatDate(firstDue)})`,
      });
    }
  } else if (facts.lastCheckinOn) {
    const days = daysBetween(facts.lastCheckinOn, today);
    if (days >= NO_CHECKIN_DAYS)
      nudges.push({ kind: "no_checkin", days, text: `No check-in for ${days} days` });
  }
  if (facts.overdueActions > 0) {
    const n = facts.overdueActions;
    nudges.push({
      kind: "overdue_actions",
      count: n,
      text: `${n} overdue action${n === 1 ? "" : "s"}`,
    });
  }
  if (facts.targetOn && facts.targetOn < today) {
    nudges.push({ kind: "target_passed", targetOn: facts.targetOn, text: "Target date passed" });
  }
  return nudges;
}

type PlanScope = ExpressionBuilder<Database, "coaching_plans" | "candidates">;

/** The facts the nudges and the /coaching list need, as columns over `coaching_plans`. */
export function planFactColumns(eb: PlanScope, today: string) {
  return [
    eb
      .selectFrom("coaching_checkins as k")
      .select((e) => e.fn.max("k.held_on").as("d"))
      .whereRef("k.plan_id", "=", "coaching_plans.id")
      .$asScalar()
      .$castTo<string | null>()
      .as("last_checkin_on"),
    eb
      .selectFrom("coaching_actions as a")
      .select((e) => e.fn.countAll<number>().as("n"))
      .whereRef("a.plan_id", "=", "coaching_plans.id")
      .where("a.done_on", "is", null)
      .where("a.due_on", "<", today)
      .$asScalar()
      .$castTo<number>()
      .as("overdue_actions"),
  ] as const;
}

export function toFacts(row: {
  status: PlanStatus;
  started_on: string;
  target_on: string | null;
  last_checkin_on: string | null;
  overdue_actions: number | string | null;
}): PlanNudgeFacts {
  return {
    status: row.status,
    startedOn: row.started_on,
    targetOn: row.target_on,
    lastCheckinOn: row.last_checkin_on,
    overdueActions: Number(row.overdue_actions ?? 0),
  };
}

// ---- The /coaching list ----------------------------------------------------------------------------

export const PLAN_SCOPES = ["mine", "all"] as const;
export type PlanScopeFilter = (typeof PLAN_SCOPES)[number];
export const PLAN_STATUS_FILTERS = ["active", "all"] as const;
export type PlanStatusFilter = (typeof PLAN_STATUS_FILTERS)[number];

/** A plan as a list of plans shows it, on `coaching_plans` joined to `users as m` (its mentor). */
const PLAN_LIST_COLUMNS = [
  "coaching_plans.id",
  "coaching_plans.goal",
  "coaching_plans.status",
  "coaching_plans.started_on",
  "coaching_plans.target_on",
  "m.name as mentor_name",
] as const;

/**
 * The plans the viewer can see, one row each with the facts the list shows, in one query. Ordered
 * by the candidate's name: never by anything about how the person is doing.
 */
export async function listPlans(
  db: DB,
  {
    viewer,
    scope,
    status,
    today,
  }: { viewer: Viewer; scope: PlanScopeFilter; status: PlanStatusFilter; today: string },
) {
  let query = db
    .selectFrom("coaching_plans")
    .innerJoin("candidates", "candidates.id", "coaching_plans.candidate_id")
    .innerJoin("users as m", "m.id", "coaching_plans.mentor_id");
  // A plan's current mentor may always see it (planVisibleTo says so), so "mine" needs no other check;
  // without planVisibleTo's OR the planner walks the mentor index instead of hashing every candidate
  // (5.3 ms → 0.6 ms at 10,000 candidates, docs/performance.md).
  if (scope === "mine")
    query = query
      .where("coaching_plans.mentor_id", "=", viewer.id)
      .where(sql<boolean>`${seesPeopleData(viewer)}`);
  else query = query.where(planVisibleTo(viewer));
  if (status === "active") query = query.where("coaching_plans.status", "in", ["active", "paused"]);
  const rows = await query
    .select((eb) => [
      ...PLAN_LIST_COLUMNS,
      "coaching_plans.mentor_id",
      "candidates.id as candidate_id",
      "candidates.name as candidate_name",
      candidateVisibleTo(viewer).as("candidate_visible"),
      ...planFactColumns(eb, today),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_actions as a")
          .select(["a.title", "a.due_on"])
          .whereRef("a.plan_id", "=", "coaching_plans.id")
          .where("a.done_on", "is", null)
          .where("a.due_on", "is not", null)
          .orderBy("a.due_on")
          .orderBy("a.position")
          .limit(1),
      ).as("next_action"),
      eb
        .selectFrom("coaching_plan_flags as pf")
        .innerJoin("flags as f", "f.id", "pf.flag_id")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("pf.plan_id", "=", "coaching_plans.id")
        .where("f.status", "in", OPEN_FLAG)
        .$asScalar()
        .$castTo<number>()
        .as("open_flags"),
    ])
    .orderBy("candidates.name")
    .orderBy("coaching_plans.started_on", "desc")
    .orderBy("coaching_plans.id")
    .execute();
  return rows.map((r) => {
    const facts = toFacts(r);
    const next = r.next_action[0] ?? null;
    return {
      id: r.id,
      goal: r.goal,
      status: r.status,
      startedOn: r.started_on,
      targetOn: r.target_on,
      mentorId: r.mentor_id,
      mentorName: r.mentor_name,
      candidateId: r.candidate_id,
      candidateName: r.candidate_name,
      candidateVisible: Boolean(r.candidate_visible),
      nextAction: next ? { title: next.title, dueOn: next.due_on as string } : null,
      lastCheckinOn: facts.lastCheckinOn,
      daysSinceCheckin: facts.lastCheckinOn ? daysBetween(facts.lastCheckinOn, today) : null,
      overdueActions: facts.overdueActions,
      openFlags: Number(r.open_flags ?? 0),
      nudges: planNudges(facts, today),
      firstCheckinDueOn: firstCheckinDueOn(facts),
    };
  });
}

// ---- Form input ------------------------------------------------------------------------------------

/** Plan dates may fall anywhere in 2000–2100, and say so in one message either side. */
const BETWEEN = { tooEarly: "Use a date between 2000 and 2100." };
const optionalPlanDay = (what: string) => optionalDay(what, BETWEEN);

/** Focus dimensions: at least one. */
const focusDimensions = () =>
  idList("Choose dimensions from the list.", 50).refine(
    (ids) => ids.length > 0,
    "Choose at least one focus dimension.",
  );

export function NewPlanSchema(today: string) {
  return z
    .object({
      mentorId: id("Choose the mentor."),
      goal: text("Write the goal: what should be different at the end of the plan?"),
      dimensionIds: focusDimensions(),
      flagIds: idList("Choose flags from the list.", 50),
      startedOn: day("the start date", BETWEEN),
      targetOn: optionalPlanDay("the target date"),
      idempotencyKey: IdempotencyKeySchema,
    })
    .refine((v) => v.targetOn === null || v.targetOn >= v.startedOn, {
      path: ["targetOn"],
      message: "The target date cannot be before the start date.",
    })
    .refine((v) => v.startedOn <= addDays(today, 366), {
      path: ["startedOn"],
      message: "Start the plan within the next year.",
    });
}

/** The SBI text of an observation made from the plan page (the closing one takes its date from the completion). */
function observationTextFields() {
  return {
    situation: optionalText(),
    behavior: text("Describe what the person did: a concrete, observable behaviour."),
    impact: optionalText(),
    signal: z.enum(SIGNALS, { error: "Choose strength, concern or context." }),
    dimensionIds: focusDimensions(),
  };
}

/** Every form on the plan page, told apart by `intent`. */
export function PlanActionSchema(today: string) {
  const statusChange = (intent: "pause" | "resume" | "abandon") =>
    z.object({
      intent: z.literal(intent),
      version,
      changedOn: pastDaySchema(today, "the date of the change"),
      reason: text("Say why.", 2000),
    });
  return z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("add-action"),
      title: text("Write the action.", 500),
      dueOn: optionalPlanDay("the due date"),
      idempotencyKey: IdempotencyKeySchema,
    }),
    z.object({
      intent: z.literal("edit-action"),
      actionId: id("Reload the page and try again."),
      version,
      title: text("Write the action.", 500),
      dueOn: optionalPlanDay("the due date"),
    }),
    z.object({ intent: z.literal("tick-action"), actionId: id("Reload the page and try again.") }),
    z.object({
      intent: z.literal("untick-action"),
      actionId: id("Reload the page and try again."),
    }),
    z.object({
      intent: z.literal("move-action"),
      actionId: id("Reload the page and try again."),
      direction: z.enum(["up", "down"], { error: "Reload the page and try again." }),
    }),
    z
      .object({
        intent: z.literal("checkin"),
        heldOn: pastDaySchema(today, "the day you met"),
        notes: text("Write what you talked about and agreed."),
        nextOn: optionalPlanDay("the next check-in date"),
        idempotencyKey: IdempotencyKeySchema,
      })
      .refine((v) => v.nextOn === null || v.nextOn >= v.heldOn, {
        path: ["nextOn"],
        message: "The next check-in cannot be before this one.",
      }),
    z.object({
      intent: z.literal("resolve-flag"),
      flagId: id("Reload the page and try again."),
      version,
      note: text("Say how it was resolved.", 2000),
    }),
    z.object({
      intent: z.literal("observation"),
      ...observationTextFields(),
      observedOn: pastDaySchema(today, "the day you saw it"),
      idempotencyKey: IdempotencyKeySchema,
    }),
    z.object({
      intent: z.literal("edit-plan"),
      version,
      goal: text("Write the goal: what should be different at the end of the plan?"),
      targetOn: optionalPlanDay("the target date"),
      dimensionIds: focusDimensions(),
      mentorId: id("Choose the mentor."),
      mentorReason: optionalText(),
    }),
    statusChange("pause"),
    statusChange("resume"),
    statusChange("abandon"),
    z.object({
      intent: z.literal("complete"),
      version,
      changedOn: pastDaySchema(today, "the date of the change"),
      reason: text("Say why the plan ends here.", 2000),
      ...observationTextFields(),
      idempotencyKey: IdempotencyKeySchema,
    }),
  ]);
}

export type PlanAction = z.infer<ReturnType<typeof PlanActionSchema>>;

/** Changes to the plan itself and to its status, posted to the plan's edit page; the rest go to the plan page. */
const EDIT_PAGE_INTENTS: ReadonlySet<string> = new Set([
  "edit-plan",
  "pause",
  "resume",
  "abandon",
  "complete",
]);
export type PlanEditAction = Extract<
  PlanAction,
  { intent: "edit-plan" | "pause" | "resume" | "abandon" | "complete" }
>;
export const isPlanEditAction = (input: PlanAction): input is PlanEditAction =>
  EDIT_PAGE_INTENTS.has(input.intent);

export async function planInputErrors(
  db: DB,
  input: { dimensionIds?: string[]; mentorId?: string },
) {
  const fieldErrors: Record<string, string[]> = {};
  if (input.dimensionIds) {
    const active = new Set(await findActiveDimensionIds(db, input.dimensionIds));
    if (input.dimensionIds.some((id) => !active.has(id)))
      fieldErrors.dimensionIds = ["Choose dimensions from the list."];
  }
  if (input.mentorId && !(await mentorIsEligible(db, input.mentorId))) {
    fieldErrors.mentorId = ["Choose a mentor from the list: an active leader, manager or mentor."];
  }
  return fieldErrors;
}

/** Every plan of one candidate with the facts its manager wants at a glance, in one query. */
export async function listCandidatePlans(
  db: DB,
  { candidateId, today }: { candidateId: string; today: string },
) {
  const rows = await db
    .selectFrom("coaching_plans")
    .innerJoin("candidates", "candidates.id", "coaching_plans.candidate_id")
    .innerJoin("users as m", "m.id", "coaching_plans.mentor_id")
    .select((eb) => [
      ...PLAN_LIST_COLUMNS,
      eb
        .selectFrom("coaching_actions as a")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("a.plan_id", "=", "coaching_plans.id")
        .where("a.done_on", "is", null)
        .$asScalar()
        .$castTo<number>()
        .as("open_actions"),
      ...planFactColumns(eb, today),
    ])
    .where("coaching_plans.candidate_id", "=", candidateId)
    .orderBy("coaching_plans.started_on", "desc")
    .orderBy("coaching_plans.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    goal: r.goal,
    status: r.status,
    startedOn: r.started_on,
    targetOn: r.target_on,
    mentorName: r.mentor_name,
    openActions: Number(r.open_actions ?? 0),
    lastCheckinOn: r.last_checkin_on,
    nudges: planNudges(toFacts(r), today),
  }));
}
