/**
 * Passkeys (/auth/passkey): registering one (signed in and recently confirmed, or at the set_up_mfa
 * stage of a login), a passwordless sign-in, a second factor and a confirmation — with a software
 * authenticator. Challenges are single use, expire, and belong to one purpose and account; the
 * signature counter must grow; the origin and user verification are checked; everything is audited.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import type { LoginMethod, LoginStage } from "../../db/schema";
import { action, loader } from "../../app/routes/auth.passkey";
import { createSession } from "../../app/auth/session.server";
import { BASE, body, call, get, makeContext, makeUser, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import {
  newSoftPasskey,
  softAuthenticate,
  softRegister,
  type SoftPasskey,
} from "../helpers/soft-authenticator";

let handle: DbHandle;
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-12-02T09:00:00Z") };

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db, clock);
});
afterAll(async () => handle.close());
beforeEach(() => {
  clock.now = new Date(clock.now.getTime() + 60 * 60 * 1000);
});

function cookieOf(response: Response, name: string): string | null {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    if (pair.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return null;
}

async function ceremony(fields: Record<string, unknown>, cookies: (string | null)[] = []) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields))
    form.set(k, typeof v === "string" ? v : JSON.stringify(v));
  const request = new Request(`${BASE}/auth/passkey`, {
    method: "POST",
    body: form,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "User-Agent": "vitest",
      Cookie: cookies.filter(Boolean).join("; "),
    },
  });
  return call(action, request, ctx);
}

async function session(
  userId: string,
  init: { method?: LoginMethod; stage?: LoginStage | null } = {},
) {
  return (await createSession(ctx, { userId, userAgent: "vitest", ...init })).split(";")[0];
}

/** Registers `passkey` for the account behind `sessionCookie`; returns the verify step's answer. */
async function register(
  passkey: SoftPasskey,
  sessionCookie: string,
  extra: Record<string, string> = {},
) {
  const begun = await ceremony({ step: "options", purpose: "register" }, [sessionCookie]);
  expect(begun.status).toBe(200);
  const { options } = await body(begun);
  const challenge = cookieOf(begun, "nw_webauthn");
  expect(challenge).not.toBeNull();
  return ceremony(
    {
      step: "verify",
      purpose: "register",
      response: softRegister(passkey, options, BASE),
      ...extra,
    },
    [sessionCookie, challenge],
  );
}

async function options(purpose: string, cookies: (string | null)[] = []) {
  const begun = await ceremony({ step: "options", purpose }, cookies);
  expect(begun.status).toBe(200);
  return { options: (await body(begun)).options, challenge: cookieOf(begun, "nw_webauthn") };
}

async function auditRows(action: string) {
  return handle.db
    .selectFrom("audit_events")
    .select(["actor_id", "outcome", "details", "entity_id"])
    .where("action", "=", action)
    .orderBy("id")
    .execute();
}

async function newAccountWithPasskey(
  roles: ("admin" | "leader" | "mentor" | "manager")[] = ["mentor"],
) {
  const user = await makeUser(handle.db, roles);
  const passkey = newSoftPasskey();
  const answer = await register(passkey, await session(user.id));
  expect(answer.status).toBe(200);
  // Each test makes the sessions it is about.
  await handle.db.deleteFrom("sessions").where("user_id", "=", user.id).execute();
  return { user, passkey };
}

describe("registering a passkey", () => {
  it("stores the passkey of a signed-in, recently confirmed person, with its name, and says where to go", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const passkey = newSoftPasskey();
    const answer = await register(passkey, await session(user.id), { name: "Work laptop" });
    expect(answer.status).toBe(200);
    expect(await body(answer)).toEqual({ location: "/account/passkeys" });
    expect(answer.headers.get("Cache-Control")).toBe("no-store");
    expect(answer.headers.getSetCookie().join("\n")).toMatch(/nw_flash=Passkey/);
    const rows = await handle.db
      .selectFrom("passkeys")
      .selectAll()
      .where("user_id", "=", user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: passkey.credentialId.toString("base64url"),
      name: "Work laptop",
    });
    expect(Number(rows[0].counter)).toBe(0);
    const audited = (await auditRows("passkey.create")).filter((r) => r.actor_id === user.id);
    expect(audited.map((r) => [r.outcome, r.entity_id])).toEqual([["ok", rows[0].id]]);
  });

  it("names a passkey by its date when the person gives no name, and refuses a name over 100 characters", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await session(user.id);
    const tooLong = await register(newSoftPasskey(), cookie, { name: "x".repeat(101) });
    expect(tooLong.status).toBe(400);
    expect((await body(tooLong)).error).toMatch(/100 characters/);
    expect(await register(newSoftPasskey(), cookie)).toHaveProperty("status", 200);
    const row = await handle.db
      .selectFrom("passkeys")
      .select("name")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(`Passkey ${clock.now.toISOString().slice(0, 10)}`);
  });

  it("is refused without a session (404), and for a session not confirmed in the last ten minutes (403, the confirm link, audited)", async () => {
    const anonymous = await ceremony({ step: "options", purpose: "register" });
    expect(anonymous.status).toBe(404);

    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await session(user.id);
    clock.now = new Date(clock.now.getTime() + 11 * 60 * 1000);
    const stale = await ceremony({ step: "options", purpose: "register" }, [cookie]);
    expect(stale.status).toBe(403);
    const answer = await body(stale);
    expect(answer.error).toMatch(/Confirm it's you first/);
    expect(answer.location).toBe("/account/confirm?redirectTo=%2Faccount%2Fpasskeys");
    const denied = (await auditRows("passkey.create")).filter((r) => r.actor_id === user.id);
    expect(denied.map((r) => [r.outcome, (r.details as { reason: string }).reason])).toEqual([
      ["denied", "reauthentication_required"],
    ]);
  });

  it("refuses the same authenticator twice, and an answer from another origin", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await session(user.id);
    const passkey = newSoftPasskey();
    expect((await register(passkey, cookie)).status).toBe(200);
    const again = await register(passkey, cookie);
    expect(again.status).toBe(400);

    const begun = await options("register", [cookie]);
    const foreign = await ceremony(
      {
        step: "verify",
        purpose: "register",
        response: softRegister(newSoftPasskey(), begun.options, "https://evil.example"),
      },
      [cookie, begun.challenge],
    );
    expect(foreign.status).toBe(400);
    expect(
      await handle.db.selectFrom("passkeys").select("id").where("user_id", "=", user.id).execute(),
    ).toHaveLength(1);
  });

  it("refuses an authenticator that did not verify the user (no PIN or biometric)", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const passkey = newSoftPasskey();
    passkey.userVerified = false;
    expect((await register(passkey, await session(user.id))).status).toBe(400);
  });

  it("at the set_up_mfa stage of a login, finishes the stage and lets the person in", async () => {
    const leader = await makeUser(handle.db, ["leader"]);
    const cookie = await session(leader.id, { method: "password", stage: "set_up_mfa" });
    const answer = await register(newSoftPasskey(), cookie);
    expect(answer.status).toBe(200);
    expect(await body(answer)).toEqual({ location: "/" });
    const row = await handle.db
      .selectFrom("sessions")
      .select(["stage"])
      .where("user_id", "=", leader.id)
      .executeTakeFirstOrThrow();
    expect(row.stage).toBeNull();
  });

  it("is not open to a login at another stage (the second factor still due)", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await session(user.id, { method: "password", stage: "second_factor" });
    expect((await ceremony({ step: "options", purpose: "register" }, [cookie])).status).toBe(404);
  });
});

describe("signing in with a passkey", () => {
  it("makes a complete session (method passkey) for the passkey's account, stores the counter, and audits it", async () => {
    const { user, passkey } = await newAccountWithPasskey(["leader"]);
    const begun = await options("sign_in");
    expect(begun.options.allowCredentials ?? []).toEqual([]);
    expect(begun.options.userVerification).toBe("required");
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        redirectTo: "/people",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(answer.status).toBe(200);
    expect(await body(answer)).toEqual({ location: "/people" });
    const sessionCookie = cookieOf(answer, "nw_session");
    expect(sessionCookie).not.toBeNull();
    const sessions = await handle.db
      .selectFrom("sessions")
      .select(["method", "stage"])
      .where("user_id", "=", user.id)
      .where("method", "=", "passkey")
      .execute();
    expect(sessions).toEqual([{ method: "passkey", stage: null }]);
    const stored = await handle.db
      .selectFrom("passkeys")
      .select(["counter", "last_used_at"])
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.counter)).toBe(1);
    expect(new Date(stored.last_used_at!).getTime()).toBe(clock.now.getTime());
    const logins = (await auditRows("auth.login")).filter((r) => r.actor_id === user.id);
    expect(logins.at(-1)).toMatchObject({ outcome: "ok", details: { method: "passkey" } });
  });

  it("never sends the person off the site", async () => {
    const { passkey } = await newAccountWithPasskey();
    const begun = await options("sign_in");
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        redirectTo: "//evil.example/x",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(await body(answer)).toEqual({ location: "/" });
  });

  it("uses a challenge once: the same answer again is refused", async () => {
    const { passkey } = await newAccountWithPasskey();
    const begun = await options("sign_in");
    const response = softAuthenticate(passkey, begun.options, BASE);
    const first = await ceremony({ step: "verify", purpose: "sign_in", response }, [
      begun.challenge,
    ]);
    expect(first.status).toBe(200);
    const replay = await ceremony({ step: "verify", purpose: "sign_in", response }, [
      begun.challenge,
    ]);
    expect(replay.status).toBe(400);
    expect(cookieOf(replay, "nw_session")).toBeNull();
  });

  it("refuses a challenge older than five minutes, and an answer with no challenge cookie", async () => {
    const { passkey } = await newAccountWithPasskey();
    const begun = await options("sign_in");
    clock.now = new Date(clock.now.getTime() + 5 * 60 * 1000 + 1000);
    const late = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(late.status).toBe(400);
    expect((await body(late)).error).toMatch(/expired/);

    const fresh = await options("sign_in");
    const without = await ceremony({
      step: "verify",
      purpose: "sign_in",
      response: softAuthenticate(passkey, fresh.options, BASE),
    });
    expect(without.status).toBe(400);
  });

  it("refuses a counter that did not grow (a cloned authenticator)", async () => {
    const { passkey } = await newAccountWithPasskey();
    let begun = await options("sign_in");
    expect(
      (
        await ceremony(
          {
            step: "verify",
            purpose: "sign_in",
            response: softAuthenticate(passkey, begun.options, BASE, { counter: 5 }),
          },
          [begun.challenge],
        )
      ).status,
    ).toBe(200);
    begun = await options("sign_in");
    const cloned = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(passkey, begun.options, BASE, { counter: 5 }),
      },
      [begun.challenge],
    );
    expect(cloned.status).toBe(400);
    const failed = (await auditRows("auth.login")).at(-1);
    expect(failed).toMatchObject({
      outcome: "failed",
      details: { method: "passkey", reason: "not_verified" },
    });
  });

  it("refuses an answer signed for another origin, an unknown passkey, and a disabled account", async () => {
    const { user, passkey } = await newAccountWithPasskey();
    let begun = await options("sign_in");
    const foreign = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(passkey, begun.options, "https://evil.example"),
      },
      [begun.challenge],
    );
    expect(foreign.status).toBe(400);

    begun = await options("sign_in");
    const stranger = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(newSoftPasskey(), begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(stranger.status).toBe(400);

    await handle.db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", user.id)
      .execute();
    begun = await options("sign_in");
    const disabled = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(disabled.status).toBe(400);
    expect(cookieOf(disabled, "nw_session")).toBeNull();
    expect((await auditRows("auth.login")).at(-1)).toMatchObject({
      actor_id: user.id,
      outcome: "failed",
      details: { reason: "disabled" },
    });
  });

  it("does not take a challenge made for another purpose", async () => {
    const { user, passkey } = await newAccountWithPasskey();
    const cookie = await session(user.id);
    const begun = await options("confirm", [cookie]);
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "sign_in",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [begun.challenge],
    );
    expect(answer.status).toBe(400);
  });
});

describe("a passkey as the second factor", () => {
  it("finishes the second_factor stage and counts as a fresh authentication", async () => {
    const { user, passkey } = await newAccountWithPasskey();
    const cookie = await session(user.id, { method: "password", stage: "second_factor" });
    clock.now = new Date(clock.now.getTime() + 60 * 1000);
    const begun = await options("second_factor", [cookie]);
    expect(begun.options.allowCredentials).toEqual([
      expect.objectContaining({ id: passkey.credentialId.toString("base64url") }),
    ]);
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "second_factor",
        redirectTo: "/people",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [cookie, begun.challenge],
    );
    expect(answer.status).toBe(200);
    expect(await body(answer)).toEqual({ location: "/people" });
    const row = await handle.db
      .selectFrom("sessions")
      .select(["stage", "authenticated_at"])
      .where("user_id", "=", user.id)
      .where("method", "=", "password")
      .executeTakeFirstOrThrow();
    expect(row.stage).toBeNull();
    expect(new Date(row.authenticated_at).getTime()).toBe(clock.now.getTime());
    expect((await auditRows("auth.second_factor")).at(-1)).toMatchObject({
      actor_id: user.id,
      outcome: "ok",
      details: { factor: "passkey" },
    });
  });

  it("refuses another account's passkey, and needs a login at that stage", async () => {
    const { user } = await newAccountWithPasskey();
    const other = await newAccountWithPasskey();
    const cookie = await session(user.id, { method: "password", stage: "second_factor" });
    const begun = await options("second_factor", [cookie]);
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "second_factor",
        response: softAuthenticate(other.passkey, begun.options, BASE),
      },
      [cookie, begun.challenge],
    );
    expect(answer.status).toBe(400);
    const row = await handle.db
      .selectFrom("sessions")
      .select("stage")
      .where("user_id", "=", user.id)
      .where("method", "=", "password")
      .executeTakeFirstOrThrow();
    expect(row.stage).toBe("second_factor");
    expect((await auditRows("auth.second_factor")).at(-1)).toMatchObject({
      outcome: "failed",
      details: { reason: "unknown_passkey" },
    });

    const complete = await session(user.id);
    expect((await ceremony({ step: "options", purpose: "second_factor" }, [complete])).status).toBe(
      404,
    );
    expect((await ceremony({ step: "options", purpose: "second_factor" })).status).toBe(404);
  });
});

describe("confirming it's you with a passkey", () => {
  it("marks the session authenticated now and goes back where the person was", async () => {
    const { user, passkey } = await newAccountWithPasskey();
    const cookie = await session(user.id);
    clock.now = new Date(clock.now.getTime() + 30 * 60 * 1000);
    const begun = await options("confirm", [cookie]);
    const answer = await ceremony(
      {
        step: "verify",
        purpose: "confirm",
        redirectTo: "/admin/identity",
        response: softAuthenticate(passkey, begun.options, BASE),
      },
      [cookie, begun.challenge],
    );
    expect(answer.status).toBe(200);
    expect(await body(answer)).toEqual({ location: "/admin/identity" });
    const row = await handle.db
      .selectFrom("sessions")
      .select("authenticated_at")
      .where("user_id", "=", user.id)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(new Date(row.authenticated_at).getTime()).toBe(clock.now.getTime());
    expect((await auditRows("auth.confirm")).at(-1)).toMatchObject({
      actor_id: user.id,
      outcome: "ok",
    });
  });

  it("says so when the account has no passkey, and needs a signed-in session", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const none = await ceremony({ step: "options", purpose: "confirm" }, [await session(user.id)]);
    expect(none.status).toBe(400);
    expect((await body(none)).error).toMatch(/no passkey/);
    expect((await ceremony({ step: "options", purpose: "confirm" })).status).toBe(404);
  });
});

describe("the endpoint", () => {
  it("has no page (404 on GET) and refuses requests it does not understand (400), keeping no secret in the answer", async () => {
    expect((await call(loader, get("/auth/passkey"), ctx)).status).toBe(404);
    expect((await ceremony({ step: "dance", purpose: "sign_in" })).status).toBe(400);
    expect(
      (await ceremony({ step: "verify", purpose: "sign_in", response: "not json" })).status,
    ).toBe(400);
    expect((await ceremony({ step: "options", purpose: "everything" })).status).toBe(400);
  });
});
