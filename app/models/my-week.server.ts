import { type InferResult, type SqlBool, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import { compiledOnce } from "../../db/compiled-once";
import { candidateVisibleTo, isLeader, type Viewer } from "../auth/policy.server";
import { addDays } from "../utils/dates";
import { planFactColumns, planNudges, toFacts } from "./coaching.server";
import { listRoleChanges } from "./user.server";

/** How far back My week shows role changes and mentor handovers. */
export const ROLE_CHANGE_DAYS = 30;

/** How many upcoming calibration meetings My week lists. */
export const UPCOMING_MEETINGS = 5;

// Status lists written into the text, not sent as parameters: a text with `in ($1, $2)` is planned
// afresh on every request (db/client.ts prepares only texts of a fixed shape), and a prepared generic
// plan could not use the partial indexes on open assignments and flags (it read all 15,000 assignments).
function statusIn(column: string, statuses: readonly string[]) {
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(statuses.map((st) => sql.lit(st)))})`;
}

/**
 * The sniff tests due within the week that My week lists: tests the viewer offered to candidates in
 * their circle or that were offered to the candidates they manage, and the open responses of a group
 * offering the viewer made to people not nominated (linked to the offering). The 20 due first.
 */
function dueAssignments(db: DB, viewer: Viewer, weekAhead: string) {
  const v = viewer.id;
  const columns = [
    "a.id",
    "a.due_on",
    "a.status",
    "a.sniff_test_id",
    "a.offering_id",
    "a.candidate_id",
    "a.person_id",
    "a.assigned_by",
  ] as const;
  return (
    db
      // The tests of the manager's people, by their candidates alone (a few dozen, found by index) and
      // kept apart from the date and status filters below: given those, a generic plan read every open
      // assignment due in the organisation.
      .with(
        (w) => w("theirs").materialized(),
        (d) =>
          d
            .selectFrom("sniff_test_assignments as a")
            .select(columns)
            .where(
              "a.candidate_id",
              "=",
              sql<string>`any(array(select id from candidates where manager_id = ${v}))`,
            ),
      )
      .selectFrom((d) =>
        d
          // The viewer's own offerings, by index (migration 0017)…
          .selectFrom("sniff_test_assignments as a")
          .select(columns)
          .where("a.assigned_by", "=", v)
          .where(statusIn("a.status", ["offered", "accepted"]))
          .where("a.due_on", "<=", weekAhead)
          // …and the others' offers to the viewer's people (each assignment once).
          .unionAll(
            d
              .selectFrom("theirs as a")
              .select(columns)
              .where(statusIn("a.status", ["offered", "accepted"]))
              .where("a.due_on", "<=", weekAhead)
              .where("a.assigned_by", "<>", v),
          )
          .as("a"),
      )
      .leftJoin("candidates", "candidates.id", "a.candidate_id")
      .select([
        "a.id",
        "a.due_on",
        "a.status",
        "a.sniff_test_id",
        "a.offering_id",
        "a.candidate_id",
        "a.person_id",
      ])
      .where((eb) =>
        eb.or([
          eb.and([
            eb("a.candidate_id", "is", null),
            eb("a.assigned_by", "=", v),
            eb("a.offering_id", "is not", null),
          ]),
          eb.and([
            eb("candidates.archived_at", "is", null),
            candidateVisibleTo(viewer),
            eb.or([eb("a.assigned_by", "=", v), eb("candidates.manager_id", "=", v)]),
          ]),
        ]),
      )
      .orderBy("a.due_on")
      .orderBy("a.id")
      .limit(20)
  );
}

/** What the statement needs besides the viewer: every value in it comes from here or from the viewer. */
interface WeekInput {
  today: string;
  weekAhead: string;
  handoversSince: string;
  /** An instant, as ISO text. */
  nominationsSince: string;
}

/** My week's lists as one row, each a JSON array. */
function weekStatement(db: DB, viewer: Viewer, input: WeekInput) {
  return db.selectNoFrom([
    jsonArrayFrom(
      db
        .selectFrom(dueAssignments(db, viewer, input.weekAhead).as("a"))
        .innerJoin("people", "people.id", "a.person_id")
        .innerJoin("sniff_tests as t", "t.id", "a.sniff_test_id")
        .select([
          "a.id",
          "a.due_on",
          "a.status",
          "a.sniff_test_id",
          "a.offering_id",
          "t.title",
          "a.candidate_id",
          "people.name as candidate_name",
        ])
        .orderBy("a.due_on")
        .orderBy("a.id"),
    ).as("assignments"),
    jsonArrayFrom(
      db
        .selectFrom("flags as f")
        .innerJoin("candidates", "candidates.id", "f.candidate_id")
        .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
        .select([
          "f.id",
          "f.observed_on",
          "p.name as anti_pattern",
          "candidates.id as candidate_id",
          "candidates.name as candidate_name",
        ])
        .where(statusIn("f.status", ["open", "addressing"]))
        .where("f.discussed_with_candidate_on", "is", null)
        // A leader's circle is everyone, and the rule below alone read every open flag: for them, the
        // flags they raised and those on their people, by index (migration 0017). Anyone else's circle
        // is already a short list, and this would only slow them down (measured).
        .$if(isLeader(viewer), (q) =>
          q.where("f.id", "in", (eb) =>
            eb
              .selectFrom("flags as mine")
              .select("mine.id")
              .where("mine.raised_by", "=", viewer.id)
              .where(statusIn("mine.status", ["open", "addressing"]))
              .unionAll(
                eb
                  .selectFrom("candidates as managed")
                  .innerJoin("flags as theirs", "theirs.candidate_id", "managed.id")
                  .select("theirs.id")
                  .where("managed.manager_id", "=", viewer.id)
                  .where(statusIn("theirs.status", ["open", "addressing"])),
              ),
          ),
        )
        .where("candidates.archived_at", "is", null)
        .where(candidateVisibleTo(viewer))
        .where((eb) =>
          eb.or([eb("f.raised_by", "=", viewer.id), eb("candidates.manager_id", "=", viewer.id)]),
        )
        .orderBy("f.observed_on")
        .orderBy("f.id")
        .limit(20),
    ).as("flags"),
    // The mentor's active plans, once: their due actions, planned check-ins and nudges come from here.
    jsonArrayFrom(
      db
        .selectFrom("coaching_plans")
        .innerJoin("candidates", "candidates.id", "coaching_plans.candidate_id")
        .select((eb) => [
          "coaching_plans.id",
          "coaching_plans.status",
          "coaching_plans.started_on",
          "coaching_plans.target_on",
          "candidates.id as candidate_id",
          "candidates.name as candidate_name",
          ...planFactColumns(eb, input.today),
          eb
            .selectFrom("coaching_checkins as k")
            .select((e) => e.fn.max("k.next_on").as("d"))
            .whereRef("k.plan_id", "=", "coaching_plans.id")
            .$asScalar()
            .$castTo<string | null>()
            .as("next_on"),
          jsonArrayFrom(
            eb
              .selectFrom("coaching_actions as ca")
              .select(["ca.id", "ca.title", "ca.due_on"])
              .whereRef("ca.plan_id", "=", "coaching_plans.id")
              .where("ca.done_on", "is", null)
              .where("ca.due_on", "<=", input.weekAhead)
              .orderBy("ca.due_on")
              .orderBy("ca.position")
              .limit(20),
          ).as("due_actions"),
        ])
        .where("coaching_plans.mentor_id", "=", viewer.id)
        .where("coaching_plans.status", "=", "active")
        .orderBy("candidates.name")
        .orderBy("coaching_plans.id"),
    ).as("plans"),
    // Upcoming meetings the viewer runs or attends; a meeting not started yet lists its packets to
    // pre-read and whether the viewer has written theirs.
    jsonArrayFrom(
      db
        .selectFrom("calibration_meetings as m")
        .select((eb) => [
          "m.id",
          "m.title",
          "m.scheduled_for",
          "m.status",
          jsonArrayFrom(
            eb
              .selectFrom("calibration_items as i")
              .innerJoin("candidates as c", "c.id", "i.candidate_id")
              .select((e) => [
                "i.id",
                "c.name as candidate_name",
                e
                  .exists(
                    e
                      .selectFrom("calibration_prereads as p")
                      .select("p.id")
                      .whereRef("p.item_id", "=", "i.id")
                      .where("p.user_id", "=", viewer.id),
                  )
                  .as("has_own_preread"),
              ])
              .whereRef("i.meeting_id", "=", "m.id")
              .where(sql<boolean>`m.status = 'planned'`)
              .orderBy("i.position")
              .orderBy("i.id"),
          ).as("items"),
        ])
        .where(statusIn("m.status", ["planned", "in_progress"]))
        .where((eb) =>
          eb.or([
            eb("m.facilitator_id", "=", viewer.id),
            eb.exists(
              eb
                .selectFrom("calibration_attendees as at")
                .select("at.user_id")
                .whereRef("at.meeting_id", "=", "m.id")
                .where("at.user_id", "=", viewer.id),
            ),
          ]),
        )
        .orderBy("m.scheduled_for")
        .orderBy("m.id")
        .limit(UPCOMING_MEETINGS),
    ).as("meetings"),
    jsonArrayFrom(recentCandidatesQuery(db, viewer, RECENT_CANDIDATES)).as("recent"),
    jsonArrayFrom(handoversQuery(db, { managerId: viewer.id, since: input.handoversSince })).as(
      "handovers",
    ),
    // Only a manager holds candidates' records, so only a manager's week reads the nominations.
    viewer.roles.includes("manager")
      ? jsonArrayFrom(
          nominationsQuery(db, { managerId: viewer.id, since: input.nominationsSince }),
        ).as("nominations")
      : sql<Dehydrated<NominationRow>[]>`'[]'::json`.as("nominations"),
  ]);
}
type WeekRow = InferResult<ReturnType<typeof weekStatement>>[number];

// The statement's text depends only on the viewer's roles: it is compiled once per roles and database
// (compiledOnce), and each call fills in the viewer and the days.
async function readWeek(db: DB, viewer: Viewer, input: WeekInput): Promise<WeekRow> {
  const [row] = await compiledOnce(
    db,
    `my-week:${[...viewer.roles].sort().join(" ")}`,
    { viewerId: viewer.id, ...input },
    ({ viewerId, ...days }) => weekStatement(db, { id: viewerId, roles: viewer.roles }, days),
  );
  return row;
}

/** "My week": what needs the viewer's attention, only about candidates in their circle. */
export async function getMyWeek(db: DB, { viewer, today }: { viewer: Viewer; today: string }) {
  const weekAhead = addDays(today, 7);
  // Every list is one column of one statement (each a JSON array): one round trip and one plan, where
  // seven statements cost more in sending, receiving and planning than in reading (measured,
  // docs/performance.md). Leaders' role changes come from the user model, as a second statement.
  const [row, roleChanges] = await Promise.all([
    readWeek(db, viewer, {
      today,
      weekAhead,
      handoversSince: addDays(today, -ROLE_CHANGE_DAYS),
      nominationsSince: `${addDays(today, -NOMINATION_DAYS)}T00:00:00Z`,
    }),
    // Leaders cannot read the admin's audit page, so who was given access to people data is shown here.
    isLeader(viewer)
      ? listRoleChanges(db, { since: new Date(`${addDays(today, -ROLE_CHANGE_DAYS)}T00:00:00Z`) })
      : null,
  ]);
  const { assignments, flags, plans, meetings, handovers } = row;
  const actions = plans
    .flatMap((p) =>
      p.due_actions.map((a) => ({
        id: a.id,
        title: a.title,
        due_on: a.due_on as string,
        plan_id: p.id,
        candidate_name: p.candidate_name,
      })),
    )
    .sort((a, b) => a.due_on.localeCompare(b.due_on))
    .slice(0, 20);
  const checkins = plans
    .filter((p) => p.next_on !== null && p.next_on <= weekAhead)
    .sort((a, b) => a.started_on.localeCompare(b.started_on))
    .slice(0, 20)
    .map((p) => ({
      id: p.id,
      started_on: p.started_on,
      last_held_on: p.last_checkin_on,
      next_on: p.next_on,
      candidate_name: p.candidate_name,
    }));
  const coachingNudges = plans
    .map((p) => ({
      planId: p.id,
      candidateId: p.candidate_id,
      candidateName: p.candidate_name,
      nudges: planNudges(toFacts(p), today),
    }))
    .filter((p) => p.nudges.length > 0);
  const next = meetings[0];
  return {
    assignments,
    flags,
    actions,
    checkins,
    meeting: next
      ? { id: next.id, title: next.title, scheduled_for: new Date(next.scheduled_for) }
      : null,
    prereads: meetings
      .filter((m) => m.status === "planned")
      .map((m) => ({
        id: m.id,
        title: m.title,
        scheduled_for: new Date(m.scheduled_for),
        items: m.items.map((i) => ({
          id: i.id,
          candidate_name: i.candidate_name,
          has_own_preread: Boolean(i.has_own_preread),
        })),
      })),
    recent: row.recent.map(hydrateRecent),
    coachingNudges,
    roleChanges,
    handovers,
    nominations: row.nominations.map(hydrateNomination),
  };
}

/** A row as a JSON array column brings it: timestamps as text. */
type Dehydrated<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/** How far back My week shows nominations of the manager's people. */
export const NOMINATION_DAYS = 30;

/**
 * The manager's people nominated by someone else in the last NOMINATION_DAYS days, newest first: anyone
 * leading may spot potential, and the person's manager hears of it here. One query.
 */
export async function listNewNominations(
  db: DB,
  { managerId, today }: { managerId: string; today: string },
) {
  const since = new Date(`${addDays(today, -NOMINATION_DAYS)}T00:00:00Z`);
  return nominationsQuery(db, { managerId, since }).execute();
}

function nominationsQuery(
  db: DB,
  { managerId, since }: { managerId: string; since: Date | string },
) {
  return db
    .selectFrom("candidates")
    .innerJoin("users as nominator", "nominator.id", "candidates.nominated_by")
    .select([
      "candidates.id",
      "candidates.name",
      "candidates.nominated_reason as reason",
      "candidates.created_at as nominatedAt",
      "nominator.name as nominatedByName",
    ])
    .where("candidates.manager_id", "=", managerId)
    .where("candidates.nominated_by", "<>", managerId)
    .where("candidates.created_at", ">=", since as Date)
    .where("candidates.archived_at", "is", null)
    .orderBy("candidates.created_at", "desc")
    .orderBy("candidates.id", "desc")
    .limit(20);
}
type NominationRow = Awaited<ReturnType<typeof listNewNominations>>[number];

function hydrateNomination(row: Dehydrated<NominationRow>): NominationRow {
  return { ...row, nominatedAt: new Date(row.nominatedAt) };
}

/**
 * Plans of the manager's candidates handed to another mentor by someone else since `since`: a new
 * mentor joins the candidate's circle at once, so the manager is told (and can hand it back).
 */
export async function listHandovers(
  db: DB,
  { managerId, since }: { managerId: string; since: string },
) {
  return handoversQuery(db, { managerId, since }).execute();
}

function handoversQuery(db: DB, { managerId, since }: { managerId: string; since: string }) {
  return (
    db
      .selectFrom("coaching_plan_changes as pc")
      .innerJoin("coaching_plans as p", "p.id", "pc.plan_id")
      .innerJoin("candidates", "candidates.id", "p.candidate_id")
      .innerJoin("users as fm", "fm.id", "pc.from_mentor_id")
      .innerJoin("users as tm", "tm.id", "pc.to_mentor_id")
      .innerJoin("users as by", "by.id", "pc.changed_by")
      .select([
        "pc.id",
        "p.id as planId",
        "candidates.name as candidateName",
        "fm.name as fromMentorName",
        "tm.name as toMentorName",
        "by.name as changedByName",
        "pc.changed_on as changedOn",
        "pc.reason",
      ])
      .where("candidates.manager_id", "=", managerId)
      .where("candidates.archived_at", "is", null)
      // The same rule, stated so the plans are looked up by the manager's candidates: joined, the
      // planner hashed every plan in the organisation to find a manager's few dozen.
      .where(
        "p.candidate_id",
        "=",
        sql<string>`any(array(select id from candidates where manager_id = ${managerId}))`,
      )
      .whereRef("pc.from_mentor_id", "<>", "pc.to_mentor_id")
      .where("pc.changed_by", "<>", managerId)
      .where("pc.changed_on", ">=", since)
      .orderBy("pc.created_at", "desc")
      .orderBy("pc.id", "desc")
      .limit(20)
  );
}

export const RECENT_CANDIDATES = 5;

/**
 * The candidates the viewer last worked on, newest first: by the viewer's own latest note, flag,
 * stage move, coaching check-in, plan action or plan change on them, or (for the people they manage or nominated) when the record was created.
 * It orders the viewer's own recency, never anything about the people. One query.
 */
export async function listRecentCandidates(
  db: DB,
  { viewer, limit = RECENT_CANDIDATES }: { viewer: Viewer; limit?: number },
) {
  return recentCandidatesQuery(db, viewer, limit).execute();
}
type RecentRow = Awaited<ReturnType<typeof listRecentCandidates>>[number];

function hydrateRecent(row: Dehydrated<RecentRow>): RecentRow {
  return { ...row, last_activity_at: row.last_activity_at ? new Date(row.last_activity_at) : null };
}

function recentCandidatesQuery(db: DB, viewer: Viewer, limit: number) {
  const v = viewer.id;
  // Starts from the viewer's own rows, each an index lookup by the viewer (migration 0017; a plan's
  // candidate is found by its key, where a join hashed every plan), and only then joins the candidates: asking every candidate in the circle for the viewer's latest activity
  // cost a leader a second at 5,000 candidates, and grew with the organisation.
  return db
    .with("mine", (w) =>
      w
        .selectFrom("observations as o")
        .select((x) => ["o.candidate_id", x.fn.max("o.created_at").as("at")])
        .where("o.author_id", "=", v)
        .groupBy("o.candidate_id")
        .unionAll((u) =>
          u
            .selectFrom("flags as f")
            .select((x) => ["f.candidate_id", x.fn.max("f.created_at").as("at")])
            .where("f.raised_by", "=", v)
            .groupBy("f.candidate_id"),
        )
        .unionAll((u) =>
          u
            .selectFrom("stage_changes as s")
            .select((x) => ["s.candidate_id", x.fn.max("s.created_at").as("at")])
            .where("s.changed_by", "=", v)
            .groupBy("s.candidate_id"),
        )
        .unionAll((u) =>
          u
            .selectFrom("coaching_checkins as k")
            .select((x) => [
              x
                .selectFrom("coaching_plans as cp")
                .select("cp.candidate_id")
                .whereRef("cp.id", "=", "k.plan_id")
                .$asScalar()
                .$notNull()
                .as("candidate_id"),
              x.fn.max("k.created_at").as("at"),
            ])
            .where("k.author_id", "=", v)
            .groupBy("k.plan_id"),
        )
        .unionAll((u) =>
          u
            .selectFrom("coaching_actions as ca")
            .select((x) => [
              x
                .selectFrom("coaching_plans as cp")
                .select("cp.candidate_id")
                .whereRef("cp.id", "=", "ca.plan_id")
                .$asScalar()
                .$notNull()
                .as("candidate_id"),
              x.fn.max("ca.created_at").as("at"),
            ])
            .where("ca.created_by", "=", v)
            .groupBy("ca.plan_id"),
        )
        .unionAll((u) =>
          u
            .selectFrom("coaching_plan_changes as pc")
            .select((x) => [
              x
                .selectFrom("coaching_plans as cp")
                .select("cp.candidate_id")
                .whereRef("cp.id", "=", "pc.plan_id")
                .$asScalar()
                .$notNull()
                .as("candidate_id"),
              x.fn.max("pc.created_at").as("at"),
            ])
            .where("pc.changed_by", "=", v)
            .groupBy("pc.plan_id"),
        )
        .unionAll((u) =>
          u
            .selectFrom("candidates as m")
            .select(["m.id as candidate_id", "m.created_at as at"])
            .where((e) => e.or([e("m.manager_id", "=", v), e("m.nominated_by", "=", v)])),
        ),
    )
    .selectFrom("mine")
    .innerJoin("candidates", "candidates.id", "mine.candidate_id")
    .select((x) => [
      "candidates.id",
      "candidates.name",
      "candidates.stage",
      x.fn.max("mine.at").$castTo<Date | null>().as("last_activity_at"),
    ])
    .where("candidates.archived_at", "is", null)
    .where(candidateVisibleTo(viewer))
    .groupBy("candidates.id")
    .orderBy("last_activity_at", "desc")
    .orderBy("candidates.id", "desc")
    .limit(limit);
}
