/**
 * Sessions (docs/security.md §3). Extends tests/integration/auth.test.ts (which covers login, logout,
 * the 7-day idle / 30-day absolute expiry and the login throttle) with the edges: the production
 * cookie, a replayed cookie refused on every route, the exact expiry boundaries with an injected clock,
 * the login throttle's growing delays, a stranger who cannot lock the owner out, and concurrent
 * attempts that cannot exceed the allowance.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { hashPassword } from "../../app/auth/password.server";
import {
  ABSOLUTE_TIMEOUT_MS,
  createSession,
  getUser,
  IDLE_TIMEOUT_MS,
} from "../../app/auth/session.server";
import { createUser } from "../../app/models/user.server";
import { action as loginAction } from "../../app/routes/login";
import { action as logoutAction } from "../../app/routes/logout";
import { body, call, get, makeContext, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { expectConsoleErrors } from "../helpers/setup";
import { fillPath, routeFiles } from "./fixture";

let handle: DbHandle;
let userId = "";
const PASSWORD = "correct horse battery staple";
const T0 = new Date("2026-03-02T09:00:00Z");

beforeAll(async () => {
  handle = await createTestDb();
  ({ id: userId } = await createUser(handle.db, {
    email: "sam@example.test",
    name: "Sam",
    roles: ["leader", "manager", "admin"],
    passwordHash: await hashPassword(PASSWORD),
  }));
});
afterAll(async () => {
  await handle?.close();
});

const at = (ms: number): TestClock => ({ now: new Date(T0.getTime() + ms) });
const cookieOf = (setCookie: string) => setCookie.split(";")[0];

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/ and Secure in production", async () => {
    const prod = makeContext(handle.db, at(0), {
      env: { NODE_ENV: "production", SESSION_SECRET: "p".repeat(40) },
    });
    const header = await createSession(prod, { userId, userAgent: null });
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    expect(header).toMatch(/; Secure$/);
    expect(cookieOf(header).split("=")[1]).toMatch(/^[\w-]{43}$/); // 32 random bytes
    const dev = await createSession(makeContext(handle.db, at(0)), { userId, userAgent: null });
    expect(dev).not.toMatch(/Secure/);
  });

  it("the database keeps only an HMAC of the token: the raw cookie value is in no row", async () => {
    const ctx = makeContext(handle.db, at(0));
    const token = cookieOf(await createSession(ctx, { userId, userAgent: null })).split("=")[1];
    const rows = await handle.db.selectFrom("sessions").select("id").execute();
    expect(rows.some((r) => r.id.includes(token))).toBe(false);
  });

  it("a cookie replayed after logout is refused by every loader (302 to login)", async () => {
    const ctx = makeContext(handle.db, at(0));
    const cookie = cookieOf(await createSession(ctx, { userId, userAgent: null }));
    const out = await call(logoutAction, post("/logout", {}, cookie), ctx);
    expect(out.status).toBe(302);
    expect(out.headers.get("Set-Cookie")).toMatch(/nw_session=;.*Max-Age=0/);
    for (const route of routeFiles()) {
      // Public pages, the sign-in flow (404 until single sign-on is configured), SCIM (bearer
      // tokens, never cookies: 401), and the links whose token is their only authority (the
      // calendar feed: 404; one-click unsubscribe: 400 without a valid token; an invitation or a
      // reset link: 404). Forgot-password is for people not signed in; the passkey ceremony has only
      // POSTs (its GET is 404).
      if (
        [
          "forgot-password.tsx",
          "reset-password.$token.tsx",
          "welcome.$token.tsx",
          "auth.passkey.tsx",
          "login.tsx",
          "logout.tsx",
          "healthz.ts",
          "readyz.ts",
          "setup.tsx",
          "$.tsx",
          "auth.oidc.tsx",
          "auth.oidc_.callback.tsx",
          "calendar.$token[.]ics.ts",
          "mail.unsubscribe.tsx",
        ].includes(route.file) ||
        route.file.startsWith("scim.")
      )
        continue;
      const mod = await import(path.resolve("app/routes", route.file));
      if (!mod.loader) continue;
      const { path: url, params } = fillPath(route, {});
      const response = await call(mod.loader, get(url, cookie), ctx, params);
      expect(response.status, route.file).toBe(302);
      expect(response.headers.get("Location"), route.file).toMatch(/^\/login/);
    }
    expectConsoleErrors();
  });

  it("a forged or tampered cookie is refused", async () => {
    const ctx = makeContext(handle.db, at(0));
    const cookie = cookieOf(await createSession(ctx, { userId, userAgent: null }));
    const tampered = cookie.slice(0, -1) + (cookie.endsWith("A") ? "B" : "A");
    expect(await getUser(ctx, get("/", tampered))).toBeNull();
    expect(await getUser(ctx, get("/", "nw_session=../../etc/passwd"))).toBeNull();
    expect(await getUser(ctx, get("/", "nw_session="))).toBeNull();
  });
});

describe("expiry with an injected clock", () => {
  it("idle: alive 1 s before 7 idle days, gone 1 s after; activity slides the window", async () => {
    const cookie = cookieOf(
      await createSession(makeContext(handle.db, at(0)), { userId, userAgent: null }),
    );
    const check = (ms: number) => getUser(makeContext(handle.db, at(ms)), get("/", cookie));
    expect(await check(IDLE_TIMEOUT_MS - 1000)).not.toBeNull(); // also touches last_seen_at
    expect(await check(2 * IDLE_TIMEOUT_MS - 2000)).not.toBeNull(); // a week after that touch
    expect(await check(3 * IDLE_TIMEOUT_MS)).toBeNull(); // a week and more of silence
    expect(await check(0)).toBeNull(); // and the row is gone for good
  });

  it("absolute: however active, refused at 30 days", async () => {
    const cookie = cookieOf(
      await createSession(makeContext(handle.db, at(0)), { userId, userAgent: null }),
    );
    for (let day = 1; day < 30; day += 3)
      expect(
        await getUser(makeContext(handle.db, at(day * 86_400_000)), get("/", cookie)),
        `day ${day}`,
      ).not.toBeNull();
    expect(
      await getUser(makeContext(handle.db, at(ABSOLUTE_TIMEOUT_MS - 1000)), get("/", cookie)),
    ).not.toBeNull();
    expect(
      await getUser(makeContext(handle.db, at(ABSOLUTE_TIMEOUT_MS)), get("/", cookie)),
    ).toBeNull();
  });
});

describe("login throttle: by account and address together, growing delays, atomic", () => {
  // The rule (app/auth/rate-limit.server.ts): each (account, address) pair has 10 failures free; after
  // that each attempt waits 60 s after the last failure, doubling with every further failure, at most
  // 15 minutes. Refused attempts count for nothing; the right password clears the pair.
  const SECOND = 1000;
  const login = (clock: TestClock, password: string, ip: string, email = "sam@example.test") =>
    call(
      loginAction,
      post("/login", { email, password }),
      makeContext(handle.db, clock, { clientIp: ip }),
    );
  const retryAfter = (response: Response) => Number(response.headers.get("Retry-After"));

  it("growing delay: 10 failures free, then 60 s, 120 s, 240 s, 480 s, 900 s (the cap); Retry-After tells the wait; refusals do not extend it", async () => {
    const ip = "10.9.0.1";
    let t = 10 * 86_400_000;
    for (let i = 0; i < 10; i++)
      expect((await login(at((t += SECOND)), "wrong", ip)).status).toBe(400);
    // Throttled: even the right password is refused, and the answer says how long to wait.
    const refused = await login(at(t + SECOND), PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe(59);
    expect((await body(refused)).formError).toMatch(/try again in 59 seconds/i);
    // Hammering during the delay is refused and does not push the end of the delay back.
    for (let i = 2; i < 30; i += 3)
      expect((await login(at(t + i * SECOND), PASSWORD, ip)).status).toBe(429);
    expect(retryAfter(await login(at(t + 59 * SECOND), "wrong", ip))).toBe(1);

    // Each delay over, one more attempt is checked (wrong again), and the next delay doubles, up to 15 minutes.
    const schedule = [60, 120, 240, 480, 900, 900, 900];
    for (let i = 0; i < schedule.length - 1; i++) {
      t += schedule[i] * SECOND;
      expect((await login(at(t - SECOND), PASSWORD, ip)).status).toBe(429);
      expect((await login(at(t), "wrong", ip)).status).toBe(400);
      const next = await login(at(t + SECOND), PASSWORD, ip);
      expect(next.status).toBe(429);
      expect(retryAfter(next)).toBe(schedule[i + 1] - 1);
    }
    // Once the delay is over the owner gets in, and the pair starts afresh: 10 failures free again.
    t += schedule[schedule.length - 1] * SECOND;
    expect((await login(at(t), PASSWORD, ip)).status).toBe(302);
    for (let i = 1; i <= 10; i++)
      expect((await login(at(t + i * SECOND), "wrong", ip)).status).toBe(400);
    expect((await login(at(t + 11 * SECOND), PASSWORD, ip)).status).toBe(429);
  });

  it("a stranger's failures from other addresses do not stop the owner's correct login", async () => {
    await createUser(handle.db, {
      email: "owner@example.test",
      name: "Owen Owner",
      roles: ["manager"],
      passwordHash: await hashPassword(PASSWORD),
    });
    const t = 20 * 86_400_000;
    // Two days earlier the owner logged in from their usual address.
    expect(
      (await login(at(t - 2 * 86_400_000), PASSWORD, "10.1.2.3", "owner@example.test")).status,
    ).toBe(302);
    // A stranger guesses from six addresses, 12 times each. Each address has 10 failures free until the
    // account has 50; from then on every new address gets one, then the growing delays.
    let checked = 0;
    for (let a = 0; a < 6; a++) {
      for (let i = 0; i < 12; i++) {
        const response = await login(
          at(t + i * SECOND),
          "guess",
          `10.66.0.${a}`,
          "owner@example.test",
        );
        expect([400, 429]).toContain(response.status);
        if (response.status === 400) checked += 1;
      }
    }
    expect(checked).toBe(51);
    // On their usual address the busy account does not slow the owner: the normal allowance, nine typos
    // checked and the tenth attempt let in.
    for (let i = 0; i < 9; i++)
      expect(
        (await login(at(t + (i + 1) * 100), "typo", "10.1.2.3", "owner@example.test")).status,
        `typo ${i + 1}`,
      ).toBe(400);
    expect((await login(at(t + SECOND), PASSWORD, "10.1.2.3", "owner@example.test")).status).toBe(
      302,
    );
    // The owner, on their own address, is let in at once.
    expect(
      (await login(at(t + 11 * SECOND), PASSWORD, "10.1.2.3", "owner@example.test")).status,
    ).toBe(302);
    // A typo of theirs is checked (400), not refused: the stranger holds no lock on the account.
    expect(
      (await login(at(t + 12 * SECOND), "typo", "10.1.2.4", "owner@example.test")).status,
    ).toBe(400);
  });

  it("the busy rule counts every reservation before it: 20 concurrent attempts when the account or the address is one failure short of busy get one password check", async () => {
    await createUser(handle.db, {
      email: "edge@example.test",
      name: "Eddie Edge",
      roles: ["manager"],
      passwordHash: await hashPassword(PASSWORD),
    });
    const t = 40 * 86_400_000;
    const fail = async (email: string, ip: string, n: number) => {
      for (let i = 0; i < n; i++) expect((await login(at(t), "guess", ip, email)).status).toBe(400);
    };
    // 49 failures against the account from five other addresses; then a burst from a new address.
    for (let a = 0; a < 5; a++) await fail("edge@example.test", `10.88.0.${a}`, a < 4 ? 10 : 9);
    // 49 failures from one address against accounts other than the one of the burst; then a burst from it.
    for (let a = 0; a < 5; a++) await fail(`someone${a}@example.test`, "10.88.2.1", a < 4 ? 10 : 9);
    for (const [email, ip] of [
      ["edge@example.test", "10.88.1.1"],
      ["edge2@example.test", "10.88.2.1"],
    ]) {
      // In any order, the first reservation makes the account (or address) busy, so the pair has one
      // failure free: one password is checked, the other 19 wait.
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => login(at(t + SECOND), "wrong", ip, email)),
      );
      const statuses = responses.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 400),
        `${email} from ${ip}`,
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === 429),
        `${email} from ${ip}`,
      ).toHaveLength(19);
    }
  });

  it("30 concurrent wrong attempts: at most 10 passwords are checked, the rest are refused with 429", async () => {
    const { id } = await createUser(handle.db, {
      email: "racer@example.test",
      name: "Rae Racer",
      roles: ["manager"],
      passwordHash: await hashPassword(PASSWORD),
    });
    const clock = at(30 * 86_400_000);
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => login(clock, "wrong", "10.77.0.1", "racer@example.test")),
    );
    const statuses = responses.map((r) => r.status);
    // Each 400 is a password that was checked; a 429 was refused before the check.
    expect(statuses.filter((s) => s === 400)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const checked = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "auth.login")
      .where("outcome", "=", "failed")
      .where("actor_id", "=", id)
      .execute();
    expect(checked).toHaveLength(10);
  });
});
