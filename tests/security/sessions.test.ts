/**
 * Issue 7 §3: sessions. Extends tests/integration/auth.test.ts (which covers login, logout, the
 * 7-day idle / 30-day absolute expiry and the per-account and per-address limits) with the edges:
 * the production cookie, a replayed cookie refused on every route, the exact expiry boundaries
 * with an injected clock, the sliding rate-limit window.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { hashPassword } from "../../app/auth/password.server";
import { LOGIN_WINDOW_MS, MAX_FAILURES_PER_ACCOUNT } from "../../app/auth/rate-limit.server";
import { ABSOLUTE_TIMEOUT_MS, createSession, getUser, IDLE_TIMEOUT_MS } from "../../app/auth/session.server";
import { createUser } from "../../app/models/user.server";
import { action as loginAction } from "../../app/routes/login";
import { action as logoutAction } from "../../app/routes/logout";
import { call, get, makeContext, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { expectConsoleErrors } from "../helpers/setup";
import { fillPath, routeFiles } from "./fixture";

let handle: DbHandle;
let userId = "";
const PASSWORD = "correct horse battery staple";
const T0 = new Date("2026-03-02T09:00:00Z");

beforeAll(async () => {
  handle = await createTestDb();
  ({ id: userId } = await createUser(handle.db, { email: "sam@example.test", name: "Sam", roles: ["leader", "manager", "admin"], passwordHash: await hashPassword(PASSWORD) }));
});
afterAll(async () => {
  await handle?.close();
});

const at = (ms: number): TestClock => ({ now: new Date(T0.getTime() + ms) });
const cookieOf = (setCookie: string) => setCookie.split(";")[0];

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/ and Secure in production", async () => {
    const prod = makeContext(handle.db, at(0), { env: { NODE_ENV: "production", SESSION_SECRET: "p".repeat(40) } });
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
      if (["login.tsx", "logout.tsx", "healthz.ts", "$.tsx"].includes(route.file)) continue;
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
    const cookie = cookieOf(await createSession(makeContext(handle.db, at(0)), { userId, userAgent: null }));
    const check = (ms: number) => getUser(makeContext(handle.db, at(ms)), get("/", cookie));
    expect(await check(IDLE_TIMEOUT_MS - 1000)).not.toBeNull(); // also touches last_seen_at
    expect(await check(2 * IDLE_TIMEOUT_MS - 2000)).not.toBeNull(); // a week after that touch
    expect(await check(3 * IDLE_TIMEOUT_MS)).toBeNull(); // a week and more of silence
    expect(await check(0)).toBeNull(); // and the row is gone for good
  });

  it("absolute: however active, refused at 30 days", async () => {
    const cookie = cookieOf(await createSession(makeContext(handle.db, at(0)), { userId, userAgent: null }));
    for (let day = 1; day < 30; day += 3) expect(await getUser(makeContext(handle.db, at(day * 86_400_000)), get("/", cookie)), `day ${day}`).not.toBeNull();
    expect(await getUser(makeContext(handle.db, at(ABSOLUTE_TIMEOUT_MS - 1000)), get("/", cookie))).not.toBeNull();
    expect(await getUser(makeContext(handle.db, at(ABSOLUTE_TIMEOUT_MS)), get("/", cookie))).toBeNull();
  });
});

describe("login rate limit window", () => {
  const login = (clock: TestClock, password: string, ip: string) =>
    call(loginAction, post("/login", { email: "sam@example.test", password }), makeContext(handle.db, clock, { clientIp: ip }));

  it("slides: failures older than the window stop counting, failures inside it still do", async () => {
    const base = 10 * 86_400_000;
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT - 1; i++) expect((await login(at(base + i * 1000), "wrong", `10.9.0.${i}`)).status).toBe(400);
    // The 10th failure, 30 s after the first, reaches the limit: the right password is refused.
    expect((await login(at(base + 30_000), "wrong", "10.9.1.1")).status).toBe(400);
    expect((await login(at(base + 31_000), PASSWORD, "10.9.1.2")).status).toBe(429);
    // Just after the first failures leave the window, only the later ones count: allowed again.
    expect((await login(at(base + LOGIN_WINDOW_MS + 10_000), PASSWORD, "10.9.1.3")).status).toBe(302);
  });
});
