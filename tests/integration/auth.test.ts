import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { hashPassword } from "../../app/auth/password.server";
import { getUser, IDLE_TIMEOUT_MS } from "../../app/auth/session.server";
import { createUser, setUserDisabled } from "../../app/models/user.server";
import { action as loginAction } from "../../app/routes/login";
import { action as logoutAction } from "../../app/routes/logout";
import { loader as homeLoader } from "../../app/routes/_index";
import { body, call, get, makeContext, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const PASSWORD = "correct horse battery";

beforeAll(async () => {
  handle = await createTestDb();
  // These tests are about the first factor and the session; the MFA policy (which would stage a
  // leader's login) has its own tests.
  await handle.db
    .insertInto("settings")
    .values({ key: "mfa_required_roles", value: "[]", updated_by: null })
    .execute();
  const hash = await hashPassword(PASSWORD);
  for (const [email, roles] of [
    ["ada@example.test", ["manager"]],
    ["bo@example.test", ["leader"]],
    ["cy@example.test", ["mentor"]],
    ["di@example.test", ["manager"]],
  ] as const) {
    await createUser(handle.db, {
      email,
      name: email.split("@")[0],
      roles: [...roles],
      passwordHash: hash,
    });
  }
});
afterAll(async () => {
  await handle?.close();
});

function ctx(ip = "10.0.0.1") {
  return makeContext(handle.db, clock, { clientIp: ip });
}

async function login(email: string, password = PASSWORD, ip?: string, redirectTo?: string) {
  return call(
    loginAction,
    post("/login", { email, password, ...(redirectTo ? { redirectTo } : {}) }),
    ctx(ip),
  );
}

function cookieOf(response: Response): string {
  const header = response.headers.get("Set-Cookie") ?? "";
  return header.split(";")[0];
}

describe("login", () => {
  it("signs in with the right password, sets a safe cookie and audits it", async () => {
    const response = await login("ADA@example.test ", PASSWORD, undefined, "/candidates");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/candidates");
    const setCookie = response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(/^nw_session=[\w-]{40,};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    const user = await getUser(ctx(), get("/", cookieOf(response)));
    expect(user?.email).toBe("ada@example.test");
    const audit = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "auth.login")
      .where("outcome", "=", "ok")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).not.toContain("ada@example.test");
  });

  it("gives a new session id at every login", async () => {
    const a = cookieOf(await login("ada@example.test"));
    const b = cookieOf(await login("ada@example.test"));
    expect(a).not.toBe(b);
  });

  it("refuses a wrong password with 400, keeps the email, and audits the failure", async () => {
    const response = await login("ada@example.test", "wrong password");
    expect(response.status).toBe(400);
    expect(response.headers.get("Set-Cookie")).toBeNull();
    const data = await body(response);
    expect(data.values.email).toBe("ada@example.test");
    expect(data.values.password).toBeUndefined();
    expect(data.formError).toMatch(/do not match/);
    const failed = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("outcome", "=", "failed")
      .execute();
    expect(failed.length).toBeGreaterThan(0);
  });

  it("gives field errors for empty input instead of a 500", async () => {
    const response = await login("", "");
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.fieldErrors.email).toBeTruthy();
    expect(data.fieldErrors.password).toBeTruthy();
  });

  it("never redirects off-site after login", async () => {
    const response = await login("bo@example.test", PASSWORD, undefined, "//evil.example/steal");
    expect(response.headers.get("Location")).toBe("/");
  });

  it("throttles one account on one address after 10 failures, without locking out the owner elsewhere or anyone else", async () => {
    for (let i = 0; i < 10; i++)
      expect((await login("di@example.test", "nope", "10.1.0.1")).status).toBe(400);
    // Even the right password is refused on that address while the pair waits, with Retry-After.
    const throttled = await login("di@example.test", PASSWORD, "10.1.0.1");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("Retry-After")).toBe("60");
    expect((await body(throttled)).formError).toMatch(/try again in 1 minute/i);
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "auth.login")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.map((d) => d.details)).toContainEqual({ reason: "rate_limited" });
    // The same account from another address, and another account from the same address, get in.
    expect((await login("di@example.test", PASSWORD, "10.1.0.99")).status).toBe(302);
    expect((await login("cy@example.test", PASSWORD, "10.1.0.1")).status).toBe(302);
    // A minute later the pair may try again.
    const later = { now: new Date(clock.now.getTime() + 60_000) };
    const again = await call(
      loginAction,
      post("/login", { email: "di@example.test", password: PASSWORD }),
      makeContext(handle.db, later, { clientIp: "10.1.0.1" }),
    );
    expect(again.status).toBe(302);
  });

  it("counts an IPv6 client by its /64: rotating addresses within it does not reset the allowance", async () => {
    for (let i = 1; i <= 10; i++)
      expect(
        (await login("ada@example.test", "nope", `2001:db8:7:7::${i.toString(16)}`)).status,
      ).toBe(400);
    expect((await login("ada@example.test", PASSWORD, "2001:db8:7:7:dead:beef:0:1")).status).toBe(
      429,
    );
    // Another /64 is another address; the IPv4-mapped form of an address is that IPv4 address.
    expect((await login("ada@example.test", PASSWORD, "2001:db8:7:8::1")).status).toBe(302);
    for (let i = 0; i < 10; i++)
      expect((await login("ada@example.test", "nope", "10.7.7.7")).status).toBe(400);
    expect((await login("ada@example.test", PASSWORD, "::ffff:10.7.7.7")).status).toBe(429);
  });

  it("slows many accounts from one address without locking the address", async () => {
    const ip = "10.9.9.9";
    for (let i = 0; i < 25; i++) {
      expect((await login(`nobody${i}@example.test`, "nope", ip)).status).toBe(400);
      expect((await login(`nobody${i}@example.test`, "nope2", ip)).status).toBe(400);
    }
    // 50 failures from the address: a new account from it has one attempt free, then waits.
    expect((await login("nobody99@example.test", "nope", ip)).status).toBe(400);
    expect((await login("nobody99@example.test", "nope", ip)).status).toBe(429);
    // Nobody on the address is locked out: the right password gets in.
    expect((await login("bo@example.test", PASSWORD, ip)).status).toBe(302);
    expect((await login("bo@example.test", PASSWORD, "10.9.9.10")).status).toBe(302);
  });
});

describe("sessions", () => {
  it("logout revokes the session: the old cookie no longer works", async () => {
    const cookie = cookieOf(await login("bo@example.test"));
    expect((await call(homeLoader, get("/", cookie), ctx())).status).toBe(200);
    const out = await call(logoutAction, post("/logout", {}, cookie), ctx());
    expect(out.status).toBe(302);
    expect(out.headers.get("Set-Cookie")).toContain("Max-Age=0");
    const replay = await call(homeLoader, get("/", cookie), ctx());
    expect(replay.status).toBe(302);
    expect(replay.headers.get("Location")).toBe("/login");
  });

  it("expires after 7 idle days and after 30 days however active", async () => {
    const start = new Date("2026-04-01T09:00:00Z");
    const c = { now: start };
    const response = await call(
      loginAction,
      post("/login", { email: "bo@example.test", password: PASSWORD }),
      makeContext(handle.db, c),
    );
    const cookie = cookieOf(response);
    const at = (ms: number) => makeContext(handle.db, { now: new Date(start.getTime() + ms) });
    const day = 86_400_000;
    expect(await getUser(at(6 * day), get("/", cookie))).not.toBeNull();
    // Active every 6 days, so never idle for 7...
    expect(await getUser(at(12 * day), get("/", cookie))).not.toBeNull();
    expect(await getUser(at(18 * day), get("/", cookie))).not.toBeNull();
    expect(await getUser(at(24 * day), get("/", cookie))).not.toBeNull();
    // ...but the absolute limit ends it at 30 days.
    expect(await getUser(at(30 * day + 1000), get("/", cookie))).toBeNull();

    const idleCookie = cookieOf(
      await call(
        loginAction,
        post("/login", { email: "bo@example.test", password: PASSWORD }),
        makeContext(handle.db, c),
      ),
    );
    expect(await getUser(at(IDLE_TIMEOUT_MS + 1000), get("/", idleCookie))).toBeNull();
  });

  it("a disabled account loses access at its next request", async () => {
    const cookie = cookieOf(await login("cy@example.test"));
    const user = await getUser(ctx(), get("/", cookie));
    expect(user).not.toBeNull();
    await setUserDisabled(handle.db, { id: user!.id, disabled: true, now: clock.now });
    const response = await call(homeLoader, get("/", cookie), ctx());
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login");
    expect((await login("cy@example.test")).status).toBe(400);
  });

  it("an unauthenticated page visit redirects to login and remembers where it was going", async () => {
    const response = await call(homeLoader, get("/?x=1"), ctx());
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2F%3Fx%3D1");
  });
});
