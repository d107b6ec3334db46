import { describe, expect, it } from "vitest";
import { action, loader } from "../../app/routes/setup";
import { setupToken } from "../../app/startup.server";
import { body, call, get, makeContext, makeUser, post, TEST_SECRET } from "../helpers/app";
import { createTestDb } from "../helpers/db";

const token = setupToken(TEST_SECRET);
const form = (extra: Record<string, string> = {}) => ({
  token,
  name: "Ada Admin",
  email: "Ada@Example.org",
  password: "a long first password",
  confirm: "a long first password",
  ...extra,
});

describe("/setup: the first admin of an installation with no accounts", () => {
  it("shows the form only with the token from the server's log, and only while there are no accounts", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    expect((await call(loader, get("/setup"), ctx)).status).toBe(404);
    expect((await call(loader, get("/setup?token=wrong"), ctx)).status).toBe(404);
    expect((await call(loader, get(`/setup?token=${token}x`), ctx)).status).toBe(404);
    expect((await call(loader, get(`/setup?token=${token}`), ctx)).status).toBe(200);
    await makeUser(handle.db, ["manager"]);
    expect((await call(loader, get(`/setup?token=${token}`), ctx)).status).toBe(404);
    await handle.close();
  });

  it("creates one admin, signs them in and audits it; afterwards the page and the form are gone", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    const response = await call(action, post("/setup", form()), ctx);
    expect(response.status).toBe(302);
    // Admins must have a second factor (the default policy): set-up comes first, then the Users page.
    expect(response.headers.get("Location")).toBe("/login/set-up-mfa?redirectTo=%2Fadmin%2Fusers");
    expect(response.headers.get("Set-Cookie")).toMatch(/nw_session=/);
    const users = await handle.db.selectFrom("users").select(["email", "name", "roles"]).execute();
    expect(users).toEqual([{ email: "ada@example.org", name: "Ada Admin", roles: ["admin"] }]);
    const events = await handle.db
      .selectFrom("audit_events")
      .select(["action", "details"])
      .where("action", "=", "user.create")
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0].details).toMatchObject({ via: "setup" });
    // A second submission (a second person, or the same form again) creates nothing.
    expect(
      (await call(action, post("/setup", form({ email: "eve@example.org" })), ctx)).status,
    ).toBe(404);
    expect((await call(loader, get(`/setup?token=${token}`), ctx)).status).toBe(404);
    expect(await handle.db.selectFrom("users").select("id").execute()).toHaveLength(1);
    await handle.close();
  });

  it("answers 404 before judging the form: without the token, or once an account exists, bad input gets no field messages", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    const bad = { password: "short", confirm: "differs", email: "not-an-address", name: "" };
    for (const fields of [
      form({ token: "guess", ...bad }),
      { name: "", email: "" },
      form({ token: "", ...bad }),
    ]) {
      const response = await call(action, post("/setup", fields), ctx);
      expect(response.status).toBe(404);
      expect(JSON.stringify(await body(response))).not.toMatch(/fieldErrors|Use at least/);
    }
    await makeUser(handle.db, ["manager"]);
    for (const fields of [
      form(bad),
      form({ password: "short", confirm: "short" }),
      form({ confirm: "another long password" }),
      { token },
    ]) {
      const response = await call(action, post("/setup", fields), ctx);
      expect(response.status).toBe(404);
      expect(JSON.stringify(await body(response))).not.toMatch(/fieldErrors|Use at least/);
    }
    expect(await handle.db.selectFrom("users").select("id").execute()).toHaveLength(1);
    await handle.close();
  });

  it("two submissions at once make one admin", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    const statuses = await Promise.all(
      ["a", "b", "c"].map((n) =>
        call(action, post("/setup", form({ email: `${n}@example.org` })), ctx).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses.sort()).toEqual([302, 404, 404]);
    expect(await handle.db.selectFrom("users").select("id").execute()).toHaveLength(1);
    await handle.close();
  });

  it("refuses a wrong token, and bad input with field messages, the name and email kept and the passwords never echoed", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    expect((await call(action, post("/setup", form({ token: "guess" })), ctx)).status).toBe(404);
    const short = await call(
      action,
      post("/setup", form({ password: "short", confirm: "short" })),
      ctx,
    );
    expect(short.status).toBe(400);
    const data = await body(short);
    expect(data.fieldErrors.password).toEqual(["Use at least 12 characters."]);
    expect(data.values).toEqual({ name: "Ada Admin", email: "Ada@Example.org" });
    expect(JSON.stringify(data)).not.toContain("short");
    const differ = await body(
      await call(action, post("/setup", form({ confirm: "another long password" })), ctx),
    );
    expect(differ.fieldErrors.confirm).toEqual([
      "The two passwords differ: type the same one twice.",
    ]);
    const noEmail = await body(
      await call(action, post("/setup", form({ email: "not-an-address" })), ctx),
    );
    expect(noEmail.fieldErrors.email).toBeDefined();
    expect(await handle.db.selectFrom("users").select("id").execute()).toHaveLength(0);
    await handle.close();
  });
});
