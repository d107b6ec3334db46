/**
 * Readiness for a named role (issue 22, mechanism 4): leaders keep the roles; everyone leading reads
 * them; a role's page lists who was judged ready for it — current ready decisions only, with their
 * cited evidence — filtered by the viewer's circle. Unhappy paths: wrong role, unknown id, stale
 * version, archived role, a repeated form.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import {
  findOpenReadinessRole,
  listReadinessRoles,
  seedReadinessRoles,
} from "../../app/models/readiness-role.server";
import { loader as listLoader } from "../../app/routes/roles._index";
import { action as newAction, loader as newLoader } from "../../app/routes/roles.new";
import { action as roleAction, loader as roleLoader } from "../../app/routes/roles.$roleId";
import { body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let ctx: AppContext;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

async function candidate(managerId: string, name: string) {
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

async function observation(candidateId: string, authorId: string, behavior: string) {
  const row = await handle.db
    .insertInto("observations")
    .values({
      candidate_id: candidateId,
      author_id: authorId,
      observed_on: "2026-11-02",
      situation: "",
      behavior,
      impact: "The release went out on time",
      signal: "strength",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function decide(
  meetingId: string,
  candidateId: string,
  position: number,
  d: {
    outcome: "ready_now" | "not_yet" | "ready_with_development";
    roleId: string | null;
    evidence?: string[];
  },
) {
  const db = handle.db;
  const item = await db
    .insertInto("calibration_items")
    .values({ meeting_id: meetingId, candidate_id: candidateId, position })
    .returning("id")
    .executeTakeFirstOrThrow();
  const decision = await db
    .insertInto("calibration_decisions")
    .values({
      item_id: item.id,
      outcome: d.outcome,
      rationale: `Rationale for ${candidateId.slice(0, 4)} ${d.outcome}`,
      revisit_on: d.outcome === "not_yet" ? "2027-03-01" : null,
      decided_by: ids.leader,
      readiness_role_id: d.roleId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const o of d.evidence ?? [])
    await db
      .insertInto("calibration_decision_evidence")
      .values({ decision_id: decision.id, observation_id: o })
      .execute();
  return { itemId: item.id, decisionId: decision.id };
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, { now: new Date("2026-12-02T10:00:00Z") });
  for (const [who, roles] of [
    ["leader", ["leader"]],
    ["manager", ["manager"]],
    ["otherManager", ["manager"]],
    ["mentor", ["mentor"]],
    ["admin", ["admin"]],
  ] as const) {
    ids[who] = (await makeUser(db, [...roles], `${who} person`)).id;
    cookies[who] = await sessionCookie(ctx, ids[who]);
  }
  ids.ada = await candidate(ids.manager, "Ada Inner");
  ids.bo = await candidate(ids.otherManager, "Bo Outer");
  ids.cy = await candidate(ids.manager, "Cy NotYet");
  const role = await db
    .insertInto("readiness_roles")
    .values({
      title: "Engineering manager",
      team: "Payments",
      needed_by: "Q2 2027",
      created_by: ids.leader,
    })
    .returning(["id", "version"])
    .executeTakeFirstOrThrow();
  ids.role = role.id;
  const meeting = await db
    .insertInto("calibration_meetings")
    .values({
      title: "Autumn calibration",
      scheduled_for: new Date("2026-11-20T10:00:00Z"),
      facilitator_id: ids.leader,
      created_by: ids.leader,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.obsAda = await observation(ids.ada, ids.manager, "Ran the payments incident review");
  ids.obsWithdrawn = await observation(ids.ada, ids.otherManager, "SECRET withdrawn text");
  await db
    .updateTable("observations")
    .set({
      retracted_at: new Date(),
      retracted_by: ids.otherManager,
      retraction_reason: "Wrong person",
    })
    .where("id", "=", ids.obsWithdrawn)
    .execute();
  await decide(meeting.id, ids.ada, 1, {
    outcome: "ready_now",
    roleId: ids.role,
    evidence: [ids.obsAda, ids.obsWithdrawn],
  });
  await decide(meeting.id, ids.bo, 2, { outcome: "ready_with_development", roleId: ids.role });
  await decide(meeting.id, ids.cy, 3, { outcome: "not_yet", roleId: ids.role });
});
afterAll(() => handle.close());

describe("who may open the roles pages", () => {
  it("sends someone signed out to sign in", async () => {
    const res = await call(listLoader, get("/roles"), ctx);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login/);
  });

  it("lets everyone leading read the list and a role's page, and refuses an admin-only account", async () => {
    for (const who of ["leader", "manager", "mentor"]) {
      expect((await call(listLoader, get("/roles", cookies[who]), ctx)).status).toBe(200);
      const page = await call(roleLoader, get(`/roles/${ids.role}`, cookies[who]), ctx, {
        roleId: ids.role,
      });
      expect(page.status).toBe(200);
    }
    expect((await call(listLoader, get("/roles", cookies.admin), ctx)).status).toBe(403);
    expect(
      (await call(roleLoader, get(`/roles/${ids.role}`, cookies.admin), ctx, { roleId: ids.role }))
        .status,
    ).toBe(403);
  });

  it("lets only leaders add a role; anyone else gets an audited 403 and nothing is stored", async () => {
    expect((await call(newLoader, get("/roles/new", cookies.leader), ctx)).status).toBe(200);
    expect((await call(newLoader, get("/roles/new", cookies.manager), ctx)).status).toBe(403);
    const before = await listReadinessRoles(handle.db);
    const res = await call(
      newAction,
      post(
        "/roles/new",
        { idempotencyKey: randomUUID(), title: "Sneaky", team: "X" },
        cookies.manager,
      ),
      ctx,
    );
    expect(res.status).toBe(403);
    expect(await listReadinessRoles(handle.db)).toEqual(before);
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("actor_id", "=", ids.manager)
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.map((d) => d.action)).toContain("access.denied");
  });

  it("answers 404 for an unknown or malformed role id, audited", async () => {
    for (const roleId of [randomUUID(), "not-a-uuid"]) {
      const res = await call(roleLoader, get(`/roles/${roleId}`, cookies.leader), ctx, { roleId });
      expect(res.status).toBe(404);
    }
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "readiness_role.view")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied).toHaveLength(2);
  });
});

describe("adding a role", () => {
  it("stores it once however often the form is sent, audited, and says so", async () => {
    const form = {
      idempotencyKey: randomUUID(),
      title: "Tech lead",
      team: "Search",
      neededBy: "Q3 2027",
      description: "Owns design reviews",
    };
    const first = await call(newAction, post("/roles/new", form, cookies.leader), ctx);
    const again = await call(newAction, post("/roles/new", form, cookies.leader), ctx);
    expect(first.status).toBe(302);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    const rows = await handle.db
      .selectFrom("readiness_roles")
      .select(["id", "title", "team", "needed_by", "description", "created_by"])
      .where("title", "=", "Tech lead")
      .execute();
    expect(rows).toEqual([
      {
        id: expect.any(String),
        title: "Tech lead",
        team: "Search",
        needed_by: "Q3 2027",
        description: "Owns design reviews",
        created_by: ids.leader,
      },
    ]);
    expect(first.headers.get("Location")).toBe(`/roles/${rows[0].id}`);
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("entity_id")
      .where("action", "=", "readiness_role.create")
      .execute();
    expect(audits).toEqual([{ entity_id: rows[0].id }]);
  });

  it("refuses a missing title or team with 400, the values kept", async () => {
    const res = await call(
      newAction,
      post(
        "/roles/new",
        { idempotencyKey: randomUUID(), title: " ", team: "", neededBy: "x".repeat(61) },
        cookies.leader,
      ),
      ctx,
    );
    expect(res.status).toBe(400);
    const data = await body(res);
    expect(Object.keys(data.fieldErrors).sort()).toEqual(["neededBy", "team", "title"]);
    expect(data.values.neededBy).toBe("x".repeat(61));
  });
});

describe("a role's page", () => {
  it("shows a leader everyone judged ready for it, with the decision and its evidence, and nobody judged not yet", async () => {
    const res = await call(roleLoader, get(`/roles/${ids.role}`, cookies.leader), ctx, {
      roleId: ids.role,
    });
    const data = await body(res);
    expect(data.role).toMatchObject({ title: "Engineering manager", team: "Payments" });
    expect(data.ready.map((d: { candidate_name: string }) => d.candidate_name)).toEqual([
      "Ada Inner",
      "Bo Outer",
    ]);
    const ada = data.ready[0];
    expect(ada.outcome).toBe("ready_now");
    expect(ada.meeting_title).toBe("Autumn calibration");
    expect(ada.evidence).toHaveLength(2);
    expect(ada.evidence).toContainEqual(
      expect.objectContaining({
        observation_id: ids.obsAda,
        behavior: "Ran the payments incident review",
        observer_name: "manager person",
        withdrawn: false,
      }),
    );
    expect(ada.evidence).toContainEqual(
      expect.objectContaining({
        observation_id: ids.obsWithdrawn,
        withdrawn: true,
        behavior: null,
      }),
    );
    expect(JSON.stringify(data)).not.toContain("SECRET withdrawn text");
    expect(JSON.stringify(data)).not.toContain("Cy NotYet");
  });

  it("shows anyone else only the people in their circle", async () => {
    const manager = await body(
      await call(roleLoader, get(`/roles/${ids.role}`, cookies.manager), ctx, { roleId: ids.role }),
    );
    expect(manager.ready.map((d: { candidate_name: string }) => d.candidate_name)).toEqual([
      "Ada Inner",
    ]);
    expect(JSON.stringify(manager)).not.toContain("Bo Outer");
    const mentor = await body(
      await call(roleLoader, get(`/roles/${ids.role}`, cookies.mentor), ctx, { roleId: ids.role }),
    );
    expect(mentor.ready).toEqual([]);
  });

  it("leaves out a superseded decision", async () => {
    const role = await handle.db
      .insertInto("readiness_roles")
      .values({ title: "Staff engineer", team: "Core", created_by: ids.leader })
      .returning("id")
      .executeTakeFirstOrThrow();
    const meeting = await handle.db
      .insertInto("calibration_meetings")
      .values({
        title: "Winter",
        scheduled_for: new Date(),
        facilitator_id: ids.leader,
        created_by: ids.leader,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { decisionId } = await decide(meeting.id, ids.ada, 1, {
      outcome: "ready_now",
      roleId: role.id,
    });
    await handle.db
      .updateTable("calibration_decisions")
      .set({ superseded_at: new Date() })
      .where("id", "=", decisionId)
      .execute();
    const data = await body(
      await call(roleLoader, get(`/roles/${role.id}`, cookies.leader), ctx, { roleId: role.id }),
    );
    expect(data.ready).toEqual([]);
  });
});

describe("archiving", () => {
  it("refuses anyone but a leader with an audited 403", async () => {
    const res = await call(
      roleAction,
      post(`/roles/${ids.role}`, { intent: "archive", version: "1" }, cookies.manager),
      ctx,
      { roleId: ids.role },
    );
    expect(res.status).toBe(403);
    expect(await findOpenReadinessRole(handle.db, ids.role)).toBeDefined();
  });

  it("refuses a stale version with 409, then archives: decisions can no longer name the role", async () => {
    const stale = await call(
      roleAction,
      post(`/roles/${ids.role}`, { intent: "archive", version: "7" }, cookies.leader),
      ctx,
      { roleId: ids.role },
    );
    expect(stale.status).toBe(409);
    const done = await call(
      roleAction,
      post(`/roles/${ids.role}`, { intent: "archive", version: "1" }, cookies.leader),
      ctx,
      { roleId: ids.role },
    );
    expect(done.status).toBe(302);
    expect(await findOpenReadinessRole(handle.db, ids.role)).toBeUndefined();
    expect((await listReadinessRoles(handle.db)).map((r) => r.id)).not.toContain(ids.role);
    // The page still shows who was judged ready for it.
    const data = await body(
      await call(roleLoader, get(`/roles/${ids.role}`, cookies.leader), ctx, { roleId: ids.role }),
    );
    expect(data.ready).toHaveLength(2);
    const restored = await call(
      roleAction,
      post(`/roles/${ids.role}`, { intent: "restore", version: "2" }, cookies.leader),
      ctx,
      { roleId: ids.role },
    );
    expect(restored.status).toBe(302);
    expect(await findOpenReadinessRole(handle.db, ids.role)).toMatchObject({ id: ids.role });
  });

  it("finds no open role for an unknown or malformed id", async () => {
    expect(await findOpenReadinessRole(handle.db, randomUUID())).toBeUndefined();
    expect(await findOpenReadinessRole(handle.db, "nope")).toBeUndefined();
    expect(await findOpenReadinessRole(handle.db, null)).toBeUndefined();
  });
});

describe("the demo's roles", () => {
  it("are seeded once, however often the seed runs", async () => {
    const first = await seedReadinessRoles(handle.db, ids.leader);
    const second = await seedReadinessRoles(handle.db, ids.leader);
    expect(second).toEqual(first);
    expect(Object.keys(first).length).toBeGreaterThanOrEqual(2);
  });
});
