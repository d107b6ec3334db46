/**
 * Least privilege holds against the admin too. No one changes their own roles; granting a role that
 * reveals people data (leader, manager, mentor) — or taking over an account that holds one, by
 * resetting its password or enabling it — needs the acting admin's current password, and leaders see
 * every such change on My week.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { hashPassword } from "../../app/auth/password.server";
import { action as usersAction } from "../../app/routes/admin.users";
import { action as userAction } from "../../app/routes/admin.users.$userId";
import { loader as myWeekLoader } from "../../app/routes/_index";
import { action as loginAction } from "../../app/routes/login";
import { getMyWeek } from "../../app/models/my-week.server";
import { addDays, isoDate } from "../../app/utils/dates";
import { body, call, get, makeContext, makeUser, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { buildWorld, type World } from "./fixture";

const ADMIN_PASSWORD = "the admin's own long password";
let handle: DbHandle;
let world: World;
// Audit rows carry the database's time, so the clock is the real one.
const clock: TestClock = { now: new Date() };
const ctx = (requestId = "least-privilege") => makeContext(handle.db, clock, { requestId });

/**
 * Re-authentication accepts a session confirmed in the last 10 minutes (app/auth/reauthenticate.server.ts,
 * tested in tests/integration/account.test.ts). These tests are about the password it asks for
 * otherwise, so every session here was last confirmed 11 minutes ago; a right password confirms the
 * session again, so tests that go on to expect a refusal age it again.
 */
async function staleSessions() {
  await handle.db
    .updateTable("sessions")
    .set({ authenticated_at: new Date(clock.now.getTime() - 11 * 60_000) })
    .execute();
}
beforeEach(staleSessions);

beforeAll(async () => {
  handle = await createTestDb();
  world = await buildWorld(handle.db, ctx());
  await handle.db
    .updateTable("users")
    .set({ password_hash: await hashPassword(ADMIN_PASSWORD) })
    .where("id", "=", world.users.admin.id)
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

const user = (id: string) =>
  handle.db
    .selectFrom("users")
    .select(["id", "name", "roles", "version", "disabled_at", "password_hash"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
const auditOf = (entityId: string, requestId: string) =>
  handle.db
    .selectFrom("audit_events")
    .select(["action", "outcome", "details", "actor_id"])
    .where("entity_id", "=", entityId)
    .where("request_id", "=", requestId)
    .execute();

async function update(
  targetId: string,
  fields: Record<string, string | string[]>,
  requestId: string,
) {
  const target = await user(targetId);
  const form = {
    intent: "update",
    version: String(target.version),
    name: target.name,
    roles: target.roles,
    ...fields,
  };
  return call(
    userAction,
    post(`/admin/users/${targetId}`, form, world.cookies.admin),
    ctx(requestId),
    { userId: targetId },
  );
}

async function roleChanges(kind: "leader" | "managerIn" | "mentor") {
  const data = await body(await call(myWeekLoader, get("/", world.cookies[kind]), ctx()));
  return data.week.roleChanges as
    | null
    | {
        actorName: string;
        targetName: string;
        action: string;
        added: string[];
        removed: string[];
        held: string[];
      }[];
}

describe("role changes on My week", () => {
  it("leaders have a section for them, empty before any change; nobody else has it", async () => {
    expect(await roleChanges("leader")).toEqual([]);
    expect(await roleChanges("managerIn")).toBeNull();
    expect(await roleChanges("mentor")).toBeNull();
  });
});

describe("no one changes their own roles", () => {
  it("an admin granting itself leader is refused with 400, nothing changes, and the denial is audited", async () => {
    const admin = world.users.admin;
    for (const [i, roles] of [
      ["admin", "leader"],
      ["admin", "manager", "mentor"],
      ["leader"],
    ].entries()) {
      const response = await update(
        admin.id,
        { roles, currentPassword: ADMIN_PASSWORD },
        `self-${i}`,
      );
      expect(response.status, roles.join()).toBe(400);
      expect((await body(response)).formError).toMatch(/your own roles/i);
      expect((await user(admin.id)).roles).toEqual(["admin"]);
      expect(await auditOf(admin.id, `self-${i}`)).toEqual([
        expect.objectContaining({
          action: "user.update",
          outcome: "denied",
          actor_id: admin.id,
          details: { reason: "own_roles" },
        }),
      ]);
    }
  });

  it("renaming yourself, roles unchanged, is still allowed", async () => {
    const response = await update(world.users.admin.id, { name: "Ada B. Admin" }, "self-rename");
    expect(response.status).toBe(302);
    expect(await user(world.users.admin.id)).toMatchObject({
      name: "Ada B. Admin",
      roles: ["admin"],
    });
  });
});

describe("granting a people role needs the acting admin's current password", () => {
  it("missing or wrong: 400 with a field message, the form kept (never a password), nothing changes, audited", async () => {
    const target = await makeUser(handle.db, ["mentor"], "Tia Target");
    for (const [i, currentPassword] of [
      undefined,
      "",
      "not the password",
      `${ADMIN_PASSWORD} `,
    ].entries()) {
      const fields: Record<string, string | string[]> = {
        name: "Tia T. Target",
        roles: ["mentor", "leader"],
      };
      if (currentPassword !== undefined) fields.currentPassword = currentPassword;
      const response = await update(target.id, fields, `grant-bad-${i}`);
      expect(response.status, String(currentPassword)).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors.currentPassword?.[0]).toMatch(/current password/i);
      expect(data.values).toMatchObject({ name: "Tia T. Target", roles: ["mentor", "leader"] });
      expect(data.values.currentPassword).toBeUndefined();
      expect(JSON.stringify(data)).not.toContain(ADMIN_PASSWORD);
      expect(await user(target.id)).toMatchObject({ name: "Tia Target", roles: ["mentor"] });
      expect(await auditOf(target.id, `grant-bad-${i}`)).toEqual([
        expect.objectContaining({
          action: "user.update",
          outcome: "denied",
          actor_id: world.users.admin.id,
          details: { reason: "reauthentication_failed" },
        }),
      ]);
    }
  });

  it("with the right password the grant is saved and audited as re-authenticated", async () => {
    const target = await makeUser(handle.db, ["mentor"], "Uma Upgraded");
    const response = await update(
      target.id,
      { roles: ["mentor", "leader"], currentPassword: ADMIN_PASSWORD },
      "grant-ok",
    );
    expect(response.status).toBe(302);
    expect((await user(target.id)).roles).toEqual(["leader", "mentor"]);
    expect(await auditOf(target.id, "grant-ok")).toEqual([
      expect.objectContaining({
        action: "user.update",
        outcome: "ok",
        details: {
          fields: ["roles"],
          rolesAdded: ["leader"],
          rolesRemoved: [],
          reauthenticated: true,
        },
      }),
    ]);
  });

  it("removing a people role or granting admin alone needs no password", async () => {
    const target = await makeUser(handle.db, ["manager", "mentor"], "Vic Reduced");
    expect((await update(target.id, { roles: ["mentor"] }, "remove")).status).toBe(302);
    expect((await user(target.id)).roles).toEqual(["mentor"]);
    expect((await update(target.id, { roles: ["admin", "mentor"] }, "grant-admin")).status).toBe(
      302,
    );
    expect((await user(target.id)).roles).toEqual(["admin", "mentor"]);
  });

  it("creating an account with a people role needs it; an admin-only account does not", async () => {
    const create = (fields: Record<string, string | string[]>) =>
      call(
        usersAction,
        post(
          "/admin/users",
          { intent: "create", name: "Wes Newcomer", password: "a long enough password", ...fields },
          world.cookies.admin,
        ),
        ctx("create"),
      );
    for (const currentPassword of ["", "wrong password"]) {
      const refused = await create({
        email: "wes@example.test",
        roles: ["leader"],
        currentPassword,
      });
      expect(refused.status).toBe(400);
      const data = await body(refused);
      expect(data.fieldErrors.currentPassword?.[0]).toMatch(/current password/i);
      expect(data.values).toMatchObject({
        name: "Wes Newcomer",
        email: "wes@example.test",
        roles: "leader",
      });
      expect(data.values.password).toBeUndefined();
      expect(data.values.currentPassword).toBeUndefined();
    }
    expect(
      await handle.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "wes@example.test")
        .executeTakeFirst(),
    ).toBeUndefined();
    const denied = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "user.create")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.map((d) => d.details)).toEqual([
      { reason: "reauthentication_failed" },
      { reason: "reauthentication_failed" },
    ]);

    expect(
      (
        await create({
          email: "wes@example.test",
          roles: ["leader"],
          currentPassword: ADMIN_PASSWORD,
        })
      ).status,
    ).toBe(302);
    expect((await create({ email: "xan@example.test", roles: ["admin"] })).status).toBe(302);
  });

  it("resetting the password of, or enabling, an account with a people role needs it too; an admin-only account does not", async () => {
    const leader = await makeUser(handle.db, ["leader"], "Yan Takeover");
    const before = await user(leader.id);
    const reset = (userId: string, fields: Record<string, string>) =>
      call(
        userAction,
        post(
          `/admin/users/${userId}`,
          { intent: "reset_password", password: "the admin now knows this", ...fields },
          world.cookies.admin,
        ),
        ctx("reset"),
        { userId },
      );
    const refused = await reset(leader.id, { currentPassword: "wrong password" });
    expect(refused.status).toBe(400);
    expect((await body(refused)).fieldErrors.currentPassword?.[0]).toMatch(/current password/i);
    expect((await user(leader.id)).password_hash).toBe(before.password_hash);
    expect((await reset(leader.id, { currentPassword: ADMIN_PASSWORD })).status).toBe(302);
    expect((await user(leader.id)).password_hash).not.toBe(before.password_hash);
    await staleSessions();

    await handle.db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", leader.id)
      .execute();
    const enable = (userId: string, fields: Record<string, string>) =>
      call(
        userAction,
        post(`/admin/users/${userId}`, { intent: "enable", ...fields }, world.cookies.admin),
        ctx("enable"),
        { userId },
      );
    expect((await enable(leader.id, {})).status).toBe(400);
    expect((await user(leader.id)).disabled_at).not.toBeNull();
    expect((await enable(leader.id, { currentPassword: ADMIN_PASSWORD })).status).toBe(302);
    expect((await user(leader.id)).disabled_at).toBeNull();

    const otherAdmin = await makeUser(handle.db, ["admin"], "Zed Otheradmin");
    expect((await reset(otherAdmin.id, {})).status).toBe(302);
  });
});

describe("leaders see role changes on My week", () => {
  it("every grant, removal, people-role account created, reset or enabled, with who did it; refusals are not changes", async () => {
    const changes = (await roleChanges("leader"))!;
    const line = (c: (typeof changes)[number]) =>
      `${c.actorName} ${c.action} ${c.targetName} +${c.added.join(",")} -${c.removed.join(",")} =${c.held.join(",")}`;
    expect(changes.map(line)).toEqual([
      "Ada B. Admin user.enable Yan Takeover + - =leader",
      "Ada B. Admin user.password_reset Yan Takeover + - =leader",
      "Ada B. Admin user.create Wes Newcomer +leader - =",
      "Ada B. Admin user.update Vic Reduced + -manager =",
      "Ada B. Admin user.update Uma Upgraded +leader - =",
    ]);
    expect(await roleChanges("managerIn")).toBeNull();
  });

  it("shows the last 30 days", async () => {
    const leader = world.users.leader as { id: string; roles: "leader"[] };
    const today = isoDate(clock.now);
    expect(
      (await getMyWeek(handle.db, { viewer: leader, today: addDays(today, 29) })).roleChanges,
    ).toHaveLength(5);
    expect(
      (await getMyWeek(handle.db, { viewer: leader, today: addDays(today, 31) })).roleChanges,
    ).toEqual([]);
  });
});

describe("re-authentication is throttled like a login", () => {
  it("after 10 wrong current passwords from one address, even the right one is refused with 429 (Retry-After, a field message, the form kept, audited) until the delay passes", async () => {
    const target = await makeUser(handle.db, ["leader"], "Quinn Guessed");
    const before = await user(target.id);
    const start = Date.now();
    const guessClock: TestClock = { now: new Date(start) };
    const reset = (currentPassword: string, requestId: string) =>
      call(
        userAction,
        post(
          `/admin/users/${target.id}`,
          { intent: "reset_password", password: "the attacker's new password", currentPassword },
          world.cookies.admin,
        ),
        makeContext(handle.db, guessClock, { requestId, clientIp: "10.30.0.1" }),
        { userId: target.id },
      );
    for (let i = 0; i < 10; i++)
      expect((await reset(`guess ${i}`, `guess-${i}`)).status, `guess ${i}`).toBe(400);
    expect((await reset("guess 10", "guess-10")).status).toBe(429);

    const refused = await reset(ADMIN_PASSWORD, "guess-right");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
    const data = await body(refused);
    expect(data.fieldErrors.currentPassword?.[0]).toMatch(/try again in 1 minute/i);
    expect(data.values).toEqual({ intent: "reset_password" });
    expect(JSON.stringify(data)).not.toContain(ADMIN_PASSWORD);
    expect(await auditOf(target.id, "guess-right")).toEqual([
      expect.objectContaining({
        action: "user.password_reset",
        outcome: "denied",
        actor_id: world.users.admin.id,
        details: { reason: "rate_limited" },
      }),
    ]);
    expect((await user(target.id)).password_hash).toBe(before.password_hash);
    // The same (account, address) pair as a login: logging in as the admin from there waits too.
    const { email } = await handle.db
      .selectFrom("users")
      .select("email")
      .where("id", "=", world.users.admin.id)
      .executeTakeFirstOrThrow();
    const login = await call(
      loginAction,
      post("/login", { email, password: ADMIN_PASSWORD }),
      makeContext(handle.db, guessClock, { clientIp: "10.30.0.1" }),
    );
    expect(login.status).toBe(429);

    guessClock.now = new Date(start + 59_000);
    expect((await reset(ADMIN_PASSWORD, "guess-59s")).status).toBe(429);
    expect((await user(target.id)).password_hash).toBe(before.password_hash);
    guessClock.now = new Date(start + 60_000);
    expect((await reset(ADMIN_PASSWORD, "guess-60s")).status).toBe(302);
    expect((await user(target.id)).password_hash).not.toBe(before.password_hash);
  });
});
