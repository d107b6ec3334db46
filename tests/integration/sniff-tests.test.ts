import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AssignmentStatus } from "../../db/schema";
import type { AppContext } from "../../app/context";
import { loader as libraryLoader } from "../../app/routes/sniff-tests._index";
import { action as newAction, loader as newLoader } from "../../app/routes/sniff-tests.new";
import {
  action as pageAction,
  loader as pageLoader,
} from "../../app/routes/sniff-tests.$sniffTestId._index";
import {
  action as editAction,
  loader as editLoader,
} from "../../app/routes/sniff-tests.$sniffTestId.edit";
import { loader as assignmentLoader } from "../../app/routes/candidates.$candidateId.assignments.$assignmentId";
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

async function insertCandidate(managerId: string, name: string) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      track: "people_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Ran the incident review",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const manager = await makeUser(db, ["manager"], "Mara Manager");
  const other = await makeUser(db, ["manager"], "Ola Othermanager");
  const leader = await makeUser(db, ["leader"], "Lea Leader");
  const mentor = await makeUser(db, ["mentor"], "Mo Mentor");
  Object.assign(ids, {
    manager: manager.id,
    other: other.id,
    leader: leader.id,
    mentor: mentor.id,
  });
  for (const who of ["manager", "other", "leader", "mentor"])
    cookies[who] = await sessionCookie(ctx, ids[who]);

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

  ids.casey = await insertCandidate(manager.id, "Casey Candidate");
  ids.hidden = await insertCandidate(other.id, "Hidden Person");
});
afterAll(async () => {
  await handle?.close();
});

function fields(overrides: Record<string, string> = {}) {
  return {
    idempotencyKey: randomUUID(),
    title: "Run an open-source model",
    dimensionId: ids.commitment,
    assignment: "Download an open-source model, run it, write up what you saw.",
    rationale: "Nobody has to do it.",
    signals: "Goes beyond the minimum.",
    redFlags: "Silence until the due date.",
    timeboxDays: "14",
    needsAcceptance: "1",
    ...overrides,
  };
}

async function create(overrides: Record<string, string> = {}, who = "manager") {
  return call(newAction, post("/sniff-tests/new", fields(overrides), cookies[who]), ctx);
}

async function createdId(response: Response): Promise<string> {
  expect(response.status).toBe(302);
  const match = response.headers.get("Location")?.match(/^\/sniff-tests\/([0-9a-f-]{36})$/);
  expect(match).not.toBeNull();
  return match![1];
}

const page = (id: string, who = "manager", query = "") =>
  call(pageLoader, get(`/sniff-tests/${id}${query}`, cookies[who]), ctx, { sniffTestId: id });
const pagePost = (id: string, data: Record<string, string>, who = "manager") =>
  call(pageAction, post(`/sniff-tests/${id}`, data, cookies[who]), ctx, { sniffTestId: id });
const library = (query = "", who = "manager") =>
  call(libraryLoader, get(`/sniff-tests${query}`, cookies[who]), ctx);

async function auditCount(action: string, entityId: string) {
  const rows = await handle.db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", action)
    .where("entity_id", "=", entityId)
    .execute();
  return rows.length;
}

describe("creating a sniff test", () => {
  it("offers the live dimensions and a fresh key; a mentor is refused", async () => {
    const response = await call(newLoader, get("/sniff-tests/new", cookies.manager), ctx);
    const data = await body(response);
    expect(data.dimensions.map((d: { name: string }) => d.name)).toEqual([
      "Commitment",
      "Curiosity",
    ]);
    expect(data.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(newLoader, get("/sniff-tests/new", cookies.mentor), ctx)).status).toBe(403);
    expect((await create({}, "mentor")).status).toBe(403);
  });

  it("creates the template and its revision 1 with the same text, audited", async () => {
    const id = await createdId(await create({ title: "Created once" }));
    const test = await handle.db
      .selectFrom("sniff_tests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(test).toMatchObject({
      title: "Created once",
      version: 1,
      timebox_days: 14,
      created_by: ids.manager,
      red_flags: "Silence until the due date.",
    });
    const revisions = await handle.db
      .selectFrom("sniff_test_revisions")
      .selectAll()
      .where("sniff_test_id", "=", id)
      .execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      version: 1,
      title: "Created once",
      assignment: test.assignment,
      signals: test.signals,
      edited_by: ids.manager,
    });
    expect(await auditCount("sniff_test.create", id)).toBe(1);
  });

  it("refuses bad input with 400, field messages and the input kept", async () => {
    const before = await handle.db.selectFrom("sniff_tests").select("id").execute();
    const response = await create({ title: "  ", timeboxDays: "0", assignment: "Keep this text" });
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(Object.keys(data.fieldErrors).sort()).toEqual(["timeboxDays", "title"]);
    expect(data.values.assignment).toBe("Keep this text");

    const bads: Record<string, string>[] = [
      { timeboxDays: "366" },
      { timeboxDays: "abc" },
      { timeboxDays: "2.5" },
      { dimensionId: "nope" },
      { assignment: "x".repeat(10_001) },
    ];
    for (const bad of bads) {
      expect((await create(bad)).status).toBe(400);
    }
    // An archived or unknown dimension is refused too.
    expect(
      (await body(await create({ dimensionId: ids.old_one }))).fieldErrors.dimensionId,
    ).toBeDefined();
    expect((await create({ dimensionId: randomUUID() })).status).toBe(400);
    const after = await handle.db.selectFrom("sniff_tests").select("id").execute();
    expect(after.length).toBe(before.length);
  });

  it("needs acceptance when the box is ticked (the new form ticks it), and not when it is left unticked", async () => {
    const fresh = await body(await call(newLoader, get("/sniff-tests/new", cookies.manager), ctx));
    expect(fresh.idempotencyKey).toBeDefined();
    const ticked = await createdId(await create({ title: "Ticked" }));
    const unticked = await createdId(await create({ title: "Unticked", needsAcceptance: "" }));
    const rows = await handle.db
      .selectFrom("sniff_tests")
      .select(["id", "needs_acceptance"])
      .where("id", "in", [ticked, unticked])
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.needs_acceptance]))).toEqual({
      [ticked]: true,
      [unticked]: false,
    });
    expect((await body(await page(unticked))).test.needs_acceptance).toBe(false);

    // Editing changes it (an unticked box sends nothing), audited with the new value.
    const edited = await call(
      editAction,
      post(
        `/sniff-tests/${ticked}/edit`,
        { ...fields({ title: "Ticked" }), needsAcceptance: [], version: "1" } as Record<
          string,
          string | string[]
        >,
        cookies.manager,
      ),
      ctx,
      { sniffTestId: ticked },
    );
    expect(edited.status).toBe(302);
    const after = await handle.db
      .selectFrom("sniff_tests")
      .select("needs_acceptance")
      .where("id", "=", ticked)
      .executeTakeFirstOrThrow();
    expect(after.needs_acceptance).toBe(false);
    const audited = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "sniff_test.update")
      .where("entity_id", "=", ticked)
      .executeTakeFirstOrThrow();
    const details =
      typeof audited.details === "string" ? JSON.parse(audited.details) : audited.details;
    expect(details.needsAcceptance).toBe(false);
  });

  it("a double submit makes one template and answers both with the same redirect", async () => {
    const key = randomUUID();
    const first = await create({ idempotencyKey: key, title: "Double submit" });
    const second = await create({ idempotencyKey: key, title: "Double submit" });
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    const rows = await handle.db
      .selectFrom("sniff_tests")
      .select("id")
      .where("title", "=", "Double submit")
      .execute();
    expect(rows).toHaveLength(1);
    const revisions = await handle.db
      .selectFrom("sniff_test_revisions")
      .select("id")
      .where("sniff_test_id", "=", rows[0].id)
      .execute();
    expect(revisions).toHaveLength(1);
  });
});

describe("editing keeps history", () => {
  let id = "";
  let assignmentId = "";

  beforeAll(async () => {
    id = await createdId(
      await create({ title: "History test", assignment: "Original text as given" }),
    );
    const offered = await pagePost(id, {
      intent: "assign",
      candidateId: ids.casey,
      offeredOn: TODAY,
      dueOn: "",
      idempotencyKey: randomUUID(),
    });
    expect(offered.status).toBe(302);
    assignmentId = offered.headers.get("Location")!.split("/").pop()!;
  });

  it("saving makes version 2 and a revision 2 with the new text", async () => {
    const edit = await call(editLoader, get(`/sniff-tests/${id}/edit`, cookies.leader), ctx, {
      sniffTestId: id,
    });
    expect((await body(edit)).test.version).toBe(1);
    const response = await call(
      editAction,
      post(
        `/sniff-tests/${id}/edit`,
        { ...fields({ title: "History test", assignment: "Improved text" }), version: "1" },
        cookies.leader,
      ),
      ctx,
      { sniffTestId: id },
    );
    expect(response.status).toBe(302);
    const test = await handle.db
      .selectFrom("sniff_tests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(test).toMatchObject({ version: 2, assignment: "Improved text" });
    const revisions = await handle.db
      .selectFrom("sniff_test_revisions")
      .selectAll()
      .where("sniff_test_id", "=", id)
      .orderBy("version")
      .execute();
    expect(revisions.map((r) => [r.version, r.assignment, r.edited_by])).toEqual([
      [1, "Original text as given", ids.manager],
      [2, "Improved text", ids.leader],
    ]);
    expect(await auditCount("sniff_test.update", id)).toBe(1);

    const data = await body(await page(id));
    expect(data.test.assignment).toBe("Improved text");
    expect(
      data.revisions.map((r: { version: number; assignment: string }) => [r.version, r.assignment]),
    ).toEqual([
      [2, "Improved text"],
      [1, "Original text as given"],
    ]);
  });

  it("the assignment given earlier still shows revision 1's text", async () => {
    const response = await call(
      assignmentLoader,
      get(`/candidates/${ids.casey}/assignments/${assignmentId}`, cookies.manager),
      ctx,
      {
        candidateId: ids.casey,
        assignmentId,
      },
    );
    const data = await body(response);
    expect(data.assignment.assignment).toBe("Original text as given");
    expect(data.assignment.revision_version).toBe(1);
    expect(data.assignment.template_version).toBe(2);
  });

  it("a stale save gets 409 with both texts and changes nothing", async () => {
    const response = await call(
      editAction,
      post(
        `/sniff-tests/${id}/edit`,
        { ...fields({ title: "History test", assignment: "My late edit" }), version: "1" },
        cookies.manager,
      ),
      ctx,
      { sniffTestId: id },
    );
    expect(response.status).toBe(409);
    const data = await body(response);
    expect(data.conflict.yours.assignment).toBe("My late edit");
    expect(data.conflict.saved.assignment).toBe("Improved text");
    expect(data.values.version).toBe("2");
    const test = await handle.db
      .selectFrom("sniff_tests")
      .select(["version", "assignment"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(test).toEqual({ version: 2, assignment: "Improved text" });
  });

  it("an unknown or malformed id is 404", async () => {
    expect((await page(randomUUID())).status).toBe(404);
    expect((await page("not-a-uuid")).status).toBe(404);
  });
});

describe("archiving", () => {
  let id = "";
  beforeAll(async () => {
    id = await createdId(await create({ title: "Soon archived", dimensionId: ids.curiosity }));
  });

  it("hides it from the default library, blocks new offers, and restores", async () => {
    expect((await pagePost(id, { intent: "archive" })).status).toBe(302);
    expect(await auditCount("sniff_test.archive", id)).toBe(1);
    const titles = (data: any) => data.groups.flatMap((g: any) => g.tests.map((t: any) => t.title));
    expect(titles(await body(await library()))).not.toContain("Soon archived");
    expect(titles(await body(await library("?archived=1")))).toContain("Soon archived");

    const refused = await pagePost(id, {
      intent: "assign",
      candidateId: ids.casey,
      offeredOn: TODAY,
      dueOn: "",
      idempotencyKey: randomUUID(),
    });
    expect(refused.status).toBe(400);
    expect((await body(refused)).formError).toMatch(/archived/);
    const count = await handle.db
      .selectFrom("sniff_test_assignments")
      .select("id")
      .where("sniff_test_id", "=", id)
      .execute();
    expect(count).toHaveLength(0);
    expect((await pagePost(id, { intent: "archive" })).status).toBe(400);

    expect((await pagePost(id, { intent: "restore" })).status).toBe(302);
    expect(titles(await body(await library()))).toContain("Soon archived");
    // Nothing is ever deleted.
    expect(
      await handle.db
        .selectFrom("sniff_tests")
        .select("id")
        .where("id", "=", id)
        .executeTakeFirst(),
    ).toBeDefined();
  });
});

describe("the library", () => {
  it("groups by dimension in framework order, searches title and text, and shows brief figures", async () => {
    const data = await body(await library());
    expect(data.groups.map((g: any) => g.dimension.name)).toEqual(["Commitment", "Curiosity"]);
    const first = data.groups[0].tests[0];
    expect(first).toHaveProperty("offered");
    expect(first).toHaveProperty("completed");

    const search = await body(await library("?q=Improved"));
    expect(search.groups.flatMap((g: any) => g.tests.map((t: any) => t.title))).toEqual([
      "History test",
    ]);
    // LIKE wildcards are matched literally.
    expect((await body(await library("?q=%25"))).groups).toEqual([]);
    expect((await body(await library("?q=_"))).groups).toEqual([]);
  });

  it("is for managers and leaders only", async () => {
    expect((await library("", "leader")).status).toBe(200);
    expect((await library("", "mentor")).status).toBe(403);
  });
});

describe("figures about the test, and names only inside the circle", () => {
  let id = "";
  const fixture: {
    status: AssignmentStatus;
    accepted: boolean;
    days?: number;
    candidate?: string;
  }[] = [
    { status: "completed", accepted: true, days: 10 },
    { status: "completed", accepted: true, days: 21, candidate: "hidden" },
    { status: "not_completed", accepted: true, days: 14 },
    { status: "not_completed", accepted: true, days: 14 },
    { status: "not_completed", accepted: true, days: 14 },
    { status: "declined", accepted: false, days: 2 },
    { status: "withdrawn", accepted: true, days: 5 },
    { status: "offered", accepted: false },
    { status: "accepted", accepted: true },
  ];

  beforeAll(async () => {
    id = await createdId(await create({ title: "Figures test" }));
    const db = handle.db;
    const revision = await db
      .selectFrom("sniff_test_revisions")
      .select("id")
      .where("sniff_test_id", "=", id)
      .executeTakeFirstOrThrow();
    for (const [i, f] of fixture.entries()) {
      const offered = `2026-0${(i % 8) + 1}-01`;
      const closed =
        f.days === undefined
          ? null
          : new Date(Date.parse(`${offered}T00:00:00Z`) + f.days * 86_400_000)
              .toISOString()
              .slice(0, 10);
      const row = await db
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: id,
          sniff_test_revision_id: revision.id,
          candidate_id: f.candidate === "hidden" ? ids.hidden : ids.casey,
          assigned_by: ids.manager,
          offered_on: offered,
          due_on: "2026-12-31",
          status: f.status,
          closed_on: closed,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const events: {
        assignment_id: string;
        from_status: AssignmentStatus | null;
        to_status: AssignmentStatus;
        changed_by: string;
      }[] = [
        { assignment_id: row.id, from_status: null, to_status: "offered", changed_by: ids.manager },
      ];
      if (f.accepted)
        events.push({
          assignment_id: row.id,
          from_status: "offered",
          to_status: "accepted",
          changed_by: ids.manager,
        });
      if (f.status !== "offered" && f.status !== "accepted") {
        events.push({
          assignment_id: row.id,
          from_status: f.accepted ? "accepted" : "offered",
          to_status: f.status,
          changed_by: ids.manager,
        });
      }
      await db.insertInto("sniff_test_assignment_events").values(events).execute();
    }
  });

  it("counts every assignment and computes the median days to complete in SQL", async () => {
    const data = await body(await page(id));
    expect(data.figures).toEqual({
      offered: 9,
      accepted: 7, // 2 completed + 3 not completed + 1 withdrawn after accepting + 1 still accepted
      declined: 1,
      completed: 2,
      not_completed: 3,
      withdrawn: 1,
      open: 2,
      median_days_to_complete: 15.5,
    });
    expect(data.summary).toContain("Offered 9 times; 2 completed (22%).");
    expect(data.summary).toContain("Of the 7 closed, 5 ended without completion (71%)");
    expect(data.summary).toContain("2 still open.");

    const inLibrary = (await body(await library())).groups
      .flatMap((g: any) => g.tests)
      .find((t: any) => t.id === id);
    expect(inLibrary).toMatchObject({ offered: 9, completed: 2 });
  });

  it("a manager outside one candidate's circle gets the count but not the name or id", async () => {
    const response = await page(id, "manager");
    const text = await response.clone().text();
    expect(text).not.toContain("Hidden Person");
    expect(text).not.toContain(ids.hidden);
    const data = await body(response);
    expect(data.assignments).toHaveLength(9);
    const hidden = data.assignments.filter((a: any) => !a.visible);
    expect(hidden).toHaveLength(1);
    expect(hidden[0]).not.toHaveProperty("candidate_id");
    expect(hidden[0]).not.toHaveProperty("assignment_id");
    expect(hidden[0]).not.toHaveProperty("name");
    expect(hidden[0]).not.toHaveProperty("href");
    expect(data.figures.completed).toBe(2);
    // The offer list holds only people in the circle without an open offer of this test (Casey has one).
    expect(data.candidates.map((c: { name: string }) => c.name)).toEqual([]);
    expect(
      data.assignments.some(
        (a: any) =>
          a.visible && a.name === "Casey Candidate" && ["offered", "accepted"].includes(a.status),
      ),
    ).toBe(true);
  });

  it("the other manager and a leader see that candidate's name", async () => {
    for (const who of ["other", "leader"]) {
      const data = await body(await page(id, who));
      expect(
        data.assignments.filter((a: any) => a.visible && a.name === "Hidden Person"),
      ).toHaveLength(1);
    }
    // The other manager cannot see Casey: eight rows are anonymous for them.
    const other = await body(await page(id, "other"));
    expect(other.assignments.filter((a: any) => !a.visible)).toHaveLength(8);
    expect(JSON.stringify(other)).not.toContain(ids.casey);
  });

  it("offering to a candidate outside the viewer's circle answers 404 and makes nothing", async () => {
    const before = await handle.db.selectFrom("sniff_test_assignments").select("id").execute();
    const response = await pagePost(id, {
      intent: "assign",
      candidateId: ids.hidden,
      offeredOn: TODAY,
      dueOn: "",
      idempotencyKey: randomUUID(),
    });
    expect(response.status).toBe(404);
    expect(
      await handle.db.selectFrom("sniff_test_assignments").select("id").execute(),
    ).toHaveLength(before.length);
  });
});
