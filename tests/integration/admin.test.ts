import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { getUser } from "../../app/auth/session.server";
import { hashPassword } from "../../app/auth/password.server";
import { action as usersAction, loader as usersLoader } from "../../app/routes/admin.users";
import { action as userAction } from "../../app/routes/admin.users.$userId";
import {
  action as frameworkAction,
  loader as frameworkLoader,
} from "../../app/routes/admin.framework";
import { loader as auditLoader } from "../../app/routes/admin.audit";
import type { AppContext } from "../../app/context";
import { body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let ctx: AppContext;
let admin: { id: string };
let adminCookie = "";
let leaderCookie = "";

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db);
  admin = await makeUser(handle.db, ["admin"], "Only Admin");
  await handle.db
    .updateTable("users")
    .set({ password_hash: await hashPassword(ADMIN_PASSWORD) })
    .where("id", "=", admin.id)
    .execute();
  adminCookie = await sessionCookie(ctx, admin.id);
  leaderCookie = await sessionCookie(ctx, (await makeUser(handle.db, ["leader"])).id);
});
afterAll(async () => {
  await handle?.close();
});

// Giving people roles needs the acting admin's current password (tests/security/least-privilege.test.ts).
const ADMIN_PASSWORD = "the only admin's password";
const newUser = {
  intent: "create",
  name: "Nia Newcomer",
  email: "Nia@Example.test",
  roles: ["manager", "mentor"],
  password: "a long enough password",
  currentPassword: ADMIN_PASSWORD,
};

describe("/admin/users", () => {
  it("is for admins only: a leader gets 403 on the page and on every change", async () => {
    expect((await call(usersLoader, get("/admin/users", leaderCookie), ctx)).status).toBe(403);
    expect((await call(usersAction, post("/admin/users", newUser, leaderCookie), ctx)).status).toBe(
      403,
    );
    expect(
      await handle.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "nia@example.test")
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it("creates an account with its roles and audits it in the same transaction", async () => {
    const response = await call(usersAction, post("/admin/users", newUser, adminCookie), ctx);
    expect(response.status).toBe(302);
    const user = await handle.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", "nia@example.test")
      .executeTakeFirstOrThrow();
    expect(user.roles).toEqual(["manager", "mentor"]);
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "user.create")
      .where("entity_id", "=", user.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/nia|password/i);
  });

  it("refuses a duplicate email with 400 and keeps the input (not the password)", async () => {
    const response = await call(
      usersAction,
      post("/admin/users", { ...newUser, email: "NIA@example.test" }, adminCookie),
      ctx,
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.email).toBeTruthy();
    expect(data.values.name).toBe("Nia Newcomer");
    expect(data.values.password).toBeUndefined();
  });

  it("refuses a stale edit with 409 and changes nothing", async () => {
    const user = await handle.db
      .selectFrom("users")
      .select(["id", "version"])
      .where("email", "=", "nia@example.test")
      .executeTakeFirstOrThrow();
    const path = `/admin/users/${user.id}`;
    const first = await call(
      userAction,
      post(
        path,
        { intent: "update", version: String(user.version), name: "Nia N", roles: ["manager"] },
        adminCookie,
      ),
      ctx,
      { userId: user.id },
    );
    expect(first.status).toBe(302);
    const stale = await call(
      userAction,
      post(
        path,
        { intent: "update", version: String(user.version), name: "Nia Stale", roles: ["leader"] },
        adminCookie,
      ),
      ctx,
      { userId: user.id },
    );
    expect(stale.status).toBe(409);
    const now = await handle.db
      .selectFrom("users")
      .select(["name", "roles"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(now).toEqual({ name: "Nia N", roles: ["manager"] });
  });

  it("disabling an account ends its sessions at once", async () => {
    const user = await makeUser(handle.db, ["manager"]);
    const cookie = await sessionCookie(ctx, user.id);
    expect(await getUser(ctx, get("/", cookie))).not.toBeNull();
    const response = await call(
      userAction,
      post(`/admin/users/${user.id}`, { intent: "disable" }, adminCookie),
      ctx,
      { userId: user.id },
    );
    expect(response.status).toBe(302);
    expect(await getUser(ctx, get("/", cookie))).toBeNull();
    expect(
      await handle.db
        .selectFrom("audit_events")
        .select("id")
        .where("action", "=", "user.disable")
        .where("entity_id", "=", user.id)
        .execute(),
    ).toHaveLength(1);
  });

  it("never lets the last admin lock everyone out", async () => {
    const response = await call(
      userAction,
      post(`/admin/users/${admin.id}`, { intent: "disable" }, adminCookie),
      ctx,
      { userId: admin.id },
    );
    expect(response.status).toBe(400);
    const still = await handle.db
      .selectFrom("users")
      .select("disabled_at")
      .where("id", "=", admin.id)
      .executeTakeFirstOrThrow();
    expect(still.disabled_at).toBeNull();
  });

  it("answers 404 for an unknown or malformed user id", async () => {
    for (const userId of ["00000000-0000-4000-8000-000000000000", "nope"]) {
      const response = await call(
        userAction,
        post(`/admin/users/${userId}`, { intent: "disable" }, adminCookie),
        ctx,
        { userId },
      );
      expect(response.status).toBe(404);
    }
  });
});

describe("/admin/framework", () => {
  it("adds, renames, reorders and archives dimensions, never deleting them", async () => {
    const add = (name: string) =>
      call(
        frameworkAction,
        post(
          "/admin/framework",
          { intent: "create", kind: "dimension", name, description: "" },
          adminCookie,
        ),
        ctx,
      );
    expect((await add("Commitment")).status).toBe(302);
    expect((await add("Curiosity")).status).toBe(302);
    expect((await add("commitment")).status).toBe(400);
    const rows = () =>
      handle.db
        .selectFrom("dimensions")
        .select(["id", "key", "name", "position", "archived_at"])
        .orderBy("position")
        .execute();
    const [commitment, curiosity] = await rows();
    expect([commitment.key, curiosity.key]).toEqual(["commitment", "curiosity"]);

    const move = await call(
      frameworkAction,
      post(
        "/admin/framework",
        { intent: "move", kind: "dimension", id: curiosity.id, direction: "up" },
        adminCookie,
      ),
      ctx,
    );
    expect(move.status).toBe(302);
    expect((await rows()).map((r) => r.key)).toEqual(["curiosity", "commitment"]);

    const archive = await call(
      frameworkAction,
      post(
        "/admin/framework",
        { intent: "archive", kind: "dimension", id: commitment.id },
        adminCookie,
      ),
      ctx,
    );
    expect(archive.status).toBe(302);
    const after = await rows();
    expect(after).toHaveLength(2);
    expect(after.find((r) => r.id === commitment.id)?.archived_at).not.toBeNull();
    const page = await body(await call(frameworkLoader, get("/admin/framework", adminCookie), ctx));
    expect(JSON.stringify(page)).toContain("Curiosity");
  });

  it("is for admins only", async () => {
    const response = await call(
      frameworkAction,
      post(
        "/admin/framework",
        { intent: "create", kind: "dimension", name: "Sneaky", description: "" },
        leaderCookie,
      ),
      ctx,
    );
    expect(response.status).toBe(403);
  });
});

describe("/admin/audit", () => {
  it("shows audit events to admins, including denials, and nothing to others", async () => {
    const data = await body(await call(auditLoader, get("/admin/audit", adminCookie), ctx));
    const actions = JSON.stringify(data);
    expect(actions).toContain("user.create");
    expect(actions).toContain("access.denied");
    expect((await call(auditLoader, get("/admin/audit", leaderCookie), ctx)).status).toBe(403);
  });
});
