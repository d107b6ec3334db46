import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import {
  action as newAction,
  loader as newLoader,
} from "../../app/routes/candidates.$candidateId.observations.new";
import {
  action as viewAction,
  loader as viewLoader,
} from "../../app/routes/candidates.$candidateId.observations.$observationId";
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
import { countingStatements, createTestDb } from "../helpers/db";

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

async function insertAssignment(candidateId: string, assignedBy: string, dimensionId: string) {
  const db = handle.db;
  const test = await db
    .insertInto("sniff_tests")
    .values({
      title: "Run the retro",
      dimension_id: dimensionId,
      assignment: "Facilitate the sprint retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      created_by: assignedBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const revision = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: test.id,
      version: 1,
      title: "Run the retro",
      dimension_id: dimensionId,
      assignment: "Facilitate",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      edited_by: assignedBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const assignment = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: test.id,
      sniff_test_revision_id: revision.id,
      candidate_id: candidateId,
      assigned_by: assignedBy,
      offered_on: "2026-11-01",
      due_on: "2026-11-15",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return assignment.id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const manager = await makeUser(db, ["manager"], "Mara Manager");
  const observer = await makeUser(db, ["manager"], "Otto Observer");
  const leader = await makeUser(db, ["leader"], "Lea Leader");
  const outsider = await makeUser(db, ["manager"], "Ola Outsider");
  const mentor = await makeUser(db, ["mentor"], "Mo Mentor");
  Object.assign(ids, {
    manager: manager.id,
    observer: observer.id,
    leader: leader.id,
    outsider: outsider.id,
    mentor: mentor.id,
  });
  for (const [who, id] of Object.entries(ids)) cookies[who] = await sessionCookie(ctx, id);

  const dims = await db
    .insertInto("dimensions")
    .values([
      { key: "curiosity", name: "Curiosity", position: 1 },
      { key: "commitment", name: "Commitment", position: 2 },
      { key: "old_one", name: "Old one", position: 3, archived_at: new Date() },
    ])
    .returning(["id", "key"])
    .execute();
  for (const d of dims) ids[d.key] = d.id;

  ids.candidate = await insertCandidate(manager.id, "Casey Candidate");
  ids.other = await insertCandidate(outsider.id, "Other Person");
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: ids.candidate, user_id: observer.id, added_by: manager.id })
    .execute();
  // The mentor is not in the circle: a mentor with no plan for this candidate.
  ids.assignment = await insertAssignment(ids.candidate, manager.id, ids.curiosity);
  ids.otherAssignment = await insertAssignment(ids.other, outsider.id, ids.curiosity);
});
afterAll(async () => {
  await handle?.close();
});

const newPath = () => `/candidates/${ids.candidate}/observations/new`;
const viewPath = (observationId: string) =>
  `/candidates/${ids.candidate}/observations/${observationId}`;

function validFields(overrides: Record<string, string | string[]> = {}) {
  return {
    idempotencyKey: randomUUID(),
    observedOn: "2026-11-20",
    situation: "Friday's payment incident",
    behavior: "Asked the on-call engineer to walk her through the alert before proposing a fix",
    impact: "The fix addressed the root cause",
    dimensionIds: [ids.curiosity],
    signal: "strength",
    ...overrides,
  };
}

async function create(fields: Record<string, string | string[]>, who = "manager") {
  return call(newAction, post(newPath(), fields, cookies[who]), ctx, {
    candidateId: ids.candidate,
  });
}

async function observationByKey(key: string) {
  return handle.db
    .selectFrom("observations")
    .selectAll()
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

async function countObservations() {
  const row = await handle.db
    .selectFrom("observations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditCount(action: string, entityId: string) {
  const rows = await handle.db
    .selectFrom("audit_events")
    .select("id")
    .where("action", "=", action)
    .where("entity_id", "=", entityId)
    .where("outcome", "=", "ok")
    .execute();
  return rows.length;
}

describe("new observation page", () => {
  it("offers the live dimensions, this candidate's assignments, today and a fresh key", async () => {
    const response = await call(newLoader, get(newPath(), cookies.manager), ctx, {
      candidateId: ids.candidate,
    });
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.candidate.name).toBe("Casey Candidate");
    expect(data.today).toBe(TODAY);
    expect(data.dimensions.map((d: { name: string }) => d.name)).toEqual([
      "Curiosity",
      "Commitment",
    ]);
    expect(data.assignments.map((a: { id: string }) => a.id)).toEqual([ids.assignment]);
    expect(data.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("saves an observation with its dimensions and audit row, then redirects to the profile", async () => {
    const fields = validFields({
      dimensionIds: [ids.curiosity, ids.commitment],
      assignmentId: ids.assignment,
    });
    const response = await create(fields, "observer");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/candidates/${ids.candidate}`);
    expect(response.headers.get("Set-Cookie")).toContain("nw_flash=");
    const row = await observationByKey(fields.idempotencyKey as string);
    expect(row).toMatchObject({
      candidate_id: ids.candidate,
      author_id: ids.observer,
      observed_on: "2026-11-20",
      signal: "strength",
      assignment_id: ids.assignment,
      version: 1,
    });
    const dims = await handle.db
      .selectFrom("observation_dimensions")
      .select("dimension_id")
      .where("observation_id", "=", row!.id)
      .execute();
    expect(dims.map((d) => d.dimension_id).sort()).toEqual([ids.curiosity, ids.commitment].sort());
    expect(await auditCount("observation.create", row!.id)).toBe(1);
    const audit = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "observation.create")
      .where("entity_id", "=", row!.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.details)).not.toMatch(/on-call|incident|Casey/);
  });

  it("makes one row and the same redirect when the same form is sent twice", async () => {
    const fields = validFields();
    const before = await countObservations();
    const first = await create(fields);
    const second = await create(fields);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await countObservations()).toBe(before + 1);
    const row = await observationByKey(fields.idempotencyKey as string);
    expect(await auditCount("observation.create", row!.id)).toBe(1);
  });

  it("makes one row, one audit event and the same redirect when the same form arrives five times at once", async () => {
    // On PostgreSQL the submits really overlap: the losers meet the key inside their transaction and
    // roll back their audit row with it.
    const fields = validFields();
    const before = await countObservations();
    const allAudits = async () =>
      (
        await handle.db
          .selectFrom("audit_events")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "=", "observation.create")
          .executeTakeFirstOrThrow()
      ).n;
    const auditsBefore = Number(await allAudits());
    const responses = await Promise.all(Array.from({ length: 5 }, () => create(fields)));
    expect(responses.map((r) => r.status)).toEqual([302, 302, 302, 302, 302]);
    expect(new Set(responses.map((r) => r.headers.get("Location"))).size).toBe(1);
    expect(await countObservations()).toBe(before + 1);
    const row = await observationByKey(fields.idempotencyKey as string);
    expect(await auditCount("observation.create", row!.id)).toBe(1);
    // No loser kept an audit row of its own (each names an id of its own, never saved).
    expect(Number(await allAudits())).toBe(auditsBefore + 1);
  });

  const invalid: [string, Record<string, string | string[]>, string][] = [
    ["an empty behaviour", { behavior: "   " }, "behavior"],
    ["a behaviour over 10,000 characters", { behavior: "x".repeat(10_001) }, "behavior"],
    ["a date in the future", { observedOn: "2026-11-22" }, "observedOn"],
    ["a date that does not exist", { observedOn: "2026-02-30" }, "observedOn"],
    ["a date before 2000", { observedOn: "1999-12-31" }, "observedOn"],
    ["no dimension", { dimensionIds: [] }, "dimensionIds"],
    ["a dimension that does not exist", { dimensionIds: [randomUUID()] }, "dimensionIds"],
    ["an archived dimension", { dimensionIds: [] as string[] }, "dimensionIds"],
    ["a malformed dimension id", { dimensionIds: ["not-a-uuid"] }, "dimensionIds"],
    ["no signal", { signal: "" }, "signal"],
    ["an unknown signal", { signal: "excellent" }, "signal"],
    ["an assignment of another candidate", { assignmentId: "other" }, "assignmentId"],
    ["a malformed assignment id", { assignmentId: "1; drop table" }, "assignmentId"],
    ["a malformed idempotency key", { idempotencyKey: "nope" }, "idempotencyKey"],
  ];
  for (const [what, overrides, field] of invalid) {
    it(`refuses ${what} with 400, keeps the input and saves nothing`, async () => {
      const fixed = { ...overrides };
      if (what === "an archived dimension") fixed.dimensionIds = [ids.old_one];
      if (fixed.assignmentId === "other") fixed.assignmentId = ids.otherAssignment;
      const fields = validFields({ ...fixed, situation: "Kept situation text" });
      const before = await countObservations();
      const response = await create(fields);
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(Object.keys(data.fieldErrors)).toContain(field);
      expect(data.values.situation).toBe("Kept situation text");
      expect(data.values.behavior).toBe(fields.behavior);
      expect(await countObservations()).toBe(before);
    });
  }

  it("saves in at most 8 statements, BEGIN and COMMIT counted, with or without a sniff test", async () => {
    for (const assignmentId of ["", ids.assignment]) {
      const { db, counter } = countingStatements(handle.db);
      const fields = validFields({ assignmentId });
      const response = await call(
        newAction,
        post(newPath(), fields, cookies.manager),
        makeContext(db, clock),
        { candidateId: ids.candidate },
      );
      expect(response.status).toBe(302);
      expect(await observationByKey(fields.idempotencyKey as string)).toBeDefined();
      expect(counter.statements, `sniff test: ${assignmentId || "none"}`).toBeLessThanOrEqual(8);
    }
  });

  it("rolls back the audit row with the note when the insert finds a dimension or sniff test it may not use", async () => {
    const audits = async () =>
      Number(
        (
          await handle.db
            .selectFrom("audit_events")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("action", "=", "observation.create")
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = [await countObservations(), await audits()];
    const response = await create(
      validFields({
        dimensionIds: [ids.curiosity, ids.old_one],
        assignmentId: ids.otherAssignment,
      }),
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors).toEqual({
      dimensionIds: ["Choose dimensions from the list."],
      assignmentId: ["Choose one of this person's sniff tests, or none."],
    });
    expect([await countObservations(), await audits()]).toEqual(before);
  });

  it("accepts today's date and no sniff test", async () => {
    const fields = validFields({ observedOn: TODAY, assignmentId: "" });
    expect((await create(fields)).status).toBe(302);
    expect((await observationByKey(fields.idempotencyKey as string))?.assignment_id).toBeNull();
  });
});

describe("outsiders", () => {
  it("get 404 on the new page and its action, and nothing is saved", async () => {
    const before = await countObservations();
    expect(
      (await call(newLoader, get(newPath(), cookies.outsider), ctx, { candidateId: ids.candidate }))
        .status,
    ).toBe(404);
    expect((await create(validFields(), "outsider")).status).toBe(404);
    expect((await create(validFields(), "mentor")).status).toBe(404);
    expect(await countObservations()).toBe(before);
  });

  it("get 404 on an observation and on every intent, and nothing changes", async () => {
    const fields = validFields();
    await create(fields);
    const row = (await observationByKey(fields.idempotencyKey as string))!;
    const path = viewPath(row.id);
    const params = { candidateId: ids.candidate, observationId: row.id };
    expect((await call(viewLoader, get(path, cookies.outsider), ctx, params)).status).toBe(404);
    const forms: Record<string, string | string[]>[] = [
      { intent: "edit", version: "1", ...validFields({ behavior: "Rewritten by an outsider" }) },
      { intent: "delete" },
      { intent: "retract", reason: "Outsider says so" },
    ];
    for (const form of forms) {
      expect((await call(viewAction, post(path, form, cookies.outsider), ctx, params)).status).toBe(
        404,
      );
    }
    expect(await observationByKey(fields.idempotencyKey as string)).toEqual(row);
  });

  it("get 404 for an observation of another candidate under this candidate's URL, and for a malformed id", async () => {
    const other = await handle.db
      .insertInto("observations")
      .values({
        candidate_id: ids.other,
        author_id: ids.outsider,
        observed_on: "2026-11-01",
        situation: "",
        behavior: "Something",
        impact: "",
        signal: "context",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(
      (
        await call(viewLoader, get(viewPath(other.id), cookies.manager), ctx, {
          candidateId: ids.candidate,
          observationId: other.id,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(viewLoader, get(viewPath("nope"), cookies.manager), ctx, {
          candidateId: ids.candidate,
          observationId: "nope",
        })
      ).status,
    ).toBe(404);
  });
});

describe("one observation", () => {
  async function fresh(who = "manager", overrides: Record<string, string | string[]> = {}) {
    const fields = validFields(overrides);
    expect((await create(fields, who)).status).toBe(302);
    return (await observationByKey(fields.idempotencyKey as string))!;
  }
  const edit = (
    id: string,
    version: number,
    overrides: Record<string, string | string[]> = {},
    who = "manager",
  ) => {
    const { idempotencyKey: _key, ...fields } = validFields(overrides);
    return call(
      viewAction,
      post(viewPath(id), { intent: "edit", version: String(version), ...fields }, cookies[who]),
      ctx,
      {
        candidateId: ids.candidate,
        observationId: id,
      },
    );
  };
  const act = (id: string, form: Record<string, string>, who = "manager") =>
    call(viewAction, post(viewPath(id), form, cookies[who]), ctx, {
      candidateId: ids.candidate,
      observationId: id,
    });

  it("shows the observation with its dimensions, author and linked sniff test", async () => {
    const row = await fresh("manager", { assignmentId: ids.assignment });
    const response = await call(viewLoader, get(viewPath(row.id), cookies.observer), ctx, {
      candidateId: ids.candidate,
      observationId: row.id,
    });
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.observation).toMatchObject({
      author_name: "Mara Manager",
      signal: "strength",
      assignment_title: "Run the retro",
      version: 1,
    });
    expect(data.observation.dimensions).toEqual([{ id: ids.curiosity, name: "Curiosity" }]);
    expect(data.revisions).toEqual([]);
    expect(data.can).toMatchObject({ edit: false, delete: false, retract: false });
  });

  it("an edit keeps the previous text in observation_revisions and is audited", async () => {
    const row = await fresh();
    const response = await edit(row.id, 1, {
      behavior: "Asked three questions before proposing anything",
      dimensionIds: [ids.commitment],
      signal: "context",
    });
    expect(response.status).toBe(302);
    const now = await handle.db
      .selectFrom("observations")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect(now).toMatchObject({
      behavior: "Asked three questions before proposing anything",
      signal: "context",
      version: 2,
    });
    const revisions = await handle.db
      .selectFrom("observation_revisions")
      .selectAll()
      .where("observation_id", "=", row.id)
      .execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      version: 1,
      behavior: row.behavior,
      signal: "strength",
      edited_by: ids.manager,
    });
    expect(revisions[0].dimension_ids).toEqual([ids.curiosity]);
    const dims = await handle.db
      .selectFrom("observation_dimensions")
      .select("dimension_id")
      .where("observation_id", "=", row.id)
      .execute();
    expect(dims.map((d) => d.dimension_id)).toEqual([ids.commitment]);
    expect(await auditCount("observation.update", row.id)).toBe(1);

    const page = await body(
      await call(viewLoader, get(viewPath(row.id), cookies.manager), ctx, {
        candidateId: ids.candidate,
        observationId: row.id,
      }),
    );
    expect(page.observation.version).toBe(2);
    expect(page.revisions).toHaveLength(1);
    expect(page.revisions[0]).toMatchObject({
      version: 1,
      behavior: row.behavior,
      edited_by_name: "Mara Manager",
      dimension_names: ["Curiosity"],
    });
  });

  it("a stale edit gets 409 with both texts, and the saved text stays", async () => {
    const row = await fresh();
    expect((await edit(row.id, 1, { behavior: "First editor's text" })).status).toBe(302);
    const response = await edit(row.id, 1, { behavior: "Second editor's text" });
    expect(response.status).toBe(409);
    const data = await body(response);
    expect(data.conflict.yours.behavior).toBe("Second editor's text");
    expect(data.conflict.saved.behavior).toBe("First editor's text");
    expect(data.values).toMatchObject({ behavior: "Second editor's text", version: "2" });
    const now = await handle.db
      .selectFrom("observations")
      .select(["behavior", "version"])
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect(now).toEqual({ behavior: "First editor's text", version: 2 });
    expect(
      await handle.db
        .selectFrom("observation_revisions")
        .select("id")
        .where("observation_id", "=", row.id)
        .execute(),
    ).toHaveLength(1);
    // Re-submitting against the new version then works.
    expect((await edit(row.id, 2, { behavior: "Second editor's text" })).status).toBe(302);
  });

  it("an edit with bad input gets 400 and keeps the input", async () => {
    const row = await fresh();
    const response = await edit(row.id, 1, { behavior: "", situation: "Still here" });
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.behavior).toBeTruthy();
    expect(data.values.situation).toBe("Still here");
  });

  it("only the author may edit: others get 403 and nothing changes", async () => {
    const row = await fresh();
    for (const who of ["observer", "leader"]) {
      expect((await edit(row.id, 1, { behavior: "Someone else's words" }, who)).status).toBe(403);
    }
    expect(
      (
        await handle.db
          .selectFrom("observations")
          .select("behavior")
          .where("id", "=", row.id)
          .executeTakeFirstOrThrow()
      ).behavior,
    ).toBe(row.behavior);
  });

  it("the author may delete within 24 hours; the deletion is audited without the text", async () => {
    const row = await fresh();
    expect((await act(row.id, { intent: "delete" }, "observer")).status).toBe(403);
    clock.now = new Date(clock.now.getTime() + 23 * 3600_000);
    try {
      const response = await act(row.id, { intent: "delete" });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe(`/candidates/${ids.candidate}`);
    } finally {
      clock.now = new Date("2026-11-21T10:00:00Z");
    }
    expect(
      await handle.db
        .selectFrom("observations")
        .select("id")
        .where("id", "=", row.id)
        .executeTakeFirst(),
    ).toBeUndefined();
    const audit = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "observation.delete")
      .where("entity_id", "=", row.id)
      .where("outcome", "=", "ok")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/on-call|incident/);
  });

  it("after 24 hours delete is refused; retract with a reason keeps it visible, marked retracted", async () => {
    const row = await fresh();
    clock.now = new Date(clock.now.getTime() + 25 * 3600_000);
    try {
      const refused = await act(row.id, { intent: "delete" });
      expect(refused.status).toBe(400);
      expect((await body(refused)).formError).toMatch(/can only be retracted/);

      const noReason = await act(row.id, { intent: "retract", reason: "  " });
      expect(noReason.status).toBe(400);
      expect((await body(noReason)).fieldErrors.reason).toBeTruthy();

      expect(
        (
          await act(
            row.id,
            { intent: "retract", reason: "Mixed her up with someone else" },
            "observer",
          )
        ).status,
      ).toBe(403);

      const response = await act(row.id, {
        intent: "retract",
        reason: "Mixed her up with someone else",
      });
      expect(response.status).toBe(302);
      const now = await handle.db
        .selectFrom("observations")
        .selectAll()
        .where("id", "=", row.id)
        .executeTakeFirstOrThrow();
      expect(now.retraction_reason).toBe("Mixed her up with someone else");
      expect(now.retracted_by).toBe(ids.manager);
      expect(now.retracted_at).toBeTruthy();
      expect(await auditCount("observation.retract", row.id)).toBe(1);

      const page = await body(
        await call(viewLoader, get(viewPath(row.id), cookies.observer), ctx, {
          candidateId: ids.candidate,
          observationId: row.id,
        }),
      );
      expect(page.observation.retraction_reason).toBe("Mixed her up with someone else");
      expect(page.observation.behavior).toBe(row.behavior);

      expect((await act(row.id, { intent: "retract", reason: "Again" })).status).toBe(400);
      expect((await edit(row.id, now.version, { behavior: "Edit after retraction" })).status).toBe(
        400,
      );
    } finally {
      clock.now = new Date("2026-11-21T10:00:00Z");
    }
  });

  it("the candidate's manager and a leader may retract someone else's observation", async () => {
    const byObserver = await fresh("observer");
    expect(
      (
        await act(
          byObserver.id,
          { intent: "retract", reason: "Duplicate of another note" },
          "manager",
        )
      ).status,
    ).toBe(302);
    const another = await fresh("observer");
    expect(
      (await act(another.id, { intent: "retract", reason: "Wrong person" }, "leader")).status,
    ).toBe(302);
  });

  it("an unknown intent gets 400", async () => {
    const row = await fresh();
    expect((await act(row.id, { intent: "rewrite" })).status).toBe(400);
  });
});
