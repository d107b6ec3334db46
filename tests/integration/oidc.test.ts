import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { Role } from "../../db/schema";
import { hashPassword } from "../../app/auth/password.server";
import { getUser } from "../../app/auth/session.server";
import type { AppContext } from "../../app/context";
import { emailIsVerified } from "../../app/auth/oidc.server";
import { type LoginSettings, parseEnv } from "../../app/env.server";
import { createUser, setUserDisabled } from "../../app/models/user.server";
import { loader as startLoader } from "../../app/routes/auth.oidc";
import { loader as callbackLoader } from "../../app/routes/auth.oidc_.callback";
import { action as loginAction, loader as loginLoader } from "../../app/routes/login";
import { BASE, body, call, get, makeContext, post } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { signInAtProvider, startTestProvider, type TestProvider } from "../helpers/oidc-provider";

const CLIENT = { clientId: "noseworthy", clientSecret: "a-client-secret-for-the-tests-only" };
const REDIRECT_URI = `${BASE}/auth/oidc/callback`;
const PASSWORD = "correct horse battery";

let handle: DbHandle;
let provider: TestProvider;
let other: TestProvider;

beforeAll(async () => {
  handle = await createTestDb();
  provider = await startTestProvider({ ...CLIENT, redirectUri: REDIRECT_URI });
  other = await startTestProvider({ ...CLIENT, redirectUri: REDIRECT_URI });
  const hash = await hashPassword(PASSWORD);
  for (const [email, roles, disabled] of [
    ["ada@example.test", ["manager"], false],
    ["bo@example.test", ["admin"], false],
    ["cy@example.test", ["mentor"], true],
  ] as const) {
    const { id } = await createUser(handle.db, {
      email,
      name: email.split("@")[0],
      roles: [...roles] as Role[],
      passwordHash: hash,
    });
    if (disabled) await setUserDisabled(handle.db, { id, disabled: true, now: new Date() });
  }
  for (const [login, claims] of [
    ["ada", { email: "Ada@Example.test", email_verified: true, name: "Ada Lovelace" }],
    ["cy", { email: "cy@example.test", email_verified: true }],
    ["unverified", { email: "ada@example.test", email_verified: false }],
    ["newcomer", { email: "newcomer@example.test", email_verified: true, name: "New Comer" }],
    ["twice", { email: "twice@example.test", email_verified: true }],
  ] as const) {
    provider.accounts.set(login, claims);
    other.accounts.set(login, claims);
  }
}, 60_000);
afterAll(async () => {
  await provider?.close();
  await other?.close();
  await handle?.close();
});

function settings(
  overrides: { issuer?: string; createUsers?: boolean; passwordLogin?: "all" | "admins" } = {},
): LoginSettings {
  return {
    oidc: {
      issuer: overrides.issuer ?? provider.issuer,
      ...CLIENT,
      appUrl: BASE,
      redirectUri: REDIRECT_URI,
      createUsers: overrides.createUsers ?? false,
    },
    passwordLogin: overrides.passwordLogin ?? "all",
  };
}

// Real time: the provider's tokens are checked against the clock.
function ctx(login: LoginSettings = settings()): AppContext {
  return makeContext(handle.db, { now: new Date() }, { login });
}

function cookiePair(response: Response, name: string): string | undefined {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith(`${name}=`));
}

/** Starts a sign-in at the app: the provider's authorization URL and the browser's sign-in cookie. */
async function start(context: AppContext, redirectTo = "/candidates") {
  const response = await call(
    startLoader,
    get(`/auth/oidc?${new URLSearchParams({ redirectTo })}`),
    context,
  );
  expect(response.status).toBe(302);
  const flowCookie = cookiePair(response, "nw_oidc");
  expect(flowCookie).toBeTruthy();
  expect(response.headers.get("Set-Cookie")).toMatch(/HttpOnly; SameSite=Lax; Max-Age=600/);
  return { authorizationUrl: response.headers.get("Location")!, flowCookie: flowCookie! };
}

function callback(context: AppContext, returned: URL, flowCookie?: string) {
  return call(
    callbackLoader,
    new Request(`${BASE}/auth/oidc/callback${returned.search}`, {
      headers: flowCookie ? { Cookie: flowCookie, "User-Agent": "vitest" } : {},
    }),
    context,
  );
}

async function lastLoginAudit() {
  return handle.db
    .selectFrom("audit_events")
    .select(["actor_id", "outcome", "details"])
    .where("action", "=", "auth.login")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
}

async function sessionsOf(email: string) {
  const row = await handle.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("users.email", "=", email)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("single sign-on with OpenID Connect", () => {
  it("starts with PKCE, state and nonce, and signs a verified user into their account with a server-side session", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const auth = new URL(authorizationUrl);
    expect(auth.origin).toBe(provider.issuer);
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("code_challenge")).toBeTruthy();
    expect(auth.searchParams.get("state")).toBeTruthy();
    expect(auth.searchParams.get("nonce")).toBeTruthy();
    expect(auth.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);

    const returned = await signInAtProvider(authorizationUrl, "ada");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/candidates");
    const session = cookiePair(response, "nw_session");
    expect(session).toBeTruthy();
    // The sign-in cookie is spent.
    expect(cookiePair(response, "nw_oidc")).toBe("nw_oidc=");
    const user = await getUser(context, get("/", session));
    expect(user?.email).toBe("ada@example.test");
    expect(user?.roles).toEqual(["manager"]);
    const entry = await lastLoginAudit();
    expect(entry).toMatchObject({ actor_id: user!.id, outcome: "ok" });
    expect(entry.details).toEqual({ method: "oidc" });
    // Signed in already: /auth/oidc goes straight on, without a new sign-in.
    const again = await call(startLoader, get("/auth/oidc?redirectTo=/people", session), context);
    expect(again.status).toBe(302);
    expect(again.headers.get("Location")).toBe("/people");
    expect(cookiePair(again, "nw_oidc")).toBeUndefined();
  });

  it("refuses a forged state with a page, audited, and no session", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "ada");
    returned.searchParams.set("state", "forged-state");
    const before = await sessionsOf("ada@example.test");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(400);
    expect((await body(response)).message).toMatch(/could not be accepted/);
    expect(cookiePair(response, "nw_session")).toBeUndefined();
    expect(await sessionsOf("ada@example.test")).toBe(before);
    expect(await lastLoginAudit()).toMatchObject({
      actor_id: null,
      outcome: "failed",
      details: { method: "oidc", reason: "rejected", check: "state" },
    });
  });

  it("refuses a callback without the browser's sign-in cookie, or with a tampered one", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "ada");
    const missing = await callback(context, returned);
    expect(missing.status).toBe(400);
    expect((await body(missing)).message).toMatch(/expired or was started in another browser/);
    const [payload, mac] = flowCookie.slice("nw_oidc=".length).split(".");
    const flow = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = Buffer.from(JSON.stringify({ ...flow, redirectTo: "/admin/users" })).toString(
      "base64url",
    );
    const forged = await callback(context, returned, `nw_oidc=${tampered}.${mac}`);
    expect(forged.status).toBe(400);
    expect(await lastLoginAudit()).toMatchObject({
      details: { method: "oidc", reason: "expired" },
    });
  });

  it("refuses a replayed code", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "ada");
    expect((await callback(context, returned, flowCookie)).status).toBe(302);
    const before = await sessionsOf("ada@example.test");
    const replay = await callback(context, returned, flowCookie);
    expect(replay.status).toBe(400);
    expect(cookiePair(replay, "nw_session")).toBeUndefined();
    expect(await sessionsOf("ada@example.test")).toBe(before);
    expect(await lastLoginAudit()).toMatchObject({
      outcome: "failed",
      details: { method: "oidc", reason: "rejected", detail: "invalid_grant" },
    });
  });

  it("refuses an answer from another issuer (a mix-up), and a tampered iss parameter", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    // The same request, state and all, answered by another provider that knows the same client.
    const elsewhere = new URL(authorizationUrl);
    const otherOrigin = new URL(other.issuer);
    elsewhere.host = otherOrigin.host;
    const returned = await signInAtProvider(elsewhere.href, "ada");
    expect(returned.searchParams.get("iss")).toBe(other.issuer);
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(400);
    expect(cookiePair(response, "nw_session")).toBeUndefined();
    expect(await lastLoginAudit()).toMatchObject({
      details: { method: "oidc", reason: "rejected", check: "iss" },
    });

    const second = await start(context);
    const genuine = await signInAtProvider(second.authorizationUrl, "ada");
    genuine.searchParams.set("iss", other.issuer);
    const tampered = await callback(context, genuine, second.flowCookie);
    expect(tampered.status).toBe(400);
    expect(await lastLoginAudit()).toMatchObject({
      details: { method: "oidc", reason: "rejected", check: "iss" },
    });
  });

  it("says so when the person cancels at the provider", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "ada", { cancel: true });
    expect(returned.searchParams.get("error")).toBe("access_denied");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(403);
    expect((await body(response)).message).toMatch(/did not sign you in/);
    expect(await lastLoginAudit()).toMatchObject({
      outcome: "failed",
      details: { method: "oidc", reason: "provider_error", detail: "access_denied" },
    });
  });

  it("refuses an email the provider has not verified", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "unverified");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(403);
    expect((await body(response)).message).toMatch(/not verified your email address/);
    expect(cookiePair(response, "nw_session")).toBeUndefined();
    expect(await lastLoginAudit()).toMatchObject({
      outcome: "failed",
      details: { method: "oidc", reason: "unverified_email" },
    });
  });

  it("refuses a disabled account", async () => {
    const context = ctx();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "cy");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(403);
    expect((await body(response)).message).toMatch(/disabled/);
    expect(await sessionsOf("cy@example.test")).toBe(0);
    const entry = await lastLoginAudit();
    expect(entry.actor_id).not.toBeNull();
    expect(entry).toMatchObject({
      outcome: "denied",
      details: { method: "oidc", reason: "disabled" },
    });
  });

  it("refuses an unknown verified user when OIDC_CREATE_USERS is off", async () => {
    const context = ctx(settings({ createUsers: false }));
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "newcomer");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(403);
    expect((await body(response)).message).toMatch(/no Noseworthy account for your email/);
    const created = await handle.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "newcomer@example.test")
      .executeTakeFirst();
    expect(created).toBeUndefined();
    expect(await lastLoginAudit()).toMatchObject({
      outcome: "denied",
      details: { method: "oidc", reason: "no_account" },
    });
  });

  it("creates an account with no roles for an unknown verified user when OIDC_CREATE_USERS=1", async () => {
    const context = ctx(settings({ createUsers: true }));
    const { authorizationUrl, flowCookie } = await start(context, "/");
    const returned = await signInAtProvider(authorizationUrl, "newcomer");
    const response = await callback(context, returned, flowCookie);
    expect(response.status).toBe(302);
    const user = await getUser(context, get("/", cookiePair(response, "nw_session")));
    expect(user).toMatchObject({ email: "newcomer@example.test", name: "New Comer", roles: [] });
    const created = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "entity_id", "details"])
      .where("action", "=", "user.create")
      .where("entity_id", "=", user!.id)
      .executeTakeFirstOrThrow();
    expect(created.details).toEqual({ method: "oidc", roles: [] });
    // No password opens this account.
    const password = await call(
      loginAction,
      post("/login", { email: "newcomer@example.test", password: "!sso-only" }),
      context,
    );
    expect(password.status).toBe(400);
  });

  it("creates one account when the same new person signs in twice at once", async () => {
    const context = ctx(settings({ createUsers: true }));
    const first = await start(context, "/");
    const second = await start(context, "/");
    const [a, b] = await Promise.all([
      signInAtProvider(first.authorizationUrl, "twice"),
      signInAtProvider(second.authorizationUrl, "twice"),
    ]);
    const responses = await Promise.all([
      callback(context, a, first.flowCookie),
      callback(context, b, second.flowCookie),
    ]);
    expect(responses.map((r) => r.status)).toEqual([302, 302]);
    const accounts = await handle.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "twice@example.test")
      .execute();
    expect(accounts).toHaveLength(1);
    const creations = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "user.create")
      .where("entity_id", "=", accounts[0].id)
      .execute();
    expect(creations).toHaveLength(1);
    expect(await sessionsOf("twice@example.test")).toBe(2);
  });

  it("answers 404 on both routes when single sign-on is not configured, and hides the button", async () => {
    const context = ctx({ oidc: null, passwordLogin: "all" });
    expect((await call(startLoader, get("/auth/oidc"), context)).status).toBe(404);
    expect(
      (await call(callbackLoader, get("/auth/oidc/callback?code=x&state=y"), context)).status,
    ).toBe(404);
    expect(await body(await call(loginLoader, get("/login"), context))).toEqual({
      sso: false,
      passwordLogin: "all",
    });
    expect(await body(await call(loginLoader, get("/login"), ctx()))).toEqual({
      sso: true,
      passwordLogin: "all",
    });
  });

  it("answers 503 with a page, not a 500, when the provider cannot be reached", async () => {
    const context = ctx(settings({ issuer: "http://127.0.0.1:9/unreachable" }));
    const response = await call(startLoader, get("/auth/oidc"), context);
    expect(response.status).toBe(503);
    expect((await body(response)).message).toMatch(/cannot be reached/);
  });
});

describe("a verified email", () => {
  const entra = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";
  it("is email_verified: true, or Entra ID's xms_edov: true from an Entra issuer when email_verified is absent", () => {
    expect(emailIsVerified({ email_verified: true }, provider.issuer)).toBe(true);
    expect(emailIsVerified({ email_verified: "true" }, provider.issuer)).toBe(false);
    expect(emailIsVerified({}, provider.issuer)).toBe(false);
    expect(emailIsVerified({ xms_edov: true }, provider.issuer)).toBe(false);
    expect(emailIsVerified({ xms_edov: true }, entra)).toBe(true);
    expect(emailIsVerified({ xms_edov: false }, entra)).toBe(false);
    expect(emailIsVerified({ email_verified: false, xms_edov: true }, entra)).toBe(false);
  });
});

describe("PASSWORD_LOGIN=admins", () => {
  const admins = () => ctx(settings({ passwordLogin: "admins" }));

  it("refuses password login to everyone but admins, with a clear message, audited", async () => {
    for (const password of [PASSWORD, "wrong password"]) {
      const response = await call(
        loginAction,
        post("/login", { email: "ada@example.test", password }),
        admins(),
      );
      expect(response.status).toBe(403);
      expect((await body(response)).formError).toMatch(/administrators only/);
      expect(cookiePair(response, "nw_session")).toBeUndefined();
    }
    expect(await lastLoginAudit()).toMatchObject({
      outcome: "denied",
      details: { method: "password", reason: "password_login_admins_only" },
    });
  });

  it("lets an admin log in with a password (break-glass)", async () => {
    const response = await call(
      loginAction,
      post("/login", { email: "bo@example.test", password: PASSWORD }),
      admins(),
    );
    expect(response.status).toBe(302);
    expect(cookiePair(response, "nw_session")).toBeTruthy();
  });

  it("still signs a non-admin in through single sign-on", async () => {
    const context = admins();
    const { authorizationUrl, flowCookie } = await start(context);
    const returned = await signInAtProvider(authorizationUrl, "ada");
    expect((await callback(context, returned, flowCookie)).status).toBe(302);
  });
});

describe("configuration", () => {
  const base = {
    NODE_ENV: "test" as const,
    PGLITE_DIR: ".tmp/oidc-env-test",
    SESSION_SECRET: "x".repeat(40),
  };
  const full = {
    OIDC_ISSUER: "https://login.example.test/realms/acme",
    OIDC_CLIENT_ID: "noseworthy",
    OIDC_CLIENT_SECRET: "secret",
    APP_URL: "https://noseworthy.example.test/",
  };

  it("reads single sign-on when the issuer, client and APP_URL are all set", () => {
    const env = parseEnv({ ...base, ...full, OIDC_CREATE_USERS: "1", PASSWORD_LOGIN: "admins" });
    expect(env.LOGIN).toEqual({
      oidc: {
        issuer: full.OIDC_ISSUER,
        clientId: "noseworthy",
        clientSecret: "secret",
        appUrl: "https://noseworthy.example.test",
        redirectUri: "https://noseworthy.example.test/auth/oidc/callback",
        createUsers: true,
      },
      passwordLogin: "admins",
    });
    expect(parseEnv(base).LOGIN).toEqual({ oidc: null, passwordLogin: "all" });
  });

  it("stops at start with a message naming what is missing or wrong", () => {
    expect(() => parseEnv({ ...base, OIDC_ISSUER: full.OIDC_ISSUER })).toThrow(
      /OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: single sign-on needs/,
    );
    expect(() => parseEnv({ ...base, ...full, APP_URL: "" })).toThrow(/APP_URL: required with/);
    expect(() => parseEnv({ ...base, ...full, OIDC_ISSUER: "not a url" })).toThrow(/OIDC_ISSUER/);
    expect(() => parseEnv({ ...base, PASSWORD_LOGIN: "admins" })).toThrow(
      /PASSWORD_LOGIN: admins-only password login needs single sign-on/,
    );
    expect(() => parseEnv({ ...base, ...full, PASSWORD_LOGIN: "nobody" })).toThrow(
      /PASSWORD_LOGIN/,
    );
    expect(() => parseEnv({ ...base, OIDC_CREATE_USERS: "1" })).toThrow(/OIDC_CREATE_USERS/);
  });
});
