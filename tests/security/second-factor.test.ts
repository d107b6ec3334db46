/**
 * Attacks on the second factor (ASVS 6.5, 6.6, 6.3.3), through /login/second-factor as a browser
 * would send them: a replayed authenticator code, another account's code, a recovery code used
 * twice or taken from another account, a key moved between accounts in the database, guessing
 * without limit. Each is refused, leaves the login half done, and is audited without the code.
 */
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { LoginStage } from "../../db/schema";
import { createSession, getAnySession } from "../../app/auth/session.server";
import { confirmTotpSetup, pendingTotpSetup } from "../../app/auth/totp.server";
import type { AppContext } from "../../app/context";
import { action } from "../../app/routes/login_.second-factor";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookieFrom,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-12-02T12:00:00Z") };
let ctx: AppContext;

const codeAt = (key: string, at: Date) =>
  OTPAuth.TOTP.generate({
    secret: OTPAuth.Secret.fromBase32(key.replace(/ /g, "")),
    timestamp: at.getTime(),
  });

async function account() {
  const user = await makeUser(handle.db, ["manager"]);
  const setup = await pendingTotpSetup(ctx, { userId: user.id, label: "x" });
  const codes = await confirmTotpSetup(ctx, {
    userId: user.id,
    code: codeAt(setup.key, clock.now),
  });
  return { id: user.id, key: setup.key, codes: codes! };
}

async function staged(userId: string, stage: LoginStage = "second_factor") {
  return (await createSession(ctx, { userId, userAgent: "attacker", stage })).split(";")[0];
}

function submit(cookie: string, intent: "totp" | "recovery", code: string) {
  return call(action, post("/login/second-factor", { intent, code }, cookie), ctx);
}

async function stageOf(cookie: string) {
  return (await getAnySession(ctx, get("/", cookie)))?.stage;
}

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db, clock);
});
afterAll(async () => {
  await handle?.close();
});

describe("authenticator codes", () => {
  it("a code that logged in once is refused when replayed, in the same 30 seconds and the next", async () => {
    const victim = await account();
    clock.now = new Date(clock.now.getTime() + 30_000);
    const code = codeAt(victim.key, clock.now);
    const first = await staged(victim.id);
    const done = await submit(first, "totp", code);
    expect(done.status).toBe(302);
    // The login is complete under a new token (the staged one is dead).
    expect(await stageOf(sessionCookieFrom(done))).toBeNull();

    // The attacker saw the code (shoulder, phishing proxy) and replays it on their own half-done login.
    const replay = await staged(victim.id);
    const refused = await submit(replay, "totp", code);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await body(refused))).not.toContain(code);
    expect(await stageOf(replay)).toBe("second_factor");
    clock.now = new Date(clock.now.getTime() + 25_000); // still inside the ±1 step window
    expect((await submit(replay, "totp", code)).status).toBe(400);
    expect(await stageOf(replay)).toBe("second_factor");
  });

  it("two simultaneous submissions of one code: only one logs in", async () => {
    const victim = await account();
    clock.now = new Date(clock.now.getTime() + 30_000);
    const code = codeAt(victim.key, clock.now);
    const [a, b] = [await staged(victim.id), await staged(victim.id)];
    const results = await Promise.all([submit(a, "totp", code), submit(b, "totp", code)]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 400]);
  });

  it("another account's current code is refused", async () => {
    const victim = await account();
    const attacker = await account();
    clock.now = new Date(clock.now.getTime() + 30_000);
    const cookie = await staged(victim.id);
    expect((await submit(cookie, "totp", codeAt(attacker.key, clock.now))).status).toBe(400);
    expect(await stageOf(cookie)).toBe("second_factor");
  });

  it("a key copied from another account's row does not open (sealed to its owner)", async () => {
    const victim = await account();
    const attacker = await account();
    const row = await handle.db
      .selectFrom("users")
      .select("totp_secret")
      .where("id", "=", attacker.id)
      .executeTakeFirstOrThrow();
    await handle.db
      .updateTable("users")
      .set({ totp_secret: row.totp_secret, totp_last_step: null })
      .where("id", "=", victim.id)
      .execute();
    clock.now = new Date(clock.now.getTime() + 30_000);
    const cookie = await staged(victim.id);
    expect((await submit(cookie, "totp", codeAt(attacker.key, clock.now))).status).toBe(400);
  });

  it("a key still being set up (not confirmed) is not a second factor", async () => {
    const victim = await account();
    // Someone with a session starts a new set-up; its codes must not pass the login.
    const pending = await pendingTotpSetup(ctx, { userId: victim.id, label: "x", fresh: true });
    clock.now = new Date(clock.now.getTime() + 30_000);
    const cookie = await staged(victim.id);
    expect((await submit(cookie, "totp", codeAt(pending.key, clock.now))).status).toBe(400);
    expect((await submit(cookie, "totp", codeAt(victim.key, clock.now))).status).toBe(302);
  });

  it("a session at another stage, or none, cannot submit a code", async () => {
    const victim = await account();
    clock.now = new Date(clock.now.getTime() + 30_000);
    const code = codeAt(victim.key, clock.now);
    const none = await call(action, post("/login/second-factor", { intent: "totp", code }), ctx);
    expect(none.status).toBe(302);
    expect(none.headers.get("Location")).toBe("/login");
    const other = await staged(victim.id, "change_password");
    const res = await submit(other, "totp", code);
    expect(res.headers.get("Location")).toBe("/login/new-password");
    expect(await stageOf(other)).toBe("change_password");
  });

  it("guessing is throttled, and every attempt is audited without the code", async () => {
    const victim = await account();
    const cookie = await staged(victim.id);
    const guesses = Array.from({ length: 12 }, (_, i) => String(200000 + i * 7919));
    const statuses: number[] = [];
    for (const guess of guesses) statuses.push((await submit(cookie, "totp", guess)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const events = await handle.db
      .selectFrom("audit_events")
      .select(["outcome", "details"])
      .where("actor_id", "=", victim.id)
      .where("action", "=", "auth.second_factor")
      .execute();
    expect(events.filter((e) => e.outcome === "failed")).toHaveLength(10);
    expect(events.filter((e) => e.outcome === "denied")).toHaveLength(2);
    const logged = JSON.stringify(events);
    for (const guess of guesses) expect(logged).not.toContain(guess);
  });
});

describe("recovery codes", () => {
  it("a recovery code works once; its second use is refused", async () => {
    const victim = await account();
    const first = await staged(victim.id);
    expect((await submit(first, "recovery", victim.codes[0])).status).toBe(302);
    const second = await staged(victim.id);
    const refused = await submit(second, "recovery", victim.codes[0]);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await body(refused))).not.toContain(victim.codes[0]);
    expect(await stageOf(second)).toBe("second_factor");
    // Written differently (upper case, no dashes), it is still the same used code.
    const third = await staged(victim.id);
    expect(
      (await submit(third, "recovery", victim.codes[0].toUpperCase().replace(/-/g, ""))).status,
    ).toBe(400);
  });

  it("another account's recovery code is refused", async () => {
    const victim = await account();
    const attacker = await account();
    const cookie = await staged(victim.id);
    expect((await submit(cookie, "recovery", attacker.codes[0])).status).toBe(400);
    expect(await stageOf(cookie)).toBe("second_factor");
  });

  it("the same recovery code submitted twice at once logs in only once", async () => {
    const victim = await account();
    const [a, b] = [await staged(victim.id), await staged(victim.id)];
    const results = await Promise.all([
      submit(a, "recovery", victim.codes[1]),
      submit(b, "recovery", victim.codes[1]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([302, 400]);
  });

  it("the database holds only hashes of the codes", async () => {
    const victim = await account();
    const rows = await handle.db
      .selectFrom("recovery_codes")
      .selectAll()
      .where("user_id", "=", victim.id)
      .execute();
    const dump = JSON.stringify(rows);
    for (const code of victim.codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ""));
    }
  });
});
