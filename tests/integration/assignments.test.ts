import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { ASSIGNMENT_STATUSES, type AssignmentStatus } from "../../db/schema";
import type { AppContext } from "../../app/context";
import { createSniffTest } from "../../app/models/sniff-test.server";
import {
  action as newAction,
  loader as newLoader,
} from "../../app/routes/candidates.$candidateId.assignments.new";
import {
  action as viewAction,
  loader as viewLoader,
} from "../../app/routes/candidates.$candidateId.assignments.$assignmentId";
import { action as templateAction } from "../../app/routes/sniff-tests.$sniffTestId._index";
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
const ids: Record<string, string> = {};

async function insertCandidate(managerId: string, name: string, archived = false) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      track: "people_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Ran the incident review",
      ...(archived ? { stage: "archived" as const, archived_at: new Date() } : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertTemplate(
  title: string,
  dimensionId: string,
  timeboxDays: number,
  archived = false,
  needsAcceptance = true,
) {
  const { id } = await handle.db.transaction().execute((trx) =>
    createSniffTest(trx, {
      text: {
        title,
        dimensionId,
        assignment: `Do ${title}`,
        rationale: "",
        signals: "Watch this",
        redFlags: "Not that",
        timeboxDays,
        needsAcceptance,
      },
      createdBy: ids.manager,
      idempotencyKey: randomUUID(),
      now: clock.now,
    }),
  );
  if (archived)
    await handle.db
      .updateTable("sniff_tests")
      .set({ archived_at: new Date() })
      .where("id", "=", id)
      .execute();
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const people = {
    manager: await makeUser(db, ["manager"], "Mara Manager"),
    observer: await makeUser(db, ["manager"], "Otto Observer"),
    leader: await makeUser(db, ["leader"], "Lea Leader"),
    outsider: await makeUser(db, ["manager"], "Ola Outsider"),
    mentor: await makeUser(db, ["mentor"], "Mo Mentor"),
  };
  for (const [who, user] of Object.entries(people)) {
    ids[who] = user.id;
    cookies[who] = await sessionCookie(ctx, user.id);
  }
  const dims = await db
    .insertInto("dimensions")
    .values([
      { key: "commitment", name: "Commitment", position: 1 },
      { key: "curiosity", name: "Curiosity", position: 2 },
      { key: "old_one", name: "Old one", position: 3, archived_at: new Date() },
    ])
    .returning(["id", "key"])
    .execute();
  for (const d of dims) ids[d.key] = d.id;

  ids.candidate = await insertCandidate(ids.manager, "Casey Candidate");
  ids.other = await insertCandidate(ids.outsider, "Other Person");
  ids.archivedCandidate = await insertCandidate(ids.manager, "Former Candidate", true);
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: ids.candidate, user_id: ids.observer, added_by: ids.manager })
    .execute();

  ids.test = await insertTemplate("Run the model", ids.commitment, 14);
  ids.archivedTest = await insertTemplate("Old homework", ids.curiosity, 7, true);
});
afterAll(async () => {
  await handle?.close();
});

const newPath = (candidateId = ids.candidate) => `/candidates/${candidateId}/assignments/new`;
const viewPath = (assignmentId: string, candidateId = ids.candidate) =>
  `/candidates/${candidateId}/assignments/${assignmentId}`;

async function offer(
  fields: Record<string, string> = {},
  who = "manager",
  candidateId = ids.candidate,
) {
  return call(
    newAction,
    post(
      newPath(candidateId),
      {
        sniffTestId: ids.test,
        offeredOn: TODAY,
        dueOn: "",
        idempotencyKey: randomUUID(),
        ...fields,
      },
      cookies[who],
    ),
    ctx,
    { candidateId },
  );
}

async function offerId(fields: Record<string, string> = {}, who = "manager"): Promise<string> {
  const response = await offer(fields, who);
  expect(response.status).toBe(302);
  const match = response.headers.get("Location")?.match(/\/assignments\/([0-9a-f-]{36})$/);
  expect(match).not.toBeNull();
  return match![1];
}

async function view(assignmentId: string, who = "manager", candidateId = ids.candidate) {
  return call(viewLoader, get(viewPath(assignmentId, candidateId), cookies[who]), ctx, {
    candidateId,
    assignmentId,
  });
}

async function act(
  assignmentId: string,
  fields: Record<string, string | string[]>,
  who = "manager",
  candidateId = ids.candidate,
) {
  return call(viewAction, post(viewPath(assignmentId, candidateId), fields, cookies[who]), ctx, {
    candidateId,
    assignmentId,
  });
}

async function state(assignmentId: string) {
  const row = await handle.db
    .selectFrom("sniff_test_assignments")
    .select(["status", "version", "closed_on"])
    .where("id", "=", assignmentId)
    .executeTakeFirstOrThrow();
  // The test clock stands still, so events can share a timestamp: order ties by the lifecycle.
  const step = (e: { from_status: string | null; to_status: string }) =>
    e.from_status === null ? 0 : e.to_status === "accepted" ? 1 : 2;
  const events = (
    await handle.db
      .selectFrom("sniff_test_assignment_events")
      .selectAll()
      .where("assignment_id", "=", assignmentId)
      .execute()
  ).sort(
    (a, b) =>
      new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || step(a) - step(b),
  );
  const observations = await handle.db
    .selectFrom("observations")
    .selectAll()
    .where("assignment_id", "=", assignmentId)
    .execute();
  return { ...row, events, observations };
}

function debrief(overrides: Record<string, string | string[]> = {}) {
  return {
    situation: "Debrief of the model homework",
    behavior: "Ran two models and compared their latency on her laptop.",
    impact: "The team picked the smaller model.",
    signal: "strength",
    idempotencyKey: randomUUID(),
    ...overrides,
  };
}

/** An assignment put straight into `status` (with a consistent closed_on), for the transition table. */
async function assignmentIn(status: AssignmentStatus) {
  const revision = await handle.db
    .selectFrom("sniff_test_revisions")
    .select("id")
    .where("sniff_test_id", "=", ids.test)
    .executeTakeFirstOrThrow();
  const open = status === "offered" || status === "accepted";
  const row = await handle.db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: ids.test,
      sniff_test_revision_id: revision.id,
      candidate_id: ids.candidate,
      assigned_by: ids.manager,
      offered_on: "2026-11-01",
      due_on: "2026-11-15",
      status,
      closed_on: open ? null : "2026-11-10",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

describe("offering a sniff test from the candidate's page", () => {
  it("lists only live templates and answers 404 to someone outside the circle", async () => {
    const data = await body(
      await call(newLoader, get(newPath(), cookies.observer), ctx, { candidateId: ids.candidate }),
    );
    expect(data.tests.map((t: { title: string }) => t.title)).toEqual(["Run the model"]);
    expect(data.candidate.name).toBe("Casey Candidate");
    for (const who of ["outsider", "mentor"]) {
      expect(
        (await call(newLoader, get(newPath(), cookies[who]), ctx, { candidateId: ids.candidate }))
          .status,
      ).toBe(404);
      expect((await offer({}, who)).status).toBe(404);
    }
  });

  it("offers the current revision; due on defaults from the timebox; records who offered it", async () => {
    const id = await offerId({ offeredOn: "2026-11-20" }, "observer");
    const row = await handle.db
      .selectFrom("sniff_test_assignments")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const revision = await handle.db
      .selectFrom("sniff_test_revisions")
      .select(["id"])
      .where("sniff_test_id", "=", ids.test)
      .where("version", "=", 1)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "offered",
      offered_on: "2026-11-20",
      due_on: "2026-12-04",
      sniff_test_revision_id: revision.id,
      assigned_by: ids.observer,
      closed_on: null,
      version: 1,
    });
    const { events } = await state(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      from_status: null,
      to_status: "offered",
      changed_by: ids.observer,
    });
    expect(new Date(events[0].created_at).toISOString()).toBe(clock.now.toISOString());
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", id)
      .execute();
    expect(audits.map((a) => a.action)).toEqual(["assignment.create"]);
  });

  it("keeps an explicit due date and refuses one before the offer", async () => {
    const id = await offerId({ dueOn: "2026-12-25" });
    expect((await state(id)).closed_on).toBeNull();
    const row = await handle.db
      .selectFrom("sniff_test_assignments")
      .select("due_on")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.due_on).toBe("2026-12-25");
    const bad = await offer({ dueOn: "2026-11-01" });
    expect(bad.status).toBe(400);
    expect((await body(bad)).fieldErrors.dueOn).toBeDefined();
    expect((await offer({ offeredOn: "2026-02-30" })).status).toBe(400);
    expect((await offer({ sniffTestId: "x" })).status).toBe(400);
  });

  it("refuses an archived template (400) and an archived candidate", async () => {
    const archived = await offer({ sniffTestId: ids.archivedTest });
    expect(archived.status).toBe(400);
    expect((await body(archived)).formError).toMatch(/archived/);
    expect((await offer({}, "manager", ids.archivedCandidate)).status).toBe(400);
  });

  it("a double submit makes one assignment", async () => {
    const key = randomUUID();
    const first = await offer({ idempotencyKey: key });
    const second = await offer({ idempotencyKey: key });
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(
      await handle.db
        .selectFrom("sniff_test_assignments")
        .select("id")
        .where("idempotency_key", "=", key)
        .execute(),
    ).toHaveLength(1);
  });

  it("from the template page: due on defaults from the timebox, and only for the circle", async () => {
    const response = await call(
      templateAction,
      post(
        `/sniff-tests/${ids.test}`,
        {
          intent: "assign",
          candidateId: ids.candidate,
          offeredOn: "2026-11-21",
          dueOn: "",
          idempotencyKey: randomUUID(),
        },
        cookies.manager,
      ),
      ctx,
      { sniffTestId: ids.test },
    );
    expect(response.status).toBe(302);
    const id = response.headers.get("Location")!.split("/").pop()!;
    const row = await handle.db
      .selectFrom("sniff_test_assignments")
      .select(["due_on", "candidate_id"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ due_on: "2026-12-05", candidate_id: ids.candidate });

    const outside = await call(
      templateAction,
      post(
        `/sniff-tests/${ids.test}`,
        {
          intent: "assign",
          candidateId: ids.candidate,
          offeredOn: TODAY,
          dueOn: "",
          idempotencyKey: randomUUID(),
        },
        cookies.outsider,
      ),
      ctx,
      { sniffTestId: ids.test },
    );
    expect(outside.status).toBe(404);
  });
});

describe("the assignment page", () => {
  it("shows the text as given, its status and lifecycle to the circle", async () => {
    const id = await offerId();
    const data = await body(await view(id, "observer"));
    expect(data.assignment).toMatchObject({
      title: "Run the model",
      assignment: "Do Run the model",
      signals: "Watch this",
      red_flags: "Not that",
      status: "offered",
    });
    expect(data.simple).toEqual(["accepted", "declined", "withdrawn"]);
    expect(data.closing).toEqual([]);
    expect(data.events.map((e: any) => [e.to_status, e.changed_by_name])).toEqual([
      ["offered", "Mara Manager"],
    ]);
    expect(data.extraDimensions.map((d: any) => d.name)).toEqual(["Curiosity"]);
  });

  it("answers 404 outside the circle, for another candidate's assignment, and for a bad id", async () => {
    const id = await offerId();
    for (const who of ["outsider", "mentor"]) {
      expect((await view(id, who)).status).toBe(404);
      expect((await act(id, { intent: "accepted", version: "1" }, who)).status).toBe(404);
    }
    // An assignment of a candidate the viewer can see, under another visible candidate's URL.
    const second = await insertCandidate(ids.manager, "Second Candidate");
    expect((await view(id, "manager", second)).status).toBe(404);
    expect((await act(id, { intent: "accepted", version: "1" }, "manager", second)).status).toBe(
      404,
    );
    expect((await view("nope")).status).toBe(404);
    expect((await view(randomUUID())).status).toBe(404);
    expect((await state(id)).status).toBe("offered");
  });
});

describe("transitions", () => {
  it("offered → accepted → completed with a debrief: one linked observation tagged with the test's dimension", async () => {
    const id = await offerId();
    clock.now = new Date("2026-11-22T09:30:00Z");
    try {
      const accepted = await act(
        id,
        { intent: "accepted", version: "1", note: "Said yes in our 1:1" },
        "observer",
      );
      expect(accepted.status).toBe(302);
      let s = await state(id);
      expect(s).toMatchObject({ status: "accepted", version: 2, closed_on: null });
      expect(s.events[1]).toMatchObject({
        from_status: "offered",
        to_status: "accepted",
        changed_by: ids.observer,
        note: "Said yes in our 1:1",
      });
      expect(new Date(s.events[1].created_at).toISOString()).toBe("2026-11-22T09:30:00.000Z");

      const page = await body(await view(id));
      expect(page.simple).toEqual(["withdrawn"]);
      expect(page.closing).toEqual(["completed", "not_completed"]);

      clock.now = new Date("2026-11-25T16:00:00Z");
      const completed = await act(
        id,
        { intent: "completed", version: "2", ...debrief({ dimensionIds: [ids.curiosity] }) },
        "manager",
      );
      expect(completed.status).toBe(302);
      s = await state(id);
      expect(s).toMatchObject({ status: "completed", version: 3, closed_on: "2026-11-25" });
      expect(s.events.map((e) => [e.from_status, e.to_status, e.changed_by])).toEqual([
        [null, "offered", ids.manager],
        ["offered", "accepted", ids.observer],
        ["accepted", "completed", ids.manager],
      ]);
      expect(s.observations).toHaveLength(1);
      const observation = s.observations[0];
      expect(observation).toMatchObject({
        candidate_id: ids.candidate,
        author_id: ids.manager,
        observed_on: "2026-11-25",
        behavior: "Ran two models and compared their latency on her laptop.",
        signal: "strength",
      });
      const tags = await handle.db
        .selectFrom("observation_dimensions")
        .select("dimension_id")
        .where("observation_id", "=", observation.id)
        .execute();
      expect(tags.map((t) => t.dimension_id).sort()).toEqual(
        [ids.commitment, ids.curiosity].sort(),
      );
      const audits = await handle.db
        .selectFrom("audit_events")
        .select(["action", "entity_id"])
        .where("actor_id", "in", [ids.manager, ids.observer])
        .where("outcome", "=", "ok")
        .execute();
      expect(audits.filter((a) => a.entity_id === id).map((a) => a.action)).toEqual([
        "assignment.create",
        "assignment.accepted",
        "assignment.completed",
      ]);
      expect(audits.filter((a) => a.entity_id === observation.id).map((a) => a.action)).toEqual([
        "observation.create",
      ]);

      const closed = await body(await view(id));
      expect(closed.simple).toEqual([]);
      expect(closed.closing).toEqual([]);
      expect(closed.observations.map((o: any) => o.id)).toEqual([observation.id]);
    } finally {
      clock.now = new Date("2026-11-21T10:00:00Z");
    }
  });

  it("accepted → not completed also takes a debrief and is recorded plainly", async () => {
    const id = await offerId();
    expect((await act(id, { intent: "accepted", version: "1" })).status).toBe(302);
    const response = await act(id, {
      intent: "not_completed",
      version: "2",
      note: "No write-up by the due date",
      ...debrief({
        signal: "context",
        behavior: "Did not start the homework; said the migration came first.",
      }),
    });
    expect(response.status).toBe(302);
    const s = await state(id);
    expect(s).toMatchObject({ status: "not_completed", version: 3, closed_on: TODAY });
    expect(s.events[2]).toMatchObject({
      to_status: "not_completed",
      note: "No write-up by the due date",
    });
    expect(s.observations).toHaveLength(1);
    const tags = await handle.db
      .selectFrom("observation_dimensions")
      .select("dimension_id")
      .where("observation_id", "=", s.observations[0].id)
      .execute();
    expect(tags.map((t) => t.dimension_id)).toEqual([ids.commitment]);
  });

  it("offered → declined and offered → withdrawn close it; accepted → withdrawn too", async () => {
    const declined = await offerId();
    expect(
      (
        await act(
          declined,
          { intent: "declined", version: "1", note: "On-call this month" },
          "leader",
        )
      ).status,
    ).toBe(302);
    expect(await state(declined)).toMatchObject({
      status: "declined",
      version: 2,
      closed_on: TODAY,
    });
    expect((await state(declined)).events[1]).toMatchObject({
      changed_by: ids.leader,
      note: "On-call this month",
    });

    const withdrawn = await offerId();
    expect((await act(withdrawn, { intent: "withdrawn", version: "1" })).status).toBe(302);
    expect(await state(withdrawn)).toMatchObject({ status: "withdrawn", closed_on: TODAY });

    const later = await offerId();
    expect((await act(later, { intent: "accepted", version: "1" })).status).toBe(302);
    expect((await act(later, { intent: "withdrawn", version: "2" })).status).toBe(302);
    expect(await state(later)).toMatchObject({ status: "withdrawn", version: 3, closed_on: TODAY });
    expect((await state(later)).observations).toHaveLength(0);
  });

  describe("every transition not in the lifecycle is refused with 400 and changes nothing", () => {
    const allowed: Record<AssignmentStatus, AssignmentStatus[]> = {
      offered: ["accepted", "declined", "withdrawn"],
      accepted: ["completed", "not_completed", "withdrawn"],
      declined: [],
      completed: [],
      not_completed: [],
      withdrawn: [],
    };
    for (const from of ASSIGNMENT_STATUSES) {
      const refused = ASSIGNMENT_STATUSES.filter((to) => !allowed[from].includes(to));
      it(`from ${from}: ${refused.join(", ")}`, async () => {
        const id = await assignmentIn(from);
        const before = await state(id);
        for (const to of refused) {
          // A full debrief goes with each, so the refusal is about the transition itself.
          const response = await act(id, { intent: to, version: "1", ...debrief() });
          expect(response.status, `${from} → ${to}`).toBe(400);
          expect((await body(response)).formError).toMatch(/cannot be marked/);
        }
        expect(await state(id)).toEqual(before);
      });
    }
  });

  it("a test that needs no acceptance goes from offered to completed in one step, still with the debrief", async () => {
    const oneStep = await insertTemplate("Read the paper", ids.commitment, 7, false, false);
    const id = await offerId({ sniffTestId: oneStep });
    const page = await body(await view(id));
    expect(page.simple).toEqual(["withdrawn"]);
    expect(page.closing).toEqual(["completed", "not_completed"]);

    // Accepting is not a step of this test; closing without a debrief is still refused.
    const accepted = await act(id, { intent: "accepted", version: "1" });
    expect(accepted.status).toBe(400);
    expect((await body(accepted)).formError).toMatch(
      /cannot be marked accepted\. From offered it can become completed, not completed, withdrawn\./,
    );
    const bare = await act(id, { intent: "completed", version: "1", idempotencyKey: randomUUID() });
    expect(bare.status).toBe(400);
    expect((await body(bare)).fieldErrors.behavior).toBeDefined();
    expect(await state(id)).toMatchObject({ status: "offered", version: 1 });

    const done = await act(id, { intent: "not_completed", version: "1", ...debrief() });
    expect(done.status).toBe(302);
    const s = await state(id);
    expect(s).toMatchObject({ status: "not_completed", version: 2, closed_on: TODAY });
    expect(s.events.map((e) => [e.from_status, e.to_status])).toEqual([
      [null, "offered"],
      ["offered", "not_completed"],
    ]);
    expect(s.observations).toHaveLength(1);
  });

  it("an unknown intent is a 400, not a 500", async () => {
    const id = await offerId();
    expect((await act(id, { intent: "promoted", version: "1" })).status).toBe(400);
    expect((await act(id, { version: "1" })).status).toBe(400);
    expect((await act(id, { intent: "accepted", version: "abc" })).status).toBe(400);
    expect((await state(id)).status).toBe("offered");
  });

  it("completing or marking not completed without a debrief behaviour is 400 and saves nothing", async () => {
    const id = await offerId();
    expect((await act(id, { intent: "accepted", version: "1" })).status).toBe(302);
    const before = await state(id);
    for (const intent of ["completed", "not_completed"]) {
      const response = await act(id, {
        intent,
        version: "2",
        ...debrief({ behavior: "   ", situation: "Kept situation" }),
      });
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors.behavior).toBeDefined();
      expect(data.values.situation).toBe("Kept situation");
    }
    const noSignal = await act(id, {
      intent: "completed",
      version: "2",
      ...debrief({ signal: "" }),
    });
    expect(noSignal.status).toBe(400);
    const archivedDimension = await act(id, {
      intent: "completed",
      version: "2",
      ...debrief({ dimensionIds: [ids.old_one] }),
    });
    expect(archivedDimension.status).toBe(400);
    expect(await state(id)).toEqual(before);
  });

  it("a stale version gets 409 with the user's text back, and changes nothing", async () => {
    const id = await offerId();
    expect((await act(id, { intent: "accepted", version: "1" }, "observer")).status).toBe(302);
    const before = await state(id);
    // Someone else still had the page open at version 1 and records a decline.
    const response = await act(
      id,
      { intent: "declined", version: "1", note: "They said no" },
      "manager",
    );
    expect(response.status).toBe(409);
    const data = await body(response);
    expect(data.conflict.yours.note).toBe("They said no");
    expect(data.conflict.current).toEqual({ status: "accepted", version: 2 });
    const lateDebrief = await act(
      id,
      { intent: "completed", version: "1", ...debrief() },
      "manager",
    );
    expect(lateDebrief.status).toBe(409);
    expect(await state(id)).toEqual(before);
  });
});
