import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import { jsonArrayFrom, jsonBuildObject } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import { z } from "zod";
import { type Database, type Role, STAGES, type Stage, TRACKS, type Track } from "../../db/schema";
import { candidateVisibleTo, isLeader, personInCircleOf, type Viewer } from "../auth/policy.server";
import { id, optionalText, text } from "../utils/fields";
import { addDays, daysBetween } from "../utils/dates";
import { nudgeGraceWindow, RECENT_EVIDENCE_DAYS } from "./evidence.server";

export const PAGE_SIZE = 25;
export const NUDGES = [
  "single_observer",
  "no_recent_evidence",
  "undiscussed_flag",
  "unobserved_dimension",
] as const;
export type Nudge = (typeof NUDGES)[number];
export const SORTS = ["name", "stage"] as const;
export type CandidateSort = (typeof SORTS)[number];
const PEOPLE_ROLES: readonly Role[] = ["leader", "manager", "mentor"];

export interface CandidateFilters {
  stage?: Stage;
  team?: string;
  track?: Track;
  managerId?: string;
  /** Part of the manager's name, when there are too many managers for a select. */
  managerName?: string;
  nudge?: Nudge;
  q?: string;
  showArchived?: boolean;
  sort?: CandidateSort;
}

/** The profile header: who the person is, where they are in the pipeline, and who is around them. */
export async function getCandidateHeader(db: DB, id: string) {
  return db
    .selectFrom("candidates")
    .innerJoin("users as manager", "manager.id", "candidates.manager_id")
    .innerJoin("users as nominator", "nominator.id", "candidates.nominated_by")
    .select((eb) => [
      "candidates.id",
      "candidates.name",
      "candidates.title",
      "candidates.team",
      "candidates.track",
      "candidates.stage",
      "candidates.stage_changed_at",
      "candidates.revisit_on",
      "candidates.archived_at",
      "candidates.nominated_reason",
      // The day of the nomination: the day the record was made, as for the nudges' grace period
      // (evidence.server.ts) and the calibration packet.
      sql<string>`(candidates.created_at at time zone 'UTC')::date::text`.as("nominated_on"),
      "candidates.version",
      jsonBuildObject({ id: eb.ref("manager.id"), name: eb.ref("manager.name") }).as("manager"),
      jsonBuildObject({ id: eb.ref("nominator.id"), name: eb.ref("nominator.name") }).as(
        "nominated_by",
      ),
      jsonArrayFrom(
        eb
          .selectFrom("coaching_plans")
          .innerJoin("users", "users.id", "coaching_plans.mentor_id")
          .select(["users.id", "users.name"])
          .distinct()
          .whereRef("coaching_plans.candidate_id", "=", "candidates.id")
          .where("coaching_plans.status", "in", ["active", "paused"])
          .orderBy("users.name")
          .orderBy("users.id"),
      ).as("mentors"),
    ])
    .where("candidates.id", "=", id)
    .executeTakeFirst();
}
export type CandidateHeader = NonNullable<Awaited<ReturnType<typeof getCandidateHeader>>>;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** Observations that still count as evidence (a retracted one does not). */
function liveObservations(eb: ExpressionBuilder<Database, "candidates">) {
  return eb
    .selectFrom("observations")
    .whereRef("observations.candidate_id", "=", "candidates.id")
    .where("observations.retracted_at", "is", null);
}

/** Nominated long enough ago (or, impossibly, after today) for the evidence nudges: as computeNudges. */
function pastNudgeGrace(today: string) {
  const { from, to } = nudgeGraceWindow(today);
  return sql<SqlBool>`not ((candidates.created_at at time zone 'UTC')::date between ${from}::date and ${to}::date)`;
}

function nudgeCondition(
  eb: ExpressionBuilder<Database, "candidates">,
  nudge: Nudge,
  today: string,
): Expression<SqlBool> {
  switch (nudge) {
    case "single_observer":
      return eb.and([
        pastNudgeGrace(today),
        eb(
          liveObservations(eb).select((e) =>
            e.fn.count<number>("observations.author_id").distinct().as("n"),
          ),
          "<",
          2,
        ),
      ]);
    case "no_recent_evidence":
      return eb.and([
        pastNudgeGrace(today),
        eb.not(
          eb.exists(
            liveObservations(eb)
              .select("observations.id")
              .where("observations.observed_on", ">=", addDays(today, -RECENT_EVIDENCE_DAYS)),
          ),
        ),
      ]);
    case "undiscussed_flag":
      return eb.exists(
        eb
          .selectFrom("flags")
          .select("flags.id")
          .whereRef("flags.candidate_id", "=", "candidates.id")
          .where("flags.status", "in", ["open", "addressing"])
          .where("flags.discussed_with_candidate_on", "is", null),
      );
    case "unobserved_dimension":
      return eb.exists(
        eb
          .selectFrom("dimensions")
          .select("dimensions.id")
          .where("dimensions.archived_at", "is", null)
          .where((d) =>
            d.not(
              d.exists(
                d
                  .selectFrom("evidence_coverage")
                  .select("evidence_coverage.author_id")
                  .whereRef("evidence_coverage.candidate_id", "=", "candidates.id")
                  .whereRef("evidence_coverage.dimension_id", "=", "dimensions.id"),
              ),
            ),
          ),
      );
  }
}

function listWhere(viewer: Viewer, filters: CandidateFilters, today: string) {
  return (eb: ExpressionBuilder<Database, "candidates">) => {
    const conditions: Expression<SqlBool>[] = [candidateVisibleTo(viewer)];
    if (filters.stage) conditions.push(eb("candidates.stage", "=", filters.stage));
    else if (!filters.showArchived) conditions.push(eb("candidates.archived_at", "is", null));
    if (filters.team) conditions.push(eb("candidates.team", "=", filters.team));
    if (filters.track) conditions.push(eb("candidates.track", "=", filters.track));
    if (filters.managerId) conditions.push(eb("candidates.manager_id", "=", filters.managerId));
    if (filters.managerName) {
      const pattern = `%${escapeLike(filters.managerName)}%`;
      conditions.push(
        eb.exists(
          eb
            .selectFrom("users as mf")
            .select("mf.id")
            .whereRef("mf.id", "=", "candidates.manager_id")
            .where("mf.name", "ilike", pattern),
        ),
      );
    }
    if (filters.q) conditions.push(eb("candidates.name", "ilike", `%${escapeLike(filters.q)}%`));
    if (filters.nudge) conditions.push(nudgeCondition(eb, filters.nudge, today));
    return eb.and(conditions);
  };
}

// Pipeline order, never anything about the person.
const STAGE_ORDER = sql<number>`array_position(array[${sql.join(STAGES.map((s) => sql.lit(s)))}]::text[], candidates.stage)`;

/** A candidate as the list shows them, on `candidates` joined to `users as manager`. */
const CANDIDATE_LIST_COLUMNS = [
  "candidates.id",
  "candidates.name",
  "candidates.title",
  "candidates.team",
  "candidates.track",
  "candidates.stage",
  "candidates.stage_changed_at",
  "candidates.manager_id",
  "manager.name as manager_name",
] as const;

/** One page of the candidates the viewer may see, with the manager's name joined in (no N+1). */
export async function listCandidates(
  db: DB,
  {
    viewer,
    filters,
    page,
    today,
  }: { viewer: Viewer; filters: CandidateFilters; page: number; today: string },
) {
  let query = db
    .selectFrom("candidates")
    .innerJoin("users as manager", "manager.id", "candidates.manager_id")
    .select(CANDIDATE_LIST_COLUMNS)
    .where(listWhere(viewer, filters, today));
  if (filters.sort === "stage") query = query.orderBy(STAGE_ORDER);
  const rows = await query
    .orderBy(sql`lower(candidates.name)`)
    .orderBy("candidates.id")
    .limit(PAGE_SIZE)
    .offset((Math.max(1, page) - 1) * PAGE_SIZE)
    .execute();
  return rows.map((row) => ({
    ...row,
    days_in_stage: Math.max(0, daysBetween(new Date(row.stage_changed_at), today)),
  }));
}

export async function countCandidates(
  db: DB,
  { viewer, filters, today }: { viewer: Viewer; filters: CandidateFilters; today: string },
) {
  const row = await db
    .selectFrom("candidates")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(listWhere(viewer, filters, today))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the viewer can see any candidate at all, for the empty state. */
export async function hasAnyCandidate(db: DB, { viewer }: { viewer: Viewer }) {
  const row = await db
    .selectFrom("candidates")
    .select("candidates.id")
    .where(candidateVisibleTo(viewer))
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

/** Teams of the candidates the viewer may see, for the filter select. */
export async function listTeams(db: DB, viewer: Viewer) {
  if (isLeader(viewer)) return listAllTeams(db, { activeOnly: false });
  const rows = await db
    .selectFrom("candidates")
    .select("candidates.team")
    .distinct()
    .where("candidates.team", "<>", "")
    .where(candidateVisibleTo(viewer))
    .orderBy("candidates.team")
    .execute();
  return rows.map((r) => r.team);
}

/**
 * Every team name in order, one index probe per team (a skip scan written as a recursive query):
 * SELECT DISTINCT read every candidate, so its cost grew with the organisation. `activeOnly` leaves out
 * archived candidates (the pipeline's filter).
 */
export async function listAllTeams(db: DB, { activeOnly }: { activeOnly: boolean }) {
  const active = activeOnly ? sql`and c.archived_at is null` : sql``;
  const { rows } = await sql<{ team: string }>`with recursive t(team) as (
      (select c.team from candidates c where c.team > '' ${active} order by c.team limit 1)
      union all
      select (select c.team from candidates c where c.team > t.team ${active} order by c.team limit 1) from t where t.team is not null
    ) select team from t where team is not null`.execute(db);
  return rows.map((r) => r.team);
}

/** Active accounts that can see people data: who may be added as an observer. */
export async function listPeopleUsers(db: DB) {
  return db
    .selectFrom("users")
    .select(["id", "name", "roles"])
    .where("disabled_at", "is", null)
    .where((eb) => eb.or(PEOPLE_ROLES.map((r) => eb(eb.val(r), "=", eb.fn.any("roles")))))
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** Whether the id names an active account holding one of the roles. */
export async function isActiveUserWithRole(
  db: DB,
  { userId, roles }: { userId: string; roles: readonly Role[] },
) {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("id", "=", userId)
    .where("disabled_at", "is", null)
    .where((eb) => eb.or(roles.map((r) => eb(eb.val(r), "=", eb.fn.any("roles")))))
    .executeTakeFirst();
  return Boolean(row);
}

/** The candidate created with this form key, if any, who nominated them, and which person they are. */
export async function findCandidateByIdempotencyKey(db: DB, key: string) {
  return db
    .selectFrom("candidates")
    .select(["id", "nominated_by", "person_id"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

export interface CandidateDetails {
  name: string;
  email: string | null;
  title: string;
  team: string;
  track: Track;
  managerId: string;
  nominatedReason: string;
}

/**
 * A new candidate at 'spotted' and the first row of their stage history. Run inside a transaction.
 * With `personId` the candidate is that person of the directory: the database copies their name,
 * address, title and team into the record (whatever `details` says) and moves the sniff tests offered
 * to them earlier into it. Without it, the database joins the person with the address, or makes one.
 */
export async function createCandidate(
  trx: DB,
  {
    details,
    personId,
    nominatedBy,
    idempotencyKey,
    now,
  }: {
    details: CandidateDetails;
    personId?: string;
    nominatedBy: string;
    idempotencyKey: string;
    now: Date;
  },
) {
  const { id, person_id } = await trx
    .insertInto("candidates")
    .values({
      ...(personId ? { person_id: personId } : {}),
      name: details.name,
      email: details.email,
      title: details.title,
      team: details.team,
      track: details.track,
      manager_id: details.managerId,
      nominated_by: nominatedBy,
      nominated_reason: details.nominatedReason,
      stage: "spotted",
      stage_changed_at: now,
      idempotency_key: idempotencyKey,
    })
    .returning(["id", "person_id"])
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("stage_changes")
    .values({
      candidate_id: id,
      from_stage: null,
      to_stage: "spotted",
      changed_by: nominatedBy,
      reason: "Nominated",
      created_at: now,
    })
    .execute();
  return { id, person_id, nominated_by: nominatedBy, created: true };
}

// ---- Nominating a person of the directory -------------------------------------------------------------

/**
 * A person of the directory as a nomination needs them: their facts, whether they left, their record
 * if they are a candidate already (and whether the viewer may open it), and the account of their
 * directory manager when that account is an active manager (the form's default manager).
 */
export async function getPersonForNomination(
  db: DB,
  { personId, viewer }: { personId: string; viewer: Viewer },
) {
  return db
    .selectFrom("people")
    .leftJoin("candidates", "candidates.person_id", "people.id")
    .leftJoin("people as boss", "boss.id", "people.manager_id")
    .leftJoin("users as boss_user", (join) =>
      join
        .onRef("boss_user.id", "=", "boss.user_id")
        .on("boss_user.disabled_at", "is", null)
        .on(sql<SqlBool>`'manager' = any(boss_user.roles)`),
    )
    .select([
      "people.id",
      "people.name",
      "people.email",
      "people.title",
      "people.team",
      "people.left_on",
      "candidates.id as candidate_id",
      sql<boolean>`candidates.id is not null and ${candidateVisibleTo(viewer)}`.as(
        "candidate_visible",
      ),
      "boss_user.id as manager_user_id",
    ])
    .where("people.id", "=", personId)
    .executeTakeFirst();
}
export type PersonForNomination = NonNullable<Awaited<ReturnType<typeof getPersonForNomination>>>;

/**
 * A sniff test of this person, closed as completed or not completed, that the viewer may see (they
 * offered it, or the person is in their circle), with what a debrief needs: the test's dimension and
 * the note left when it closed. Undefined otherwise.
 */
export async function getClosedAssignmentForNomination(
  db: DB,
  { assignmentId, personId, viewer }: { assignmentId: string; personId: string; viewer: Viewer },
) {
  return db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("people", "people.id", "a.person_id")
    .innerJoin("sniff_test_revisions as r", "r.id", "a.sniff_test_revision_id")
    .select((eb) => [
      "a.id",
      "a.status",
      "a.offered_on",
      "a.closed_on",
      "a.offering_id",
      "r.title",
      "r.dimension_id",
      eb
        .selectFrom("sniff_test_assignment_events as e")
        .select("e.note")
        .whereRef("e.assignment_id", "=", "a.id")
        .whereRef("e.to_status", "=", "a.status")
        .orderBy("e.created_at", "desc")
        .orderBy("e.id", "desc")
        .limit(1)
        .$asScalar()
        .$castTo<string | null>()
        .as("closing_note"),
    ])
    .where("a.id", "=", assignmentId)
    .where("a.person_id", "=", personId)
    .where("a.status", "in", ["completed", "not_completed"])
    .where((eb) => eb.or([eb("a.assigned_by", "=", viewer.id), personInCircleOf(viewer)]))
    .executeTakeFirst();
}
export type AssignmentForNomination = NonNullable<
  Awaited<ReturnType<typeof getClosedAssignmentForNomination>>
>;

/** Why this person cannot be nominated (they left, or they are in the pipeline already), or null. */
export function nominationRefusal(
  person: Pick<PersonForNomination, "left_on" | "candidate_id">,
): string | null {
  if (person.candidate_id) return "They are already in the pipeline: nothing was saved.";
  if (person.left_on)
    return "They have left the organisation, so they cannot be nominated: nothing was saved.";
  return null;
}

/** A message for the email field when the address belongs to someone who cannot be nominated again. */
export async function nominationEmailError(db: DB, email: string | null): Promise<string | null> {
  if (!email) return null;
  const row = await db
    .selectFrom("people")
    .leftJoin("candidates", "candidates.person_id", "people.id")
    .select(["people.left_on", "candidates.id as candidate_id"])
    .where("people.email", "=", email.toLowerCase())
    .executeTakeFirst();
  if (!row) return null;
  if (row.candidate_id) return "The person with this email address is already in the pipeline.";
  if (row.left_on) return "The person with this email address has left the organisation.";
  return null;
}

/** Whether another person of the directory (not this candidate's) has this address. */
export async function emailTakenByAnotherPerson(
  db: DB,
  { email, candidateId }: { email: string | null; candidateId: string },
) {
  if (!email) return false;
  const row = await db
    .selectFrom("people")
    .select("people.id")
    .where("people.email", "=", email.toLowerCase())
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("candidates")
            .select("candidates.id")
            .whereRef("candidates.person_id", "=", "people.id")
            .where("candidates.id", "=", candidateId),
        ),
      ),
    )
    .executeTakeFirst();
  return Boolean(row);
}

/** A unique violation on the directory's address or on a person's one candidate record (a race the checks above lost). */
export function isPersonTaken(error: unknown): "email" | "candidate" | null {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== "23505") return null;
  const where = `${e.constraint ?? ""} ${e.message ?? ""}`;
  if (where.includes("people_email_key")) return "email";
  if (where.includes("candidates_person_id_key")) return "candidate";
  return null;
}

/** Everything the edit page's forms start from. */
export async function getCandidateForEdit(db: DB, id: string) {
  return db
    .selectFrom("candidates")
    .innerJoin("users as manager", "manager.id", "candidates.manager_id")
    .select([
      ...CANDIDATE_LIST_COLUMNS,
      "candidates.email",
      "candidates.nominated_reason",
      "candidates.revisit_on",
      "candidates.archived_at",
      "candidates.version",
    ])
    .where("candidates.id", "=", id)
    .executeTakeFirst();
}
export type CandidateForEdit = NonNullable<Awaited<ReturnType<typeof getCandidateForEdit>>>;

/** Optimistic update: undefined when the version moved on (someone else edited first). */
export async function updateCandidateDetails(
  trx: DB,
  { id, version, details }: { id: string; version: number; details: CandidateDetails },
) {
  return trx
    .updateTable("candidates")
    .set({
      name: details.name,
      email: details.email,
      title: details.title,
      team: details.team,
      track: details.track,
      manager_id: details.managerId,
      nominated_reason: details.nominatedReason,
      version: sql<number>`version + 1`,
    })
    .where("id", "=", id)
    .where("version", "=", version)
    .returning(["id", "version"])
    .executeTakeFirst();
}

/**
 * Moves the stage and appends the stage_changes row. Undefined when the version moved on. Callers
 * decide whether the move is allowed (see stageMoveRefusal); the database refuses ready/promoted
 * without a calibration decision either way.
 */
export async function moveStage(
  trx: DB,
  {
    id,
    version,
    from,
    to,
    changedBy,
    reason,
    revisitOn = null,
    calibrationDecisionId = null,
    now,
  }: {
    id: string;
    version: number;
    from: Stage;
    to: Stage;
    changedBy: string;
    reason: string;
    revisitOn?: string | null;
    calibrationDecisionId?: string | null;
    now: Date;
  },
) {
  const row = await trx
    .updateTable("candidates")
    .set({
      stage: to,
      stage_changed_at: now,
      revisit_on: to === "paused" ? revisitOn : null,
      archived_at: to === "archived" ? now : null,
      version: sql<number>`version + 1`,
    })
    .where("id", "=", id)
    .where("version", "=", version)
    .where("stage", "=", from)
    .returning(["id", "version"])
    .executeTakeFirst();
  if (!row) return undefined;
  await trx
    .insertInto("stage_changes")
    .values({
      candidate_id: id,
      from_stage: from,
      to_stage: to,
      changed_by: changedBy,
      reason,
      calibration_decision_id: calibrationDecisionId,
      created_at: now,
    })
    .execute();
  return row;
}

/** Why a move made by hand is not allowed, or null when it is. */
export function stageMoveRefusal({
  from,
  to,
  currentOutcome,
  revisitOn,
  today,
}: {
  from: Stage;
  to: Stage;
  currentOutcome: string | null;
  revisitOn: string | null;
  today: string;
}): { field: "to" | "revisitOn"; message: string } | null {
  if (from === to) return { field: "to", message: "The candidate is already at this stage." };
  if (to === "promoted" && from === "ready" && currentOutcome === "ready_now") return null;
  if (to === "ready" || to === "promoted") {
    return {
      field: "to",
      message: "Ready and promoted are reached only through a calibration decision.",
    };
  }
  if (to === "paused") {
    if (!revisitOn)
      return { field: "revisitOn", message: "Choose the date to revisit this pause." };
    if (revisitOn <= today)
      return { field: "revisitOn", message: "The revisit date must be in the future." };
  }
  return null;
}

/** The candidate's current calibration decision: the newest one not superseded. */
export async function getCurrentDecision(db: DB, candidateId: string) {
  return db
    .selectFrom("calibration_decisions")
    .innerJoin("calibration_items", "calibration_items.id", "calibration_decisions.item_id")
    .select([
      "calibration_decisions.id",
      "calibration_decisions.outcome",
      "calibration_decisions.decided_at",
    ])
    .where("calibration_items.candidate_id", "=", candidateId)
    .where("calibration_decisions.superseded_at", "is", null)
    .orderBy("calibration_decisions.decided_at", "desc")
    .orderBy("calibration_decisions.id", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * Where a restore goes back to: the stage the candidate left when last archived, and the decision
 * that once put them there when that stage is reached only through calibration.
 */
export async function getStageBeforeArchive(db: DB, candidateId: string) {
  const last = await db
    .selectFrom("stage_changes")
    .select(["from_stage"])
    .where("candidate_id", "=", candidateId)
    .where("to_stage", "=", "archived")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const stage: Stage =
    last?.from_stage && last.from_stage !== "archived" ? last.from_stage : "spotted";
  if (stage !== "ready" && stage !== "promoted") return { stage, calibrationDecisionId: null };
  const gate = await db
    .selectFrom("stage_changes")
    .select("calibration_decision_id")
    .where("candidate_id", "=", candidateId)
    .where("to_stage", "=", stage)
    .where("calibration_decision_id", "is not", null)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return { stage, calibrationDecisionId: gate?.calibration_decision_id ?? null };
}

/** Stage history, newest first. */
export async function listStageChanges(db: DB, candidateId: string) {
  return db
    .selectFrom("stage_changes")
    .innerJoin("users", "users.id", "stage_changes.changed_by")
    .select([
      "stage_changes.id",
      "stage_changes.from_stage",
      "stage_changes.to_stage",
      "stage_changes.reason",
      "stage_changes.calibration_decision_id",
      "stage_changes.created_at",
      "users.name as changed_by_name",
    ])
    .where("stage_changes.candidate_id", "=", candidateId)
    .orderBy("stage_changes.created_at", "desc")
    .orderBy("stage_changes.id", "desc")
    .execute();
}

export async function listObservers(db: DB, candidateId: string) {
  return db
    .selectFrom("candidate_observers")
    .innerJoin("users", "users.id", "candidate_observers.user_id")
    .select(["users.id", "users.name", "users.disabled_at", "candidate_observers.created_at"])
    .where("candidate_observers.candidate_id", "=", candidateId)
    .orderBy("users.name")
    .orderBy("users.id")
    .execute();
}

/** True when a row was added; false when they were already an observer. */
export async function addObserver(
  trx: DB,
  { candidateId, userId, addedBy }: { candidateId: string; userId: string; addedBy: string },
) {
  const row = await trx
    .insertInto("candidate_observers")
    .values({ candidate_id: candidateId, user_id: userId, added_by: addedBy })
    .onConflict((oc) => oc.columns(["candidate_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  return Boolean(row);
}

/** True when a row was removed. */
export async function removeObserver(
  trx: DB,
  { candidateId, userId }: { candidateId: string; userId: string },
) {
  const row = await trx
    .deleteFrom("candidate_observers")
    .where("candidate_id", "=", candidateId)
    .where("user_id", "=", userId)
    .returning("user_id")
    .executeTakeFirst();
  return Boolean(row);
}

/** What a nominator or manager types about a candidate; the same rules on create and edit. */
export const CandidateDetailsSchema = z.object({
  name: text("Enter the person's name.", 120),
  email: z
    .string()
    .trim()
    .max(254, "That email address is too long.")
    .refine(
      (v) => v === "" || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
      "Enter an email address like name@example.org, or leave it empty.",
    )
    .optional()
    .default(""),
  title: optionalText(120),
  team: optionalText(120),
  track: z.enum(TRACKS, { error: "Choose people leadership or technical leadership." }),
  managerId: id("Choose the person's manager."),
  nominatedReason: text("Say what you saw that made you nominate them."),
});

export function toCandidateDetails(
  input: z.infer<typeof CandidateDetailsSchema>,
): CandidateDetails {
  return {
    name: input.name,
    email: input.email ? input.email.toLowerCase() : null,
    title: input.title,
    team: input.team,
    track: input.track,
    managerId: input.managerId,
    nominatedReason: input.nominatedReason,
  };
}
