import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import type { AssignmentStatus } from "../../db/schema";
import type { AppContext } from "../../app/context";
import {
  action as nominateAction,
  loader as nominateLoader,
} from "../../app/routes/people.$personId.nominate";
import { action as newAction, loader as newLoader } from "../../app/routes/candidates.new";
import { action as editAction } from "../../app/routes/candidates.$candidateId.edit";
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

// Issue 18, item 4: anyone leading (mentor, manager, leader) nominates anyone in the directory; the
// person's earlier sniff tests come with them, and from a sniff test they took, its debrief too.

let handle: DbHandle;
let db: DB;
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-06-15T10:00:00Z") };
type U = Awaited<ReturnType<typeof makeUser>>;
const users: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

async function personOf(userId: string) {
  const row = await db
    .selectFrom("people")
    .select("id")
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function person(
  name: string,
  fields: { team?: string; title?: string; managerId?: string; leftOn?: string } = {},
) {
  const { id } = await db
    .insertInto("people")
    .values({
      name,
      email: `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@org.test`,
      title: fields.title ?? "Software Engineer",
      team: fields.team ?? "Platform",
      manager_id: fields.managerId ?? null,
      left_on: fields.leftOn ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/** A sniff test offered to a person by `by`, with its events up to `status` (the closing one carries `note`). */
async function assignment(
  personId: string,
  by: U,
  status: AssignmentStatus,
  note = "",
): Promise<string> {
  const closes = status !== "offered" && status !== "accepted";
  const { id } = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: ids.test,
      sniff_test_revision_id: ids.revision,
      person_id: personId,
      assigned_by: by.id,
      offered_on: "2026-05-01",
      due_on: "2026-05-15",
      status,
      closed_on: closes ? "2026-05-14" : null,
      version: closes ? 2 : 1,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("sniff_test_assignment_events")
    .values([
      {
        assignment_id: id,
        from_status: null,
        to_status: "offered",
        changed_by: by.id,
        note: "",
        created_at: new Date("2026-05-01T09:00:00Z"),
      },
      ...(closes
        ? [
            {
              assignment_id: id,
              from_status: "offered" as const,
              to_status: status,
              changed_by: by.id,
              note,
              created_at: new Date("2026-05-14T17:00:00Z"),
            },
          ]
        : []),
    ])
    .execute();
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  ctx = makeContext(db, clock);
  for (const [key, roles] of Object.entries({
    leader: ["leader"],
    manager: ["manager"],
    manager2: ["manager"],
    mentor: ["mentor"],
    admin: ["admin"],
  } as const)) {
    users[key] = await makeUser(db, [...roles], `${key} nominator`);
    cookies[key] = await sessionCookie(ctx, users[key].id);
  }
  ids.managerPerson = await personOf(users.manager.id);
  const dims = await db
    .insertInto("dimensions")
    .values([
      { key: "commitment", name: "Commitment", position: 1 },
      { key: "curiosity", name: "Curiosity", position: 2 },
    ])
    .returning(["id", "key"])
    .execute();
  for (const d of dims) ids[d.key] = d.id;
  const text = {
    title: "Run a model yourself",
    dimension_id: ids.commitment,
    assignment: "Run it",
    rationale: "",
    signals: "Finishes",
    red_flags: "Silence",
    timebox_days: 14,
  };
  ids.test = (
    await db
      .insertInto("sniff_tests")
      .values({ ...text, created_by: users.leader.id })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.revision = (
    await db
      .insertInto("sniff_test_revisions")
      .values({ ...text, sniff_test_id: ids.test, version: 1, edited_by: users.leader.id })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;

  // Pat reports to the manager in the directory and was offered a test before anyone nominated her.
  ids.pat = await person("Pat Directory", {
    title: "Senior Engineer",
    team: "Platform",
    managerId: ids.managerPerson,
  });
  ids.patOpen = await assignment(ids.pat, users.manager2, "offered");
  // Dana took the test manager2 offered to her team, and did it well.
  ids.dana = await person("Dana Debrief", { team: "Platform" });
  ids.danaDone = await assignment(
    ids.dana,
    users.manager2,
    "completed",
    "Ran two models and wrote up the memory limits.",
  );
  ids.danaOpen = await assignment(ids.dana, users.manager2, "offered");
  // Quinn's test is not Dana's.
  ids.quinn = await person("Quinn Other", { team: "Data" });
  ids.quinnDone = await assignment(ids.quinn, users.manager2, "completed", "Wrote it up.");
  ids.lee = await person("Lee Left", { leftOn: "2026-03-31" });
  ids.eve = await person("Eve Joiner", { title: "Staff Engineer", team: "Data" });
  ids.finn = await person("Finn Taken", { team: "Data" });
  // Cara is in the pipeline already.
  ids.cara = (
    await db
      .insertInto("candidates")
      .values({
        name: "Cara Candidate",
        email: "cara.candidate@org.test",
        track: "people_leadership",
        manager_id: users.manager.id,
        nominated_by: users.manager.id,
        nominated_reason: "Led the review",
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.caraPerson = (
    await db
      .selectFrom("candidates")
      .select("person_id")
      .where("id", "=", ids.cara)
      .executeTakeFirstOrThrow()
  ).person_id;
});

afterAll(async () => {
  await handle?.close();
});

const path = (personId: string, assignmentId?: string) =>
  `/people/${personId}/nominate${assignmentId ? `?assignment=${assignmentId}` : ""}`;

function nominate(
  who: string,
  personId: string,
  fields: Record<string, string | string[]> = {},
  assignmentId?: string,
) {
  return call(
    nominateAction,
    post(
      path(personId, assignmentId),
      {
        track: "technical_leadership",
        managerId: users.manager.id,
        nominatedReason: "Took the on-call review and made it calm",
        idempotencyKey: randomUUID(),
        ...fields,
      },
      cookies[who],
    ),
    ctx,
    { personId },
  );
}

function viewForm(who: string, personId: string, assignmentId?: string) {
  return call(nominateLoader, get(path(personId, assignmentId), cookies[who]), ctx, { personId });
}

const candidateId = (response: Response) =>
  response.headers.get("Location")?.match(/^\/candidates\/([0-9a-f-]{36})$/)?.[1];

async function auditRows(action: string, entityId: string | null) {
  return db
    .selectFrom("audit_events")
    .select(["actor_id", "outcome", "details", "entity"])
    .where("action", "=", action)
    .where((eb) =>
      entityId === null ? eb("entity_id", "is", null) : eb("entity_id", "=", entityId),
    )
    .execute();
}

describe("nominating a person from the directory", () => {
  it("shows a mentor the form, with the person's directory manager as their manager", async () => {
    const response = await viewForm("mentor", ids.pat);
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.person).toMatchObject({ id: ids.pat, name: "Pat Directory", team: "Platform" });
    expect(data.refusal).toBeNull();
    expect(data.defaultManagerId).toBe(users.manager.id);
    expect(data.managers.map((m: { id: string }) => m.id)).toContain(users.manager2.id);
  });

  it("defaults to the viewer when the directory names no manager with an account", async () => {
    const data = await body(await viewForm("manager2", ids.eve));
    expect(data.defaultManagerId).toBe(users.manager2.id);
    const mentors = await body(await viewForm("mentor", ids.eve));
    expect(mentors.defaultManagerId).toBe("");
  });

  it("lets a mentor nominate: the candidate is the person, with their earlier sniff tests", async () => {
    const key = randomUUID();
    const response = await nominate("mentor", ids.pat, { idempotencyKey: key });
    expect(response.status).toBe(302);
    const id = candidateId(response)!;
    expect(id).toBeDefined();
    const candidate = await db
      .selectFrom("candidates")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(candidate).toMatchObject({
      person_id: ids.pat,
      name: "Pat Directory",
      email: "pat.directory@org.test",
      title: "Senior Engineer",
      team: "Platform",
      track: "technical_leadership",
      manager_id: users.manager.id,
      nominated_by: users.mentor.id,
      stage: "spotted",
    });
    const moved = await db
      .selectFrom("sniff_test_assignments")
      .select("candidate_id")
      .where("id", "=", ids.patOpen)
      .executeTakeFirstOrThrow();
    expect(moved.candidate_id).toBe(id);
    const audits = await auditRows("candidate.create", id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_id: users.mentor.id, outcome: "ok" });
    expect(audits[0]!.details).toMatchObject({ personId: ids.pat, managerId: users.manager.id });

    // The same form sent again answers the same and stores nothing more.
    const again = await nominate("mentor", ids.pat, { idempotencyKey: key });
    expect(again.status).toBe(302);
    expect(candidateId(again)).toBe(id);
    expect(await auditRows("candidate.create", id)).toHaveLength(1);
  });

  it("refuses to nominate someone already in the pipeline, with a 409 and nothing saved", async () => {
    const page = await viewForm("manager", ids.caraPerson);
    expect(page.status).toBe(409);
    const data = await body(page);
    expect(data.refusal).toMatch(/already in the pipeline/);
    // The manager may open Cara's record: the page links it.
    expect(data.person.candidate_id).toBe(ids.cara);
    const mentorView = await body(await viewForm("mentor", ids.caraPerson));
    expect(mentorView.person.candidate_id).toBeNull();

    const response = await nominate("mentor", ids.caraPerson);
    expect(response.status).toBe(409);
    const refused = await body(response);
    expect(refused.formError).toMatch(/already in the pipeline/);
    expect(refused.values.nominatedReason).toBe("Took the on-call review and made it calm");
  });

  it("refuses to nominate someone who left, with a 409 and nothing saved", async () => {
    const page = await viewForm("leader", ids.lee);
    expect(page.status).toBe(409);
    expect((await body(page)).refusal).toMatch(/left the organisation/);
    const response = await nominate("leader", ids.lee);
    expect(response.status).toBe(409);
    expect((await body(response)).formError).toMatch(/left the organisation/);
    const row = await db
      .selectFrom("candidates")
      .select("id")
      .where("person_id", "=", ids.lee)
      .executeTakeFirst();
    expect(row).toBeUndefined();
    // Each refusal says something about the person: audited, the reason without personal text.
    const refusals = await auditRows("person.nominate", ids.lee);
    expect(refusals.map((r) => [r.outcome, r.details])).toEqual([
      ["denied", { reason: "left" }],
      ["denied", { reason: "left" }],
    ]);
  });

  it("answers an unknown person or a bad id with an audited 404", async () => {
    const unknown = randomUUID();
    expect((await viewForm("mentor", unknown)).status).toBe(404);
    expect((await nominate("mentor", unknown)).status).toBe(404);
    const denied = await auditRows("person.view", unknown);
    expect(denied.length).toBe(2);
    expect(denied[0]).toMatchObject({ actor_id: users.mentor.id, outcome: "denied" });
    expect((await viewForm("mentor", "not-a-uuid")).status).toBe(404);
  });

  it("refuses anyone who is not leading with an audited 403", async () => {
    expect((await viewForm("admin", ids.eve)).status).toBe(403);
    expect((await nominate("admin", ids.eve)).status).toBe(403);
    const denied = await db
      .selectFrom("audit_events")
      .select("outcome")
      .where("action", "=", "access.denied")
      .where("actor_id", "=", users.admin.id)
      .execute();
    expect(denied.length).toBe(2);
    const signedOut = await call(nominateLoader, get(path(ids.eve)), ctx, { personId: ids.eve });
    expect(signedOut.status).toBe(302);
  });

  it("keeps the values and names the fields when the form is incomplete", async () => {
    const response = await nominate("mentor", ids.eve, { track: "", nominatedReason: "Kind" });
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.track).toBeDefined();
    expect(data.values.nominatedReason).toBe("Kind");
    const notManager = await nominate("mentor", ids.eve, { managerId: users.mentor.id });
    expect(notManager.status).toBe(400);
    expect((await body(notManager)).fieldErrors.managerId).toEqual([
      "Choose an active manager from the list.",
    ]);
  });
});

describe("nominating from a sniff test the person took", () => {
  it("prefills the debrief with the note left when the test closed", async () => {
    const response = await viewForm("manager2", ids.dana, ids.danaDone);
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.assignment).toMatchObject({
      id: ids.danaDone,
      title: "Run a model yourself",
      status: "completed",
      closing_note: "Ran two models and wrote up the memory limits.",
    });
    // The test's own dimension is always tagged; the others may be added.
    expect(data.dimensions.map((d: { id: string }) => d.id)).toEqual([ids.curiosity]);
  });

  it("answers 404 for a test that is someone else's, still open, or not the viewer's to see", async () => {
    expect((await viewForm("manager2", ids.dana, ids.quinnDone)).status).toBe(404);
    expect((await viewForm("manager2", ids.dana, ids.danaOpen)).status).toBe(404);
    expect((await viewForm("manager2", ids.dana, "nope")).status).toBe(404);
    // The mentor neither offered it nor has Dana in their circle.
    expect((await viewForm("mentor", ids.dana, ids.danaDone)).status).toBe(404);
    expect(
      (await nominate("mentor", ids.dana, { behavior: "Did it", signal: "strength" }, ids.danaDone))
        .status,
    ).toBe(404);
    const denied = await auditRows("assignment.view", ids.danaDone);
    expect(denied.map((d) => d.outcome)).toEqual(["denied", "denied"]);
    const none = await db
      .selectFrom("candidates")
      .select("id")
      .where("person_id", "=", ids.dana)
      .executeTakeFirst();
    expect(none).toBeUndefined();
  });

  it("asks for the debrief's behaviour and signal", async () => {
    const response = await nominate("manager2", ids.dana, { behavior: "" }, ids.danaDone);
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(Object.keys(data.fieldErrors).sort()).toEqual(["behavior", "signal"]);
  });

  it("writes the debrief into the new record, linked to the sniff test and tagged with its dimension", async () => {
    const response = await nominate(
      "manager2",
      ids.dana,
      {
        managerId: users.manager2.id,
        situation: "Sniff test offered to Platform",
        behavior: "Ran two models and wrote up the memory limits.",
        impact: "Two teams reused the notes",
        signal: "strength",
        dimensionIds: [ids.curiosity],
      },
      ids.danaDone,
    );
    expect(response.status).toBe(302);
    const id = candidateId(response)!;
    const observation = await db
      .selectFrom("observations")
      .selectAll()
      .where("candidate_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(observation).toMatchObject({
      assignment_id: ids.danaDone,
      author_id: users.manager2.id,
      behavior: "Ran two models and wrote up the memory limits.",
      impact: "Two teams reused the notes",
      signal: "strength",
      observed_on: "2026-05-14",
    });
    const tags = await db
      .selectFrom("observation_dimensions")
      .select("dimension_id")
      .where("observation_id", "=", observation.id)
      .execute();
    expect(tags.map((t) => t.dimension_id).sort()).toEqual([ids.commitment, ids.curiosity].sort());
    // Both of Dana's tests are in her record now.
    const hers = await db
      .selectFrom("sniff_test_assignments")
      .select("id")
      .where("candidate_id", "=", id)
      .execute();
    expect(hers.map((a) => a.id).sort()).toEqual([ids.danaDone, ids.danaOpen].sort());
    const created = await auditRows("candidate.create", id);
    expect(created[0]!.details).toMatchObject({ personId: ids.dana, assignmentId: ids.danaDone });
    const debrief = await auditRows("observation.create", observation.id);
    expect(debrief).toHaveLength(1);
    expect(debrief[0]!.details).toMatchObject({ candidateId: id, assignmentId: ids.danaDone });
  });
});

describe("nominating on /candidates/new", () => {
  const form = (fields: Record<string, string> = {}) => ({
    name: "Someone New",
    email: "",
    title: "",
    team: "",
    track: "people_leadership",
    managerId: users.manager.id,
    nominatedReason: "Ran the retro well",
    idempotencyKey: randomUUID(),
    ...fields,
  });

  it("is open to mentors", async () => {
    expect((await call(newLoader, get("/candidates/new", cookies.mentor), ctx)).status).toBe(200);
    const response = await call(newAction, post("/candidates/new", form(), cookies.mentor), ctx);
    expect(response.status).toBe(302);
  });

  it("refuses an email of someone already in the pipeline as a field error, keeping the values", async () => {
    const response = await call(
      newAction,
      post(
        "/candidates/new",
        form({ name: "Cara Again", email: "Cara.Candidate@org.test" }),
        cookies.mentor,
      ),
      ctx,
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.email).toEqual([
      "The person with this email address is already in the pipeline.",
    ]);
    expect(data.values.name).toBe("Cara Again");
  });

  it("joins a directory person by their email: their directory facts win", async () => {
    const response = await call(
      newAction,
      post(
        "/candidates/new",
        form({ name: "Eve J.", email: "eve.joiner@org.test", team: "Somewhere" }),
        cookies.manager,
      ),
      ctx,
    );
    expect(response.status).toBe(302);
    const candidate = await db
      .selectFrom("candidates")
      .select(["person_id", "name", "title", "team"])
      .where("id", "=", candidateId(response)!)
      .executeTakeFirstOrThrow();
    expect(candidate).toEqual({
      person_id: ids.eve,
      name: "Eve Joiner",
      title: "Staff Engineer",
      team: "Data",
    });
  });
});

describe("editing a candidate's email", () => {
  it("refuses an email another person has as a field error, not a 500", async () => {
    const { version } = await db
      .selectFrom("candidates")
      .select("version")
      .where("id", "=", ids.cara)
      .executeTakeFirstOrThrow();
    const response = await call(
      editAction,
      post(
        `/candidates/${ids.cara}/edit`,
        {
          intent: "details",
          version: String(version),
          name: "Cara Candidate",
          email: "finn.taken@org.test",
          title: "Lead",
          team: "Data",
          track: "people_leadership",
          managerId: users.manager.id,
          nominatedReason: "Led the review",
        },
        cookies.manager,
      ),
      ctx,
      { candidateId: ids.cara },
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.email).toEqual([
      "Another person in the directory has this email address.",
    ]);
    expect(data.values.title).toBe("Lead");
    const unchanged = await db
      .selectFrom("candidates")
      .select(["email", "title"])
      .where("id", "=", ids.cara)
      .executeTakeFirstOrThrow();
    expect(unchanged).toEqual({ email: "cara.candidate@org.test", title: "" });
  });
});
