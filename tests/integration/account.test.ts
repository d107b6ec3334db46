/**
 * The account page (/account: sessions seen and ended), the own password change (/account/password),
 * re-authentication (/account/confirm, requireRecentAuthentication, reauthenticate) and the sensitive
 * admin actions behind it (a SCIM token, the MFA policy, erasing a candidate).
 */
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { mfaRequiredRoles, REAUTH_WINDOW_MS } from "../../app/auth/login-stages.server";
import { hashPassword, verifyPassword } from "../../app/auth/password.server";
import {
  confirmUrl,
  reauthenticate,
  requireRecentAuthentication,
} from "../../app/auth/reauthenticate.server";
import { describeDevice } from "../../app/utils/user-agent";
import { sealSecret } from "../../app/utils/security.server";
import { action as accountAction, loader as accountLoader } from "../../app/routes/account._index";
import { action as passwordAction } from "../../app/routes/account.password";
import { action as confirmAction, loader as confirmLoader } from "../../app/routes/account.confirm";
import {
  action as identityAction,
  loader as identityLoader,
} from "../../app/routes/admin.identity";
import { action as erasureAction } from "../../app/routes/admin.candidates";
import { createSession } from "../../app/auth/session.server";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookieFrom,
  TEST_SECRET,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

const PASSWORD = "correct horse battery staple";
const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

let handle: DbHandle;
let clock: TestClock;
let ctx: AppContext;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});
beforeEach(() => {
  clock = { now: new Date() };
  ctx = makeContext(handle.db, clock, { login: { oidc: null, passwordLogin: "all" } });
});

async function signIn(userId: string, userAgent: string | null = CHROME_LINUX) {
  const setCookie = await createSession(ctx, { userId, userAgent });
  return setCookie.split(";")[0];
}

async function personWithPassword(roles: Parameters<typeof makeUser>[1], name?: string) {
  const user = await makeUser(handle.db, roles, name);
  await handle.db
    .updateTable("users")
    .set({ password_hash: await hashPassword(PASSWORD), password_must_change: true })
    .where("id", "=", user.id)
    .execute();
  return user;
}

const later = () => {
  clock.now = new Date(clock.now.getTime() + REAUTH_WINDOW_MS + 60_000);
};

const auditRows = (actorId: string, action: string) =>
  handle.db
    .selectFrom("audit_events")
    .select(["action", "outcome", "details", "entity", "entity_id"])
    .where("actor_id", "=", actorId)
    .where("action", "=", action)
    .orderBy("id")
    .execute();

const sessionsOf = (userId: string) =>
  handle.db
    .selectFrom("sessions")
    .select(["id", "authenticated_at"])
    .where("user_id", "=", userId)
    .execute();

describe("describeDevice", () => {
  it("names the browser and the system in plain words", () => {
    expect(describeDevice(CHROME_LINUX)).toBe("Chrome on Linux");
    expect(describeDevice(SAFARI_IPHONE)).toBe("Safari on iPhone");
    expect(
      describeDevice(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      ),
    ).toBe("Edge on Windows");
    expect(
      describeDevice(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0",
      ),
    ).toBe("Firefox on macOS");
    expect(describeDevice(null)).toBe("An unknown device");
    expect(describeDevice("vitest")).toBe("An unknown device");
  });
});

describe("/account", () => {
  it("sends someone signed out to the login page", async () => {
    const response = await call(accountLoader, get("/account"), ctx);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Faccount");
  });

  it("lists only the person's own live sessions, this one first and marked, with the device", async () => {
    const me = await makeUser(handle.db, ["mentor"]);
    const other = await makeUser(handle.db, ["mentor"]);
    await signIn(other.id);
    await signIn(me.id, SAFARI_IPHONE);
    const cookie = await signIn(me.id, CHROME_LINUX);
    const response = await call(accountLoader, get("/account", cookie), ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const data = await body(response);
    expect(data.me).toMatchObject({ name: me.name, roles: ["mentor"] });
    expect(
      data.sessions.map((s: { device: string; current: boolean }) => [s.device, s.current]),
    ).toEqual([
      ["Chrome on Linux", true],
      ["Safari on iPhone", false],
    ]);
    // The stored session keys never reach the page.
    const keys = (await sessionsOf(me.id)).map((s) => s.id);
    for (const key of keys) expect(JSON.stringify(data)).not.toContain(key);
    expect(data.factors).toMatchObject({ totpEnabledAt: null, passkeys: 0 });
  });

  it("ends one other session: that device is signed out, this one stays; audited", async () => {
    const me = await makeUser(handle.db, ["manager"]);
    const phone = await signIn(me.id, SAFARI_IPHONE);
    const cookie = await signIn(me.id);
    const { sessions } = await body(await call(accountLoader, get("/account", cookie), ctx));
    const target = sessions.find((s: { current: boolean }) => !s.current);
    const response = await call(
      accountAction,
      post("/account", { intent: "end_session", session: target.handle }, cookie),
      ctx,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    expect(response.headers.get("Set-Cookie")).toContain(encodeURIComponent("Session ended"));
    expect((await call(accountLoader, get("/account", phone), ctx)).status).toBe(302);
    expect((await call(accountLoader, get("/account", cookie), ctx)).status).toBe(200);
    expect(await auditRows(me.id, "session.end")).toEqual([
      expect.objectContaining({ outcome: "ok", details: { current: false } }),
    ]);
  });

  it("cannot end someone else's session: 400, the session lives on, the attempt audited", async () => {
    const me = await makeUser(handle.db, ["manager"]);
    const victim = await makeUser(handle.db, ["leader"]);
    const victimCookie = await signIn(victim.id);
    const { sessions } = await body(await call(accountLoader, get("/account", victimCookie), ctx));
    const cookie = await signIn(me.id);
    const response = await call(
      accountAction,
      post("/account", { intent: "end_session", session: sessions[0].handle }, cookie),
      ctx,
    );
    expect(response.status).toBe(400);
    expect((await body(response)).formError).toMatch(/already ended/i);
    expect((await call(accountLoader, get("/account", victimCookie), ctx)).status).toBe(200);
    expect(await auditRows(me.id, "session.end")).toEqual([
      expect.objectContaining({ outcome: "denied", details: { reason: "unknown_session" } }),
    ]);
  });

  it("ending this session signs the person out", async () => {
    const me = await makeUser(handle.db, ["mentor"]);
    const cookie = await signIn(me.id);
    const { sessions } = await body(await call(accountLoader, get("/account", cookie), ctx));
    const response = await call(
      accountAction,
      post("/account", { intent: "end_session", session: sessions[0].handle }, cookie),
      ctx,
    );
    expect(response.headers.get("Location")).toBe("/login");
    expect(await sessionsOf(me.id)).toEqual([]);
  });

  it("signs out everywhere else, keeping this session; audited with the count", async () => {
    const me = await makeUser(handle.db, ["mentor"]);
    await signIn(me.id, SAFARI_IPHONE);
    await signIn(me.id, null);
    const cookie = await signIn(me.id);
    const response = await call(
      accountAction,
      post("/account", { intent: "end_others" }, cookie),
      ctx,
    );
    expect(response.status).toBe(302);
    expect(await sessionsOf(me.id)).toHaveLength(1);
    expect((await call(accountLoader, get("/account", cookie), ctx)).status).toBe(200);
    expect(await auditRows(me.id, "session.end_others")).toEqual([
      expect.objectContaining({ outcome: "ok", details: { ended: 2 } }),
    ]);
  });

  it("refuses an unknown intent with 400", async () => {
    const me = await makeUser(handle.db, ["mentor"]);
    const cookie = await signIn(me.id);
    const response = await call(accountAction, post("/account", { intent: "nope" }, cookie), ctx);
    expect(response.status).toBe(400);
  });
});

describe("/account/password", () => {
  const change = (cookie: string, fields: Record<string, string>) =>
    call(passwordAction, post("/account/password", fields, cookie), ctx);

  it("needs the current password: wrong or missing is a 400, nothing echoed, nothing changed, audited", async () => {
    const me = await personWithPassword(["mentor"]);
    const cookie = await signIn(me.id);
    for (const currentPassword of ["", "not my password"]) {
      const response = await change(cookie, {
        currentPassword,
        password: "a brand new long passphrase",
        confirm: "a brand new long passphrase",
      });
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors.currentPassword?.[0]).toMatch(/current password/i);
      expect(JSON.stringify(data)).not.toContain("brand new");
    }
    const row = await handle.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", me.id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);
    expect(await auditRows(me.id, "user.password_change")).toEqual([
      expect.objectContaining({ outcome: "denied", details: { reason: "wrong_current_password" } }),
    ]);
  });

  it("applies the password rules and asks for the same password twice", async () => {
    const me = await personWithPassword(["mentor"], "Wanda Weak");
    const cookie = await signIn(me.id);
    for (const [password, confirm, field, message] of [
      ["password123456", "password123456", "password", /common/i],
      ["aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", /repeated/i],
      ["short one", "short one", "password", /12 characters/i],
      ["wanda's secret garden", "wanda's secret garden", "password", /name/i],
      ["a brand new long passphrase", "a different passphrase", "confirm", /differ/i],
      [PASSWORD, PASSWORD, "password", /current password/i],
    ] as const) {
      const response = await change(cookie, { currentPassword: PASSWORD, password, confirm });
      expect(response.status, password).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors[field]?.[0], password).toMatch(message);
      expect(JSON.stringify(data)).not.toContain(password);
    }
  });

  it("changes it: the new one works, it is no longer temporary, every other session ends, audited without it", async () => {
    const me = await personWithPassword(["leader"]);
    const laptop = await signIn(me.id, SAFARI_IPHONE);
    const cookie = await signIn(me.id);
    const response = await change(cookie, {
      currentPassword: PASSWORD,
      password: "a brand new long passphrase",
      confirm: "a brand new long passphrase",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    expect(response.headers.get("Set-Cookie")).toContain(encodeURIComponent("Password changed"));
    const row = await handle.db
      .selectFrom("users")
      .select(["password_hash", "password_must_change"])
      .where("id", "=", me.id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, "a brand new long passphrase")).toBe(true);
    expect(row.password_must_change).toBe(false);
    expect((await call(accountLoader, get("/account", laptop), ctx)).status).toBe(302);
    expect((await call(accountLoader, get("/account", cookie), ctx)).status).toBe(200);
    const rows = await auditRows(me.id, "user.password_change");
    expect(rows).toEqual([
      expect.objectContaining({ outcome: "ok", details: { otherSessionsEnded: 1 } }),
    ]);
    expect(JSON.stringify(rows)).not.toContain("passphrase");
  });
});

describe("/account/confirm", () => {
  const confirm = (cookie: string, fields: Record<string, string>) =>
    call(confirmAction, post("/account/confirm", fields, cookie), ctx);

  it("offers the ways the account has, and goes back only to a path on this site", async () => {
    const me = await personWithPassword(["admin"]);
    const cookie = await signIn(me.id);
    const data = await body(
      await call(
        confirmLoader,
        get("/account/confirm?redirectTo=%2Fadmin%2Fidentity", cookie),
        ctx,
      ),
    );
    expect(data).toMatchObject({
      redirectTo: "/admin/identity",
      totp: false,
      passkey: false,
      sso: false,
    });
    const evil = await body(
      await call(confirmLoader, get("/account/confirm?redirectTo=%2F%2Fevil.example", cookie), ctx),
    );
    expect(evil.redirectTo).toBe("/account");
    expect((await call(confirmLoader, get("/account/confirm"), ctx)).status).toBe(302);
  });

  it("with the password: a wrong one is a 400 (audited, not echoed), the right one opens the window", async () => {
    const me = await personWithPassword(["admin"]);
    const cookie = await signIn(me.id);
    later();
    const wrong = await confirm(cookie, {
      intent: "password",
      password: "not my password",
      redirectTo: "/admin/identity",
    });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await body(wrong))).not.toContain("not my password");
    const before = (await sessionsOf(me.id))[0].authenticated_at;
    const right = await confirm(cookie, {
      intent: "password",
      password: PASSWORD,
      redirectTo: "/admin/identity",
    });
    expect(right.status).toBe(302);
    expect(right.headers.get("Location")).toBe("/admin/identity");
    const after = (await sessionsOf(me.id))[0].authenticated_at;
    expect(new Date(after).getTime()).toBe(clock.now.getTime());
    expect(new Date(after).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(await auditRows(me.id, "session.confirm")).toEqual([
      expect.objectContaining({
        outcome: "denied",
        details: { method: "password", reason: "bad_password" },
      }),
      expect.objectContaining({ outcome: "ok", details: { method: "password" } }),
    ]);
  });

  it("with an authenticator code: accepted once, refused when replayed", async () => {
    const me = await personWithPassword(["admin"]);
    const secret = new OTPAuth.Secret();
    await handle.db
      .updateTable("users")
      .set({
        totp_secret: sealSecret(TEST_SECRET, secret.base32, me.id),
        totp_enabled_at: clock.now,
      })
      .where("id", "=", me.id)
      .execute();
    const cookie = await signIn(me.id);
    later();
    const code = new OTPAuth.TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({
      timestamp: clock.now.getTime(),
    });
    expect((await body(await call(confirmLoader, get("/account/confirm", cookie), ctx))).totp).toBe(
      true,
    );
    const ok = await confirm(cookie, { intent: "code", code, redirectTo: "/account" });
    expect(ok.status).toBe(302);
    // A confirmation gives the session a new token (ASVS 7.2.4); the old one is dead.
    const renewed = sessionCookieFrom(ok);
    expect((await call(confirmLoader, get("/account/confirm", cookie), ctx)).status).toBe(302);
    const replay = await confirm(renewed, { intent: "code", code, redirectTo: "/account" });
    expect(replay.status).toBe(400);
    const data = await body(replay);
    expect(data.fieldErrors.code?.[0]).toMatch(/already used|not right/i);
    expect(JSON.stringify(data)).not.toContain(code);
  });

  it("a single-sign-on session signs in again at the identity provider: this session ends first", async () => {
    const sso = {
      oidc: {
        issuer: "https://login.example.test/tenant/v2.0",
        clientId: "client",
        clientSecret: "secret",
        appUrl: "https://noseworthy.example.test",
        redirectUri: "https://noseworthy.example.test/auth/oidc/callback",
        createUsers: false,
      },
      passwordLogin: "all" as const,
    };
    const me = await makeUser(handle.db, ["admin"]);
    const cookie = (
      await createSession(ctx, { userId: me.id, userAgent: null, method: "sso" })
    ).split(";")[0];
    // Without single sign-on configured, there is nowhere to sign in again.
    const unconfigured = await confirm(cookie, { intent: "sso", redirectTo: "/admin/identity" });
    expect(unconfigured.status).toBe(400);
    expect(await sessionsOf(me.id)).toHaveLength(1);
    const ssoCtx = makeContext(handle.db, clock, { login: sso });
    const page = await body(
      await call(
        confirmLoader,
        get("/account/confirm?redirectTo=%2Fadmin%2Fidentity", cookie),
        ssoCtx,
      ),
    );
    expect(page.sso).toBe(true);
    const response = await call(
      confirmAction,
      post("/account/confirm", { intent: "sso", redirectTo: "/admin/identity" }, cookie),
      ssoCtx,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/auth/oidc?redirectTo=%2Fadmin%2Fidentity");
    expect(await sessionsOf(me.id)).toEqual([]);
  });

  it("throttles password guesses like a login (429 with Retry-After)", async () => {
    const me = await personWithPassword(["admin"]);
    const cookie = await signIn(me.id);
    let last: Response | undefined;
    for (let i = 0; i < 12; i++)
      last = await confirm(cookie, { intent: "password", password: `guess ${i}`, redirectTo: "/" });
    expect(last?.status).toBe(429);
    expect(last?.headers.get("Retry-After")).toMatch(/^\d+$/);
  });
});

describe("requireRecentAuthentication and reauthenticate", () => {
  it("lets a session confirmed in the last 10 minutes through, and refuses a stale one with an audited 403", async () => {
    const me = await makeUser(handle.db, ["admin"]);
    const user = { id: me.id, authenticatedAt: clock.now };
    const args = {
      user,
      action: "thing.remove",
      entity: "thing",
      entityId: null,
      values: { intent: "remove", name: "kept" },
      redirectTo: "/somewhere?x=1",
    };
    expect(await requireRecentAuthentication(ctx, args)).toBeNull();
    later();
    const refused = await requireRecentAuthentication(ctx, args);
    expect(refused?.status).toBe(403);
    const data = await body(refused as Response);
    expect(data.formError).toMatch(/^Confirm it's you first/);
    expect(data.formError).toContain(confirmUrl("/somewhere?x=1"));
    expect(data.confirmUrl).toBe("/account/confirm?redirectTo=%2Fsomewhere%3Fx%3D1");
    expect(data.values).toEqual({ intent: "remove", name: "kept" });
    expect(await auditRows(me.id, "thing.remove")).toEqual([
      expect.objectContaining({
        outcome: "denied",
        details: { reason: "reauthentication_required" },
      }),
    ]);
    expect(confirmUrl("https://evil.example/")).toBe("/account/confirm?redirectTo=%2F");
  });

  it("reauthenticate: a recent session needs no password; a stale one needs the right one, which then counts as a confirmation", async () => {
    const me = await personWithPassword(["admin"]);
    const cookie = await signIn(me.id);
    const session = (await sessionsOf(me.id))[0];
    const admin = {
      id: me.id,
      email: `x-${me.id}@example.test`,
      authenticatedAt: clock.now,
      sessionId: session.id,
    };
    const row = await handle.db
      .selectFrom("users")
      .select("email")
      .where("id", "=", me.id)
      .executeTakeFirstOrThrow();
    admin.email = row.email;
    const base = { admin, action: "user.update", entityId: null, values: { name: "kept" } };
    expect(await reauthenticate(ctx, { ...base, password: undefined })).toBeNull();
    // Typed anyway, a wrong password is not ignored.
    expect((await reauthenticate(ctx, { ...base, password: "wrong" }))?.status).toBe(400);
    later();
    const stale = await reauthenticate(ctx, { ...base, password: undefined });
    expect(stale?.status).toBe(400);
    expect((await body(stale as Response)).fieldErrors.currentPassword[0]).toMatch(
      /current password/i,
    );
    expect(await reauthenticate(ctx, { ...base, password: PASSWORD })).toBeNull();
    const confirmed = (await sessionsOf(me.id))[0].authenticated_at;
    expect(new Date(confirmed).getTime()).toBe(clock.now.getTime());
    expect(cookie).toBeTruthy();
  });
});

describe("sensitive admin actions wait for a confirmation", () => {
  it("a SCIM token: refused with 403 on a stale session (no token made), made once confirmed", async () => {
    const admin = await personWithPassword(["admin"]);
    const cookie = await signIn(admin.id);
    later();
    const page = await body(await call(identityLoader, get("/admin/identity", cookie), ctx));
    expect(page).toMatchObject({
      confirmed: false,
      confirmUrl: "/account/confirm?redirectTo=%2Fadmin%2Fidentity",
    });
    const refused = await call(
      identityAction,
      post("/admin/identity", { intent: "create", name: "Okta" }, cookie),
      ctx,
    );
    expect(refused.status).toBe(403);
    expect((await body(refused)).values).toMatchObject({ name: "Okta" });
    expect(await handle.db.selectFrom("scim_tokens").select("id").execute()).toEqual([]);
    const confirmed = await call(
      confirmAction,
      post(
        "/account/confirm",
        { intent: "password", password: PASSWORD, redirectTo: "/admin/identity" },
        cookie,
      ),
      ctx,
    );
    const made = await call(
      identityAction,
      post("/admin/identity", { intent: "create", name: "Okta" }, sessionCookieFrom(confirmed)),
      ctx,
    );
    expect(made.status).toBe(200);
    expect((await body(made)).created.token).toBeTruthy();
  });

  it("the MFA policy: defaults to admin and leader, saved and audited by a confirmed admin; a leader gets 403", async () => {
    expect(await mfaRequiredRoles(handle.db)).toEqual(["admin", "leader"]);
    const admin = await makeUser(handle.db, ["admin"]);
    const cookie = await signIn(admin.id);
    const page = await body(await call(identityLoader, get("/admin/identity", cookie), ctx));
    expect(page.mfaRoles).toEqual(["admin", "leader"]);
    const saved = await call(
      identityAction,
      post(
        "/admin/identity",
        { intent: "mfa_policy", roles: ["admin", "leader", "manager"] },
        cookie,
      ),
      ctx,
    );
    expect(saved.status).toBe(302);
    expect(await mfaRequiredRoles(handle.db)).toEqual(["admin", "leader", "manager"]);
    expect(await auditRows(admin.id, "settings.update")).toEqual([
      expect.objectContaining({
        entity_id: "mfa_required_roles",
        details: { roles: ["admin", "leader", "manager"], added: ["manager"], removed: [] },
      }),
    ]);
    const none = await call(
      identityAction,
      post("/admin/identity", { intent: "mfa_policy" }, cookie),
      ctx,
    );
    expect(none.status).toBe(302);
    expect(await mfaRequiredRoles(handle.db)).toEqual([]);
    const bad = await call(
      identityAction,
      post("/admin/identity", { intent: "mfa_policy", roles: ["root"] }, cookie),
      ctx,
    );
    expect(bad.status).toBe(400);
    later();
    const stale = await call(
      identityAction,
      post("/admin/identity", { intent: "mfa_policy", roles: ["admin"] }, cookie),
      ctx,
    );
    expect(stale.status).toBe(403);
    expect(await mfaRequiredRoles(handle.db)).toEqual([]);
    const leader = await makeUser(handle.db, ["leader"]);
    const leaderCookie = await signIn(leader.id);
    const denied = await call(
      identityAction,
      post("/admin/identity", { intent: "mfa_policy", roles: [] }, leaderCookie),
      ctx,
    );
    expect(denied.status).toBe(403);
  });

  it("erasing a candidate: a stale session gets an audited 403 before anything is looked up", async () => {
    const admin = await makeUser(handle.db, ["admin"]);
    const cookie = await signIn(admin.id);
    const candidateId = "00000000-0000-4000-8000-000000000001";
    const fresh = await call(
      erasureAction,
      post("/admin/candidates", { intent: "erase", candidateId, confirmName: "X" }, cookie),
      ctx,
    );
    expect(fresh.status).toBe(400);
    expect((await body(fresh)).formError).toMatch(/not archived/i);
    later();
    const stale = await call(
      erasureAction,
      post("/admin/candidates", { intent: "erase", candidateId, confirmName: "X" }, cookie),
      ctx,
    );
    expect(stale.status).toBe(403);
    expect((await body(stale)).confirmUrl).toBe(
      "/account/confirm?redirectTo=%2Fadmin%2Fcandidates",
    );
    expect(await auditRows(admin.id, "candidate.erase")).toEqual([
      expect.objectContaining({
        outcome: "denied",
        details: { reason: "reauthentication_required" },
      }),
    ]);
  });
});
