import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  canManageCandidate,
  canViewCandidate,
  candidateVisibleTo,
  denyAsForbidden,
  requireCandidateAccess,
  requireRole,
  type Viewer,
} from "../../app/auth/policy.server";
import { get, makeContext, makeUser, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
const users: Record<string, Viewer> = {};
let candidateId = "";
let otherCandidateId = "";

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  users.leader = await makeUser(db, ["leader"]);
  users.manager = await makeUser(db, ["manager"]);
  users.otherManager = await makeUser(db, ["manager"]);
  users.mentor = await makeUser(db, ["mentor"]);
  users.pastMentor = await makeUser(db, ["mentor"]);
  users.observer = await makeUser(db, ["manager"]);
  users.nominator = await makeUser(db, ["mentor"]);
  users.admin = await makeUser(db, ["admin"]);
  users.adminManager = await makeUser(db, ["admin", "manager"]);

  const insert = (manager: string, nominatedBy: string) =>
    db
      .insertInto("candidates")
      .values({
        name: "Someone",
        track: "people_leadership",
        manager_id: manager,
        nominated_by: nominatedBy,
        nominated_reason: "Ran the incident review",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  candidateId = (await insert(users.manager.id, users.nominator.id)).id;
  otherCandidateId = (await insert(users.otherManager.id, users.otherManager.id)).id;
  // Even the admin's own nomination stays invisible to an admin-only account.
  await insert(users.adminManager.id, users.admin.id);

  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: candidateId, user_id: users.observer.id, added_by: users.manager.id })
    .execute();
  const plan = {
    candidate_id: candidateId,
    created_by: users.manager.id,
    goal: "Lead the design review",
    started_on: "2026-01-10",
  };
  await db
    .insertInto("coaching_plans")
    .values({ ...plan, mentor_id: users.mentor.id })
    .execute();
  await db
    .insertInto("coaching_plans")
    .values({ ...plan, mentor_id: users.pastMentor.id, status: "completed" })
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

async function outcome(viewer: Viewer, id: string, manage = false) {
  try {
    await requireCandidateAccess(makeContext(handle.db), viewer, id, { manage });
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

describe("who sees a candidate", () => {
  const expected: [string, number, number][] = [
    // viewer, view status, manage status
    ["leader", 200, 200],
    ["manager", 200, 200],
    ["otherManager", 404, 404],
    ["mentor", 200, 403],
    ["pastMentor", 404, 404],
    ["observer", 200, 403],
    ["nominator", 200, 403],
    ["admin", 404, 404],
  ];
  for (const [who, view, manage] of expected) {
    it(`${who}: view ${view}, manage ${manage}`, async () => {
      expect(await outcome(users[who], candidateId)).toBe(view);
      expect(await outcome(users[who], candidateId, true)).toBe(manage);
    });
  }

  it("tells each viewer it lets in whether they may manage, the same answer as the manage check", async () => {
    for (const [who, view, manage] of expected) {
      if (view !== 200) continue;
      const access = await requireCandidateAccess(makeContext(handle.db), users[who], candidateId);
      expect({ who, mayManage: access.mayManage }).toEqual({ who, mayManage: manage === 200 });
    }
  });

  it("a missing candidate and a malformed id answer 404 just like a hidden one", async () => {
    expect(await outcome(users.leader, "00000000-0000-4000-8000-000000000000")).toBe(404);
    expect(await outcome(users.leader, "not-a-uuid")).toBe(404);
    expect(await outcome(users.leader, "1 OR 1=1")).toBe(404);
  });

  it("audits every denial with the viewer and the candidate id", async () => {
    await outcome(users.otherManager, candidateId);
    const rows = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("outcome", "=", "denied")
      .where("actor_id", "=", users.otherManager.id)
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({
      entity: "candidate",
      entity_id: candidateId,
      action: "candidate.view",
    });
  });

  it("lists exactly the visible candidates, with the same rule in SQL", async () => {
    const visible = async (viewer: Viewer) =>
      (
        await handle.db
          .selectFrom("candidates")
          .select("id")
          .where(candidateVisibleTo(viewer))
          .execute()
      )
        .map((r) => r.id)
        .sort();
    expect(await visible(users.leader)).toHaveLength(3);
    expect(await visible(users.manager)).toEqual([candidateId]);
    expect(await visible(users.otherManager)).toEqual([otherCandidateId]);
    expect(await visible(users.admin)).toEqual([]);
    expect(await visible(users.pastMentor)).toEqual([]);
    expect(await visible(users.adminManager)).toHaveLength(1);
  });
});

describe("candidateVisibleTo is one SQL expression", () => {
  it("selects as a column per candidate, with no expression builder to pass", async () => {
    const seen = async (viewer: Viewer) =>
      (
        await handle.db
          .selectFrom("candidates")
          .select(["id", candidateVisibleTo(viewer).as("visible")])
          .execute()
      )
        .filter((r) => r.visible)
        .map((r) => r.id);
    expect(await seen(users.manager)).toEqual([candidateId]);
    expect(await seen(users.leader)).toHaveLength(3);
    expect(await seen(users.admin)).toEqual([]);
  });
});

describe("requireRole", () => {
  const path = "/pipeline?stage=nominated";
  async function refusal(
    viewer: Viewer,
    roles: Parameters<typeof requireRole>[2],
    requestId: string,
  ) {
    const ctx = makeContext(handle.db, undefined, { requestId });
    try {
      return {
        user: await requireRole(ctx, get(path, await sessionCookie(ctx, viewer.id)), roles),
        response: null,
      };
    } catch (thrown) {
      if (thrown instanceof Response) return { user: null, response: thrown };
      throw thrown;
    }
  }

  it("returns the signed-in user who holds one of the roles", async () => {
    const { user, response } = await refusal(users.adminManager, ["leader", "manager"], "role-ok");
    expect(response).toBeNull();
    expect(user).toMatchObject({ id: users.adminManager.id, roles: ["admin", "manager"] });
  });

  it("refuses anyone else with 403 in the same JSON shape as the other policy refusals", async () => {
    const { response } = await refusal(users.manager, ["leader"], "role-refused");
    expect(response?.status).toBe(403);
    expect(response?.headers.get("Content-Type")).toMatch(/^application\/json/);
    const forbidden = await denyAsForbidden(
      makeContext(handle.db),
      users.manager,
      "candidate.manage",
      "candidate",
      candidateId,
    );
    expect(Object.keys(await response!.json())).toEqual(Object.keys(await forbidden.json()));
    expect(
      await (
        await refusal(users.admin, ["leader", "manager", "mentor"], "role-admin")
      ).response?.json(),
    ).toEqual({
      message: "You do not have access to this page.",
    });
  });

  it("audits each refusal as a denial: who, which page, which roles it needs, which request", async () => {
    await refusal(users.mentor, ["manager", "leader"], "role-audited");
    const rows = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("request_id", "=", "role-audited")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_id: users.mentor.id,
      action: "access.denied",
      entity: "route",
      entity_id: "/pipeline",
      outcome: "denied",
      details: { needs: ["manager", "leader"] },
    });
  });

  it("sends someone without a session to log in, and audits nothing", async () => {
    const ctx = makeContext(handle.db, undefined, { requestId: "role-anonymous" });
    const thrown = await requireRole(ctx, get(path), ["leader"]).then(
      () => null,
      (r: unknown) => r,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(302);
    expect((thrown as Response).headers.get("Location")).toBe(
      `/login?${new URLSearchParams({ redirectTo: path })}`,
    );
    expect(
      await handle.db
        .selectFrom("audit_events")
        .select("id")
        .where("request_id", "=", "role-anonymous")
        .execute(),
    ).toEqual([]);
  });
});

describe("the pure policy", () => {
  const facts = { managerId: "m", nominatedBy: "n", observerIds: ["o"], activeMentorIds: ["t"] };
  it("admin-only sees nothing even when named in the circle", () => {
    expect(canViewCandidate({ id: "m", roles: ["admin"] }, facts)).toBe(false);
    expect(canViewCandidate({ id: "m", roles: ["admin", "manager"] }, facts)).toBe(true);
  });
  it("only the manager (as a manager) or a leader may manage", () => {
    expect(canManageCandidate({ id: "m", roles: ["manager"] }, facts)).toBe(true);
    expect(canManageCandidate({ id: "m", roles: ["mentor"] }, facts)).toBe(false);
    expect(canManageCandidate({ id: "o", roles: ["manager"] }, facts)).toBe(false);
    expect(canManageCandidate({ id: "x", roles: ["leader"] }, facts)).toBe(true);
  });
});
