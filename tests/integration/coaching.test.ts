import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import {
  requireCandidateAccess,
  requirePlanAccess,
  type Viewer,
} from "../../app/auth/policy.server";
import {
  firstCheckinDueOn,
  listCandidatePlans,
  planNudges,
} from "../../app/models/coaching.server";
import { createFlag } from "../../app/models/flag.server";
import {
  action as newPlanAction,
  loader as newPlanLoader,
} from "../../app/routes/candidates.$candidateId.plans.new";
import { loader as listLoader } from "../../app/routes/coaching._index";
import {
  action as planAction,
  loader as planLoader,
} from "../../app/routes/coaching.$planId._index";
import { action as editAction, loader as editLoader } from "../../app/routes/coaching.$planId.edit";
import { loader as myWeekLoader } from "../../app/routes/_index";
import { getMyWeek } from "../../app/models/my-week.server";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-11-21T10:00:00Z") };
const TODAY = "2026-11-21";
const cookies: Record<string, string> = {};
const users: Record<string, Viewer> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const people: Record<string, Parameters<typeof makeUser>[1]> = {
    manager: ["manager"],
    leader: ["leader"],
    mentor: ["mentor"],
    mentor2: ["mentor"],
    otherMentor: ["mentor"],
    observer: ["manager"],
    observerMentor: ["mentor"],
    outsider: ["manager"],
    admin: ["admin"],
  };
  for (const [key, roles] of Object.entries(people)) {
    const u = await makeUser(db, roles, `${key} person`);
    users[key] = { id: u.id, roles };
    cookies[key] = await sessionCookie(ctx, u.id);
  }

  const dims = await db
    .insertInto("dimensions")
    .values([
      { key: "commitment", name: "Commitment", position: 1 },
      { key: "people_skills", name: "People skills", position: 2 },
      { key: "retired", name: "Retired", position: 3, archived_at: new Date() },
    ])
    .returning(["id", "key"])
    .execute();
  for (const d of dims) ids[d.key] = d.id;
  const ap = await db
    .insertInto("anti_patterns")
    .values({ key: "volume", name: "Exercising authority through volume", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.antiPattern = ap.id;

  const candidate = (name: string, manager: string) =>
    db
      .insertInto("candidates")
      .values({
        name,
        track: "people_leadership",
        manager_id: manager,
        nominated_by: manager,
        nominated_reason: "Runs the release train",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  ids.candidate = (await candidate("Casey Candidate", users.manager.id)).id;
  ids.other = (await candidate("Olive Other", users.outsider.id)).id;
  await db
    .insertInto("candidate_observers")
    .values([
      { candidate_id: ids.candidate, user_id: users.observer.id, added_by: users.manager.id },
      { candidate_id: ids.candidate, user_id: users.observerMentor.id, added_by: users.manager.id },
    ])
    .execute();
  // Another candidate's plan, run by another mentor: nobody here may see it through Casey's.
  ids.otherPlan = (
    await db
      .insertInto("coaching_plans")
      .values({
        candidate_id: ids.other,
        mentor_id: users.otherMentor.id,
        created_by: users.outsider.id,
        goal: "Other goal",
        started_on: "2026-10-01",
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;

  const flag = (candidateId: string) =>
    createFlag(db, {
      candidateId,
      antiPatternId: ids.antiPattern,
      raisedBy: users.manager.id,
      observedOn: "2026-11-01",
      situation: "Design review",
      behavior: "Closed the debate by raising her voice",
      impact: "Nobody else spoke",
      idempotencyKey: randomUUID(),
    });
  ids.flag = (await flag(ids.candidate)).id;
  ids.otherFlag = (
    await createFlag(db, {
      candidateId: ids.other,
      antiPatternId: ids.antiPattern,
      raisedBy: users.outsider.id,
      observedOn: "2026-11-01",
      situation: "",
      behavior: "Something",
      impact: "",
      idempotencyKey: randomUUID(),
    })
  ).id;
});
afterAll(async () => {
  await handle?.close();
});

const newPath = (candidateId = ids.candidate) => `/candidates/${candidateId}/plans/new`;
const planPath = (planId: string) => `/coaching/${planId}`;
const startPlan = (
  fields: Record<string, string | string[]>,
  who = "manager",
  candidateId = ids.candidate,
) => call(newPlanAction, post(newPath(candidateId), fields, cookies[who]), ctx, { candidateId });
const viewPlan = (planId: string, who: string) =>
  call(planLoader, get(planPath(planId), cookies[who]), ctx, { planId });
const act = (planId: string, fields: Record<string, string | string[]>, who = "mentor") =>
  call(planAction, post(planPath(planId), fields, cookies[who]), ctx, { planId });
const editPath = (planId: string) => `/coaching/${planId}/edit`;
const viewEdit = (planId: string, who: string) =>
  call(editLoader, get(editPath(planId), cookies[who]), ctx, { planId });
// The plan itself and its status change on the edit page.
const changePlan = (planId: string, fields: Record<string, string | string[]>, who = "mentor") =>
  call(editAction, post(editPath(planId), fields, cookies[who]), ctx, { planId });
const planRow = (planId: string) =>
  handle.db
    .selectFrom("coaching_plans")
    .selectAll()
    .where("id", "=", planId)
    .executeTakeFirstOrThrow();
const auditRows = (action: string, entityId: string) =>
  handle.db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", action)
    .where("entity_id", "=", entityId)
    .where("outcome", "=", "ok")
    .execute();
const count = async (
  table: "coaching_plans" | "coaching_actions" | "coaching_checkins" | "observations",
) =>
  Number(
    (
      await handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

function planFields(overrides: Record<string, string | string[]> = {}) {
  return {
    idempotencyKey: randomUUID(),
    mentorId: users.mentor.id,
    goal: "Chair decisions so that others speak first",
    dimensionIds: [ids.people_skills],
    flagIds: [ids.flag],
    startedOn: TODAY,
    targetOn: "2027-02-21",
    ...overrides,
  };
}

async function statusOf(run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}
const candidateAccess = (who: string, candidateId = ids.candidate) =>
  statusOf(() => requireCandidateAccess(ctx, users[who], candidateId));

let planId = "";

describe("starting a plan", () => {
  it("the candidate's manager and leaders may; circle members get 403; outsiders and admins 404", async () => {
    for (const who of ["manager", "leader"]) {
      const response = await call(newPlanLoader, get(newPath(), cookies[who]), ctx, {
        candidateId: ids.candidate,
      });
      expect(response.status).toBe(200);
    }
    for (const [who, status] of [
      ["observer", 403],
      ["observerMentor", 403],
      ["mentor", 404],
      ["outsider", 404],
      ["admin", 404],
    ] as const) {
      expect(
        (
          await call(newPlanLoader, get(newPath(), cookies[who]), ctx, {
            candidateId: ids.candidate,
          })
        ).status,
      ).toBe(status);
      expect((await startPlan(planFields(), who)).status).toBe(status);
    }
    expect(await count("coaching_plans")).toBe(1);
  });

  it("the form offers people-role users as mentors and the candidate's open flags", async () => {
    const data = await body(
      await call(newPlanLoader, get(newPath(), cookies.manager), ctx, {
        candidateId: ids.candidate,
      }),
    );
    const mentorIds = data.mentors.map((m: { id: string }) => m.id);
    expect(mentorIds).toContain(users.mentor.id);
    expect(mentorIds).toContain(users.leader.id);
    expect(mentorIds).not.toContain(users.admin.id);
    expect(data.flags.map((f: { id: string }) => f.id)).toEqual([ids.flag]);
    expect(data.today).toBe(TODAY);
    expect(data.dimensions.map((d: { id: string }) => d.id)).not.toContain(ids.retired);
  });

  const invalid: [string, Record<string, string | string[]>, string][] = [
    ["an empty goal", { goal: "  " }, "goal"],
    ["no focus dimension", { dimensionIds: [] }, "dimensionIds"],
    ["an archived dimension", { dimensionIds: ["retired"] }, "dimensionIds"],
    ["a target before the start", { targetOn: "2026-11-20" }, "targetOn"],
    ["a start date that is not a date", { startedOn: "soon" }, "startedOn"],
    ["an admin-only mentor", { mentorId: "admin" }, "mentorId"],
    ["no mentor", { mentorId: "" }, "mentorId"],
    ["another candidate's flag", { flagIds: ["otherFlag"] }, "flagIds"],
    ["a goal of 10,001 characters", { goal: "x".repeat(10_001) }, "goal"],
  ];
  for (const [what, overrides, field] of invalid) {
    it(`refuses ${what} with 400 and keeps the input`, async () => {
      const fixed = { ...overrides };
      if (fixed.dimensionIds?.[0] === "retired") fixed.dimensionIds = [ids.retired];
      if (fixed.mentorId === "admin") fixed.mentorId = users.admin.id;
      if (fixed.flagIds?.[0] === "otherFlag") fixed.flagIds = [ids.otherFlag];
      const response = await startPlan(
        planFields({ ...fixed, targetOn: fixed.targetOn ?? "2027-02-21" }),
      );
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(Object.keys(data.fieldErrors)).toContain(field);
      expect(data.values.targetOn).toBe(fixed.targetOn ?? "2027-02-21");
      expect(await count("coaching_plans")).toBe(1);
    });
  }

  it("the mentor is outside the circle before the plan starts", async () => {
    expect(await candidateAccess("mentor")).toBe(404);
  });

  it("one transaction: plan, focus, flags moved to addressing, the first change row, the audit; a re-sent form makes no second plan", async () => {
    const fields = planFields();
    const response = await startPlan(fields);
    expect(response.status).toBe(302);
    const plan = await handle.db
      .selectFrom("coaching_plans")
      .selectAll()
      .where("idempotency_key", "=", fields.idempotencyKey)
      .executeTakeFirstOrThrow();
    planId = plan.id;
    expect(response.headers.get("Location")).toBe(planPath(plan.id));
    expect(response.headers.get("Set-Cookie")).toMatch(/nw_flash=/);
    expect(plan).toMatchObject({
      candidate_id: ids.candidate,
      mentor_id: users.mentor.id,
      created_by: users.manager.id,
      status: "active",
      started_on: TODAY,
      target_on: "2027-02-21",
      version: 1,
    });
    const dims = await handle.db
      .selectFrom("coaching_plan_dimensions")
      .select("dimension_id")
      .where("plan_id", "=", plan.id)
      .execute();
    expect(dims.map((d) => d.dimension_id)).toEqual([ids.people_skills]);
    const links = await handle.db
      .selectFrom("coaching_plan_flags")
      .select("flag_id")
      .where("plan_id", "=", plan.id)
      .execute();
    expect(links.map((l) => l.flag_id)).toEqual([ids.flag]);
    const flag = await handle.db
      .selectFrom("flags")
      .selectAll()
      .where("id", "=", ids.flag)
      .executeTakeFirstOrThrow();
    expect(flag.status).toBe("addressing");
    const flagEvents = await handle.db
      .selectFrom("flag_events")
      .selectAll()
      .where("flag_id", "=", ids.flag)
      .where("kind", "=", "status")
      .execute();
    expect(flagEvents).toMatchObject([
      { from_status: "open", to_status: "addressing", changed_by: users.manager.id },
    ]);
    const changes = await handle.db
      .selectFrom("coaching_plan_changes")
      .selectAll()
      .where("plan_id", "=", plan.id)
      .execute();
    expect(changes).toMatchObject([
      {
        from_status: null,
        to_status: "active",
        from_mentor_id: null,
        to_mentor_id: users.mentor.id,
        changed_by: users.manager.id,
        reason: "Plan started",
        changed_on: TODAY,
      },
    ]);
    const audit = await auditRows("coaching_plan.create", plan.id);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/Chair|Casey/);

    const again = await startPlan(fields);
    expect(again.status).toBe(302);
    expect(again.headers.get("Location")).toBe(planPath(plan.id));
    expect(await count("coaching_plans")).toBe(2);
  });

  it("adding a mentor extends the circle: the mentor can now open the candidate", async () => {
    expect(await candidateAccess("mentor")).toBe(200);
  });
});

describe("who may see and change the plan", () => {
  it("the mentor, the manager and leaders see it and may edit; circle members read it", async () => {
    for (const who of ["mentor", "manager", "leader"]) {
      const response = await viewPlan(planId, who);
      expect(response.status).toBe(200);
      const data = await body(response);
      expect(data).toMatchObject({ mayEdit: true, editable: true, candidateVisible: true });
      expect(data.plan).toMatchObject({
        candidate_name: "Casey Candidate",
        goal: "Chair decisions so that others speak first",
        status: "active",
      });
      expect(data.plan.flags).toMatchObject([{ id: ids.flag, status: "addressing" }]);
    }
    const observer = await body(await viewPlan(planId, "observer"));
    expect(observer).toMatchObject({ mayEdit: false, editable: false });
  });

  it("another candidate's mentor, an outsider manager and an admin-only account get 404; so do unknown ids", async () => {
    for (const who of ["otherMentor", "outsider", "admin"]) {
      expect((await viewPlan(planId, who)).status).toBe(404);
      expect(
        (
          await act(
            planId,
            { intent: "add-action", title: "Sneaky", idempotencyKey: randomUUID() },
            who,
          )
        ).status,
      ).toBe(404);
    }
    for (const id of ["nope", randomUUID()])
      expect((await viewPlan(id, "leader")).status).toBe(404);
    expect((await viewPlan(ids.otherPlan, "mentor")).status).toBe(404);
    const denied = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "coaching_plan.view")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it("circle members who may only read get 403 on every change", async () => {
    const before = await count("coaching_actions");
    expect(
      (
        await act(
          planId,
          { intent: "add-action", title: "Not mine", idempotencyKey: randomUUID() },
          "observer",
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await changePlan(
          planId,
          { intent: "pause", version: "1", changedOn: TODAY, reason: "no" },
          "observerMentor",
        )
      ).status,
    ).toBe(403);
    expect(await count("coaching_actions")).toBe(before);
  });

  it("the edit page is for those who may change the plan: readers get 403, outsiders 404", async () => {
    for (const who of ["mentor", "manager", "leader"]) {
      const response = await viewEdit(planId, who);
      expect(response.status).toBe(200);
      const data = await body(response);
      expect(data).toMatchObject({
        open: true,
        plan: {
          id: planId,
          candidate_name: "Casey Candidate",
          goal: "Chair decisions so that others speak first",
        },
      });
      expect(data.mentors.map((m: { id: string }) => m.id)).toContain(users.mentor.id);
      expect(data.dimensions.map((d: { id: string }) => d.id)).toContain(ids.people_skills);
      expect(data.keys.complete).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await viewEdit(planId, "observer")).status).toBe(403);
    for (const who of ["otherMentor", "outsider", "admin"])
      expect((await viewEdit(planId, who)).status).toBe(404);
    for (const id of ["nope", randomUUID()])
      expect((await viewEdit(id, "leader")).status).toBe(404);
  });

  it("each page takes only its own forms: the plan's own changes on the edit page, the day-to-day work on the plan page", async () => {
    const plan = await planRow(planId);
    const onPlanPage = await act(planId, {
      intent: "pause",
      version: String(plan.version),
      changedOn: TODAY,
      reason: "Leave",
    });
    expect(onPlanPage.status).toBe(400);
    expect((await body(onPlanPage)).values.reason).toBe("Leave");
    const before = await count("coaching_actions");
    const onEditPage = await changePlan(planId, {
      intent: "add-action",
      title: "Misplaced",
      idempotencyKey: randomUUID(),
    });
    expect(onEditPage.status).toBe(400);
    expect((await body(onEditPage)).values.title).toBe("Misplaced");
    expect(await count("coaching_actions")).toBe(before);
    expect(await planRow(planId)).toMatchObject({ status: "active", version: plan.version });
    // Only the edit page loads the mentors to choose from.
    expect(await body(await viewPlan(planId, "mentor"))).not.toHaveProperty("mentors");
  });

  it("/coaching needs a people role", async () => {
    expect((await call(listLoader, get("/coaching", cookies.admin), ctx)).status).toBe(403);
  });
});

describe("actions", () => {
  const add = (title: string, dueOn = "", key = randomUUID()) =>
    act(planId, { intent: "add-action", title, dueOn, idempotencyKey: key });
  const actions = () =>
    handle.db
      .selectFrom("coaching_actions")
      .selectAll()
      .where("plan_id", "=", planId)
      .orderBy("position")
      .execute();

  it("adds actions at the end; a re-sent form adds one", async () => {
    const key = randomUUID();
    const first = await add("Agree a write-first format", "2026-12-01", key);
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(planPath(planId));
    expect((await add("Agree a write-first format", "2026-12-01", key)).status).toBe(302);
    expect((await add("Ask two colleagues for feedback", "", randomUUID())).status).toBe(302);
    const rows = await actions();
    expect(rows.map((r) => [r.title, r.position, r.due_on])).toEqual([
      ["Agree a write-first format", 1, "2026-12-01"],
      ["Ask two colleagues for feedback", 2, null],
    ]);
    expect(await auditRows("coaching_action.create", rows[0].id)).toHaveLength(1);
  });

  it("refuses an empty title or a bad due date with 400, keeping the input", async () => {
    for (const [title, dueOn, field] of [
      ["", "", "title"],
      ["Keep me", "31/12/2026", "dueOn"],
    ]) {
      const response = await add(title, dueOn);
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors[field]).toBeTruthy();
      expect(data.values.title).toBe(title);
    }
  });

  it("reorders by swapping with the neighbour", async () => {
    const [a, b] = await actions();
    expect(
      (await act(planId, { intent: "move-action", actionId: a.id, direction: "down" })).status,
    ).toBe(302);
    expect((await actions()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(
      (await act(planId, { intent: "move-action", actionId: a.id, direction: "up" })).status,
    ).toBe(302);
    expect((await actions()).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(
      (await act(planId, { intent: "move-action", actionId: a.id, direction: "up" })).status,
    ).toBe(302);
    expect((await actions()).map((r) => r.id)).toEqual([a.id, b.id]);
  });

  it("edits with the version; a stale edit gets 409 with both texts", async () => {
    const [a] = await actions();
    const ok = await act(
      planId,
      {
        intent: "edit-action",
        actionId: a.id,
        version: String(a.version),
        title: "Agree the write-first format with the team",
        dueOn: "2026-12-05",
      },
      "manager",
    );
    expect(ok.status).toBe(302);
    const stale = await act(planId, {
      intent: "edit-action",
      actionId: a.id,
      version: String(a.version),
      title: "My older idea",
      dueOn: "",
    });
    expect(stale.status).toBe(409);
    const data = await body(stale);
    expect(data.values.title).toBe("My older idea");
    expect(data.conflict).toMatchObject({
      kind: "action",
      action: { title: "Agree the write-first format with the team", due_on: "2026-12-05" },
    });
    expect((await actions())[0].title).toBe("Agree the write-first format with the team");
  });

  it("ticks done today and undoes", async () => {
    const [a] = await actions();
    expect((await act(planId, { intent: "tick-action", actionId: a.id })).status).toBe(302);
    expect((await actions())[0].done_on).toBe(TODAY);
    expect(await auditRows("coaching_action.done", a.id)).toHaveLength(1);
    expect((await act(planId, { intent: "untick-action", actionId: a.id })).status).toBe(302);
    expect((await actions())[0].done_on).toBeNull();
    expect((await act(planId, { intent: "tick-action", actionId: a.id })).status).toBe(302);
  });

  it("an action of another plan is not found", async () => {
    const [other] = await handle.db
      .insertInto("coaching_actions")
      .values({
        plan_id: ids.otherPlan,
        title: "Theirs",
        position: 1,
        created_by: users.otherMentor.id,
      })
      .returning("id")
      .execute();
    expect((await act(planId, { intent: "tick-action", actionId: other.id })).status).toBe(404);
    expect(
      (await act(planId, { intent: "move-action", actionId: other.id, direction: "up" })).status,
    ).toBe(404);
  });
});

describe("check-ins", () => {
  const checkin = (fields: Record<string, string>) =>
    act(planId, {
      intent: "checkin",
      heldOn: "2026-11-20",
      notes: "Talked about chairing",
      nextOn: "2026-12-04",
      idempotencyKey: randomUUID(),
      ...fields,
    });

  it("records one per form, newest first on the page", async () => {
    const key = randomUUID();
    expect((await checkin({ idempotencyKey: key, heldOn: "2026-11-10", nextOn: "" })).status).toBe(
      302,
    );
    expect((await checkin({ idempotencyKey: key, heldOn: "2026-11-10", nextOn: "" })).status).toBe(
      302,
    );
    expect((await checkin({})).status).toBe(302);
    const data = await body(await viewPlan(planId, "mentor"));
    expect(data.plan.checkins.map((k: { held_on: string }) => k.held_on)).toEqual([
      "2026-11-20",
      "2026-11-10",
    ]);
    expect(data.plan.checkins[0]).toMatchObject({
      notes: "Talked about chairing",
      next_on: "2026-12-04",
    });
    const rows = await handle.db
      .selectFrom("coaching_checkins")
      .selectAll()
      .where("plan_id", "=", planId)
      .execute();
    expect(rows).toHaveLength(2);
    expect(await auditRows("coaching_checkin.create", rows[0].id)).toHaveLength(1);
  });

  for (const [what, fields, field] of [
    ["a future meeting", { heldOn: "2026-11-22" }, "heldOn"],
    ["empty notes", { notes: "" }, "notes"],
    ["a next check-in before this one", { nextOn: "2026-11-19" }, "nextOn"],
  ] as const) {
    it(`refuses ${what} with 400`, async () => {
      const before = await count("coaching_checkins");
      const response = await checkin({ ...fields });
      expect(response.status).toBe(400);
      expect((await body(response)).fieldErrors[field]).toBeTruthy();
      expect(await count("coaching_checkins")).toBe(before);
    });
  }
});

describe("linked flags and observations", () => {
  it("resolves a linked flag from the plan only with a note: addressing → resolved", async () => {
    const flag = await handle.db
      .selectFrom("flags")
      .selectAll()
      .where("id", "=", ids.flag)
      .executeTakeFirstOrThrow();
    const noNote = await act(planId, {
      intent: "resolve-flag",
      flagId: ids.flag,
      version: String(flag.version),
      note: "",
    });
    expect(noNote.status).toBe(400);
    expect((await body(noNote)).fieldErrors.note).toBeTruthy();
    const stale = await act(planId, {
      intent: "resolve-flag",
      flagId: ids.flag,
      version: String(flag.version - 1),
      note: "Old",
    });
    expect(stale.status).toBe(409);
    const ok = await act(planId, {
      intent: "resolve-flag",
      flagId: ids.flag,
      version: String(flag.version),
      note: "Apologised and chairs differently now",
    });
    expect(ok.status).toBe(302);
    const after = await handle.db
      .selectFrom("flags")
      .selectAll()
      .where("id", "=", ids.flag)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      status: "resolved",
      resolution: "Apologised and chairs differently now",
      resolved_by: users.mentor.id,
    });
    const events = await handle.db
      .selectFrom("flag_events")
      .selectAll()
      .where("flag_id", "=", ids.flag)
      .where("kind", "=", "status")
      .orderBy("created_at")
      .execute();
    expect(events.map((e) => [e.from_status, e.to_status])).toEqual([
      ["open", "addressing"],
      ["addressing", "resolved"],
    ]);
    expect(await auditRows("flag.resolve", ids.flag)).toHaveLength(1);
    const again = await act(planId, {
      intent: "resolve-flag",
      flagId: ids.flag,
      version: String(after.version),
      note: "Again",
    });
    expect(again.status).toBe(400);
  });

  it("a flag the plan does not address is not found", async () => {
    expect(
      (
        await act(planId, {
          intent: "resolve-flag",
          flagId: ids.otherFlag,
          version: "1",
          note: "No",
        })
      ).status,
    ).toBe(404);
  });

  it("an observation logged from the plan is linked to it and lands on the candidate's record", async () => {
    const key = randomUUID();
    const fields = {
      intent: "observation",
      observedOn: "2026-11-19",
      situation: "Design review she chaired",
      behavior: "Asked everyone to write their option first and spoke last",
      impact: "",
      signal: "strength",
      dimensionIds: [ids.people_skills],
      idempotencyKey: key,
    };
    const before = await count("observations");
    expect((await act(planId, fields)).status).toBe(302);
    expect((await act(planId, fields)).status).toBe(302);
    expect(await count("observations")).toBe(before + 1);
    const obs = await handle.db
      .selectFrom("observations")
      .selectAll()
      .where("idempotency_key", "=", key)
      .executeTakeFirstOrThrow();
    expect(obs).toMatchObject({
      candidate_id: ids.candidate,
      coaching_plan_id: planId,
      author_id: users.mentor.id,
      signal: "strength",
    });
    const audit = await auditRows("observation.create", obs.id);
    expect(audit[0].details).toMatchObject({ coachingPlanId: planId });
    const data = await body(await viewPlan(planId, "manager"));
    expect(data.plan.observations.map((o: { id: string }) => o.id)).toContain(obs.id);
    const bad = await act(planId, { ...fields, behavior: "", idempotencyKey: randomUUID() });
    expect(bad.status).toBe(400);
  });
});

describe("editing the plan", () => {
  it("a stale version gets 409 showing the saved plan and keeping the input", async () => {
    const plan = await planRow(planId);
    const form = {
      intent: "edit-plan",
      goal: "",
      targetOn: "2027-03-01",
      dimensionIds: [ids.people_skills, ids.commitment],
      mentorId: users.mentor.id,
      mentorReason: "",
    };
    const saved = await changePlan(
      planId,
      { ...form, version: String(plan.version), goal: "Chair decisions; others speak first" },
      "manager",
    );
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location"), "back to the plan page").toBe(planPath(planId));
    const updated = await planRow(planId);
    expect(updated).toMatchObject({
      goal: "Chair decisions; others speak first",
      target_on: "2027-03-01",
      version: plan.version + 1,
    });
    expect(await auditRows("coaching_plan.update", planId)).toHaveLength(1);
    const stale = await changePlan(planId, {
      ...form,
      version: String(plan.version),
      goal: "My competing goal",
    });
    expect(stale.status).toBe(409);
    const data = await body(stale);
    expect(data.values.goal).toBe("My competing goal");
    expect(data.conflict).toMatchObject({
      kind: "plan",
      plan: { goal: "Chair decisions; others speak first", version: updated.version },
    });
    expect((await planRow(planId)).goal).toBe("Chair decisions; others speak first");
  });

  it("replacing the mentor needs a reason", async () => {
    const plan = await planRow(planId);
    const response = await changePlan(
      planId,
      {
        intent: "edit-plan",
        version: String(plan.version),
        goal: plan.goal,
        targetOn: "",
        dimensionIds: [ids.people_skills],
        mentorId: users.mentor2.id,
        mentorReason: "",
      },
      "manager",
    );
    expect(response.status).toBe(400);
    expect((await body(response)).fieldErrors.mentorReason).toBeTruthy();
    expect((await planRow(planId)).mentor_id).toBe(users.mentor.id);
  });

  it("replacing the mentor ends the previous mentor's access to the candidate; the plan stays readable for them", async () => {
    const plan = await planRow(planId);
    const response = await changePlan(
      planId,
      {
        intent: "edit-plan",
        version: String(plan.version),
        goal: plan.goal,
        targetOn: plan.target_on ?? "",
        dimensionIds: [ids.people_skills],
        mentorId: users.mentor2.id,
        mentorReason: "Tom moves to another department",
      },
      "manager",
    );
    expect(response.status).toBe(302);
    expect((await planRow(planId)).mentor_id).toBe(users.mentor2.id);
    const change = await handle.db
      .selectFrom("coaching_plan_changes")
      .selectAll()
      .where("plan_id", "=", planId)
      .where("from_mentor_id", "=", users.mentor.id)
      .executeTakeFirstOrThrow();
    expect(change).toMatchObject({
      to_mentor_id: users.mentor2.id,
      from_status: "active",
      to_status: "active",
      reason: "Tom moves to another department",
      changed_on: TODAY,
    });

    expect(await candidateAccess("mentor")).toBe(404);
    expect(await candidateAccess("mentor2")).toBe(200);
    const old = await viewPlan(planId, "mentor");
    expect(old.status).toBe(200);
    expect(await body(old)).toMatchObject({
      mayEdit: false,
      editable: false,
      candidateVisible: false,
    });
    expect(
      (
        await act(
          planId,
          { intent: "add-action", title: "Still mine?", idempotencyKey: randomUUID() },
          "mentor",
        )
      ).status,
    ).toBe(403);
    expect(await statusOf(() => requirePlanAccess(ctx, users.mentor, planId, { edit: true }))).toBe(
      403,
    );
    expect(
      await statusOf(() => requirePlanAccess(ctx, users.mentor2, planId, { edit: true })),
    ).toBe(200);
  });

  it("/coaching: the new mentor finds the plan under 'my plans'; the old one sees it under 'all' without a link to the candidate", async () => {
    const mine = await body(await call(listLoader, get("/coaching", cookies.mentor2), ctx));
    expect(mine.scope).toBe("mine");
    expect(mine.plans).toHaveLength(1);
    expect(mine.plans[0]).toMatchObject({
      id: planId,
      candidateName: "Casey Candidate",
      candidateVisible: true,
      status: "active",
      lastCheckinOn: "2026-11-20",
      daysSinceCheckin: 1,
      openFlags: 0,
      overdueActions: 0,
    });
    expect(mine.plans[0].nextAction).toBeNull();
    const oldMine = await body(await call(listLoader, get("/coaching", cookies.mentor), ctx));
    expect(oldMine.plans).toEqual([]);
    const oldAll = await body(
      await call(listLoader, get("/coaching?scope=all", cookies.mentor), ctx),
    );
    expect(oldAll.plans.map((p: { id: string }) => p.id)).toEqual([planId]);
    expect(oldAll.plans[0].candidateVisible).toBe(false);
    const outsider = await body(
      await call(listLoader, get("/coaching?scope=all&status=all", cookies.outsider), ctx),
    );
    expect(outsider.scope).toBe("all");
    expect(outsider.plans.map((p: { id: string }) => p.id)).toEqual([ids.otherPlan]);
    const leader = await body(
      await call(listLoader, get("/coaching?status=all", cookies.leader), ctx),
    );
    expect(leader.scope).toBe("all");
    expect(leader.plans.map((p: { candidateName: string }) => p.candidateName)).toEqual([
      "Casey Candidate",
      "Olive Other",
    ]);
  });
});

describe("status changes", () => {
  const version = async () => String((await planRow(planId)).version);

  it("invalid transitions get 400", async () => {
    const response = await changePlan(
      planId,
      { intent: "resume", version: await version(), changedOn: TODAY, reason: "Was not paused" },
      "mentor2",
    );
    expect(response.status).toBe(400);
    expect((await planRow(planId)).status).toBe("active");
  });

  it("pause and resume, each with a date, a reason and a change row; a stale version gets 409", async () => {
    const v = await version();
    expect(
      (
        await changePlan(
          planId,
          { intent: "pause", version: v, changedOn: "2026-11-21", reason: "" },
          "mentor2",
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await changePlan(
          planId,
          { intent: "pause", version: v, changedOn: "2026-11-22", reason: "Leave" },
          "mentor2",
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await changePlan(
          planId,
          { intent: "pause", version: v, changedOn: TODAY, reason: "Parental leave" },
          "mentor2",
        )
      ).status,
    ).toBe(302);
    expect((await planRow(planId)).status).toBe("paused");
    expect(
      (
        await changePlan(
          planId,
          { intent: "resume", version: v, changedOn: TODAY, reason: "Back" },
          "mentor2",
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await changePlan(
          planId,
          {
            intent: "resume",
            version: await version(),
            changedOn: TODAY,
            reason: "Back from leave",
          },
          "leader",
        )
      ).status,
    ).toBe(302);
    const rows = await handle.db
      .selectFrom("coaching_plan_changes")
      .selectAll()
      .where("plan_id", "=", planId)
      .where("from_status", "is not", null)
      .orderBy("created_at")
      .execute();
    expect(rows.map((r) => [r.from_status, r.to_status, r.reason]).slice(-2)).toEqual([
      ["active", "paused", "Parental leave"],
      ["paused", "active", "Back from leave"],
    ]);
    expect(await auditRows("coaching_plan.status", planId)).toHaveLength(2);
  });

  it("completing needs the closing observation (400 without) and creates it linked to the plan, in one go", async () => {
    const base = {
      intent: "complete",
      changedOn: TODAY,
      reason: "Goal met",
      situation: "The last three design reviews",
      behavior: "",
      impact: "",
      signal: "strength",
      dimensionIds: [ids.people_skills],
      idempotencyKey: randomUUID(),
    };
    const before = await count("observations");
    const missing = await changePlan(planId, { ...base, version: await version() }, "mentor2");
    expect(missing.status).toBe(400);
    const data = await body(missing);
    expect(data.fieldErrors.behavior).toBeTruthy();
    expect(data.values.situation).toBe("The last three design reviews");
    expect(
      (
        await changePlan(
          planId,
          { ...base, behavior: "Spoke last", signal: "", version: await version() },
          "mentor2",
        )
      ).status,
    ).toBe(400);
    expect((await planRow(planId)).status).toBe("active");
    expect(await count("observations")).toBe(before);

    const form = {
      ...base,
      behavior: "Chaired every review so that others spoke first",
      version: await version(),
    };
    const done = await changePlan(planId, form, "mentor2");
    expect(done.status).toBe(302);
    expect((await planRow(planId)).status).toBe("completed");
    const obs = await handle.db
      .selectFrom("observations")
      .selectAll()
      .where("idempotency_key", "=", base.idempotencyKey)
      .executeTakeFirstOrThrow();
    expect(obs).toMatchObject({
      coaching_plan_id: planId,
      candidate_id: ids.candidate,
      observed_on: TODAY,
      author_id: users.mentor2.id,
    });
    const dims = await handle.db
      .selectFrom("observation_dimensions")
      .select("dimension_id")
      .where("observation_id", "=", obs.id)
      .execute();
    expect(dims.map((d) => d.dimension_id)).toEqual([ids.people_skills]);
    // Sent twice: the same answer, still one observation.
    expect((await changePlan(planId, form, "mentor2")).status).toBe(302);
    expect(await count("observations")).toBe(before + 1);
  });

  it("a completed plan is read-only; its mentor leaves the candidate's circle but can still read the plan", async () => {
    expect(
      (
        await act(
          planId,
          { intent: "add-action", title: "Late", idempotencyKey: randomUUID() },
          "mentor2",
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await changePlan(
          planId,
          {
            intent: "resume",
            version: String((await planRow(planId)).version),
            changedOn: TODAY,
            reason: "Again",
          },
          "leader",
        )
      ).status,
    ).toBe(400);
    expect(await candidateAccess("mentor2")).toBe(404);
    const page = await viewPlan(planId, "mentor2");
    expect(page.status).toBe(200);
    expect(await body(page)).toMatchObject({
      mayEdit: true,
      editable: false,
      candidateVisible: false,
    });
    expect((await body(await viewPlan(planId, "manager"))).editable).toBe(false);
    expect(await body(await viewEdit(planId, "mentor2"))).toMatchObject({
      open: false,
      mentors: [],
    });
  });

  it("abandoning is a status change too", async () => {
    const response = await startPlan(planFields({ flagIds: [], targetOn: "" }), "leader");
    const newId = response.headers.get("Location")!.split("/").pop()!;
    const v = String((await planRow(newId)).version);
    expect(
      (
        await changePlan(
          newId,
          { intent: "abandon", version: v, changedOn: TODAY, reason: "Candidate left the team" },
          "manager",
        )
      ).status,
    ).toBe(302);
    expect((await planRow(newId)).status).toBe("abandoned");
    expect(
      (
        await changePlan(
          newId,
          { intent: "pause", version: String(Number(v) + 1), changedOn: TODAY, reason: "x" },
          "manager",
        )
      ).status,
    ).toBe(400);
  });
});

describe("nudges", () => {
  it("the pure rules, on an injected today", () => {
    const facts = {
      status: "active" as const,
      startedOn: "2026-10-01",
      targetOn: "2026-11-30",
      lastCheckinOn: "2026-10-22",
      overdueActions: 0,
    };
    expect(planNudges(facts, "2026-11-20")).toEqual([]);
    expect(planNudges(facts, "2026-11-21").map((n) => n.kind)).toEqual(["no_checkin"]);
    // A new plan has a grace period: its first check-in is due 14 days after the start.
    expect(planNudges({ ...facts, lastCheckinOn: null }, "2026-10-14")).toEqual([]);
    expect(planNudges({ ...facts, lastCheckinOn: null }, "2026-10-15")).toEqual([]);
    expect(planNudges({ ...facts, lastCheckinOn: null }, "2026-10-16")[0]).toMatchObject({
      kind: "no_checkin",
      days: 15,
      text: "No check-in since the plan started 15 days ago (the first was due by 15 Oct 2026)",
    });
    expect(firstCheckinDueOn({ ...facts, lastCheckinOn: null })).toBe("2026-10-15");
    expect(firstCheckinDueOn(facts)).toBeNull();
    expect(firstCheckinDueOn({ ...facts, status: "paused", lastCheckinOn: null })).toBeNull();
    expect(
      planNudges({ ...facts, lastCheckinOn: "2026-11-20", overdueActions: 2 }, "2026-11-21"),
    ).toEqual([{ kind: "overdue_actions", count: 2, text: "2 overdue actions" }]);
    expect(planNudges({ ...facts, lastCheckinOn: "2026-12-01" }, "2026-12-01")).toMatchObject([
      { kind: "target_passed" },
    ]);
    expect(planNudges({ ...facts, lastCheckinOn: "2026-11-30" }, "2026-11-30")).toEqual([]);
    for (const status of ["paused", "completed", "abandoned"] as const) {
      expect(
        planNudges({ ...facts, status, lastCheckinOn: null, overdueActions: 3 }, "2027-06-01"),
      ).toEqual([]);
    }
  });

  it("/coaching and the plan page say when a new plan's first check-in is due, not 'Nothing'", async () => {
    const db = handle.db;
    const cand = await db
      .insertInto("candidates")
      .values({
        name: "Newt Newplan",
        track: "technical_leadership",
        manager_id: users.manager.id,
        nominated_by: users.manager.id,
        nominated_reason: "x",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const fresh = await db
      .insertInto("coaching_plans")
      .values({
        candidate_id: cand.id,
        mentor_id: users.manager.id,
        created_by: users.manager.id,
        goal: "Start well",
        started_on: "2026-11-15",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const list = await body(
      await call(listLoader, get("/coaching?scope=all", cookies.manager), ctx),
    );
    const row = list.plans.find((p: { id: string }) => p.id === fresh.id);
    expect(row).toMatchObject({ nudges: [], firstCheckinDueOn: "2026-11-29" });
    const page = await body(
      await call(planLoader, get(`/coaching/${fresh.id}`, cookies.manager), ctx, {
        planId: fresh.id,
      }),
    );
    expect(page).toMatchObject({ nudges: [], firstCheckinDueOn: "2026-11-29" });
    await db.deleteFrom("coaching_plans").where("id", "=", fresh.id).execute();
    await db.deleteFrom("candidates").where("id", "=", cand.id).execute();
  });

  it("loaded for a candidate's profile and for a mentor's week", async () => {
    const db = handle.db;
    const cand = await db
      .insertInto("candidates")
      .values({
        name: "Nina Nudge",
        track: "technical_leadership",
        manager_id: users.manager.id,
        nominated_by: users.manager.id,
        nominated_reason: "x",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const plan = (fields: {
      started_on: string;
      target_on: string | null;
      status?: "active" | "paused";
    }) =>
      db
        .insertInto("coaching_plans")
        .values({
          candidate_id: cand.id,
          mentor_id: users.otherMentor.id,
          created_by: users.manager.id,
          goal: "Grow",
          ...fields,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
    const quiet = await plan({ started_on: "2026-09-01", target_on: "2026-11-01" });
    await db
      .insertInto("coaching_checkins")
      .values({
        plan_id: quiet.id,
        author_id: users.otherMentor.id,
        held_on: "2026-10-01",
        notes: "First",
      })
      .execute();
    await db
      .insertInto("coaching_actions")
      .values([
        {
          plan_id: quiet.id,
          title: "Overdue",
          position: 1,
          due_on: "2026-11-10",
          created_by: users.manager.id,
        },
        {
          plan_id: quiet.id,
          title: "Due today",
          position: 2,
          due_on: "2026-11-21",
          created_by: users.manager.id,
        },
        {
          plan_id: quiet.id,
          title: "Done late",
          position: 3,
          due_on: "2026-11-01",
          done_on: "2026-11-05",
          created_by: users.manager.id,
        },
      ])
      .execute();
    const fine = await plan({ started_on: "2026-11-10", target_on: null });
    const paused = await plan({
      started_on: "2026-01-01",
      target_on: "2026-02-01",
      status: "paused",
    });

    // The profile lists every plan of the candidate; only the ones with something to say carry nudges.
    const nudging = async (today: string) =>
      (await listCandidatePlans(db, { candidateId: cand.id, today }))
        .filter((p) => p.nudges.length)
        .map((p) => ({ planId: p.id, nudges: p.nudges }));
    const forCandidate = await nudging("2026-11-21");
    expect(forCandidate.map((p) => p.planId)).toEqual([quiet.id]);
    expect(forCandidate[0].nudges).toEqual([
      { kind: "no_checkin", days: 51, text: "No check-in for 51 days" },
      { kind: "overdue_actions", count: 1, text: "1 overdue action" },
      { kind: "target_passed", targetOn: "2026-11-01", text: "Target date passed" },
    ]);
    const later = await nudging("2026-12-01");
    expect(later.map((p) => p.planId).sort()).toEqual([quiet.id, fine.id].sort());
    expect(
      later.find((p) => p.planId === quiet.id)!.nudges.find((n) => n.kind === "overdue_actions"),
    ).toMatchObject({ count: 2 });
    expect(later.some((p) => p.planId === paused.id)).toBe(false);

    // My week's coaching nudges for a mentor: their active plans that have any.
    const nudgesOnMyWeek = async (id: string) =>
      (await getMyWeek(db, { viewer: { id, roles: ["mentor"] }, today: "2026-11-21" }))
        .coachingNudges;
    const forMentor = await nudgesOnMyWeek(users.otherMentor.id);
    // Ordered by the candidate's name; Olive's plan (started 51 days ago) has never had a check-in.
    expect(forMentor).toEqual([
      expect.objectContaining({
        planId: quiet.id,
        candidateId: cand.id,
        candidateName: "Nina Nudge",
      }),
      expect.objectContaining({
        planId: ids.otherPlan,
        candidateName: "Olive Other",
        nudges: [
          {
            kind: "no_checkin",
            days: 51,
            text: "No check-in since the plan started 51 days ago (the first was due by 15 Oct 2026)",
          },
        ],
      }),
    ]);
    expect(await nudgesOnMyWeek(users.mentor.id)).toEqual([]);
  });
});

describe("a mentor handing a plan to another mentor", () => {
  type Handover = {
    planId: string;
    candidateName: string;
    fromMentorName: string;
    toMentorName: string;
    changedByName: string;
    changedOn: string;
    reason: string;
  };
  const handovers = async (who: string) =>
    (await body(await call(myWeekLoader, get("/", cookies[who]), ctx))).week
      .handovers as Handover[];
  let handedPlan = "";

  beforeAll(async () => {
    const db = handle.db;
    const cand = await db
      .insertInto("candidates")
      .values({
        name: "Hana Handed",
        track: "technical_leadership",
        manager_id: users.manager.id,
        nominated_by: users.manager.id,
        nominated_reason: "x",
        stage: "coaching",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const response = await startPlan(
      planFields({ mentorId: users.mentor.id, flagIds: [], targetOn: "" }),
      "manager",
      cand.id,
    );
    handedPlan = response.headers.get("Location")!.split("/").pop()!;
  });

  const handTo = async (planId: string, mentorId: string, who: string, reason: string) => {
    const plan = await planRow(planId);
    return changePlan(
      planId,
      {
        intent: "edit-plan",
        version: String(plan.version),
        goal: plan.goal,
        targetOn: "",
        dimensionIds: [ids.people_skills],
        mentorId,
        mentorReason: reason,
      },
      who,
    );
  };

  it("the manager's My week has a section for handovers, empty until one happens", async () => {
    expect(await handovers("manager")).toEqual([]);
  });

  it("the candidate's manager is told on My week who handed whose plan to whom, and why", async () => {
    expect(
      (await handTo(handedPlan, users.otherMentor.id, "mentor", "I am on leave for three months"))
        .status,
    ).toBe(302);
    // The new mentor is in the circle at once; the manager can see it and hand it back from the plan.
    expect(await candidateAccess("otherMentor", (await planRow(handedPlan)).candidate_id)).toBe(
      200,
    );
    expect(await handovers("manager")).toEqual([
      {
        id: expect.any(String),
        planId: handedPlan,
        candidateName: "Hana Handed",
        fromMentorName: "mentor person",
        toMentorName: "otherMentor person",
        changedByName: "mentor person",
        changedOn: TODAY,
        reason: "I am on leave for three months",
      },
    ]);
    // Nobody else is told about someone else's candidate.
    for (const who of ["outsider", "otherMentor", "mentor"])
      expect(await handovers(who), who).toEqual([]);
  });

  it("a change the manager made themselves is not news to them; one older than 30 days has left My week", async () => {
    expect((await handTo(handedPlan, users.mentor.id, "manager", "Back from leave")).status).toBe(
      302,
    );
    expect((await handovers("manager")).map((h) => h.reason)).toEqual([
      "I am on leave for three months",
    ]);
    // The earlier handover of Casey's plan was the manager's own too.
    expect((await handovers("manager")).some((h) => h.candidateName === "Casey Candidate")).toBe(
      false,
    );
    const manager = { id: users.manager.id, roles: users.manager.roles };
    expect(
      (await getMyWeek(handle.db, { viewer: manager, today: "2026-12-20" })).handovers,
    ).toHaveLength(1);
    expect(
      (await getMyWeek(handle.db, { viewer: manager, today: "2026-12-22" })).handovers,
    ).toEqual([]);
  });
});
