import { randomUUID } from "node:crypto";
import { createElement, type FunctionComponent } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { createSniffTest, getSniffTestFigures } from "../../app/models/sniff-test.server";
import { describeOffered, PICKED_AUDIENCE } from "../../app/models/offering.server";
import OfferPage, {
  action as offerAction,
  loader as offerLoader,
} from "../../app/routes/sniff-tests.$sniffTestId.offer";
import OfferingPage, {
  action as offeringAction,
  loader as offeringLoader,
} from "../../app/routes/sniff-tests.$sniffTestId.offerings.$offeringId";
import { loader as pageLoader } from "../../app/routes/sniff-tests.$sniffTestId._index";
import { loader as libraryLoader } from "../../app/routes/sniff-tests._index";
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

// The pages are rendered on the server with the loader's (and action's) real answers, as Remix would.
const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
}));
vi.mock("@remix-run/react", async () => {
  const { createElement: h } = await import("react");
  return {
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
    useLocation: () => ({ pathname: "/sniff-tests" }),
    useNavigate: () => () => undefined,
  };
});

async function render(page: FunctionComponent, loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(page));
}

let handle: DbHandle;
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-11-03T10:00:00Z") };
const TODAY = "2026-11-03";
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

async function personOf(userId: string) {
  const row = await handle.db
    .selectFrom("people")
    .select("id")
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertPerson(
  name: string,
  team: string,
  extra: { manager_id?: string; left_on?: string } = {},
) {
  const row = await handle.db
    .insertInto("people")
    .values({
      name,
      team,
      email: `${name.toLowerCase().replace(/\W+/g, ".")}@example.test`,
      ...extra,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertTemplate(title: string, needsAcceptance: boolean, archived = false) {
  const { id } = await handle.db.transaction().execute((trx) =>
    createSniffTest(trx, {
      text: {
        title,
        dimensionId: ids.dimension,
        assignment: `Do ${title}`,
        rationale: "",
        signals: "",
        redFlags: "",
        timeboxDays: 10,
        needsAcceptance,
      },
      createdBy: ids.leader,
      idempotencyKey: randomUUID(),
      now: clock.now,
    }),
  );
  if (archived)
    await handle.db
      .updateTable("sniff_tests")
      .set({ archived_at: clock.now })
      .where("id", "=", id)
      .execute();
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const users = {
    leader: await makeUser(db, ["leader"], "Lea Leader"),
    offerer: await makeUser(db, ["manager"], "Mara Offerer"),
    elsewhere: await makeUser(db, ["manager"], "Ezra Elsewhere"),
    mentor: await makeUser(db, ["mentor"], "Mo Mentor"),
  };
  for (const [who, user] of Object.entries(users)) {
    ids[who] = user.id;
    cookies[who] = await sessionCookie(ctx, user.id);
  }
  const dim = await db
    .insertInto("dimensions")
    .values({ key: "commitment", name: "Commitment", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.dimension = dim.id;

  // Platform: four active people (one of them a candidate), one who left, one with the test already open.
  ids.ana = await insertPerson("Ana Platform", "Platform");
  ids.ben = await insertPerson("Ben Platform", "Platform");
  ids.cal = await insertPerson("Cal Platform", "Platform");
  ids.dee = await insertPerson("Dee Platform", "Platform");
  ids.gone = await insertPerson("Gone Platform", "Platform", { left_on: "2026-10-01" });
  ids.busy = await insertPerson("Busy Platform", "Platform");
  const candidate = await db
    .insertInto("candidates")
    .values({
      name: "Dee Platform",
      person_id: ids.dee,
      track: "people_leadership",
      manager_id: ids.offerer,
      nominated_by: ids.offerer,
      nominated_reason: "Runs the on-call rota",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.deeCandidate = candidate.id;
  // Data: reports of the other manager, in their circle through the manager chain.
  ids.elsewherePerson = await personOf(ids.elsewhere);
  ids.dan = await insertPerson("Dan Data", "Data", { manager_id: ids.elsewherePerson });
  ids.nobodyTeam = await insertPerson("Left Alone", "Gone team", { left_on: "2026-01-01" });

  ids.test = await insertTemplate("Write the rota", true);
  ids.oneStep = await insertTemplate("Read the paper", false);
  ids.archived = await insertTemplate("Old homework", true, true);

  // Busy already has this test open (offered on its own, earlier).
  await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: ids.test,
      sniff_test_revision_id: (
        await db
          .selectFrom("sniff_test_revisions")
          .select("id")
          .where("sniff_test_id", "=", ids.test)
          .executeTakeFirstOrThrow()
      ).id,
      person_id: ids.busy,
      assigned_by: ids.leader,
      offered_on: "2026-10-20",
      due_on: "2026-10-30",
    })
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

const offerPath = (testId: string) => `/sniff-tests/${testId}/offer`;
const offeringPath = (testId: string, offeringId: string) =>
  `/sniff-tests/${testId}/offerings/${offeringId}`;

function offer(testId: string, fields: Record<string, string | string[]>, who = "offerer") {
  return call(
    offerAction,
    post(
      offerPath(testId),
      { offeredOn: TODAY, dueOn: "", idempotencyKey: randomUUID(), ...fields },
      cookies[who],
    ),
    ctx,
    { sniffTestId: testId },
  );
}

function offeringIdOf(response: Response): string {
  expect(response.status).toBe(302);
  const match = response.headers
    .get("Location")
    ?.match(/^\/sniff-tests\/[0-9a-f-]{36}\/offerings\/([0-9a-f-]{36})$/);
  expect(match).not.toBeNull();
  return match![1];
}

const offeringPage = (testId: string, offeringId: string, who = "offerer") =>
  call(offeringLoader, get(offeringPath(testId, offeringId), cookies[who]), ctx, {
    sniffTestId: testId,
    offeringId,
  });

const move = (
  testId: string,
  offeringId: string,
  fields: Record<string, string>,
  who = "offerer",
) =>
  call(offeringAction, post(offeringPath(testId, offeringId), fields, cookies[who]), ctx, {
    sniffTestId: testId,
    offeringId,
  });

async function assignmentsOf(offeringId: string) {
  return handle.db
    .selectFrom("sniff_test_assignments")
    .selectAll()
    .where("offering_id", "=", offeringId)
    .execute();
}

async function auditRows(action: string) {
  return handle.db
    .selectFrom("audit_events")
    .select(["entity_id", "details", "actor_id"])
    .where("action", "=", action)
    .execute();
}

const detailsOf = (d: unknown) =>
  (typeof d === "string" ? JSON.parse(d) : d) as Record<string, unknown>;

describe("the offer page", () => {
  it("lists the directory's teams with their active head-count, for managers and leaders only", async () => {
    const response = await call(offerLoader, get(offerPath(ids.test), cookies.offerer), ctx, {
      sniffTestId: ids.test,
    });
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.teams).toEqual(
      expect.arrayContaining([
        { team: "Platform", active: 5 },
        { team: "Data", active: 1 },
      ]),
    );
    expect(data.offeredOn).toBe(TODAY);
    expect(data.dueOn).toBe("2026-11-13");

    const mentor = await call(offerLoader, get(offerPath(ids.test), cookies.mentor), ctx, {
      sniffTestId: ids.test,
    });
    expect(mentor.status).toBe(403);
    const missing = await call(offerLoader, get(offerPath(randomUUID()), cookies.offerer), ctx, {
      sniffTestId: randomUUID(),
    });
    expect(missing.status).toBe(404);
  });

  it("searches the directory by name and keeps what was picked across searches", async () => {
    const response = await call(
      offerLoader,
      get(
        `${offerPath(ids.test)}?q=platform&personIds=${ids.dan}&personIds=not-an-id`,
        cookies.offerer,
      ),
      ctx,
      { sniffTestId: ids.test },
    );
    const data = await body(response);
    // People who left are not offered.
    expect(data.results.map((r: { name: string }) => r.name)).toEqual([
      "Ana Platform",
      "Ben Platform",
      "Busy Platform",
      "Cal Platform",
      "Dee Platform",
    ]);
    expect(data.picked.map((p: { id: string }) => p.id)).toEqual([ids.dan]);
  });
});

describe("offering to a team", () => {
  let offeringId = "";

  beforeAll(async () => {
    offeringId = offeringIdOf(await offer(ids.test, { intent: "team", team: "Platform" }));
  });

  it("makes one offering and one assignment per active person, skipping who left and who has it open", async () => {
    const offering = await handle.db
      .selectFrom("sniff_test_offerings")
      .selectAll()
      .where("id", "=", offeringId)
      .executeTakeFirstOrThrow();
    expect(offering).toMatchObject({
      sniff_test_id: ids.test,
      audience: "Platform",
      offered_by: ids.offerer,
      offered_on: TODAY,
      due_on: "2026-11-13",
    });
    const rows = await assignmentsOf(offeringId);
    expect(rows.map((r) => r.person_id).sort()).toEqual(
      [ids.ana, ids.ben, ids.cal, ids.dee].sort(),
    );
    for (const r of rows)
      expect(r).toMatchObject({ status: "offered", assigned_by: ids.offerer, version: 1 });
    // The database names the candidate among them.
    expect(rows.find((r) => r.person_id === ids.dee)!.candidate_id).toBe(ids.deeCandidate);
    expect(rows.filter((r) => r.candidate_id === null)).toHaveLength(3);
    const events = await handle.db
      .selectFrom("sniff_test_assignment_events")
      .select(["to_status", "from_status"])
      .where(
        "assignment_id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.to_status === "offered" && e.from_status === null)).toBe(true);
  });

  it("is audited: the offering with its counts, and each assignment", async () => {
    const created = (await auditRows("offering.create")).filter((r) => r.entity_id === offeringId);
    expect(created).toHaveLength(1);
    expect(created[0].actor_id).toBe(ids.offerer);
    expect(detailsOf(created[0].details)).toMatchObject({
      sniffTestId: ids.test,
      offered: 4,
      skippedLeft: 1,
      skippedOpen: 1,
    });
    const rows = await assignmentsOf(offeringId);
    const perAssignment = (await auditRows("assignment.create")).filter((r) =>
      rows.some((a) => a.id === r.entity_id),
    );
    expect(perAssignment).toHaveLength(4);
    expect(JSON.stringify(perAssignment)).not.toContain("Platform");
  });

  it("says in the confirmation how many were skipped and why", () => {
    expect(
      describeOffered({
        id: offeringId,
        sniff_test_id: ids.test,
        offered_by: ids.offerer,
        audience: "Platform",
        offered: 4,
        skippedLeft: 1,
        skippedOpen: 1,
      }),
    ).toBe(
      "Sniff test offered to 4 people in Platform. 2 skipped: 1 has left and 1 already has this sniff test open.",
    );
  });

  it("offering the same test to the team again skips everyone with it open: nothing to offer is a field error", async () => {
    const before = await handle.db.selectFrom("sniff_test_offerings").select("id").execute();
    const response = await offer(ids.test, { intent: "team", team: "Platform" });
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.team[0]).toMatch(
      /Nobody to offer it to: of the 6 in this team, 1 has left and 5 already have this sniff test open/,
    );
    expect(data.values.team).toBe("Platform");
    expect(await handle.db.selectFrom("sniff_test_offerings").select("id").execute()).toHaveLength(
      before.length,
    );
  });

  it("a double submit makes one offering", async () => {
    const key = randomUUID();
    const fields = { intent: "team", team: "Data", idempotencyKey: key };
    const first = offeringIdOf(await offer(ids.oneStep, fields, "leader"));
    const second = offeringIdOf(await offer(ids.oneStep, fields, "leader"));
    expect(second).toBe(first);
    expect(await assignmentsOf(first)).toHaveLength(1);
    // The same key from someone else is not theirs: 409, nothing made.
    const stolen = await offer(ids.oneStep, fields, "offerer");
    expect(stolen.status).toBe(409);
  });
});

describe("refusals", () => {
  it("a team of nobody, an empty pick, or a bad date is a field error with the values kept", async () => {
    const before = (await handle.db.selectFrom("sniff_test_offerings").select("id").execute())
      .length;
    const noTeam = await offer(ids.test, { intent: "team", team: "No such team" });
    expect(noTeam.status).toBe(400);
    expect((await body(noTeam)).fieldErrors.team[0]).toMatch(
      /Nobody in the directory is in this team/,
    );

    const blank = await offer(ids.test, { intent: "team", team: "" });
    expect(blank.status).toBe(400);
    expect((await body(blank)).fieldErrors.team).toEqual(["Choose a team."]);

    const leftOnly = await offer(ids.test, { intent: "team", team: "Gone team" });
    expect(leftOnly.status).toBe(400);
    expect((await body(leftOnly)).fieldErrors.team[0]).toMatch(/1 has left/);

    const none = await offer(ids.test, { intent: "people" });
    expect(none.status).toBe(400);
    expect((await body(none)).fieldErrors.personIds).toEqual([
      "Pick at least one person from the directory.",
    ]);

    const unknown = await offer(ids.test, { intent: "people", personIds: [randomUUID()] });
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).fieldErrors.personIds[0]).toMatch(/None of the people picked/);

    const dates = await offer(ids.test, {
      intent: "team",
      team: "Data",
      offeredOn: TODAY,
      dueOn: "2026-11-01",
    });
    expect(dates.status).toBe(400);
    const data = await body(dates);
    expect(data.fieldErrors.dueOn).toBeDefined();
    expect(data.values.team).toBe("Data");

    expect((await handle.db.selectFrom("sniff_test_offerings").select("id").execute()).length).toBe(
      before,
    );
  });

  it("an archived test is refused as on the candidate's offer form; a mentor is refused", async () => {
    const archived = await offer(ids.archived, { intent: "team", team: "Data" });
    expect(archived.status).toBe(400);
    expect((await body(archived)).formError).toMatch(/archived/);
    const mentor = await offer(ids.test, { intent: "team", team: "Data" }, "mentor");
    expect(mentor.status).toBe(403);
  });
});

describe("an offering's page", () => {
  let teamOffering = "";
  let pickedOffering = "";
  let oneStepOffering = "";

  beforeAll(async () => {
    teamOffering = (
      await handle.db
        .selectFrom("sniff_test_offerings")
        .select("id")
        .where("sniff_test_id", "=", ids.test)
        .where("audience", "=", "Platform")
        .executeTakeFirstOrThrow()
    ).id;
    pickedOffering = offeringIdOf(
      await offer(ids.oneStep, { intent: "people", personIds: [ids.ana, ids.ben, ids.dee] }),
    );
    oneStepOffering = pickedOffering;
  });

  const responseOf = async (offeringId: string, personId: string) =>
    (await assignmentsOf(offeringId)).find((a) => a.person_id === personId)!;

  it("offers to picked people under the directory's audience", async () => {
    const offering = await handle.db
      .selectFrom("sniff_test_offerings")
      .select("audience")
      .where("id", "=", pickedOffering)
      .executeTakeFirstOrThrow();
    expect(offering.audience).toBe(PICKED_AUDIENCE);
    expect((await assignmentsOf(pickedOffering)).map((a) => a.person_id).sort()).toEqual(
      [ids.ana, ids.ben, ids.dee].sort(),
    );
  });

  it("records accept, decline and withdraw with the version checked; a stale form is a 409", async () => {
    const ana = await responseOf(teamOffering, ids.ana);
    const accepted = await move(ids.test, teamOffering, {
      assignmentId: ana.id,
      intent: "accepted",
      version: "1",
      note: "Keen",
    });
    expect(accepted.status).toBe(302);
    expect(await responseOf(teamOffering, ids.ana)).toMatchObject({
      status: "accepted",
      version: 2,
    });
    const stale = await move(ids.test, teamOffering, {
      assignmentId: ana.id,
      intent: "withdrawn",
      version: "1",
      note: "Typed note",
    });
    expect(stale.status).toBe(409);
    expect((await body(stale)).values.note).toBe("Typed note");
    expect(await responseOf(teamOffering, ids.ana)).toMatchObject({
      status: "accepted",
      version: 2,
    });

    const ben = await responseOf(teamOffering, ids.ben);
    expect(
      (
        await move(ids.test, teamOffering, {
          assignmentId: ben.id,
          intent: "declined",
          version: "1",
        })
      ).status,
    ).toBe(302);
    const events = await handle.db
      .selectFrom("sniff_test_assignment_events")
      .select(["to_status", "note", "changed_by"])
      .where("assignment_id", "=", ana.id)
      .orderBy("created_at")
      .execute();
    expect(events.map((e) => e.to_status)).toEqual(["offered", "accepted"]);
    expect(events[1]).toMatchObject({ note: "Keen", changed_by: ids.offerer });
    const audited = (await auditRows("assignment.accepted")).filter((r) => r.entity_id === ana.id);
    expect(audited).toHaveLength(1);
    expect(detailsOf(audited[0].details)).toMatchObject({
      candidateId: null,
      personId: ids.ana,
      from: "offered",
      to: "accepted",
    });
  });

  it("a test that needs acceptance cannot be completed straight from offered", async () => {
    const cal = await responseOf(teamOffering, ids.cal);
    const response = await move(ids.test, teamOffering, {
      assignmentId: cal.id,
      intent: "completed",
      version: "1",
    });
    expect(response.status).toBe(400);
    expect((await body(response)).formError).toMatch(/cannot be marked completed/);
    expect(await responseOf(teamOffering, ids.cal)).toMatchObject({
      status: "offered",
      version: 1,
    });
  });

  it("a person not nominated closes an accepted test without a debrief", async () => {
    const ana = await responseOf(teamOffering, ids.ana);
    const response = await move(ids.test, teamOffering, {
      assignmentId: ana.id,
      intent: "completed",
      version: "2",
    });
    expect(response.status).toBe(302);
    expect(await responseOf(teamOffering, ids.ana)).toMatchObject({
      status: "completed",
      closed_on: TODAY,
    });
    const notes = await handle.db
      .selectFrom("observations")
      .select("id")
      .where("assignment_id", "=", ana.id)
      .execute();
    expect(notes).toHaveLength(0);
  });

  it("a test that needs no acceptance closes in one step, completed or not completed, with a note", async () => {
    const ana = await responseOf(oneStepOffering, ids.ana);
    const ben = await responseOf(oneStepOffering, ids.ben);
    const page = await body(await offeringPage(ids.oneStep, oneStepOffering));
    expect(page.responses.find((r: { id: string }) => r.id === ana.id).moves).toEqual([
      "completed",
      "not_completed",
      "withdrawn",
    ]);
    // The candidate closes with a debrief on their own page: only withdraw here.
    const dee = page.responses.find((r: { name: string }) => r.name === "Dee Platform");
    expect(dee.moves).toEqual(["withdrawn"]);
    expect(dee.href).toBe(`/candidates/${ids.deeCandidate}/assignments/${dee.id}`);
    const refused = await move(ids.oneStep, oneStepOffering, {
      assignmentId: dee.id,
      intent: "completed",
      version: "1",
    });
    expect(refused.status).toBe(400);
    expect((await body(refused)).formError).toMatch(/debrief/);

    expect(
      (
        await move(ids.oneStep, oneStepOffering, {
          assignmentId: ana.id,
          intent: "completed",
          version: "1",
          note: "Sent a thoughtful summary",
        })
      ).status,
    ).toBe(302);
    expect(
      (
        await move(ids.oneStep, oneStepOffering, {
          assignmentId: ben.id,
          intent: "not_completed",
          version: "1",
        })
      ).status,
    ).toBe(302);
    expect(await responseOf(oneStepOffering, ids.ana)).toMatchObject({
      status: "completed",
      version: 2,
      closed_on: TODAY,
    });
    expect(await responseOf(oneStepOffering, ids.ben)).toMatchObject({ status: "not_completed" });
    const closed = (await auditRows("assignment.not_completed")).filter(
      (r) => r.entity_id === ben.id,
    );
    expect(closed).toHaveLength(1);
  });

  it("shows the figures in words, and a Nominate link only on closed responses of people not nominated", async () => {
    const data = await body(await offeringPage(ids.oneStep, oneStepOffering));
    expect(data.summary).toBe(
      `Offered to 3 people picked from the directory on 3 Nov 2026: 1 completed, 1 not completed, 0 declined, 1 still open.`,
    );
    const byName = Object.fromEntries(
      data.responses.map((r: { name: string }) => [r.name, r]),
    ) as Record<string, { id: string; nominate: string | null }>;
    expect(byName["Ana Platform"].nominate).toBe(
      `/people/${ids.ana}/nominate?assignment=${byName["Ana Platform"].id}`,
    );
    expect(byName["Ben Platform"].nominate).toBe(
      `/people/${ids.ben}/nominate?assignment=${byName["Ben Platform"].id}`,
    );
    expect(byName["Dee Platform"].nominate).toBeNull();

    const team = await body(await offeringPage(ids.test, teamOffering));
    expect(team.summary).toBe(
      "Offered to 4 in Platform on 3 Nov 2026: 1 completed, 0 not completed, 1 declined, 2 still open.",
    );
    const cal = team.responses.find((r: { name: string }) => r.name === "Cal Platform");
    expect(cal.nominate).toBeNull();
    expect(cal.moves).toEqual(["accepted", "declined", "withdrawn"]);
    const ben = team.responses.find((r: { name: string }) => r.name === "Ben Platform");
    // Declined is closed but not a response worth nominating from.
    expect(ben.nominate).toBeNull();
  });

  it("a manager elsewhere sees the figures but not the names, and cannot record a response", async () => {
    const response = await offeringPage(ids.oneStep, oneStepOffering, "elsewhere");
    expect(response.status).toBe(200);
    const text = await response.clone().text();
    const data = await body(response);
    expect(data.summary).toMatch(/^Offered to 3 people picked from the directory/);
    expect(data.responses).toEqual([]);
    for (const name of ["Ana Platform", "Ben Platform", "Dee Platform"])
      expect(text).not.toContain(name);
    const ana = await responseOf(oneStepOffering, ids.ana);
    expect(text).not.toContain(ana.id);

    const cal = await responseOf(teamOffering, ids.cal);
    const refused = await move(
      ids.test,
      teamOffering,
      { assignmentId: cal.id, intent: "accepted", version: "1" },
      "elsewhere",
    );
    expect(refused.status).toBe(404);
    expect(await responseOf(teamOffering, ids.cal)).toMatchObject({
      status: "offered",
      version: 1,
    });
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "assignment.view")
      .where("outcome", "=", "denied")
      .where("entity_id", "=", cal.id)
      .execute();
    expect(denied).toHaveLength(1);
  });

  it("the other manager sees their own report's response; a leader sees everyone", async () => {
    const data = await body(
      await offeringPage(
        ids.oneStep,
        (
          await handle.db
            .selectFrom("sniff_test_offerings")
            .select("id")
            .where("audience", "=", "Data")
            .executeTakeFirstOrThrow()
        ).id,
        "elsewhere",
      ),
    );
    expect(data.responses.map((r: { name: string }) => r.name)).toEqual(["Dan Data"]);
    const leader = await body(await offeringPage(ids.test, teamOffering, "leader"));
    expect(leader.responses).toHaveLength(4);
  });

  it("an offering of another test, or an unknown one, is 404", async () => {
    expect((await offeringPage(ids.oneStep, teamOffering)).status).toBe(404);
    expect((await offeringPage(ids.test, randomUUID())).status).toBe(404);
    expect((await offeringPage(ids.test, "not-an-id")).status).toBe(404);
    const mentor = await offeringPage(ids.test, teamOffering, "mentor");
    expect(mentor.status).toBe(403);
  });

  it("the sniff test's page lists its offerings with their figures; the test's figures count group responses", async () => {
    const data = await body(
      await call(pageLoader, get(`/sniff-tests/${ids.oneStep}`, cookies.offerer), ctx, {
        sniffTestId: ids.oneStep,
      }),
    );
    expect(data.offerings.map((o: { summary: string }) => o.summary)).toEqual(
      expect.arrayContaining([
        "Offered to 3 people picked from the directory on 3 Nov 2026: 1 completed, 1 not completed, 0 declined, 1 still open.",
        "Offered to 1 in Data on 3 Nov 2026: 0 completed, 0 not completed, 0 declined, 1 still open.",
      ]),
    );
    expect(data.figures).toMatchObject({ offered: 4, completed: 1, not_completed: 1, open: 2 });
    expect(data.summary).toMatch(/^Offered 4 times; 1 completed \(25%\)/);
    // Group responses are listed: in the offerer's circle by name (to the offering's page), others not.
    const named = data.assignments.filter((a: { visible: boolean }) => a.visible);
    expect(named.map((a: { name: string }) => a.name).sort()).toEqual([
      "Ana Platform",
      "Ben Platform",
      "Dee Platform",
    ]);
    expect(named.find((a: { name: string }) => a.name === "Ana Platform").href).toBe(
      offeringPath(ids.oneStep, oneStepOffering),
    );
    expect(JSON.stringify(data)).not.toContain("Dan Data");

    const figures = await getSniffTestFigures(handle.db, { sniffTestId: ids.test });
    expect(figures).toMatchObject({ offered: 5, completed: 1, declined: 1, accepted: 1 });
    const library = await body(
      await call(libraryLoader, get("/sniff-tests", cookies.offerer), ctx),
    );
    const listed = library.groups
      .flatMap((g: { tests: unknown[] }) => g.tests)
      .find((t: { id: string }) => t.id === ids.test);
    expect(listed).toMatchObject({ offered: 5, completed: 1 });
  });

  it("renders the responses with their move buttons and the Nominate link; outside the circle no name", async () => {
    const html = await render(OfferingPage, await offeringPage(ids.oneStep, oneStepOffering));
    const ana = await responseOf(oneStepOffering, ids.ana);
    expect(html).toContain("Ana Platform");
    expect(html).toContain(`href="/people/${ids.ana}/nominate?assignment=${ana.id}"`);
    expect(html).toContain(`href="/candidates/${ids.deeCandidate}/assignments/`);
    expect(html).toContain("1 completed, 1 not completed, 0 declined, 1 still open");
    const team = await render(OfferingPage, await offeringPage(ids.test, teamOffering));
    expect(team).toMatch(/name="intent" value="accepted"/);
    const elsewhere = await render(
      OfferingPage,
      await offeringPage(ids.oneStep, oneStepOffering, "elsewhere"),
    );
    expect(elsewhere).not.toContain("Ana Platform");
    expect(elsewhere).toContain("3 responses are of people outside your circle");
  });
});

describe("the offer page, rendered", () => {
  it("works without JavaScript: the search is a GET of the same form, and what was picked stays ticked", async () => {
    const loaded = await call(
      offerLoader,
      get(`${offerPath(ids.test)}?q=data&personIds=${ids.ana}`, cookies.offerer),
      ctx,
      { sniffTestId: ids.test },
    );
    const html = await render(OfferPage, loaded);
    expect(html).toContain('formMethod="get"');
    const box = (id: string) =>
      html.match(new RegExp(`<input type="checkbox" name="personIds"[^>]*value="${id}"/>`))?.[0];
    expect(box(ids.ana)).toContain('checked=""');
    expect(box(ids.dan)).toBeDefined();
    expect(box(ids.dan)).not.toContain("checked");
    expect(html).toContain("Platform<!-- --> (<!-- -->5<!-- --> active)");
  });

  it("shows the field error and keeps the team chosen when a team has nobody to offer it to", async () => {
    const loaded = await call(offerLoader, get(offerPath(ids.test), cookies.offerer), ctx, {
      sniffTestId: ids.test,
    });
    const refused = await offer(ids.test, { intent: "team", team: "Gone team" });
    expect(refused.status).toBe(400);
    const html = await render(OfferPage, loaded, refused);
    expect(html).toContain("Nobody to offer it to");
    expect(html).toMatch(/<option value="Gone team" selected="">/);
  });
});
