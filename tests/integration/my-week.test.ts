import { type KyselyPlugin, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { candidateVisibleTo, type Viewer } from "../../app/auth/policy.server";
import { getMyWeek, listRecentCandidates } from "../../app/models/my-week.server";
import { loader as myWeekLoader } from "../../app/routes/_index";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let db: DB;
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-06-10T09:00:00Z") };
const TODAY = "2026-06-10";
type U = Awaited<ReturnType<typeof makeUser>>;
const users: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

function counting(database: DB) {
  const counter = { statements: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      return args.node;
    },
    async transformResult(args) {
      counter.statements += 1;
      return args.result;
    },
  };
  return { db: database.withPlugin(plugin), counter };
}

async function candidate(name: string, managerId: string) {
  const { id } = await db
    .insertInto("candidates")
    .values({
      name,
      track: "people_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Ran the incident review",
      created_at: new Date("2026-01-01T09:00:00Z"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function meeting(title: string, status: "planned" | "in_progress" | "closed", on: string) {
  const { id } = await db
    .insertInto("calibration_meetings")
    .values({
      title,
      scheduled_for: new Date(`${on}T10:00:00Z`),
      facilitator_id: users.leader.id,
      created_by: users.leader.id,
      status,
      closed_at: status === "closed" ? new Date(`${on}T12:00:00Z`) : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function item(meetingId: string, candidateId: string, position: number) {
  const { id } = await db
    .insertInto("calibration_items")
    .values({ meeting_id: meetingId, candidate_id: candidateId, position })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  ctx = makeContext(db, clock);
  for (const [key, roles] of Object.entries({
    manager: ["manager"],
    mentor: ["mentor"],
    leader: ["leader"],
    bystander: ["mentor"],
  } as const)) {
    users[key] = await makeUser(db, [...roles], `${key} person`);
    cookies[key] = await sessionCookie(ctx, users[key].id);
  }
  ids.ada = await candidate("Ada Agenda", users.manager.id);
  ids.ben = await candidate("Ben Agenda", users.manager.id);
  ids.cy = await candidate("Cy Coached", users.manager.id);
  ids.dee = await candidate("Dee Observed", users.manager.id);

  // The planned meeting the mentor attends, with two packets; the mentor has pre-read Ben's.
  ids.planned = await meeting("June calibration", "planned", "2026-06-15");
  ids.adaItem = await item(ids.planned, ids.ada, 1);
  ids.benItem = await item(ids.planned, ids.ben, 2);
  await db
    .insertInto("calibration_prereads")
    .values({ item_id: ids.benItem, user_id: users.mentor.id, view: "Ready", leaning: "not_yet" })
    .execute();
  // Someone else's pre-read on Ada's packet is not the mentor's.
  await db
    .insertInto("calibration_prereads")
    .values({ item_id: ids.adaItem, user_id: users.leader.id, view: "Ready", leaning: "not_yet" })
    .execute();
  // Later planned meeting the mentor attends, nothing on its agenda yet.
  ids.later = await meeting("July calibration", "planned", "2026-07-20");
  // Meetings that are not upcoming pre-reads for the mentor: started, closed, not attended.
  ids.started = await meeting("Started calibration", "in_progress", "2026-06-12");
  await item(ids.started, ids.dee, 1);
  ids.closed = await meeting("Closed calibration", "closed", "2026-05-01");
  await item(ids.closed, ids.dee, 1);
  ids.notMine = await meeting("Other calibration", "planned", "2026-06-11");
  await item(ids.notMine, ids.dee, 1);
  await db
    .insertInto("calibration_attendees")
    .values(
      [ids.planned, ids.later, ids.started, ids.closed].map((meeting_id) => ({
        meeting_id,
        user_id: users.mentor.id,
      })),
    )
    .execute();
});

afterAll(async () => {
  await handle?.close();
});

describe("my week: calibration pre-reads", () => {
  it("lists each upcoming meeting the person attends with its packets and their own pre-read", async () => {
    const week = await getMyWeek(db, { viewer: users.mentor, today: TODAY });
    expect(
      week.prereads.map((m) => ({
        id: m.id,
        title: m.title,
        items: m.items.map((i) => ({
          id: i.id,
          name: i.candidate_name,
          written: i.has_own_preread,
        })),
      })),
    ).toEqual([
      {
        id: ids.planned,
        title: "June calibration",
        items: [
          { id: ids.adaItem, name: "Ada Agenda", written: false },
          { id: ids.benItem, name: "Ben Agenda", written: true },
        ],
      },
      { id: ids.later, title: "July calibration", items: [] },
    ]);
    // The next meeting (started already, so no pre-reads) carries its id for the link.
    expect(week.meeting).toMatchObject({ id: ids.started, title: "Started calibration" });
  });

  it("shows nothing to someone who attends no meeting", async () => {
    const week = await getMyWeek(db, { viewer: users.bystander, today: TODAY });
    expect(week.prereads).toEqual([]);
    expect(week.meeting).toBeNull();
  });

  it("reaches the page through the loader", async () => {
    const data = await body(await call(myWeekLoader, get("/", cookies.mentor), ctx));
    expect(data.week.prereads.map((m: { id: string }) => m.id)).toEqual([ids.planned, ids.later]);
    expect(data.week.meeting.id).toBe(ids.started);
  });
});

describe("my week: recent candidates count coaching work", () => {
  it("orders by the mentor's latest check-in, plan action or plan change, newest first", async () => {
    // Dee: the mentor observes her (in her circle) and wrote about her on 1 June.
    await db
      .insertInto("candidate_observers")
      .values({ candidate_id: ids.dee, user_id: users.mentor.id, added_by: users.manager.id })
      .execute();
    await db
      .insertInto("observations")
      .values({
        candidate_id: ids.dee,
        author_id: users.mentor.id,
        observed_on: "2026-06-01",
        situation: "Planning",
        behavior: "Asked the quiet people first",
        impact: "More ideas",
        signal: "strength",
        created_at: new Date("2026-06-01T12:00:00Z"),
      })
      .execute();
    // Cy: the mentor's plan, with a change (5 June), an action (6 June) and a check-in (8 June).
    const { id: planId } = await db
      .insertInto("coaching_plans")
      .values({
        candidate_id: ids.cy,
        mentor_id: users.mentor.id,
        created_by: users.manager.id,
        goal: "Delegate more",
        started_on: "2026-05-01",
        created_at: new Date("2026-05-01T09:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("coaching_plan_changes")
      .values({
        plan_id: planId,
        to_status: "paused",
        from_status: "active",
        changed_by: users.mentor.id,
        changed_on: "2026-06-05",
        created_at: new Date("2026-06-05T09:00:00Z"),
      })
      .execute();
    const recentNames = async () =>
      (await listRecentCandidates(db, { viewer: users.mentor })).map((r) => r.name);
    const latest = async (name: string) =>
      String(
        (await listRecentCandidates(db, { viewer: users.mentor })).find((r) => r.name === name)
          ?.last_activity_at,
      );
    expect(await recentNames()).toEqual(["Cy Coached", "Dee Observed"]);
    expect(new Date(await latest("Cy Coached")).toISOString()).toBe("2026-06-05T09:00:00.000Z");

    await db
      .insertInto("coaching_actions")
      .values({
        plan_id: planId,
        title: "Hand over the release",
        position: 1,
        created_by: users.mentor.id,
        created_at: new Date("2026-06-06T09:00:00Z"),
      })
      .execute();
    expect(new Date(await latest("Cy Coached")).toISOString()).toBe("2026-06-06T09:00:00.000Z");
    await db
      .insertInto("coaching_checkins")
      .values({
        plan_id: planId,
        author_id: users.mentor.id,
        held_on: "2026-06-08",
        notes: "Talked",
        created_at: new Date("2026-06-08T09:00:00Z"),
      })
      .execute();
    expect(new Date(await latest("Cy Coached")).toISOString()).toBe("2026-06-08T09:00:00.000Z");

    // A newer observation on Dee puts Dee first: the order is by date only.
    await db
      .insertInto("observations")
      .values({
        candidate_id: ids.dee,
        author_id: users.mentor.id,
        observed_on: "2026-06-09",
        situation: "Review",
        behavior: "Named the risk",
        impact: "Caught early",
        signal: "strength",
        created_at: new Date("2026-06-09T12:00:00Z"),
      })
      .execute();
    expect(await recentNames()).toEqual(["Dee Observed", "Cy Coached"]);
    // Another mentor's coaching work is not this mentor's recent work.
    expect(
      (await listRecentCandidates(db, { viewer: users.bystander })).map((r) => r.name),
    ).toEqual([]);
  });
});

describe("my week: cost", () => {
  it("stays within 8 statements, the same with more meetings and packets", async () => {
    const before = counting(db);
    await call(myWeekLoader, get("/", cookies.mentor), makeContext(before.db, clock));
    for (let n = 0; n < 5; n += 1) {
      const m = await meeting(`Extra ${n}`, "planned", "2026-08-01");
      await item(m, ids.cy, 1);
      await item(m, ids.dee, 2);
      await db
        .insertInto("calibration_attendees")
        .values({ meeting_id: m, user_id: users.mentor.id })
        .execute();
    }
    const after = counting(db);
    await call(myWeekLoader, get("/", cookies.mentor), makeContext(after.db, clock));
    expect(after.counter.statements).toBe(before.counter.statements);
    expect(after.counter.statements).toBeLessThanOrEqual(8);
  });

  it("reads the week in one statement (a leader's role changes in a second), each viewer their own", async () => {
    const counted = counting(db);
    for (const viewer of [users.mentor, users.manager]) {
      const start = counted.counter.statements;
      await getMyWeek(counted.db, { viewer, today: TODAY });
      expect(counted.counter.statements - start).toBe(1);
    }
    const start = counted.counter.statements;
    await getMyWeek(counted.db, { viewer: users.leader, today: TODAY });
    expect(counted.counter.statements - start).toBe(2);
    // The statement is compiled once per roles and database: two mentors (and two days) in turn on one
    // database get the same answers as each alone on a database that compiled nothing yet.
    const shared = counting(db).db;
    const alone = async (viewer: Viewer, today: string) =>
      getMyWeek(counting(db).db, { viewer, today });
    for (const [viewer, today] of [
      [users.mentor, TODAY],
      [users.bystander, TODAY],
      [users.mentor, "2026-07-20"],
      [users.bystander, "2026-05-01"],
    ] as const)
      expect(await getMyWeek(shared, { viewer, today })).toEqual(await alone(viewer, today));
    const mentorWeek = await getMyWeek(shared, { viewer: users.mentor, today: TODAY });
    const bystanderWeek = await getMyWeek(shared, { viewer: users.bystander, today: TODAY });
    expect(mentorWeek).not.toEqual(bystanderWeek);
  });
});

describe("my week: new nominations of your people", () => {
  async function nominated(
    name: string,
    {
      by,
      manager,
      daysAgo,
      archived = false,
    }: { by: U; manager: U; daysAgo: number; archived?: boolean },
  ) {
    const at = new Date(clock.now.getTime() - daysAgo * 86_400_000);
    const { id } = await db
      .insertInto("candidates")
      .values({
        name,
        track: "technical_leadership",
        manager_id: manager.id,
        nominated_by: by.id,
        nominated_reason: `Spotted ${name} untangling the release`,
        created_at: at,
        stage_changed_at: at,
        stage: archived ? "archived" : "spotted",
        archived_at: archived ? at : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }

  it("shows a manager the people someone else nominated in the last 30 days, newest first", async () => {
    const recent = await nominated("Nia Nominated", {
      by: users.mentor,
      manager: users.manager,
      daysAgo: 3,
    });
    const older = await nominated("Oli Nominated", {
      by: users.leader,
      manager: users.manager,
      daysAgo: 20,
    });
    await nominated("Own Nomination", { by: users.manager, manager: users.manager, daysAgo: 2 });
    await nominated("Long Ago", { by: users.mentor, manager: users.manager, daysAgo: 31 });
    await nominated("Archived Since", {
      by: users.mentor,
      manager: users.manager,
      daysAgo: 4,
      archived: true,
    });

    const week = await getMyWeek(db, { viewer: users.manager, today: TODAY });
    expect(week.nominations.map((n) => n.id)).toEqual([recent, older]);
    expect(week.nominations[0]).toMatchObject({
      name: "Nia Nominated",
      nominatedByName: "mentor person",
      reason: "Spotted Nia Nominated untangling the release",
    });

    const page = await body(await call(myWeekLoader, get("/", cookies.manager), ctx));
    expect(page.week.nominations.map((n: { id: string }) => n.id)).toEqual([recent, older]);
  });

  it("shows them to nobody else: not the nominator, another manager, or a leader", async () => {
    const other = await makeUser(db, ["manager"], "other manager");
    for (const viewer of [users.mentor, users.leader, users.bystander, other]) {
      const week = await getMyWeek(db, { viewer, today: TODAY });
      expect(week.nominations).toEqual([]);
    }
  });
});

describe("my week: group offerings", () => {
  it("lists the open responses of a group offering the viewer made, due within the week, linked to the offering", async () => {
    const db = handle.db;
    const dim = await db
      .insertInto("dimensions")
      .values({ key: "my_week_group", name: "Commitment", position: 50 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const test = await db
      .insertInto("sniff_tests")
      .values({
        title: "Group homework",
        dimension_id: dim.id,
        assignment: "Do it",
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 7,
        created_by: users.manager.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const revision = await db
      .insertInto("sniff_test_revisions")
      .values({
        sniff_test_id: test.id,
        version: 1,
        title: "Group homework",
        dimension_id: dim.id,
        assignment: "Do it",
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 7,
        edited_by: users.manager.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const offering = await db
      .insertInto("sniff_test_offerings")
      .values({
        sniff_test_id: test.id,
        sniff_test_revision_id: revision.id,
        offered_by: users.manager.id,
        audience: "Platform",
        offered_on: "2026-06-05",
        due_on: "2026-06-12",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const person = await db
      .insertInto("people")
      .values({ name: "Gil Group", team: "Platform" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("sniff_test_assignments")
      .values({
        sniff_test_id: test.id,
        sniff_test_revision_id: revision.id,
        person_id: person.id,
        offering_id: offering.id,
        assigned_by: users.manager.id,
        offered_on: "2026-06-05",
        due_on: "2026-06-12",
      })
      .execute();

    const mine = await getMyWeek(handle.db, { viewer: users.manager, today: TODAY });
    expect(mine.assignments).toContainEqual(
      expect.objectContaining({
        candidate_id: null,
        candidate_name: "Gil Group",
        title: "Group homework",
        sniff_test_id: test.id,
        offering_id: offering.id,
      }),
    );
    // Someone else's offering is not on another manager's week.
    const theirs = await getMyWeek(handle.db, { viewer: users.leader, today: TODAY });
    expect(theirs.assignments.map((a) => a.candidate_name)).not.toContain("Gil Group");
  });
});

// The recent list's rule as it was first written: every candidate in the viewer's circle, asked for
// the viewer's latest activity on them. Slow (it read the whole circle; a leader's is everyone), but
// plainly the requirement, so the indexed query that starts from the viewer's own rows must equal it.
function recentByTheFirstRule(viewer: Viewer, limit: number) {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom("candidates")
        .select((e) => [
          "candidates.id",
          "candidates.name",
          "candidates.stage",
          sql<Date | null>`greatest(
            ${e
              .selectFrom("observations as o")
              .select((x) => x.fn.max("o.created_at").as("at"))
              .whereRef("o.candidate_id", "=", "candidates.id")
              .where("o.author_id", "=", viewer.id)},
            ${e
              .selectFrom("flags as f")
              .select((x) => x.fn.max("f.created_at").as("at"))
              .whereRef("f.candidate_id", "=", "candidates.id")
              .where("f.raised_by", "=", viewer.id)},
            ${e
              .selectFrom("stage_changes as s")
              .select((x) => x.fn.max("s.created_at").as("at"))
              .whereRef("s.candidate_id", "=", "candidates.id")
              .where("s.changed_by", "=", viewer.id)},
            ${e
              .selectFrom("coaching_plans as cp")
              .innerJoin("coaching_checkins as k", "k.plan_id", "cp.id")
              .select((x) => x.fn.max("k.created_at").as("at"))
              .whereRef("cp.candidate_id", "=", "candidates.id")
              .where("k.author_id", "=", viewer.id)},
            ${e
              .selectFrom("coaching_plans as cp")
              .innerJoin("coaching_actions as ca", "ca.plan_id", "cp.id")
              .select((x) => x.fn.max("ca.created_at").as("at"))
              .whereRef("cp.candidate_id", "=", "candidates.id")
              .where("ca.created_by", "=", viewer.id)},
            ${e
              .selectFrom("coaching_plans as cp")
              .innerJoin("coaching_plan_changes as pc", "pc.plan_id", "cp.id")
              .select((x) => x.fn.max("pc.created_at").as("at"))
              .whereRef("cp.candidate_id", "=", "candidates.id")
              .where("pc.changed_by", "=", viewer.id)},
            case when candidates.manager_id = ${viewer.id} or candidates.nominated_by = ${viewer.id} then candidates.created_at end
          )`.as("last_activity_at"),
        ])
        .where("candidates.archived_at", "is", null)
        .where(candidateVisibleTo(viewer))
        .as("r"),
    )
    .select(["r.id", "r.name", "r.stage", "r.last_activity_at"])
    .where("r.last_activity_at", "is not", null)
    .orderBy("r.last_activity_at", "desc")
    .orderBy("r.id", "desc")
    .limit(limit)
    .execute();
}

describe("my week: recent candidates start from the viewer's own work", () => {
  const at = (day: string, time = "09:00") => new Date(`2026-${day}T${time}:00Z`);
  const who: Record<string, U> = {};
  const c: Record<string, string> = {};

  beforeAll(async () => {
    // People of their own, so the other blocks' lists stay as they were.
    who.mara = await makeUser(db, ["manager"], "Mara Manager");
    who.otto = await makeUser(db, ["manager"], "Otto Other");
    who.mo = await makeUser(db, ["mentor"], "Mo Mentor");
    who.ned = await makeUser(db, ["mentor"], "Ned Newmentor");
    who.lea = await makeUser(db, ["leader"], "Lea Leader");
    who.ann = await makeUser(db, [], "Ann Nopeople");
    const { id: antiPattern } = await db
      .insertInto("anti_patterns")
      .values({ key: "hoarding", name: "Hoarding decisions", position: 90 })
      .returning("id")
      .executeTakeFirstOrThrow();

    const person = async (
      name: string,
      managerId: string,
      nominatedBy: string,
      created: Date,
      archived = false,
    ) => {
      const { id } = await db
        .insertInto("candidates")
        .values({
          name,
          track: "people_leadership",
          manager_id: managerId,
          nominated_by: nominatedBy,
          nominated_reason: "Steadied the team",
          created_at: created,
          archived_at: archived ? at("05-30") : null,
          ...(archived ? { stage: "archived" as const } : {}),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return id;
    };
    const note = (candidateId: string, authorId: string, created: Date) =>
      db
        .insertInto("observations")
        .values({
          candidate_id: candidateId,
          author_id: authorId,
          observed_on: "2026-05-01",
          situation: "Retro",
          behavior: "Named the risk",
          impact: "Caught early",
          signal: "strength",
          created_at: created,
        })
        .execute();
    const observe = (candidateId: string, userId: string) =>
      db
        .insertInto("candidate_observers")
        .values({ candidate_id: candidateId, user_id: userId, added_by: who.otto.id })
        .execute();
    const plan = async (candidateId: string, mentorId: string, status: "active" | "completed") => {
      const { id } = await db
        .insertInto("coaching_plans")
        .values({
          candidate_id: candidateId,
          mentor_id: mentorId,
          created_by: who.otto.id,
          goal: "Delegate more",
          status,
          started_on: "2026-03-01",
          created_at: at("03-01"),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return id;
    };

    // Mara manages Ava (created in January) and nominated Bo, whom Otto manages (created in February).
    c.ava = await person("Ava Managed", who.mara.id, who.mara.id, at("01-10"));
    c.bo = await person("Bo Nominated", who.otto.id, who.mara.id, at("02-10"));
    // Cal: Mara observes him and wrote two notes; the later one counts.
    c.cal = await person("Cal Observed", who.otto.id, who.otto.id, at("01-01"));
    await observe(c.cal, who.mara.id);
    await note(c.cal, who.mara.id, at("04-01"));
    await note(c.cal, who.mara.id, at("04-20"));
    await note(c.cal, who.otto.id, at("05-25")); // Otto's note is not Mara's work.
    // Dot: Mara raised a flag on her (and her older note is not the latest).
    c.dot = await person("Dot Flagged", who.otto.id, who.otto.id, at("01-01"));
    await observe(c.dot, who.mara.id);
    await note(c.dot, who.mara.id, at("03-15"));
    await db
      .insertInto("flags")
      .values({
        candidate_id: c.dot,
        anti_pattern_id: antiPattern,
        raised_by: who.mara.id,
        observed_on: "2026-05-02",
        situation: "Planning",
        behavior: "Took the decision alone",
        impact: "The team waited",
        created_at: at("05-02"),
      })
      .execute();
    // Eli: Mara moved his stage.
    c.eli = await person("Eli Moved", who.otto.id, who.otto.id, at("01-01"));
    await observe(c.eli, who.mara.id);
    await db
      .insertInto("stage_changes")
      .values({
        candidate_id: c.eli,
        from_stage: "spotted",
        to_stage: "exploring",
        changed_by: who.mara.id,
        reason: "Ready to stretch",
        created_at: at("05-05"),
      })
      .execute();
    // Fay: Mo mentors her; his check-in, action and plan change, and Mara's action on the plan too.
    c.fay = await person("Fay Coached", who.otto.id, who.otto.id, at("01-01"));
    const fayPlan = await plan(c.fay, who.mo.id, "active");
    await db
      .insertInto("coaching_checkins")
      .values({
        plan_id: fayPlan,
        author_id: who.mo.id,
        held_on: "2026-05-10",
        notes: "Went well",
        created_at: at("05-10"),
      })
      .execute();
    await db
      .insertInto("coaching_actions")
      .values([
        {
          plan_id: fayPlan,
          title: "Hand over the standup",
          position: 1,
          created_by: who.mo.id,
          created_at: at("05-12"),
        },
        {
          plan_id: fayPlan,
          title: "Ask Otto for feedback",
          position: 2,
          created_by: who.mara.id,
          created_at: at("05-14"),
        },
      ])
      .execute();
    await db
      .insertInto("coaching_plan_changes")
      .values({
        plan_id: fayPlan,
        from_status: "active",
        to_status: "active",
        changed_by: who.mo.id,
        changed_on: "2026-05-11",
        created_at: at("05-11"),
      })
      .execute();
    await observe(c.fay, who.mara.id);
    // Gus: Mo's plan with him is completed, so Gus has left Mo's circle though Mo wrote the latest note.
    c.gus = await person("Gus Finished", who.otto.id, who.otto.id, at("01-01"));
    await plan(c.gus, who.mo.id, "completed");
    await note(c.gus, who.mo.id, at("05-28"));
    // Hal: archived, Mara manages him and wrote the newest note of all: not listed.
    c.hal = await person("Hal Archived", who.mara.id, who.mara.id, at("01-01"), true);
    await note(c.hal, who.mara.id, at("05-29"));
    // Ivy: Mara wrote about her once, but no longer observes her: out of her circle, not listed.
    c.ivy = await person("Ivy Elsewhere", who.otto.id, who.otto.id, at("01-01"));
    await note(c.ivy, who.mara.id, at("05-27"));
    // Jo and Kit: in Mara's circle, both moved by her at the same moment: the tie goes by id.
    c.jo = await person("Jo Tied", who.otto.id, who.otto.id, at("01-01"));
    c.kit = await person("Kit Tied", who.otto.id, who.otto.id, at("01-01"));
    for (const id of [c.jo, c.kit]) {
      await observe(id, who.mara.id);
      await db
        .insertInto("stage_changes")
        .values({
          candidate_id: id,
          from_stage: "spotted",
          to_stage: "exploring",
          changed_by: who.mara.id,
          reason: "Both ready",
          created_at: at("04-10", "10:30"),
        })
        .execute();
    }
    // Lou: in Mara's circle, but she has done nothing about him: not listed.
    c.lou = await person("Lou Untouched", who.otto.id, who.otto.id, at("01-01"));
    await observe(c.lou, who.mara.id);
    // The leader's own note on Cal, and Ned, who took no part in anything.
    await note(c.cal, who.lea.id, at("05-20"));
  });

  const names = (rows: { id: string }[]) =>
    rows.map((r) => Object.entries(c).find(([, id]) => id === r.id)?.[0] ?? r.id);

  it("lists the viewer's latest work per candidate, newest first, without archived or out-of-circle people", async () => {
    const tied = [c.jo, c.kit].sort().reverse();
    const rows = await listRecentCandidates(db, { viewer: who.mara, limit: 20 });
    expect(rows.map((r) => r.id)).toEqual([
      c.fay, // her plan action, 14 May
      c.eli, // stage move, 5 May
      c.dot, // flag, 2 May (her note on 15 March is older)
      c.cal, // her later note, 20 April
      ...tied, // the same moment: the higher id first
      c.bo, // nominated, created 10 February
      c.ava, // managed, created 10 January
    ]);
    expect(rows[0].last_activity_at).toEqual(at("05-14"));
    expect(rows.find((r) => r.id === c.cal)?.last_activity_at).toEqual(at("04-20"));
    // Five by default.
    expect((await listRecentCandidates(db, { viewer: who.mara })).map((r) => r.id)).toEqual(
      rows.slice(0, 5).map((r) => r.id),
    );
    // The mentor: his coaching work on Fay (the latest is the action, 12 May); Gus left his circle.
    expect(names(await listRecentCandidates(db, { viewer: who.mo, limit: 20 }))).toEqual(["fay"]);
    // Nobody's work, or no access to people data: nothing.
    expect(await listRecentCandidates(db, { viewer: who.ned, limit: 20 })).toEqual([]);
    expect(await listRecentCandidates(db, { viewer: who.ann, limit: 20 })).toEqual([]);
  });

  it("equals the first rule for every viewer, whole and cut to five", async () => {
    const viewers = [...Object.values(who), ...Object.values(users)];
    for (const viewer of viewers)
      for (const limit of [5, 100]) {
        const expected = await recentByTheFirstRule(viewer, limit);
        expect(
          await listRecentCandidates(db, { viewer, limit }),
          `${viewer.name}, ${limit}`,
        ).toEqual(expected);
      }
  });
});

describe("my week: sniff tests due", () => {
  it("lists the open tests due within the week that the viewer offered or that their people hold, soonest first", async () => {
    const mara = await makeUser(db, ["manager"], "Mara Due");
    const otto = await makeUser(db, ["manager"], "Otto Due");
    const lea = await makeUser(db, ["leader"], "Lea Due");
    const dim = await db
      .insertInto("dimensions")
      .values({ key: "my_week_due", name: "Follow-through", position: 51 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const fields = {
      assignment: "Do it",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 7,
    };
    const test = await db
      .insertInto("sniff_tests")
      .values({ title: "Due homework", dimension_id: dim.id, created_by: otto.id, ...fields })
      .returning("id")
      .executeTakeFirstOrThrow();
    const revision = await db
      .insertInto("sniff_test_revisions")
      .values({
        sniff_test_id: test.id,
        version: 1,
        title: "Due homework",
        dimension_id: dim.id,
        edited_by: otto.id,
        ...fields,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const person = async (name: string, managerId: string, archived = false) => {
      const { id } = await db
        .insertInto("candidates")
        .values({
          name,
          track: "people_leadership",
          manager_id: managerId,
          nominated_by: managerId,
          nominated_reason: "Kept promises",
          archived_at: archived ? new Date("2026-06-01T09:00:00Z") : null,
          ...(archived ? { stage: "archived" as const } : {}),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return id;
    };
    const assign = async (
      candidateId: string,
      by: string,
      dueOn: string,
      status: "offered" | "accepted" | "completed" = "offered",
    ) => {
      const { id } = await db
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: test.id,
          sniff_test_revision_id: revision.id,
          candidate_id: candidateId,
          assigned_by: by,
          offered_on: "2026-06-01",
          due_on: dueOn,
          status,
          closed_on: status === "completed" ? "2026-06-09" : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return id;
    };
    const ria = await person("Ria Mine", mara.id);
    const sol = await person("Sol Otto", otto.id);
    const tam = await person("Tam Archived", mara.id, true);
    // Mara's person, offered by Otto (a manager hears of their people's tests) and by herself.
    const byOtto = await assign(ria, otto.id, "2026-06-14");
    const byMara = await assign(ria, mara.id, "2026-06-11", "accepted");
    // Not Mara's: due after the week, already completed, on an archived person, Otto's person by Otto.
    await assign(ria, otto.id, "2026-06-30");
    await assign(ria, otto.id, "2026-06-11", "completed");
    await assign(tam, mara.id, "2026-06-11");
    const ottos = await assign(sol, otto.id, "2026-06-12");

    const ids = async (viewer: U) =>
      (await getMyWeek(db, { viewer, today: TODAY })).assignments
        .filter((a) => a.sniff_test_id === test.id)
        .map((a) => a.id);
    expect(await ids(mara)).toEqual([byMara, byOtto]);
    // Otto: the test he offered Mara's person is not on his week (not in his circle), his own person's is.
    expect(await ids(otto)).toEqual([ottos]);
    // A leader sees everyone, but only what they offered or their people hold: nothing here.
    expect(await ids(lea)).toEqual([]);
  });
});
