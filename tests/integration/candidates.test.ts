import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { Stage, Track } from "../../db/schema";
import { requireCandidateAccess } from "../../app/auth/policy.server";
import { getCandidateHeader } from "../../app/models/candidate.server";
import { loader as listLoader } from "../../app/routes/candidates._index";
import { action as newAction, loader as newLoader } from "../../app/routes/candidates.new";
import {
  action as editAction,
  loader as editLoader,
} from "../../app/routes/candidates.$candidateId.edit";
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
import { MANAGER_SELECT_MAX } from "../../app/models/user.server";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-06-15T10:00:00Z") };
const TODAY = "2026-06-15";
type U = Awaited<ReturnType<typeof makeUser>>;
const u: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
const dims: Record<string, string> = {};

const ctx = () => makeContext(handle.db, clock);

async function insertCandidate(
  name: string,
  {
    manager,
    nominator,
    team = "",
    track = "people_leadership",
    stage = "spotted",
  }: { manager: U; nominator?: U; team?: string; track?: Track; stage?: Stage },
) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      team,
      track,
      manager_id: manager.id,
      nominated_by: (nominator ?? manager).id,
      nominated_reason: "Seen leading the incident review",
      stage,
      archived_at: stage === "archived" ? clock.now : null,
      revisit_on: stage === "paused" ? "2026-09-01" : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function observe(candidateId: string, author: U, observedOn: string, dimensionIds: string[]) {
  const o = await handle.db
    .insertInto("observations")
    .values({
      candidate_id: candidateId,
      author_id: author.id,
      observed_on: observedOn,
      situation: "",
      behavior: "Asked the quiet engineer first",
      impact: "",
      signal: "strength",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const d of dimensionIds)
    await handle.db
      .insertInto("observation_dimensions")
      .values({ observation_id: o.id, dimension_id: d })
      .execute();
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  u.leader = await makeUser(db, ["leader"]);
  u.m1 = await makeUser(db, ["manager"], "Mara Manager");
  u.m2 = await makeUser(db, ["manager"], "Nils Manager");
  u.m3 = await makeUser(db, ["manager"], "Olga Manager");
  u.mentor = await makeUser(db, ["mentor"]);
  u.watcher = await makeUser(db, ["mentor"]);
  u.admin = await makeUser(db, ["admin"]);
  for (const [key, user] of Object.entries(u)) cookies[key] = await sessionCookie(ctx(), user.id);

  for (const [key, position, archived] of [
    ["curiosity", 1, false],
    ["commitment", 2, false],
    ["retired", 3, true],
  ] as const) {
    const row = await db
      .insertInto("dimensions")
      .values({ key, name: key, position, archived_at: archived ? clock.now : null })
      .returning("id")
      .executeTakeFirstOrThrow();
    dims[key] = row.id;
  }
  const ap = await db
    .insertInto("anti_patterns")
    .values({ key: "territoriality", name: "Territoriality", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();

  // Mara's circle: five people with different evidence; Nils manages one; Olga manages thirty.
  ids.ada = await insertCandidate("Ada 100% Lovelace", { manager: u.m1, team: "Platform" });
  ids.bea = await insertCandidate("Bea Bauer", {
    manager: u.m1,
    team: "Payments",
    track: "technical_leadership",
    stage: "exploring",
  });
  ids.cai = await insertCandidate("Cai Archived", {
    manager: u.m1,
    team: "Platform",
    stage: "archived",
  });
  ids.dee = await insertCandidate("Dee Doe", { manager: u.m2, team: "Search" });
  ids.eve = await insertCandidate("Eve Evans", {
    manager: u.m2,
    nominator: u.m1,
    team: "Search",
    stage: "coaching",
  });
  for (let i = 1; i <= 30; i++)
    await insertCandidate(`Zed ${String(i).padStart(2, "0")}`, { manager: u.m3, team: "Bulk" });

  // Ada: two observers, recent, both live dimensions covered → no nudge at all.
  await observe(ids.ada, u.m1, "2026-06-01", [dims.curiosity]);
  await observe(ids.ada, u.leader, "2026-05-20", [dims.commitment]);
  // Bea: one observer (twice), old evidence, commitment never observed, an undiscussed open flag.
  await observe(ids.bea, u.m1, "2026-01-10", [dims.curiosity]);
  await observe(ids.bea, u.m1, "2026-01-12", [dims.curiosity]);
  await db
    .insertInto("flags")
    .values({
      candidate_id: ids.bea,
      anti_pattern_id: ap.id,
      raised_by: u.m1.id,
      observed_on: "2026-01-12",
      situation: "",
      behavior: "Refused to share the runbook",
      impact: "",
    })
    .execute();
  // Eve: a discussed flag does not nudge.
  await db
    .insertInto("flags")
    .values({
      candidate_id: ids.eve,
      anti_pattern_id: ap.id,
      raised_by: u.m1.id,
      observed_on: "2026-05-01",
      situation: "",
      behavior: "Talked over others",
      impact: "",
      discussed_with_candidate_on: "2026-05-03",
    })
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

async function list(who: string, query = "") {
  const response = await call(listLoader, get(`/candidates${query}`, cookies[who]), ctx());
  return { response, data: response.status === 200 ? await body(response) : null };
}
const names = (data: { candidates: { name: string }[] }) => data.candidates.map((c) => c.name);

describe("/candidates list", () => {
  it("a manager sees only their circle, archived hidden, sorted by name", async () => {
    const { data } = await list("m1");
    expect(names(data)).toEqual(["Ada 100% Lovelace", "Bea Bauer", "Eve Evans"]);
    expect(data.total).toBe(3);
    expect(data.candidates[0].manager_name).toBe("Mara Manager");
    expect(data.candidates[0].days_in_stage).toBeGreaterThanOrEqual(0);
  });

  it("a leader sees everyone; an admin-only account and a mentor get 403", async () => {
    const { data } = await list("leader");
    expect(data.total).toBe(34);
    expect((await list("admin")).response.status).toBe(403);
    expect((await list("mentor")).response.status).toBe(403);
  });

  it("shows archived only when asked", async () => {
    expect(names((await list("m1", "?archived=1")).data)).toEqual([
      "Ada 100% Lovelace",
      "Bea Bauer",
      "Cai Archived",
      "Eve Evans",
    ]);
    expect(names((await list("m1", "?stage=archived")).data)).toEqual(["Cai Archived"]);
  });

  it("filters by stage, team, track and manager", async () => {
    expect(names((await list("m1", "?stage=exploring")).data)).toEqual(["Bea Bauer"]);
    expect(names((await list("m1", "?team=Search")).data)).toEqual(["Eve Evans"]);
    expect(names((await list("m1", "?track=technical_leadership")).data)).toEqual(["Bea Bauer"]);
    expect(names((await list("leader", `?manager=${u.m2.id}`)).data)).toEqual([
      "Dee Doe",
      "Eve Evans",
    ]);
    expect((await list("m1")).data.teams).toEqual(["Payments", "Platform", "Search"]);
    // A leader sees every team, archived candidates' included: the skip scan agrees with a plain DISTINCT.
    const every = await handle.db
      .selectFrom("candidates")
      .select("team")
      .distinct()
      .where("team", "<>", "")
      .orderBy("team")
      .execute();
    expect(every.length).toBeGreaterThan(3);
    expect((await list("leader")).data.teams).toEqual(every.map((r) => r.team));
  });

  it("filters by part of the manager's name, with the search text taken literally", async () => {
    expect(names((await list("leader", "?managerName=nILS")).data)).toEqual([
      "Dee Doe",
      "Eve Evans",
    ]);
    expect(names((await list("leader", "?managerName=%25")).data)).toEqual([]);
    expect(names((await list("leader", "?managerName=_")).data)).toEqual([]);
    // A manager outside the viewer's circle is still only a filter on what the viewer may see.
    expect(names((await list("m1", "?managerName=Nils")).data)).toEqual(["Eve Evans"]);
  });

  it("offers a select of managers while there are few, and a name field past that", async () => {
    expect((await list("leader")).data.managers.map((m: { name: string }) => m.name)).toEqual(
      expect.arrayContaining(["Mara Manager", "Nils Manager"]),
    );
    const extra = [];
    for (let i = 0; i < MANAGER_SELECT_MAX; i++)
      extra.push((await makeUser(handle.db, ["manager"], `Extra Manager ${i}`)).id);
    expect((await list("leader")).data.managers).toBeNull();
    // The name filter still works then, and so does a manager chosen by id in a bookmarked link.
    expect(names((await list("leader", "?managerName=Nils")).data)).toEqual([
      "Dee Doe",
      "Eve Evans",
    ]);
    expect(names((await list("leader", `?manager=${u.m2.id}`)).data)).toEqual([
      "Dee Doe",
      "Eve Evans",
    ]);
    await handle.db.deleteFrom("users").where("id", "in", extra).execute();
    expect((await list("leader")).data.managers).not.toBeNull();
  });

  it("ignores unknown filter values instead of failing", async () => {
    const { response, data } = await list("m1", "?stage=bogus&manager=not-a-uuid&page=-3&nudge=x");
    expect(response.status).toBe(200);
    expect(data.total).toBe(3);
  });

  it("filters by each nudge", async () => {
    const nudge = async (kind: string) => names((await list("m1", `?nudge=${kind}`)).data);
    expect(await nudge("single_observer")).toEqual(["Bea Bauer", "Eve Evans"]);
    expect(await nudge("no_recent_evidence")).toEqual(["Bea Bauer", "Eve Evans"]);
    expect(await nudge("undiscussed_flag")).toEqual(["Bea Bauer"]);
    expect(await nudge("unobserved_dimension")).toEqual(["Bea Bauer", "Eve Evans"]);
  });

  it("raises no evidence nudge in the 30 days after a nomination, and does after them", async () => {
    const nudge = async (kind: string) => names((await list("m1", `?nudge=${kind}`)).data);
    const set = (name: string, at: string) =>
      sql`update candidates set created_at = ${at} where name = ${name}`.execute(handle.db);
    await set("Bea Bauer", clock.now.toISOString());
    await set("Eve Evans", "2026-05-06T09:00:00Z");
    try {
      expect(await nudge("single_observer")).toEqual(["Eve Evans"]);
      expect(await nudge("no_recent_evidence")).toEqual(["Eve Evans"]);
    } finally {
      await set("Bea Bauer", "2026-01-01T09:00:00Z");
    }
    expect(await nudge("single_observer")).toEqual(["Bea Bauer", "Eve Evans"]);
  });

  it("searches names with wildcards taken literally", async () => {
    expect(names((await list("m1", "?q=100%25")).data)).toEqual(["Ada 100% Lovelace"]);
    expect(names((await list("m1", "?q=%25")).data)).toEqual(["Ada 100% Lovelace"]);
    expect(names((await list("m1", "?q=_")).data)).toEqual([]);
    expect(names((await list("m1", "?q=bea")).data)).toEqual(["Bea Bauer"]);
  });

  it("paginates 25 a page with the total", async () => {
    const first = (await list("m3")).data;
    expect(first.total).toBe(30);
    expect(first.candidates).toHaveLength(25);
    expect(first.candidates[0].name).toBe("Zed 01");
    const second = (await list("m3", "?page=2")).data;
    expect(names(second)).toEqual(["Zed 26", "Zed 27", "Zed 28", "Zed 29", "Zed 30"]);
    expect(second.total).toBe(30);
  });

  it("tells an empty list apart from no match", async () => {
    const fresh = await makeUser(handle.db, ["manager"]);
    const cookie = await sessionCookie(ctx(), fresh.id);
    const empty = await body(await call(listLoader, get("/candidates", cookie), ctx()));
    expect(empty.anyAtAll).toBe(false);
    const noMatch = (await list("m1", "?q=nobody")).data;
    expect(noMatch.total).toBe(0);
    expect(noMatch.anyAtAll).toBe(true);
  });
});

describe("/candidates/new", () => {
  const fields = (key: string, extra: Record<string, string> = {}) => ({
    idempotencyKey: key,
    name: "Fay Fischer",
    email: "",
    title: "Senior engineer",
    team: "Platform",
    track: "technical_leadership",
    managerId: u.m1.id,
    nominatedReason: "Untangled the deploy pipeline and taught two juniors how",
    ...extra,
  });

  it("the loader offers a key and defaults the manager to the viewer", async () => {
    const data = await body(await call(newLoader, get("/candidates/new", cookies.m1), ctx()));
    expect(data.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.defaultManagerId).toBe(u.m1.id);
    expect(data.managers.map((m: { id: string }) => m.id)).toContain(u.m2.id);
  });

  it("nominates at 'spotted' with a stage change and an audit row; a repeat submit makes one row", async () => {
    const { idempotencyKey } = await body(
      await call(newLoader, get("/candidates/new", cookies.m1), ctx()),
    );
    const first = await call(
      newAction,
      post("/candidates/new", fields(idempotencyKey), cookies.m1),
      ctx(),
    );
    expect(first.status).toBe(302);
    const rows = await handle.db
      .selectFrom("candidates")
      .selectAll()
      .where("name", "=", "Fay Fischer")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stage: "spotted",
      nominated_by: u.m1.id,
      manager_id: u.m1.id,
      email: null,
      track: "technical_leadership",
    });
    expect(first.headers.get("Location")).toBe(`/candidates/${rows[0].id}`);
    expect(first.headers.get("Set-Cookie")).toContain(encodeURIComponent("Candidate nominated."));
    expect(first.headers.get("Set-Cookie")).not.toContain("Fay");

    const changes = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", rows[0].id)
      .execute();
    expect(changes).toMatchObject([
      { from_stage: null, to_stage: "spotted", reason: "Nominated", changed_by: u.m1.id },
    ]);
    const audits = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "candidate.create")
      .where("entity_id", "=", rows[0].id)
      .execute();
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits[0].details)).not.toContain("Fay");

    const again = await call(
      newAction,
      post("/candidates/new", fields(idempotencyKey), cookies.m1),
      ctx(),
    );
    expect(again.status).toBe(302);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(
      await handle.db
        .selectFrom("candidates")
        .select("id")
        .where("name", "=", "Fay Fischer")
        .execute(),
    ).toHaveLength(1);
  });

  it("another user's key does not reveal the candidate", async () => {
    const row = await handle.db
      .selectFrom("candidates")
      .select(["id", "idempotency_key"])
      .where("name", "=", "Fay Fischer")
      .executeTakeFirstOrThrow();
    const response = await call(
      newAction,
      post("/candidates/new", fields(row.idempotency_key!), cookies.m2),
      ctx(),
    );
    // The key is someone else's: 409, no redirect to their candidate, and nothing of it in the answer.
    expect(response.status).toBe(409);
    expect(response.headers.get("Location")).toBeNull();
    expect(await response.text()).not.toContain(row.id);
  });

  it("bad input → 400 with field messages and the input kept", async () => {
    const response = await call(
      newAction,
      post(
        "/candidates/new",
        fields(crypto.randomUUID(), {
          name: "Gus",
          nominatedReason: " ",
          track: "astronaut",
          email: "nope",
        }),
        cookies.m1,
      ),
      ctx(),
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(Object.keys(data.fieldErrors).sort()).toEqual(["email", "nominatedReason", "track"]);
    expect(data.values.name).toBe("Gus");
    expect(
      await handle.db.selectFrom("candidates").select("id").where("name", "=", "Gus").execute(),
    ).toHaveLength(0);
  });

  it("refuses a manager who is not an active manager", async () => {
    const response = await call(
      newAction,
      post("/candidates/new", fields(crypto.randomUUID(), { managerId: u.mentor.id }), cookies.m1),
      ctx(),
    );
    expect(response.status).toBe(400);
    expect((await body(response)).fieldErrors.managerId).toBeTruthy();
  });

  it("anyone leading nominates, a mentor too (they are then in the circle); an admin-only account may not", async () => {
    const response = await call(
      newAction,
      post(
        "/candidates/new",
        fields(crypto.randomUUID(), { name: "Mentor's Pick", email: "mentors.pick@example.test" }),
        cookies.mentor,
      ),
      ctx(),
    );
    expect(response.status).toBe(302);
    const created = await handle.db
      .selectFrom("candidates")
      .select(["nominated_by", "manager_id"])
      .where("email", "=", "mentors.pick@example.test")
      .executeTakeFirstOrThrow();
    expect(created).toEqual({ nominated_by: u.mentor.id, manager_id: u.m1.id });
    const refused = await call(
      newAction,
      post("/candidates/new", fields(crypto.randomUUID()), cookies.admin),
      ctx(),
    );
    expect(refused.status).toBe(403);
  });
});

describe("/candidates/:id/edit", () => {
  let id = "";
  const path = () => `/candidates/${id}/edit`;
  const version = async () =>
    (
      await handle.db
        .selectFrom("candidates")
        .select("version")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).version;
  // Each change happens a minute after the last, so the stage history has a clear order.
  const tick = () => (clock.now = new Date(clock.now.getTime() + 60_000));
  const edit = (who: string, fields: Record<string, string>) => {
    tick();
    return call(editAction, post(path(), fields, cookies[who]), ctx(), { candidateId: id });
  };
  const state = () =>
    handle.db.selectFrom("candidates").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    id = await insertCandidate("Hal Hansen", { manager: u.m1, team: "Platform" });
    await handle.db
      .insertInto("stage_changes")
      .values({
        candidate_id: id,
        from_stage: null,
        to_stage: "spotted",
        changed_by: u.m1.id,
        reason: "Nominated",
        created_at: clock.now,
      })
      .execute();
    await handle.db
      .insertInto("coaching_plans")
      .values({
        candidate_id: id,
        mentor_id: u.mentor.id,
        created_by: u.m1.id,
        goal: "Lead a design review",
        started_on: "2026-05-01",
      })
      .execute();
  });

  it("the manager and a leader may open it; an outsider gets 404; a mentor in the circle gets 403", async () => {
    const load = (who: string, candidateId = id) =>
      call(editLoader, get(path(), cookies[who]), ctx(), { candidateId });
    const ok = await load("m1");
    expect(ok.status).toBe(200);
    expect((await body(ok)).candidate.name).toBe("Hal Hansen");
    expect((await load("leader")).status).toBe(200);
    expect((await load("m2")).status).toBe(404);
    expect((await load("admin")).status).toBe(404);
    expect((await load("mentor")).status).toBe(403);
    expect((await load("m1", "not-a-uuid")).status).toBe(404);
    expect((await load("m1", crypto.randomUUID())).status).toBe(404);
    expect((await edit("m2", { intent: "archive", version: "1", reason: "x" })).status).toBe(404);
    expect((await edit("mentor", { intent: "archive", version: "1", reason: "x" })).status).toBe(
      403,
    );
  });

  it("saves details with the version, and a stale version gets 409 with both texts and nothing changed", async () => {
    const v = await version();
    const details = {
      intent: "details",
      name: "Hal Hansen",
      email: "hal@example.org",
      title: "Staff engineer",
      team: "Platform",
      track: "people_leadership",
      managerId: u.m1.id,
      nominatedReason: "Led the migration",
    };
    const saved = await edit("m1", { ...details, version: String(v) });
    expect(saved.status).toBe(302);
    expect(await state()).toMatchObject({
      title: "Staff engineer",
      email: "hal@example.org",
      version: v + 1,
    });

    const stale = await edit("m1", { ...details, title: "Principal engineer", version: String(v) });
    expect(stale.status).toBe(409);
    const data = await body(stale);
    expect(data.yours.title).toBe("Principal engineer");
    expect(data.current.title).toBe("Staff engineer");
    expect(await state()).toMatchObject({ title: "Staff engineer", version: v + 1 });
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "candidate.update")
      .where("entity_id", "=", id)
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0].details).toEqual({ fields: ["email", "title", "nominatedReason"] });
  });

  it("a stage move needs a reason", async () => {
    const response = await edit("m1", {
      intent: "stage",
      version: String(await version()),
      to: "exploring",
      reason: "  ",
    });
    expect(response.status).toBe(400);
    expect((await body(response)).fieldErrors.reason).toBeTruthy();
    expect((await state()).stage).toBe("spotted");
  });

  it("moves a stage with a stage_changes row and an audit row; a stale move gets 409", async () => {
    const v = await version();
    const response = await edit("m1", {
      intent: "stage",
      version: String(v),
      to: "exploring",
      reason: "Offered the incident-review sniff test",
    });
    expect(response.status).toBe(302);
    expect(await state()).toMatchObject({ stage: "exploring", version: v + 1 });
    expect((await state()).stage_changed_at.getTime()).toBe(clock.now.getTime());
    const last = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", id)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      from_stage: "spotted",
      to_stage: "exploring",
      changed_by: u.m1.id,
      reason: "Offered the incident-review sniff test",
    });
    const audit = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "candidate.stage")
      .where("entity_id", "=", id)
      .execute();
    expect(audit.at(-1)?.details).toMatchObject({ from: "spotted", to: "exploring" });

    const stale = await edit("m1", {
      intent: "stage",
      version: String(v),
      to: "coaching",
      reason: "Started a plan",
    });
    expect(stale.status).toBe(409);
    expect((await body(stale)).values.reason).toBe("Started a plan");
    expect((await state()).stage).toBe("exploring");
  });

  it("refuses ready and promoted by hand", async () => {
    for (const to of ["ready", "promoted"]) {
      const response = await edit("leader", {
        intent: "stage",
        version: String(await version()),
        to,
        reason: "Looks ready",
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await body(response))).toContain(
        "reached only through a calibration decision",
      );
    }
    expect((await state()).stage).toBe("exploring");
  });

  it("pausing needs a revisit date in the future", async () => {
    const pause = async (revisitOn: string) =>
      edit("m1", {
        intent: "stage",
        version: String(await version()),
        to: "paused",
        reason: "Parental leave",
        revisitOn,
      });
    for (const day of ["", TODAY, "2026-01-01", "2026-02-31"]) {
      const response = await pause(day);
      expect(response.status).toBe(400);
      expect({ day, errors: (await body(response)).fieldErrors }).toMatchObject({
        day,
        errors: { revisitOn: expect.any(Array) },
      });
    }
    const v = await version();
    const ok = await edit("m1", {
      intent: "stage",
      version: String(v),
      to: "paused",
      reason: "Parental leave",
      revisitOn: "2026-10-01",
    });
    expect(ok.status).toBe(302);
    expect(await state()).toMatchObject({ stage: "paused", revisit_on: "2026-10-01" });
  });

  it("archive and restore return to the stage before archiving", async () => {
    const archived = await edit("m1", {
      intent: "archive",
      version: String(await version()),
      reason: "Left the company",
    });
    expect(archived.status).toBe(302);
    expect((await state()).archived_at).not.toBeNull();
    expect((await state()).stage).toBe("archived");
    expect((await list("m1")).data.candidates.map((c: { id: string }) => c.id)).not.toContain(id);

    // Back to paused needs a new revisit date.
    const noDate = await edit("m1", {
      intent: "restore",
      version: String(await version()),
      reason: "Came back",
    });
    expect(noDate.status).toBe(400);
    const restored = await edit("m1", {
      intent: "restore",
      version: String(await version()),
      reason: "Came back",
      revisitOn: "2026-11-01",
    });
    expect(restored.status).toBe(302);
    expect(await state()).toMatchObject({
      stage: "paused",
      archived_at: null,
      revisit_on: "2026-11-01",
    });
    const history = await handle.db
      .selectFrom("stage_changes")
      .select(["from_stage", "to_stage"])
      .where("candidate_id", "=", id)
      .orderBy("created_at")
      .execute();
    expect(history.slice(-2)).toEqual([
      { from_stage: "paused", to_stage: "archived" },
      { from_stage: "archived", to_stage: "paused" },
    ]);
  });

  it("ready → promoted is allowed with a current ready_now decision, and carries it", async () => {
    const candidateId = await insertCandidate("Ivy Ito", { manager: u.m1 });
    const meeting = await handle.db
      .insertInto("calibration_meetings")
      .values({
        title: "Q2 calibration",
        scheduled_for: clock.now,
        facilitator_id: u.leader.id,
        created_by: u.leader.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await handle.db
      .insertInto("calibration_items")
      .values({ meeting_id: meeting.id, candidate_id: candidateId, position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const decide = (outcome: "ready_now" | "ready_with_development") =>
      handle.db
        .insertInto("calibration_decisions")
        .values({ item_id: item.id, outcome, rationale: "Cited evidence", decided_by: u.leader.id })
        .returning("id")
        .executeTakeFirstOrThrow();
    const first = await decide("ready_with_development");
    await handle.db
      .insertInto("stage_changes")
      .values({
        candidate_id: candidateId,
        from_stage: "spotted",
        to_stage: "ready",
        changed_by: u.leader.id,
        reason: "Calibration",
        calibration_decision_id: first.id,
      })
      .execute();
    await handle.db
      .updateTable("candidates")
      .set({ stage: "ready" })
      .where("id", "=", candidateId)
      .execute();
    const promote = async () => {
      const v = (
        await handle.db
          .selectFrom("candidates")
          .select("version")
          .where("id", "=", candidateId)
          .executeTakeFirstOrThrow()
      ).version;
      return call(
        editAction,
        post(
          `/candidates/${candidateId}/edit`,
          { intent: "stage", version: String(v), to: "promoted", reason: "Offer accepted" },
          cookies.m1,
        ),
        ctx(),
        { candidateId },
      );
    };
    // The current decision is not ready_now: refused.
    expect((await promote()).status).toBe(400);

    await handle.db
      .updateTable("calibration_decisions")
      .set({ superseded_at: clock.now })
      .where("id", "=", first.id)
      .execute();
    const current = await decide("ready_now");
    const response = await promote();
    expect(response.status).toBe(302);
    const last = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .where("to_stage", "=", "promoted")
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({ from_stage: "ready", calibration_decision_id: current.id });
    expect(
      (
        await handle.db
          .selectFrom("candidates")
          .select("stage")
          .where("id", "=", candidateId)
          .executeTakeFirstOrThrow()
      ).stage,
    ).toBe("promoted");
  });

  it("adding an observer lets them see the candidate; removing takes it away", async () => {
    const viewer = { id: u.watcher.id, roles: u.watcher.roles };
    const access = () =>
      requireCandidateAccess(ctx(), viewer, id).then(
        () => 200,
        (r: Response) => r.status,
      );
    expect(await access()).toBe(404);

    expect((await edit("m1", { intent: "add_observer", userId: u.admin.id })).status).toBe(400);
    expect((await edit("m1", { intent: "add_observer", userId: "nope" })).status).toBe(400);
    const added = await edit("m1", { intent: "add_observer", userId: u.watcher.id });
    expect(added.status).toBe(302);
    expect(await access()).toBe(200);
    const loaded = await body(
      await call(editLoader, get(path(), cookies.m1), ctx(), { candidateId: id }),
    );
    expect(loaded.observers.map((o: { id: string }) => o.id)).toEqual([u.watcher.id]);
    expect(loaded.history[0].to_stage).toBe("paused");

    // An observer sees the record but may not manage it.
    expect(
      (await edit("watcher", { intent: "remove_observer", userId: u.watcher.id })).status,
    ).toBe(403);
    const removed = await edit("m1", { intent: "remove_observer", userId: u.watcher.id });
    expect(removed.status).toBe(302);
    expect(await access()).toBe(404);
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("entity_id", "=", id)
      .where("action", "like", "candidate.observer%")
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      "candidate.observer_add",
      "candidate.observer_remove",
    ]);
  });

  it("getCandidateHeader returns the profile header with manager, nominator and active mentors", async () => {
    const header = await getCandidateHeader(handle.db, id);
    expect(header).toMatchObject({
      id,
      name: "Hal Hansen",
      stage: "paused",
      manager: { id: u.m1.id, name: "Mara Manager" },
      nominated_by: { id: u.m1.id, name: "Mara Manager" },
      mentors: [{ id: u.mentor.id, name: u.mentor.name }],
    });
    expect(await getCandidateHeader(handle.db, crypto.randomUUID())).toBeUndefined();
  });
});
