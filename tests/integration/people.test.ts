import { randomUUID } from "node:crypto";
import { createElement, type FunctionComponent } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import { NAV, navFor } from "../../app/components/layout";
import PeopleList, { loader as listLoader } from "../../app/routes/people._index";
import PersonPage, { loader as personLoader } from "../../app/routes/people.$personId._index";
import NewPerson, { action as newAction, loader as newLoader } from "../../app/routes/people.new";
import EditPerson, {
  action as editAction,
  loader as editLoader,
} from "../../app/routes/people.$personId.edit";
import { MANAGER_CHOICES_MAX, PEOPLE_PAGE_SIZE } from "../../app/models/people.server";
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
    useLocation: () => ({ pathname: "/people" }),
    useNavigate: () => () => undefined,
  };
});

async function render(page: FunctionComponent, loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(page));
}

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-12-01T10:00:00Z") };
type U = Awaited<ReturnType<typeof makeUser>>;
const u: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
const TEST_TITLE = "Run the Thursday demo";

const ctx = () => makeContext(handle.db, clock);

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
  {
    email = null,
    team = "",
    managerId = null,
    leftOn = null,
  }: { email?: string | null; team?: string; managerId?: string | null; leftOn?: string | null },
) {
  const row = await handle.db
    .insertInto("people")
    .values({ name, email, team, title: "Engineer", manager_id: managerId, left_on: leftOn })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function view(path: string, who: string, params: Record<string, string> = {}) {
  return call(personLoader, get(path, cookies[who]), ctx(), params);
}

const personPage = (who: string, personId: string) =>
  view(`/people/${personId}`, who, { personId });

async function auditRows(action: string, entityId?: string) {
  let q = handle.db
    .selectFrom("audit_events")
    .select(["action", "outcome", "entity", "entity_id", "actor_id", "details"])
    .where("action", "=", action);
  if (entityId) q = q.where("entity_id", "=", entityId);
  return q.execute();
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  u.leader = await makeUser(db, ["leader"], "Lea Leader");
  u.top = await makeUser(db, ["manager"], "Tia Top");
  u.mid = await makeUser(db, ["manager"], "Mo Middle");
  u.elsewhere = await makeUser(db, ["manager"], "Eli Elsewhere");
  u.mentor = await makeUser(db, ["mentor"], "Meg Mentor");
  u.admin = await makeUser(db, ["admin"], "Ada Admin");
  u.nobody = await makeUser(db, [], "Nia Nobody");
  for (const [key, user] of Object.entries(u)) cookies[key] = await sessionCookie(ctx(), user.id);

  // Tia manages Mo, who manages Pat; Pat is in no pipeline and has no account.
  ids.top = await personOf(u.top.id);
  ids.mid = await personOf(u.mid.id);
  await db.updateTable("people").set({ manager_id: ids.top }).where("id", "=", ids.mid).execute();
  ids.pat = await insertPerson("Pat Outside", {
    email: "pat@example.test",
    team: "Platform",
    managerId: ids.mid,
  });
  ids.quinn = await insertPerson("Quinn Left", { team: "Platform", leftOn: "2026-10-01" });

  // Cara is a candidate whose manager is Eli: Eli sees her record, Mo does not.
  const cara = await db
    .insertInto("candidates")
    .values({
      name: "Cara Candidate",
      email: "cara@example.test",
      team: "Search",
      track: "people_leadership",
      manager_id: u.elsewhere.id,
      nominated_by: u.elsewhere.id,
      nominated_reason: "Ran the incident review",
    })
    .returning(["id", "person_id"])
    .executeTakeFirstOrThrow();
  ids.caraCandidate = cara.id;
  ids.cara = cara.person_id;

  // Meg offered Pat a sniff test: she is in Pat's circle through it.
  const dim = await db
    .insertInto("dimensions")
    .values({ key: "commitment", name: "Commitment", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const test = await db
    .insertInto("sniff_tests")
    .values({
      title: TEST_TITLE,
      dimension_id: dim.id,
      assignment: "Demo the work",
      rationale: "",
      signals: "Shows up",
      red_flags: "Skips it",
      timebox_days: 14,
      created_by: u.leader.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const revision = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: test.id,
      version: 1,
      title: TEST_TITLE,
      dimension_id: dim.id,
      assignment: "Demo the work",
      rationale: "",
      signals: "Shows up",
      red_flags: "Skips it",
      timebox_days: 14,
      edited_by: u.leader.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.test = test.id;
  ids.revision = revision.id;
  await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: test.id,
      sniff_test_revision_id: revision.id,
      person_id: ids.pat,
      assigned_by: u.mentor.id,
      offered_on: "2026-11-20",
      due_on: "2026-12-04",
    })
    .execute();
});

afterAll(async () => {
  await handle?.close();
});

describe("the directory list", () => {
  it("answers 403 (audited) to an account without directory access, and lists for everyone leading and admins", async () => {
    const denied = await call(listLoader, get("/people", cookies.nobody), ctx());
    expect(denied.status).toBe(403);
    const rows = await auditRows("access.denied");
    expect(rows.some((r) => r.actor_id === u.nobody.id && r.entity_id === "/people")).toBe(true);
    for (const who of ["leader", "top", "mid", "elsewhere", "mentor", "admin"]) {
      const res = await call(listLoader, get("/people", cookies[who]), ctx());
      expect(res.status, who).toBe(200);
    }
  });

  it("shows active people by default, and left or everyone on request", async () => {
    const active = await body(await call(listLoader, get("/people", cookies.mid), ctx()));
    const names = active.people.map((p: { name: string }) => p.name);
    expect(names).toContain("Pat Outside");
    expect(names).toContain("Cara Candidate");
    expect(names).not.toContain("Quinn Left");
    const left = await body(await call(listLoader, get("/people?status=left", cookies.mid), ctx()));
    expect(left.people.map((p: { name: string }) => p.name)).toEqual(["Quinn Left"]);
    const all = await body(await call(listLoader, get("/people?status=all", cookies.mid), ctx()));
    expect(all.total).toBe(active.total + 1);
  });

  it("searches name and email case-insensitively, with LIKE characters taken literally, and filters by team", async () => {
    const byName = await body(await call(listLoader, get("/people?q=pAT", cookies.mid), ctx()));
    expect(byName.people.map((p: { name: string }) => p.name)).toEqual(["Pat Outside"]);
    const byEmail = await body(
      await call(listLoader, get("/people?q=CARA%40example", cookies.mid), ctx()),
    );
    expect(byEmail.people.map((p: { name: string }) => p.name)).toEqual(["Cara Candidate"]);
    const wildcard = await body(await call(listLoader, get("/people?q=%25", cookies.mid), ctx()));
    expect(wildcard.total).toBe(0);
    const team = await body(
      await call(listLoader, get("/people?team=Platform&status=all", cookies.mid), ctx()),
    );
    expect(team.people.map((p: { name: string }) => p.name)).toEqual(["Pat Outside", "Quinn Left"]);
    expect(team.teams).toEqual(expect.arrayContaining(["Platform", "Search"]));
    // The manager's name is joined in.
    expect(byName.people[0].manager_name).toBe("Mo Middle");
  });

  it("pages by name then id", async () => {
    for (let i = 1; i <= PEOPLE_PAGE_SIZE; i++)
      await insertPerson(`Zz Paged ${String(i).padStart(2, "0")}`, { team: "Paging" });
    const first = await body(
      await call(listLoader, get("/people?team=Paging", cookies.mid), ctx()),
    );
    expect(first.total).toBe(PEOPLE_PAGE_SIZE);
    expect(first.people).toHaveLength(PEOPLE_PAGE_SIZE);
    await insertPerson("Zz Paged 26", { team: "Paging" });
    const p1 = await body(await call(listLoader, get("/people?team=Paging", cookies.mid), ctx()));
    const p2 = await body(
      await call(listLoader, get("/people?team=Paging&page=2", cookies.mid), ctx()),
    );
    expect(p1.people).toHaveLength(PEOPLE_PAGE_SIZE);
    expect(p2.people.map((p: { name: string }) => p.name)).toEqual(["Zz Paged 26"]);
    const bad = await call(listLoader, get("/people?page=abc&status=nonsense", cookies.mid), ctx());
    expect(bad.status).toBe(200);
  });

  it("shows admins the buttons to add, import and export; not others", async () => {
    const admin = await render(
      PeopleList,
      await call(listLoader, get("/people", cookies.admin), ctx()),
    );
    expect(admin).toContain("Add a person");
    expect(admin).toContain('href="/admin/people/import"');
    expect(admin).toContain('href="/admin/people.csv"');
    expect(admin).toContain(`href="/people/${ids.pat}"`);
    const mentor = await render(
      PeopleList,
      await call(listLoader, get("/people", cookies.mentor), ctx()),
    );
    expect(mentor).toContain("Pat Outside");
    expect(mentor).not.toContain("Add a person");
    expect(mentor).not.toContain("/admin/people");
    const none = await render(
      PeopleList,
      await call(listLoader, get("/people?q=nobody-at-all", cookies.mentor), ctx()),
    );
    expect(none).toContain("No one matches these filters");
  });

  it("tells an admin to import people into an empty directory, and others that it is empty", async () => {
    const empty = (isAdmin: boolean) =>
      Response.json({
        people: [],
        total: 0,
        page: 1,
        pageSize: PEOPLE_PAGE_SIZE,
        filters: {},
        teams: [],
        anyAtAll: false,
        isAdmin,
      });
    const admin = await render(PeopleList, empty(true));
    expect(admin).toContain("Import people from a CSV file");
    const mentor = await render(PeopleList, empty(false));
    expect(mentor).toContain("The directory is empty");
    expect(mentor).not.toContain("/admin/people/import");
  });

  it("offers People in the navigation to everyone leading and to admins", () => {
    expect(NAV.some((i) => i.to === "/people")).toBe(true);
    for (const roles of [["leader"], ["manager"], ["mentor"], ["admin"]] as const)
      expect(navFor(roles).some((i) => i.to === "/people")).toBe(true);
    expect(navFor([]).some((i) => i.to === "/people")).toBe(false);
  });
});

describe("a person's page: who sees what", () => {
  it("answers an audited 404 to an account without directory access, to a bad id and to an unknown person", async () => {
    for (const [who, personId] of [
      ["nobody", ids.pat],
      ["leader", "not-a-uuid"],
      ["leader", randomUUID()],
    ]) {
      const res = await personPage(who, personId);
      expect(res.status, `${who} ${personId}`).toBe(404);
    }
    const rows = await auditRows("person.view");
    expect(rows.some((r) => r.actor_id === u.nobody.id && r.entity_id === ids.pat)).toBe(true);
    expect(rows.every((r) => r.outcome === "denied")).toBe(true);
  });

  it("shows the circle the sniff tests offered to someone outside the pipeline: a leader, the manager chain above, whoever offered it", async () => {
    for (const who of ["leader", "top", "mid", "mentor"]) {
      const res = await personPage(who, ids.pat);
      expect(res.status, who).toBe(200);
      expect(await render(PersonPage, res), who).toContain(TEST_TITLE);
      const data = await body(res);
      expect(data.person.in_circle, who).toBe(true);
      expect(
        data.person.tests.map((t: { title: string }) => t.title),
        who,
      ).toEqual([TEST_TITLE]);
      expect(data.person.tests[0]).toMatchObject({
        offered_on: "2026-11-20",
        due_on: "2026-12-04",
        status: "offered",
      });
    }
  });

  it("shows someone outside the circle, and an admin without a people role, directory facts only", async () => {
    for (const who of ["elsewhere", "admin"]) {
      const res = await personPage(who, ids.pat);
      expect(res.status, who).toBe(200);
      const text = await res.clone().text();
      expect(text, who).not.toContain(TEST_TITLE);
      const html = await render(PersonPage, res);
      expect(html, who).toContain("Pat Outside");
      expect(html, who).toContain(`href="/people/${ids.mid}"`);
      expect(html, who).not.toContain(TEST_TITLE);
      expect(html, who).not.toContain("Sniff tests offered");
      const data = await body(res);
      expect(data.person).toMatchObject({
        name: "Pat Outside",
        email: "pat@example.test",
        team: "Platform",
        manager_id: ids.mid,
        manager_name: "Mo Middle",
        in_circle: false,
        tests: [],
        candidate_id: null,
      });
    }
  });

  it("lists direct reports with whether they left, and links the manager", async () => {
    const data = await body(await personPage("elsewhere", ids.mid));
    expect(data.person.manager_id).toBe(ids.top);
    expect(data.person.reports).toEqual([
      { id: ids.pat, name: "Pat Outside", title: "Engineer", left_on: null, left: false },
    ]);
  });

  it("offers Nominate to anyone leading for an active person who is not a candidate, never to an admin", async () => {
    for (const who of ["leader", "mid", "elsewhere", "mentor"]) {
      const res = await personPage(who, ids.pat);
      expect((await body(res)).nominateHref, who).toBe(`/people/${ids.pat}/nominate`);
      expect(await render(PersonPage, res), who).toContain(`href="/people/${ids.pat}/nominate"`);
    }
    expect((await body(await personPage("admin", ids.pat))).nominateHref).toBeNull();
    // Someone who left is not nominated.
    expect((await body(await personPage("leader", ids.quinn))).nominateHref).toBeNull();
  });

  it("links a candidate's record for whoever may see it; anyone else leading sees Nominate as for anyone, and the page never says they are a candidate", async () => {
    for (const who of ["leader", "elsewhere"]) {
      const res = await personPage(who, ids.cara);
      const data = await body(res);
      expect(data.person.candidate_id, who).toBe(ids.caraCandidate);
      const html = await render(PersonPage, res);
      expect(html, who).toContain(`href="/candidates/${ids.caraCandidate}"`);
      expect(html, who).not.toContain("/nominate");
      expect(data.nominateHref, who).toBeNull();
    }
    for (const who of ["mid", "mentor", "admin"]) {
      const res = await personPage(who, ids.cara);
      const data = await body(res);
      expect(data.person.candidate_id, who).toBeNull();
      expect(data.person, who).not.toHaveProperty("is_candidate");
      // Nominating is offered as for anyone active; only the attempt says she is in the pipeline.
      expect(data.nominateHref, who).toBe(who === "admin" ? null : `/people/${ids.cara}/nominate`);
      expect(await res.clone().text(), who).not.toContain(ids.caraCandidate);
      const html = await render(PersonPage, res);
      expect(html, who).not.toContain("/candidates/");
    }
  });

  it("keeps a candidate's sniff tests in the candidate's circle: not the manager above them in the directory, nor whoever offered them a test", async () => {
    // Dev reports to Mo in the directory and is Eli's candidate; Mo offered Dev's team a test.
    const dev = await handle.db
      .insertInto("candidates")
      .values({
        name: "Dev Candidate",
        email: "dev@example.test",
        track: "people_leadership",
        manager_id: u.elsewhere.id,
        nominated_by: u.elsewhere.id,
        nominated_reason: "Led the migration",
      })
      .returning("person_id")
      .executeTakeFirstOrThrow();
    await handle.db
      .updateTable("people")
      .set({ manager_id: ids.mid })
      .where("id", "=", dev.person_id)
      .execute();
    await handle.db
      .insertInto("sniff_test_assignments")
      .values({
        sniff_test_id: ids.test,
        sniff_test_revision_id: ids.revision,
        person_id: dev.person_id,
        assigned_by: u.mid.id,
        offered_on: "2026-11-21",
        due_on: "2026-12-05",
      })
      .execute();
    for (const who of ["mid", "top"]) {
      const res = await personPage(who, dev.person_id);
      const data = await body(res);
      expect(data.person.in_circle, who).toBe(false);
      expect(data.person.tests, who).toEqual([]);
      expect(await res.clone().text(), who).not.toContain(TEST_TITLE);
    }
    const res = await personPage("elsewhere", dev.person_id);
    expect((await body(res)).person.in_circle).toBe(true);
    expect(await res.clone().text()).toContain(TEST_TITLE);
  });
});

describe("adding and editing people (admins)", () => {
  const form = (fields: Record<string, string>) => ({
    idempotencyKey: randomUUID(),
    name: "Ren New",
    email: "",
    title: "",
    team: "",
    managerId: "",
    ...fields,
  });

  it("is for admins only: 403 for anyone else, on the pages and their actions", async () => {
    for (const who of ["leader", "mid", "nobody"]) {
      expect((await call(newLoader, get("/people/new", cookies[who]), ctx())).status, who).toBe(
        403,
      );
      expect(
        (await call(newAction, post("/people/new", form({}), cookies[who]), ctx())).status,
        who,
      ).toBe(403);
      const params = { personId: ids.pat };
      expect(
        (await call(editLoader, get(`/people/${ids.pat}/edit`, cookies[who]), ctx(), params))
          .status,
        who,
      ).toBe(403);
      expect(
        (
          await call(
            editAction,
            post(`/people/${ids.pat}/edit`, { intent: "return", version: "1" }, cookies[who]),
            ctx(),
            params,
          )
        ).status,
        who,
      ).toBe(403);
    }
    const edit404 = await call(
      editLoader,
      get(`/people/${randomUUID()}/edit`, cookies.admin),
      ctx(),
      { personId: randomUUID() },
    );
    expect(edit404.status).toBe(404);
  });

  it("adds a person once, however often the form is sent, and audits it without personal text", async () => {
    const page = await call(newLoader, get("/people/new", cookies.admin), ctx());
    const loaded = await body(page);
    expect(loaded.managers.some((m: { id: string }) => m.id === ids.mid)).toBe(true);
    const html = await render(NewPerson, page);
    expect(html).toContain('name="idempotencyKey"');
    expect(html).toContain(`value="${ids.mid}"`);
    const fields = form({
      name: "Ren New",
      email: "Ren@Example.test",
      title: "Engineer",
      team: "Platform",
      managerId: ids.mid,
    });
    const first = await call(newAction, post("/people/new", fields, cookies.admin), ctx());
    expect(first.status).toBe(302);
    const again = await call(newAction, post("/people/new", fields, cookies.admin), ctx());
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    const rows = await handle.db
      .selectFrom("people")
      .selectAll()
      .where("email", "=", "ren@example.test")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "Ren New", team: "Platform", manager_id: ids.mid });
    expect(first.headers.get("Location")).toBe(`/people/${rows[0].id}`);
    ids.ren = rows[0].id;
    const audits = await auditRows("person.create", ids.ren);
    expect(audits).toHaveLength(1);
    expect(audits[0].details).toMatchObject({
      fields: ["name", "email", "title", "team", "managerId"],
    });
    expect(JSON.stringify(audits[0].details)).not.toContain("Ren");
    // The same key used by another admin is not theirs to repeat.
    const otherAdmin = await makeUser(handle.db, ["admin"]);
    const reused = await call(
      newAction,
      post("/people/new", fields, await sessionCookie(ctx(), otherAdmin.id)),
      ctx(),
    );
    expect(reused.status).toBe(409);
  });

  it("stores one person when the same form is sent three times at once", async () => {
    const fields = form({ name: "Tri Once", team: "Concurrency" });
    const answers = await Promise.all(
      [1, 2, 3].map(() => call(newAction, post("/people/new", fields, cookies.admin), ctx())),
    );
    const rows = await handle.db
      .selectFrom("people")
      .select("id")
      .where("name", "=", "Tri Once")
      .execute();
    expect(rows).toHaveLength(1);
    for (const a of answers) expect(a.headers.get("Location")).toBe(`/people/${rows[0].id}`);
    expect(await auditRows("person.create", rows[0].id)).toHaveLength(1);
  });

  it("refuses a bad email, a missing name and a duplicate email with field messages, keeping the values", async () => {
    const bad = await call(
      newAction,
      post("/people/new", form({ name: "", email: "not-an-email", team: "Kept" }), cookies.admin),
      ctx(),
    );
    expect(bad.status).toBe(400);
    const b = await body(bad);
    expect(b.fieldErrors.email).toBeTruthy();
    expect(b.fieldErrors.name).toBeTruthy();
    expect(b.values.team).toBe("Kept");
    const html = await render(
      NewPerson,
      await call(newLoader, get("/people/new", cookies.admin), ctx()),
      bad,
    );
    expect(html).toContain('value="Kept"');
    expect(html).toContain(b.fieldErrors.email[0]);

    const dup = await call(
      newAction,
      post("/people/new", form({ name: "Second Pat", email: "PAT@example.test" }), cookies.admin),
      ctx(),
    );
    expect(dup.status).toBe(400);
    expect((await body(dup)).fieldErrors.email[0]).toMatch(/already has this work email/);

    const unknownManager = await call(
      newAction,
      post("/people/new", form({ name: "No Boss", managerId: randomUUID() }), cookies.admin),
      ctx(),
    );
    expect(unknownManager.status).toBe(400);
    expect((await body(unknownManager)).fieldErrors.managerId).toBeTruthy();
  });

  it("edits the facts with the version it saw, carries them to the candidate's copy, and audits which fields changed", async () => {
    const loaded = await body(
      await call(editLoader, get(`/people/${ids.cara}/edit`, cookies.admin), ctx(), {
        personId: ids.cara,
      }),
    );
    const res = await call(
      editAction,
      post(
        `/people/${ids.cara}/edit`,
        {
          intent: "details",
          version: String(loaded.person.version),
          name: "Cara Renamed",
          email: "cara@example.test",
          title: loaded.person.title,
          team: "Search",
          managerId: "",
        },
        cookies.admin,
      ),
      ctx(),
      { personId: ids.cara },
    );
    expect(res.status).toBe(302);
    const candidate = await handle.db
      .selectFrom("candidates")
      .select("name")
      .where("id", "=", ids.caraCandidate)
      .executeTakeFirstOrThrow();
    expect(candidate.name).toBe("Cara Renamed");
    const audits = await auditRows("person.update", ids.cara);
    expect(audits.map((a) => a.details)).toEqual([{ fields: ["name"] }]);

    // The form it was sent from is now stale: 409, with both versions, and nothing saved.
    const stale = await call(
      editAction,
      post(
        `/people/${ids.cara}/edit`,
        {
          intent: "details",
          version: String(loaded.person.version),
          name: "Cara Again",
          email: "cara@example.test",
          title: "",
          team: "Search",
          managerId: "",
        },
        cookies.admin,
      ),
      ctx(),
      { personId: ids.cara },
    );
    expect(stale.status).toBe(409);
    const s = await body(stale);
    expect(s.yours.name).toBe("Cara Again");
    expect(s.current.name).toBe("Cara Renamed");
    const html = await render(
      EditPerson,
      await call(editLoader, get(`/people/${ids.cara}/edit`, cookies.admin), ctx(), {
        personId: ids.cara,
      }),
      stale,
    );
    expect(html).toContain("Your changes and the saved version");
    expect(html).toContain("Cara Again");
    expect(await auditRows("person.update", ids.cara)).toHaveLength(1);
  });

  it("answers a manager cycle and a duplicate email on edit with field errors, never a 500", async () => {
    const top = await body(
      await call(editLoader, get(`/people/${ids.top}/edit`, cookies.admin), ctx(), {
        personId: ids.top,
      }),
    );
    const base = {
      intent: "details",
      version: String(top.person.version),
      name: top.person.name,
      email: top.person.email ?? "",
      title: top.person.title,
      team: top.person.team,
    };
    // Tia manages Mo manages Pat: Pat cannot manage Tia.
    const cycle = await call(
      editAction,
      post(`/people/${ids.top}/edit`, { ...base, managerId: ids.pat }, cookies.admin),
      ctx(),
      { personId: ids.top },
    );
    expect(cycle.status).toBe(400);
    expect((await body(cycle)).fieldErrors.managerId[0]).toMatch(/reports to this person/);
    const self = await call(
      editAction,
      post(`/people/${ids.top}/edit`, { ...base, managerId: ids.top }, cookies.admin),
      ctx(),
      { personId: ids.top },
    );
    expect(self.status).toBe(400);
    const dup = await call(
      editAction,
      post(
        `/people/${ids.top}/edit`,
        { ...base, email: "pat@example.test", managerId: "" },
        cookies.admin,
      ),
      ctx(),
      { personId: ids.top },
    );
    expect(dup.status).toBe(400);
    expect((await body(dup)).fieldErrors.email).toBeTruthy();
    const after = await handle.db
      .selectFrom("people")
      .select(["manager_id", "email", "version"])
      .where("id", "=", ids.top)
      .executeTakeFirstOrThrow();
    expect(after.manager_id).toBeNull();
    expect(after.version).toBe(top.person.version);
  });

  it("names a manager by work email or whole name once the directory is too big for a select", async () => {
    const before = await handle.db
      .selectFrom("people")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("left_on", "is", null)
      .executeTakeFirstOrThrow();
    for (let i = Number(before.n); i <= MANAGER_CHOICES_MAX + 1; i++)
      await insertPerson(`Bulk ${i}`, { team: "Bulk" });
    const page = await call(newLoader, get("/people/new", cookies.admin), ctx());
    expect((await body(page)).managers).toBeNull();
    expect(await render(NewPerson, page)).toContain('name="managerLookup"');
    const byEmail = await call(
      newAction,
      post(
        "/people/new",
        form({ name: "Via Email", managerId: "", managerLookup: "PAT@example.test" }),
        cookies.admin,
      ),
      ctx(),
    );
    expect(byEmail.status).toBe(302);
    const viaEmail = await handle.db
      .selectFrom("people")
      .select("manager_id")
      .where("name", "=", "Via Email")
      .executeTakeFirstOrThrow();
    expect(viaEmail.manager_id).toBe(ids.pat);
    const unknown = await call(
      newAction,
      post(
        "/people/new",
        form({ name: "Nobody's", managerId: "", managerLookup: "Someone Unknown" }),
        cookies.admin,
      ),
      ctx(),
    );
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).fieldErrors.managerLookup).toBeTruthy();

    // Two people share a name and have no email: the one already shown as the manager stays, and
    // naming them for someone else asks for an email.
    const sam = await insertPerson("Sam Same", {});
    await insertPerson("Sam Same", {});
    const sub = await insertPerson("Sub Ordinate", { managerId: sam });
    const editSub = async (fields: Record<string, string>) => {
      const params = { personId: sub };
      const page = await call(editLoader, get(`/people/${sub}/edit`, cookies.admin), ctx(), params);
      const loaded = await body(page);
      expect(await render(EditPerson, page)).toContain('value="Sam Same"');
      return call(
        editAction,
        post(
          `/people/${sub}/edit`,
          {
            intent: "details",
            version: String(loaded.person.version),
            name: "Sub Ordinate",
            email: "",
            title: "Engineer",
            team: "",
            managerId: "",
            ...fields,
          },
          cookies.admin,
        ),
        ctx(),
        params,
      );
    };
    expect((await editSub({ managerLookup: "sam same", title: "Lead" })).status).toBe(302);
    const kept = await handle.db
      .selectFrom("people")
      .select(["manager_id", "title"])
      .where("id", "=", sub)
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ manager_id: sam, title: "Lead" });
    const ambiguous = await call(
      newAction,
      post(
        "/people/new",
        form({ name: "Two Sams", managerId: "", managerLookup: "Sam Same" }),
        cookies.admin,
      ),
      ctx(),
    );
    expect(ambiguous.status).toBe(400);
    expect((await body(ambiguous)).fieldErrors.managerLookup[0]).toMatch(/Several people/);
  });

  it("marks someone as left and back, with the version, audited", async () => {
    const loaded = await body(
      await call(editLoader, get(`/people/${ids.pat}/edit`, cookies.admin), ctx(), {
        personId: ids.pat,
      }),
    );
    const v = loaded.person.version;
    const badDay = await call(
      editAction,
      post(
        `/people/${ids.pat}/edit`,
        { intent: "leave", version: String(v), leftOn: "2026-02-31" },
        cookies.admin,
      ),
      ctx(),
      { personId: ids.pat },
    );
    expect(badDay.status).toBe(400);
    const left = await call(
      editAction,
      post(
        `/people/${ids.pat}/edit`,
        { intent: "leave", version: String(v), leftOn: "2026-11-30" },
        cookies.admin,
      ),
      ctx(),
      { personId: ids.pat },
    );
    expect(left.status).toBe(302);
    const staleBack = await call(
      editAction,
      post(`/people/${ids.pat}/edit`, { intent: "return", version: String(v) }, cookies.admin),
      ctx(),
      { personId: ids.pat },
    );
    expect(staleBack.status).toBe(409);
    const back = await call(
      editAction,
      post(`/people/${ids.pat}/edit`, { intent: "return", version: String(v + 1) }, cookies.admin),
      ctx(),
      { personId: ids.pat },
    );
    expect(back.status).toBe(302);
    const row = await handle.db
      .selectFrom("people")
      .select("left_on")
      .where("id", "=", ids.pat)
      .executeTakeFirstOrThrow();
    expect(row.left_on).toBeNull();
    expect(await auditRows("person.leave", ids.pat)).toHaveLength(1);
    expect(await auditRows("person.return", ids.pat)).toHaveLength(1);
  });
});
