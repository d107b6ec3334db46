/**
 * Who may see and change what — the one place that decides (docs/security.md §1 lists the tests).
 *
 * A candidate's circle: their manager, whoever nominated them, the mentors of their active or paused
 * coaching plans, and observers added explicitly. Leaders see every candidate. An admin-only account
 * sees no people data. Anyone else gets 404 — the same answer as for a candidate that does not exist.
 */
import { forbidden, notFound } from "../utils/http.server";
import { isUuid } from "../utils/fields";
import { type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Database, Role } from "../../db/schema";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { requireUser, type SessionUser } from "./session.server";

export interface Viewer {
  id: string;
  roles: readonly Role[];
}

export interface CircleFacts {
  managerId: string;
  nominatedBy: string;
  observerIds: readonly string[];
  /** Mentors of the candidate's active or paused coaching plans. */
  activeMentorIds: readonly string[];
}

export const PEOPLE_ROLES: readonly Role[] = ["leader", "manager", "mentor"];

export function seesPeopleData(viewer: Viewer): boolean {
  return viewer.roles.some((r) => PEOPLE_ROLES.includes(r));
}

export function isLeader(viewer: Viewer): boolean {
  return viewer.roles.includes("leader");
}

export function isInCircle(viewer: Viewer, facts: CircleFacts): boolean {
  return (
    facts.managerId === viewer.id ||
    facts.nominatedBy === viewer.id ||
    facts.observerIds.includes(viewer.id) ||
    facts.activeMentorIds.includes(viewer.id)
  );
}

/** May see the candidate's record at all. */
export function canViewCandidate(viewer: Viewer, facts: CircleFacts): boolean {
  if (!seesPeopleData(viewer)) return false;
  return isLeader(viewer) || isInCircle(viewer, facts);
}

/** May edit details, move stages, manage observers, start plans, export: their manager or a leader. */
export function canManageCandidate(viewer: Viewer, facts: Pick<CircleFacts, "managerId">): boolean {
  if (!seesPeopleData(viewer)) return false;
  return isLeader(viewer) || (facts.managerId === viewer.id && viewer.roles.includes("manager"));
}

/**
 * The same rule as canViewCandidate, as SQL over `candidates`, for lists and lookups. The circle is a
 * set of ids computed once per statement from the viewer's own rows (manager, nominator, observer,
 * active mentor — each an index), then candidates are found by primary key: a list costs the size of
 * the circle, not of the organisation. The OR of the same four conditions, evaluated per candidate,
 * read every candidate (docs/performance.md).
 */
export function candidateVisibleTo(viewer: Viewer): RawBuilder<SqlBool> {
  if (!seesPeopleData(viewer)) return sql<SqlBool>`false`;
  if (isLeader(viewer)) return sql<SqlBool>`true`;
  const v = viewer.id;
  return sql<SqlBool>`candidates.id = any(array(
    select id from candidates where manager_id = ${v}
    union all select id from candidates where nominated_by = ${v}
    union all select candidate_id from candidate_observers where user_id = ${v}
    union all select candidate_id from coaching_plans where mentor_id = ${v} and status in ('active', 'paused')))`;
}

export { isUuid };

type Ctx = Pick<AppContext, "db" | "requestId">;

interface Denial {
  action: string;
  entity: string;
  entityId: string | null;
  details?: Record<string, unknown>;
}

function auditDenial(ctx: Ctx, viewer: Viewer | null, denial: Denial) {
  return audit(ctx.db, {
    actorId: viewer?.id ?? null,
    ...denial,
    outcome: "denied",
    requestId: ctx.requestId,
  });
}

/** Audits the denial, then returns the 404 to throw. */
export async function denyAsNotFound(
  ctx: Ctx,
  viewer: Viewer | null,
  entity: string,
  entityId: string | undefined,
) {
  await auditDenial(ctx, viewer, {
    action: `${entity}.view`,
    entity,
    entityId: isUuid(entityId) ? entityId : null,
  });
  return notFound();
}

/** Audits the denial, then returns the 403 to throw (for people who may see a record but not change it). */
export async function denyAsForbidden(
  ctx: Ctx,
  viewer: Viewer,
  action: string,
  entity: string,
  entityId?: string,
) {
  await auditDenial(ctx, viewer, { action, entity, entityId: entityId ?? null });
  return forbidden("You may see this record but not make this change.");
}

/** The signed-in user if they hold one of the roles; anyone else signed in gets an audited 403. */
export async function requireRole(
  ctx: Ctx & Pick<AppContext, "env" | "now">,
  request: Request,
  roles: readonly Role[],
): Promise<SessionUser> {
  const user = await requireUser(ctx, request);
  if (!roles.some((r) => user.roles.includes(r))) {
    const entityId = new URL(request.url).pathname;
    await auditDenial(ctx, user, {
      action: "access.denied",
      entity: "route",
      entityId,
      details: { needs: roles },
    });
    throw forbidden("You do not have access to this page.");
  }
  return user;
}

/**
 * Loads the circle facts of a visible candidate, or throws an audited 404; `mayManage` says whether
 * the viewer may also manage them. With `manage`, someone who may only see them gets an audited 403.
 * The visibility test runs in SQL so a candidate outside the circle is never read into memory.
 */
export async function requireCandidateAccess(
  ctx: Ctx,
  viewer: Viewer,
  candidateId: string | undefined,
  { manage = false }: { manage?: boolean } = {},
) {
  if (!isUuid(candidateId) || !seesPeopleData(viewer))
    throw await denyAsNotFound(ctx, viewer, "candidate", candidateId);
  const row = await ctx.db
    .selectFrom("candidates")
    .select([
      "candidates.id",
      "candidates.name",
      "candidates.manager_id",
      "candidates.nominated_by",
    ])
    .where("candidates.id", "=", candidateId)
    .where(candidateVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw await denyAsNotFound(ctx, viewer, "candidate", candidateId);
  const mayManage = canManageCandidate(viewer, { managerId: row.manager_id });
  if (manage && !mayManage)
    throw await denyAsForbidden(ctx, viewer, "candidate.manage", "candidate", candidateId);
  return { ...row, mayManage };
}

// ---- Coaching plans -------------------------------------------------------------------------------

/**
 * The plans a viewer may read, as SQL over `coaching_plans` joined to `candidates`: every plan of a
 * candidate they can see (the circle reads the plan), the plan they mentor now, and any plan they
 * mentored before — a replaced or finished mentor keeps read access to the plans they ran, though
 * they leave the candidate's circle.
 */
export function planVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, "coaching_plans" | "candidates">) => {
    if (!seesPeopleData(viewer)) return eb.val(false);
    if (isLeader(viewer)) return eb.val(true);
    return eb.or([
      candidateVisibleTo(viewer),
      eb("coaching_plans.mentor_id", "=", viewer.id),
      eb.exists(
        eb
          .selectFrom("coaching_plan_changes as pc")
          .select("pc.id")
          .whereRef("pc.plan_id", "=", "coaching_plans.id")
          .where((w) =>
            w.or([w("pc.from_mentor_id", "=", viewer.id), w("pc.to_mentor_id", "=", viewer.id)]),
          ),
      ),
    ]);
  };
}

export interface PlanFacts {
  mentorId: string;
  managerId: string;
}

/** May change a plan (actions, check-ins, status, details): its current mentor, the candidate's manager, a leader. */
export function canEditPlan(viewer: Viewer, plan: PlanFacts): boolean {
  if (!seesPeopleData(viewer)) return false;
  return (
    isLeader(viewer) ||
    plan.mentorId === viewer.id ||
    (plan.managerId === viewer.id && viewer.roles.includes("manager"))
  );
}

/**
 * Loads a plan the viewer may see, or throws an audited 404 (the same answer as for a plan that does
 * not exist). With `edit`, someone who may only read it gets an audited 403. `candidateVisible` says
 * whether the viewer may also open the candidate's record (a past mentor may not).
 */
export async function requirePlanAccess(
  ctx: Ctx,
  viewer: Viewer,
  planId: string | undefined,
  { edit = false }: { edit?: boolean } = {},
) {
  if (!isUuid(planId) || !seesPeopleData(viewer))
    throw await denyAsNotFound(ctx, viewer, "coaching_plan", planId);
  const row = await ctx.db
    .selectFrom("coaching_plans")
    .innerJoin("candidates", "candidates.id", "coaching_plans.candidate_id")
    .select([
      "coaching_plans.id",
      "coaching_plans.candidate_id",
      "coaching_plans.mentor_id",
      "coaching_plans.status",
      "coaching_plans.version",
      "candidates.manager_id",
      candidateVisibleTo(viewer).as("candidate_visible"),
    ])
    .where("coaching_plans.id", "=", planId)
    .where(planVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw await denyAsNotFound(ctx, viewer, "coaching_plan", planId);
  const mayEdit = canEditPlan(viewer, { mentorId: row.mentor_id, managerId: row.manager_id });
  if (edit && !mayEdit)
    throw await denyAsForbidden(ctx, viewer, "coaching_plan.update", "coaching_plan", planId);
  return { ...row, candidate_visible: Boolean(row.candidate_visible), mayEdit };
}

// ---- People in the directory ------------------------------------------------------------------------
// Everyone leading (leader, manager, mentor) reads the directory's facts about anyone: name, work email,
// title, team, manager, active or left. Admins keep the directory, so they read those facts too, and
// nothing more. What is recorded about a person who is not a candidate (the sniff tests offered to
// them) is for their circle: leaders, everyone above them in the manager chain, whoever offered them a
// test; once nominated, the candidate's circle only. Outside it a person is directory facts only.

/** May read the directory's facts. */
export function seesDirectory(viewer: Viewer): boolean {
  return seesPeopleData(viewer) || viewer.roles.includes("admin");
}

/**
 * A person's circle as SQL over `people`. Someone nominated has the candidate's circle, nothing else:
 * their record (the sniff tests included) is the candidate's, and being above them in the directory or
 * having offered them a test does not open it. Someone not nominated: leaders, everyone above them in
 * the manager chain, whoever offered them a test. The ids are computed once per statement from the
 * viewer's own rows, as candidateVisibleTo does.
 */
export function personInCircleOf(viewer: Viewer): RawBuilder<SqlBool> {
  if (!seesPeopleData(viewer)) return sql<SqlBool>`false`;
  if (isLeader(viewer)) return sql<SqlBool>`true`;
  const v = viewer.id;
  return sql<SqlBool>`(people.id = any(array(
      select person_id from candidates where ${candidateVisibleTo(viewer)}))
    or (not exists (select 1 from candidates nominated where nominated.person_id = people.id)
      and people.id = any(array(
        with recursive below(id) as (
          select p.id from people p join people me on p.manager_id = me.id where me.user_id = ${v}
          union select p.id from people p join below on p.manager_id = below.id)
        select id from below
        union all select person_id from sniff_test_assignments where assigned_by = ${v}))))`;
}

/** May nominate someone from the directory: anyone leading (leader, manager, mentor). */
export function mayNominate(viewer: Viewer): boolean {
  return seesPeopleData(viewer);
}

/**
 * The person's id when the viewer may read the directory and the person exists; otherwise an audited
 * 404, the same answer as for a person who does not exist.
 */
export async function requirePerson(ctx: Ctx, viewer: Viewer, personId: string | undefined) {
  if (!isUuid(personId) || !seesDirectory(viewer))
    throw await denyAsNotFound(ctx, viewer, "person", personId);
  const row = await ctx.db
    .selectFrom("people")
    .select("people.id")
    .where("people.id", "=", personId)
    .executeTakeFirst();
  if (!row) throw await denyAsNotFound(ctx, viewer, "person", personId);
  return row;
}

// ---- Calibration meetings ----------------------------------------------------------------------------
// A meeting's packets show candidates to its attendees even outside their circle: that is what a
// packet is for, and it is only reachable through the meeting's own pages. That access ends when the
// meeting closes; leaders keep it (they see every candidate anyway).

interface MeetingPeople {
  facilitator_id: string;
  attendees: readonly { id: string }[];
}

/** Leaders see every meeting; anyone else with a people role sees those they facilitate or attend. */
export function meetingVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, "calibration_meetings">) => {
    if (!seesPeopleData(viewer)) return eb.val(false);
    if (isLeader(viewer)) return eb.val(true);
    return eb.or([
      eb("calibration_meetings.facilitator_id", "=", viewer.id),
      eb.exists(
        eb
          .selectFrom("calibration_attendees as a")
          .select("a.user_id")
          .whereRef("a.meeting_id", "=", "calibration_meetings.id")
          .where("a.user_id", "=", viewer.id),
      ),
    ]);
  };
}

export function isFacilitator(viewer: Viewer, meeting: { facilitator_id: string }) {
  return meeting.facilitator_id === viewer.id;
}

export function isAttendee(viewer: Viewer, meeting: MeetingPeople) {
  return meeting.facilitator_id === viewer.id || meeting.attendees.some((a) => a.id === viewer.id);
}

/** Whether the meeting itself shows its candidates to the viewer; when not, the candidate's circle decides. */
export function meetingOpensPackets(viewer: Viewer, meeting: MeetingPeople & { status: string }) {
  return isLeader(viewer) || (isAttendee(viewer, meeting) && meeting.status !== "closed");
}

/** Records decisions: the facilitator, or any leader attending. */
export function canDecide(viewer: Viewer, meeting: MeetingPeople) {
  return isFacilitator(viewer, meeting) || (isLeader(viewer) && isAttendee(viewer, meeting));
}

// ---- Readiness roles and the process report (issue 22) ----------------------------------------------
// A role (team, title, when) is not about a person, so everyone leading reads the list and a role's
// page; who was judged ready for it is filtered by the candidate's circle (leaders: everyone). Leaders
// keep the list. The process report is about how meetings ran, never about a person: leaders only.

/** May read the roles and a role's page (its people filtered by their circle). */
export function seesReadinessRoles(viewer: Viewer): boolean {
  return seesPeopleData(viewer);
}

/** May add, archive and restore roles. */
export function canManageReadinessRoles(viewer: Viewer): boolean {
  return isLeader(viewer);
}

/** May read the process report. */
export function seesProcessReport(viewer: Viewer): boolean {
  return isLeader(viewer);
}
