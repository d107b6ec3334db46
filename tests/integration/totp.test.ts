/**
 * TOTP (RFC 6238) and recovery codes: the model (app/auth/totp.server.ts), the account page
 * /account/two-factor, and the login stages /login/second-factor and /login/set-up-mfa.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { LoginStage } from "../../db/schema";
import { MFA_POLICY_KEY, REAUTH_WINDOW_MS } from "../../app/auth/login-stages.server";
import { hashPassword } from "../../app/auth/password.server";
import { createSession, getAnySession } from "../../app/auth/session.server";
import {
  confirmTotpSetup,
  consumeRecoveryCode,
  normaliseRecoveryCode,
  pendingTotpSetup,
  removeTotp,
  unusedRecoveryCodes,
  verifyTotp,
} from "../../app/auth/totp.server";
import type { AppContext } from "../../app/context";
import { createUser } from "../../app/models/user.server";
import TwoFactor, {
  action as twoFactorAction,
  loader as twoFactorLoader,
} from "../../app/routes/account.two-factor";
import { action as loginAction } from "../../app/routes/login";
import SecondFactor, {
  action as secondFactorAction,
  loader as secondFactorLoader,
} from "../../app/routes/login_.second-factor";
import SetUpMfa, {
  action as setUpAction,
  loader as setUpLoader,
} from "../../app/routes/login_.set-up-mfa";
import { openSecret, sealSecret } from "../../app/utils/security.server";
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

const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
  search: "",
}));
vi.mock("@remix-run/react", async () => {
  const { createElement: h } = await import("react");
  return {
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
    useNavigate: () => () => undefined,
    useSearchParams: () => [new URLSearchParams(remix.search)],
  };
});
async function render(component: () => unknown, loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  // Without React's text separators, so sentences can be found whole.
  return renderToString(createElement(component as () => null)).replace(/<!-- -->/g, "");
}

let handle: DbHandle;
const T0 = new Date("2026-12-02T10:00:00Z");

beforeAll(async () => {
  handle = await createTestDb();
  // The lead's default (admin and leader) is what a new installation has; tests set it explicitly.
  await handle.db
    .insertInto("settings")
    .values({ key: MFA_POLICY_KEY, value: JSON.stringify(["admin"]) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(["admin"]) }))
    .execute();
});
afterAll(async () => {
  await handle.close();
});

function codeAt(key: string, at: Date) {
  return OTPAuth.TOTP.generate({
    secret: OTPAuth.Secret.fromBase32(key.replace(/ /g, "")),
    timestamp: at.getTime(),
  });
}

function later(clock: TestClock, ms: number) {
  clock.now = new Date(clock.now.getTime() + ms);
}

async function cookieFor(ctx: AppContext, userId: string, stage: LoginStage | null = null) {
  const header = await createSession(ctx, { userId, userAgent: "vitest", stage });
  return header.split(";")[0];
}

/** A user with a confirmed authenticator app; returns its key and recovery codes. */
async function withTotp(ctx: AppContext, clock: TestClock, roles = ["manager"] as const) {
  const user = await makeUser(handle.db, [...roles]);
  const setup = await pendingTotpSetup(ctx, { userId: user.id, label: "x" });
  const codes = await confirmTotpSetup(ctx, {
    userId: user.id,
    code: codeAt(setup.key, clock.now),
  });
  later(clock, 30_000); // the set-up code's step is spent
  return { user, key: setup.key, codes: codes! };
}

async function auditRows(actorId: string, action: string) {
  return handle.db
    .selectFrom("audit_events")
    .select(["outcome", "details", "entity", "entity_id"])
    .where("actor_id", "=", actorId)
    .where("action", "=", action)
    .orderBy("at")
    .execute();
}

describe("sealed secrets", () => {
  it("open only with the same key and context, and refuse any alteration", () => {
    const sealed = sealSecret(TEST_SECRET, "JBSWY3DPEHPK3PXP", "user-1");
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(sealSecret(TEST_SECRET, "JBSWY3DPEHPK3PXP", "user-1")).not.toBe(sealed); // a fresh IV
    expect(openSecret(TEST_SECRET, sealed, "user-1")).toBe("JBSWY3DPEHPK3PXP");
    expect(openSecret(TEST_SECRET, sealed, "user-2")).toBeNull();
    expect(openSecret(`${TEST_SECRET}x`, sealed, "user-1")).toBeNull();
    const [v, iv, ct, tag] = sealed.split(".");
    const flipped = Buffer.from(ct, "base64url");
    flipped[0] ^= 1;
    const altered = [v, iv, flipped.toString("base64url"), tag].join(".");
    expect(openSecret(TEST_SECRET, altered, "user-1")).toBeNull();
    expect(openSecret(TEST_SECRET, [v, iv, ct, tag.slice(0, 8)].join("."), "user-1")).toBeNull();
    expect(openSecret(TEST_SECRET, "garbage", "user-1")).toBeNull();
  });
});

describe("the TOTP model", () => {
  it("keeps the pending key across reloads, and stores it sealed", async () => {
    const ctx = makeContext(handle.db, { now: T0 });
    const user = await makeUser(handle.db, ["manager"]);
    const setup = await pendingTotpSetup(ctx, { userId: user.id, label: "m@example.test" });
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Noseworthy:m%40example\.test\?/);
    expect(setup.uri).toContain("issuer=Noseworthy");
    expect((await pendingTotpSetup(ctx, { userId: user.id, label: "x" })).key).toBe(setup.key);
    const fresh = await pendingTotpSetup(ctx, { userId: user.id, label: "x", fresh: true });
    expect(fresh.key).not.toBe(setup.key);
    const row = await handle.db
      .selectFrom("users")
      .select(["totp_pending_secret", "totp_secret"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_pending_secret).not.toContain(fresh.key.replace(/ /g, ""));
    expect(row.totp_secret).toBeNull();
    // The key only works once confirmed.
    expect(await verifyTotp(ctx, user.id, codeAt(fresh.key, T0))).toBe(false);
  });

  it("accepts a code one step either side, each step once, and no other key's code", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    const other = await withTotp(ctx, clock);
    expect(await verifyTotp(ctx, user.id, codeAt(other.key, clock.now))).toBe(false);
    const code = codeAt(key, clock.now);
    expect(await verifyTotp(ctx, user.id, code)).toBe(true);
    expect(await verifyTotp(ctx, user.id, code)).toBe(false);
    later(clock, 60_000);
    // The previous step's code, after a later one was accepted: refused (steps only move forward).
    expect(
      await verifyTotp(ctx, user.id, codeAt(key, new Date(clock.now.getTime() - 90_000))),
    ).toBe(false);
    expect(
      await verifyTotp(ctx, user.id, codeAt(key, new Date(clock.now.getTime() - 30_000))),
    ).toBe(true);
    expect(
      await verifyTotp(ctx, user.id, codeAt(key, new Date(clock.now.getTime() + 30_000))),
    ).toBe(true);
    later(clock, 30_000);
    // Two steps away: refused.
    expect(
      await verifyTotp(ctx, user.id, codeAt(key, new Date(clock.now.getTime() + 90_000))),
    ).toBe(false);
    expect(await verifyTotp(ctx, user.id, "12345")).toBe(false);
    expect(await verifyTotp(ctx, user.id, "abcdef")).toBe(false);
  });

  it("accepts a code with spaces, and two racing requests with one code only once", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    const code = codeAt(key, clock.now);
    const results = await Promise.all([
      verifyTotp(ctx, user.id, `${code.slice(0, 3)} ${code.slice(3)}`),
      verifyTotp(ctx, user.id, code),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("refuses codes of a disabled account", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    await handle.db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", user.id)
      .execute();
    expect(await verifyTotp(ctx, user.id, codeAt(key, clock.now))).toBe(false);
  });

  it("makes ten distinct recovery codes of 120 bits, stored hashed, single use, forgiving of format", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, codes } = await withTotp(ctx, clock);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/);
    const stored = await handle.db
      .selectFrom("recovery_codes")
      .select("code_hash")
      .where("user_id", "=", user.id)
      .execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) {
      expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of codes) expect(code_hash).not.toContain(code.replace(/-/g, ""));
    }
    const [first, second] = codes;
    expect(normaliseRecoveryCode(first.toUpperCase().replace(/-/g, " "))).toBe(
      first.replace(/-/g, ""),
    );
    expect(await consumeRecoveryCode(ctx, user.id, ` ${first.toUpperCase()} `)).toBe(true);
    expect(await consumeRecoveryCode(ctx, user.id, first)).toBe(false);
    // O and I/L read as 0 and 1, as people confuse them.
    const confusable = second.replace(/0/g, "O").replace(/1/g, "l");
    expect(await consumeRecoveryCode(ctx, user.id, confusable)).toBe(true);
    expect(await unusedRecoveryCodes(handle.db, user.id)).toBe(8);
    expect(await consumeRecoveryCode(ctx, user.id, "not a code")).toBe(false);
    // Another account's code is not this account's.
    const other = await withTotp(ctx, clock);
    expect(await consumeRecoveryCode(ctx, user.id, other.codes[0])).toBe(false);
    expect(await consumeRecoveryCode(ctx, other.user.id, other.codes[0])).toBe(true);
  });

  it("removing the app removes the recovery codes when no passkey remains", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    await removeTotp(ctx, user.id);
    expect(await unusedRecoveryCodes(handle.db, user.id)).toBe(0);
    expect(await verifyTotp(ctx, user.id, codeAt(key, clock.now))).toBe(false);
  });
});

describe("/account/two-factor", () => {
  it("sends the signed-out to /login and a login half done to its stage", async () => {
    const ctx = makeContext(handle.db, { now: T0 });
    const res = await call(twoFactorLoader, get("/account/two-factor"), ctx);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?redirectTo=%2Faccount%2Ftwo-factor");
    const user = await makeUser(handle.db, ["mentor"]);
    const staged = await cookieFor(ctx, user.id, "second_factor");
    const res2 = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "remove" }, staged),
      ctx,
    );
    expect(res2.status).toBe(302);
    expect(res2.headers.get("Location")).toMatch(/^\/login\/second-factor/);
  });

  it("sets up the app: QR code and key, confirmed with a code, recovery codes shown once (no-store)", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await cookieFor(ctx, user.id);
    const loaded = await call(twoFactorLoader, get("/account/two-factor", cookie), ctx);
    expect(loaded.status).toBe(200);
    expect(loaded.headers.get("Cache-Control")).toBe("no-store");
    const data = await body(loaded);
    expect(data.recent).toBe(true);
    expect(data.totpEnabledAt).toBeNull();
    expect(data.setup.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(data.setup.qr.split(",")[1], "base64").toString()).toMatch(/^<svg/);
    const html = await render(TwoFactor, loaded);
    expect(html).toContain(data.setup.key);
    expect(html).toContain('alt="QR code to scan with your authenticator app');
    expect(html).toContain('autoComplete="one-time-code"');

    // A wrong code: 400, the code not sent back, audited as a failure without it.
    const wrongCode = codeAt(data.setup.key, new Date(clock.now.getTime() + 10 * 60_000));
    const wrong = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "confirm", code: wrongCode }, cookie),
      ctx,
    );
    expect(wrong.status).toBe(400);
    const refused = await body(wrong);
    expect(refused.fieldErrors.code[0]).toMatch(/does not match/);
    expect(JSON.stringify(refused)).not.toContain(wrongCode);
    const malformed = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "confirm", code: "12ab" }, cookie),
      ctx,
    );
    expect(malformed.status).toBe(400);
    expect((await body(malformed)).fieldErrors.code).toEqual(["A code has six digits."]);

    const code = codeAt(data.setup.key, clock.now);
    const done = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "confirm", code }, cookie),
      ctx,
    );
    expect(done.status).toBe(200);
    expect(done.headers.get("Cache-Control")).toBe("no-store");
    const { codes } = await body(done);
    expect(codes).toHaveLength(10);
    const page = await render(
      TwoFactor,
      await call(twoFactorLoader, get("/account/two-factor", cookie), ctx),
      done,
    );
    for (const c of codes) expect(page).toContain(c);
    expect(page).toContain('download="noseworthy-recovery-codes.txt"');
    const href = /href="(data:text\/plain;charset=utf-8,[^"]+)"/.exec(page)![1];
    expect(decodeURIComponent(href.split(",")[1].replace(/&amp;/g, "&"))).toContain(codes[9]);
    expect(page).toContain("Your authenticator app is on");

    // Now on: the loader shows no key any more, and the codes are not in it.
    const after = await body(await call(twoFactorLoader, get("/account/two-factor", cookie), ctx));
    expect(after.setup).toBeNull();
    expect(after.totpEnabledAt).not.toBeNull();
    expect(after.unusedRecoveryCodes).toBe(10);
    expect(JSON.stringify(after)).not.toContain(codes[0]);

    const audited = await auditRows(user.id, "account.totp_enable");
    expect(audited.map((a) => a.outcome)).toEqual(["failed", "ok"]);
    expect(JSON.stringify(audited)).not.toContain(code);
    expect(JSON.stringify(audited)).not.toContain(wrongCode);

    // Confirming again: refused, nothing changes.
    const again = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "confirm", code: "123456" }, cookie),
      ctx,
    );
    expect(again.status).toBe(409);
  });

  it("asks for a confirmation first when the session proved who it is more than ten minutes ago", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    const cookie = await cookieFor(ctx, user.id);
    later(clock, REAUTH_WINDOW_MS + 1000);
    const loaded = await call(twoFactorLoader, get("/account/two-factor", cookie), ctx);
    const data = await body(loaded);
    expect(data.recent).toBe(false);
    expect(data.confirmUrl).toBe("/account/confirm?redirectTo=%2Faccount%2Ftwo-factor");
    const html = await render(TwoFactor, loaded);
    expect(html).toContain('href="/account/confirm?redirectTo=%2Faccount%2Ftwo-factor"');
    expect(html).not.toContain("Remove the authenticator app");

    for (const intent of ["remove", "regenerate"]) {
      const res = await call(twoFactorAction, post("/account/two-factor", { intent }, cookie), ctx);
      expect(res.status).toBe(403);
      expect((await body(res)).confirmUrl).toBe(data.confirmUrl);
    }
    const denials = await auditRows(user.id, "account.totp_remove");
    expect(denials).toEqual([
      expect.objectContaining({
        outcome: "denied",
        details: { reason: "reauthentication_required" },
      }),
    ]);
    // Nothing changed: the app still works.
    expect(await verifyTotp(ctx, user.id, codeAt(key, clock.now))).toBe(true);

    // A user without the app and a stale session is not shown a key either.
    const plain = await makeUser(handle.db, ["mentor"]);
    const plainCookie = await cookieFor(ctx, plain.id);
    later(clock, REAUTH_WINDOW_MS + 1000);
    const stale = await body(
      await call(twoFactorLoader, get("/account/two-factor", plainCookie), ctx),
    );
    expect(stale.setup).toBeNull();
    const confirmStale = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "confirm", code: "123456" }, plainCookie),
      ctx,
    );
    expect(confirmStale.status).toBe(403);
  });

  it("makes new recovery codes (the old stop working) and removes the app", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, codes } = await withTotp(ctx, clock);
    const cookie = await cookieFor(ctx, user.id);
    const res = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "regenerate" }, cookie),
      ctx,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const fresh = (await body(res)).codes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);
    expect(await consumeRecoveryCode(ctx, user.id, codes[0])).toBe(false);
    expect(await consumeRecoveryCode(ctx, user.id, fresh[0])).toBe(true);
    expect(await auditRows(user.id, "account.recovery_codes_regenerate")).toHaveLength(1);

    const removed = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "remove" }, cookie),
      ctx,
    );
    expect(removed.status).toBe(302);
    expect(removed.headers.get("Location")).toBe("/account/two-factor");
    expect(removed.headers.get("Set-Cookie")).toMatch(/nw_flash=Authenticator%20app%20removed/);
    expect(await unusedRecoveryCodes(handle.db, user.id)).toBe(0);
    expect(await auditRows(user.id, "account.totp_remove")).toEqual([
      expect.objectContaining({ outcome: "ok", entity: "user", entity_id: user.id }),
    ]);
    // Removing again says so; making codes without a factor is refused.
    const twice = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "remove" }, cookie),
      ctx,
    );
    expect(twice.headers.get("Set-Cookie")).toMatch(/no%20authenticator%20app/);
    const none = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "regenerate" }, cookie),
      ctx,
    );
    expect(none.status).toBe(400);
  });

  it("refuses an unknown intent with 400", async () => {
    const ctx = makeContext(handle.db, { now: T0 });
    const user = await makeUser(handle.db, ["mentor"]);
    const res = await call(
      twoFactorAction,
      post("/account/two-factor", { intent: "disable-everything" }, await cookieFor(ctx, user.id)),
      ctx,
    );
    expect(res.status).toBe(400);
  });
});

describe("/login/second-factor", () => {
  it("is where a password login of an account with the app goes; a right code finishes the login", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock, { login: { oidc: null, passwordLogin: "all" } });
    const password = "a long and unusual passphrase";
    const { id } = await createUser(handle.db, {
      email: "tess@example.test",
      name: "Tess",
      roles: ["manager"],
      passwordHash: await hashPassword(password),
    });
    const setup = await pendingTotpSetup(ctx, { userId: id, label: "tess" });
    await confirmTotpSetup(ctx, { userId: id, code: codeAt(setup.key, clock.now) });
    later(clock, 30_000);

    const login = await call(
      loginAction,
      post("/login", { email: "tess@example.test", password, redirectTo: "/people" }),
      ctx,
    );
    expect(login.status).toBe(302);
    expect(login.headers.get("Location")).toBe("/login/second-factor?redirectTo=%2Fpeople");
    const cookie = login.headers.get("Set-Cookie")!.split(";")[0];

    remix.search = "redirectTo=%2Fpeople";
    const loaded = await call(
      secondFactorLoader,
      get("/login/second-factor?redirectTo=%2Fpeople", cookie),
      ctx,
    );
    expect(loaded.status).toBe(200);
    const html = await render(SecondFactor, loaded);
    expect(html).toContain("Code from your authenticator app");
    expect(html).toContain('name="redirectTo" value="/people"');
    expect(html).toContain("Use a recovery code");
    remix.search = "";

    const wrong = await call(
      secondFactorAction,
      post(
        "/login/second-factor",
        { intent: "totp", code: "000000", redirectTo: "/people" },
        cookie,
      ),
      ctx,
    );
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await body(wrong))).not.toContain("000000");
    expect((await getAnySession(ctx, get("/", cookie)))?.stage).toBe("second_factor");

    const ok = await call(
      secondFactorAction,
      post(
        "/login/second-factor",
        { intent: "totp", code: codeAt(setup.key, clock.now), redirectTo: "/people" },
        cookie,
      ),
      ctx,
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/people");
    // The session goes on under a new token (ASVS 7.2.4): the half-done login's token is dead.
    expect(await getAnySession(ctx, get("/", cookie))).toBeNull();
    const session = await getAnySession(ctx, get("/", sessionCookieFrom(ok)));
    expect(session?.stage).toBeNull();
    const audited = await auditRows(id, "auth.second_factor");
    expect(audited.map((a) => [a.outcome, a.details])).toEqual([
      ["failed", { factor: "totp", reason: "bad_code" }],
      ["ok", { factor: "totp" }],
    ]);

    // Done: the page now sends the person on.
    const gone = await call(
      secondFactorLoader,
      get("/login/second-factor", sessionCookieFrom(ok)),
      ctx,
    );
    expect(gone.status).toBe(302);
    expect(gone.headers.get("Location")).toBe("/");
  });

  it("takes a recovery code once, says how many are left, and keeps a foreign redirect home", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, codes } = await withTotp(ctx, clock);
    const cookie = await cookieFor(ctx, user.id, "second_factor");
    const res = await call(
      secondFactorAction,
      post(
        "/login/second-factor",
        { intent: "recovery", code: codes[3].toUpperCase(), redirectTo: "//evil.example" },
        cookie,
      ),
      ctx,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/");
    expect(decodeURIComponent(res.headers.get("Set-Cookie")!)).toMatch(/9 are left/);

    const again = await cookieFor(ctx, user.id, "second_factor");
    const reused = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "recovery", code: codes[3] }, again),
      ctx,
    );
    expect(reused.status).toBe(400);
    expect((await body(reused)).fieldErrors.code[0]).toMatch(/not an unused recovery code/);
    expect((await getAnySession(ctx, get("/", again)))?.stage).toBe("second_factor");
  });

  it("goes on to the next stage due: a temporary password must be changed", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    await handle.db
      .updateTable("users")
      .set({ password_must_change: true })
      .where("id", "=", user.id)
      .execute();
    const cookie = await cookieFor(ctx, user.id, "second_factor");
    const res = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "totp", code: codeAt(key, clock.now) }, cookie),
      ctx,
    );
    expect(res.headers.get("Location")).toBe("/login/new-password");
    expect((await getAnySession(ctx, get("/", sessionCookieFrom(res))))?.stage).toBe(
      "change_password",
    );
  });

  it("is closed to the signed-out and to a session at another stage", async () => {
    const ctx = makeContext(handle.db, { now: T0 });
    const none = await call(secondFactorLoader, get("/login/second-factor"), ctx);
    expect(none.headers.get("Location")).toBe("/login");
    const user = await makeUser(handle.db, ["admin"]);
    const other = await cookieFor(ctx, user.id, "set_up_mfa");
    const res = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "totp", code: "123456" }, other),
      ctx,
    );
    expect(res.headers.get("Location")).toBe("/login/set-up-mfa");
  });

  it("throttles guesses per account and address, and a new login does not reset the count", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const { user, key } = await withTotp(ctx, clock);
    let cookie = await cookieFor(ctx, user.id, "second_factor");
    for (let i = 0; i < 10; i++) {
      if (i === 5) cookie = await cookieFor(ctx, user.id, "second_factor");
      const res = await call(
        secondFactorAction,
        post("/login/second-factor", { intent: "totp", code: String(100000 + i) }, cookie),
        ctx,
      );
      expect(res.status).toBe(400);
    }
    const limited = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "totp", code: codeAt(key, clock.now) }, cookie),
      ctx,
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await body(limited)).formError).toMatch(/Too many wrong codes/);
    // Recovery codes share the allowance.
    const recovery = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "recovery", code: "x" }, cookie),
      ctx,
    );
    expect(recovery.status).toBe(429);
    const denied = await auditRows(user.id, "auth.second_factor");
    expect(denied.filter((a) => a.outcome === "denied")).toHaveLength(2);
    // Another address is not locked out by these guesses.
    const elsewhere = makeContext(handle.db, clock, { clientIp: "203.0.113.9" });
    const res = await call(
      secondFactorAction,
      post("/login/second-factor", { intent: "totp", code: codeAt(key, clock.now) }, cookie),
      elsewhere,
    );
    expect(res.status).toBe(302);
  });
});

describe("/login/set-up-mfa", () => {
  it("walks an admin without a factor through the app's set-up, the codes, then on", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const user = await makeUser(handle.db, ["admin"]);
    const cookie = await cookieFor(ctx, user.id, "set_up_mfa");
    remix.search = "redirectTo=%2Fadmin%2Fusers";
    const loaded = await call(
      setUpLoader,
      get("/login/set-up-mfa?redirectTo=%2Fadmin%2Fusers", cookie),
      ctx,
    );
    expect(loaded.status).toBe(200);
    expect(loaded.headers.get("Cache-Control")).toBe("no-store");
    const data = await body(loaded);
    expect(data.roles).toEqual(["administrators"]);
    const html = await render(SetUpMfa, loaded);
    expect(html).toContain("Your organisation asks administrators");
    expect(html).toContain(data.setup.key);
    remix.search = "";

    const early = await call(
      setUpAction,
      post("/login/set-up-mfa", { intent: "continue", redirectTo: "/admin/users" }, cookie),
      ctx,
    );
    expect(early.status).toBe(400);

    const done = await call(
      setUpAction,
      post(
        "/login/set-up-mfa",
        { intent: "confirm", code: codeAt(data.setup.key, clock.now), redirectTo: "/admin/users" },
        cookie,
      ),
      ctx,
    );
    expect(done.status).toBe(200);
    expect(done.headers.get("Cache-Control")).toBe("no-store");
    const { codes } = await body(done);
    expect(codes).toHaveLength(10);
    // Still in the stage, so the page showing the codes loads, without a key any more.
    const reloaded = await call(setUpLoader, get("/login/set-up-mfa", cookie), ctx);
    expect((await body(reloaded)).setup).toBeNull();
    const page = await render(SetUpMfa, reloaded, done);
    expect(page).toContain(codes[0]);
    expect(page).toContain("I have saved my recovery codes: continue");

    const on = await call(
      setUpAction,
      post("/login/set-up-mfa", { intent: "continue", redirectTo: "/admin/users" }, cookie),
      ctx,
    );
    expect(on.status).toBe(302);
    expect(on.headers.get("Location")).toBe("/admin/users");
    expect(await getAnySession(ctx, get("/", cookie))).toBeNull();
    expect((await getAnySession(ctx, get("/", sessionCookieFrom(on))))?.stage).toBeNull();
    expect(await auditRows(user.id, "account.totp_enable")).toEqual([
      expect.objectContaining({ outcome: "ok", details: { stage: "set_up_mfa" } }),
    ]);
  });

  it("refuses a wrong code without sending it back, and is closed to other sessions", async () => {
    const clock = { now: T0 };
    const ctx = makeContext(handle.db, clock);
    const user = await makeUser(handle.db, ["admin"]);
    const cookie = await cookieFor(ctx, user.id, "set_up_mfa");
    const res = await call(
      setUpAction,
      post("/login/set-up-mfa", { intent: "confirm", code: "999999" }, cookie),
      ctx,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await body(res))).not.toContain("999999");
    const complete = await cookieFor(ctx, user.id);
    const open = await call(setUpLoader, get("/login/set-up-mfa", complete), ctx);
    expect(open.status).toBe(302);
    expect(open.headers.get("Location")).toBe("/");
    expect((await call(setUpLoader, get("/login/set-up-mfa"), ctx)).headers.get("Location")).toBe(
      "/login",
    );
  });

  it("is the stage a password login of an admin without a factor goes to", async () => {
    const ctx = makeContext(
      handle.db,
      { now: T0 },
      { login: { oidc: null, passwordLogin: "all" } },
    );
    const password = "another long passphrase here";
    await createUser(handle.db, {
      email: "ada@example.test",
      name: "Ada",
      roles: ["admin"],
      passwordHash: await hashPassword(password),
    });
    const login = await call(
      loginAction,
      post("/login", { email: "ada@example.test", password }),
      ctx,
    );
    expect(login.headers.get("Location")).toBe("/login/set-up-mfa");
  });
});
