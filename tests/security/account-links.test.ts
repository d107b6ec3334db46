/**
 * One-time account links (issue 21): a reset link used twice, expired, or for a disabled account is
 * refused, as is an invitation; and the forgot-password answer does not tell which addresses have an
 * account — identical responses, and mean times over 50 requests each within 15% of each other.
 */
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { issueAccountToken, TOKEN_LIFETIME_MS } from "../../app/models/account-token.server";
import { action as forgotAction } from "../../app/routes/forgot-password";
import {
  action as resetAction,
  loader as resetLoader,
} from "../../app/routes/reset-password.$token";
import { action as welcomeAction, loader as welcomeLoader } from "../../app/routes/welcome.$token";
import { call, get, makeContext, makeUser, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-12-02T09:00:00Z") };
let ctx: AppContext;
const NEW = { password: "saffron lighthouse tango", confirm: "saffron lighthouse tango" };

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db, clock);
});
afterAll(() => handle.close());

async function link(purpose: "reset" | "invitation", roles: ("admin" | "mentor")[] = []) {
  const user = await makeUser(handle.db, roles);
  const { token } = await issueAccountToken(handle.db, {
    userId: user.id,
    purpose,
    createdBy: null,
    now: clock.now,
  });
  return { user, token, path: `/${purpose === "reset" ? "reset-password" : "welcome"}/${token}` };
}

async function hashOf(userId: string) {
  const row = await handle.db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe("reset links", () => {
  it("work once: the second use is refused and changes nothing", async () => {
    const { user, token, path } = await link("reset");
    expect((await call(resetAction, post(path, NEW), ctx, { token })).status).toBe(302);
    const after = await hashOf(user.id);
    const again = await call(
      resetAction,
      post(path, { password: "another fine passphrase", confirm: "another fine passphrase" }),
      ctx,
      { token },
    );
    expect(again.status).toBe(404);
    expect(await hashOf(user.id)).toBe(after);
    expect((await call(resetLoader, get(path), ctx, { token })).status).toBe(404);
  });

  it("expire after 30 minutes", async () => {
    const { user, token, path } = await link("reset");
    const before = await hashOf(user.id);
    const late = makeContext(handle.db, {
      now: new Date(clock.now.getTime() + TOKEN_LIFETIME_MS.reset),
    });
    expect((await call(resetLoader, get(path), late, { token })).status).toBe(404);
    expect((await call(resetAction, post(path, NEW), late, { token })).status).toBe(404);
    expect(await hashOf(user.id)).toBe(before);
    const justInTime = makeContext(handle.db, {
      now: new Date(clock.now.getTime() + TOKEN_LIFETIME_MS.reset - 1000),
    });
    expect((await call(resetLoader, get(path), justInTime, { token })).status).toBe(200);
  });

  it("do nothing for a disabled account", async () => {
    const { user, token, path } = await link("reset");
    const before = await hashOf(user.id);
    await handle.db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", user.id)
      .execute();
    expect((await call(resetLoader, get(path), ctx, { token })).status).toBe(404);
    expect((await call(resetAction, post(path, NEW), ctx, { token })).status).toBe(404);
    expect(await hashOf(user.id)).toBe(before);
  });

  it("are voided by a newer link, and a made-up or malformed token opens nothing", async () => {
    const { user, token, path } = await link("reset");
    await issueAccountToken(handle.db, {
      userId: user.id,
      purpose: "reset",
      createdBy: null,
      now: clock.now,
    });
    expect((await call(resetAction, post(path, NEW), ctx, { token })).status).toBe(404);
    for (const bad of ["x".repeat(43), "short", `${token}A`, "../../etc/passwd"]) {
      expect(
        (await call(resetLoader, get(`/reset-password/${bad}`), ctx, { token: bad })).status,
      ).toBe(404);
    }
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "user.password_reset")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.length).toBeGreaterThan(0);
    expect(JSON.stringify(denied)).not.toContain(token);
  });

  it("a reset link cannot be used as an invitation, nor an invitation as a reset link", async () => {
    const reset = await link("reset");
    const invite = await link("invitation");
    expect(
      (await call(welcomeLoader, get(`/welcome/${reset.token}`), ctx, { token: reset.token }))
        .status,
    ).toBe(404);
    expect(
      (
        await call(resetLoader, get(`/reset-password/${invite.token}`), ctx, {
          token: invite.token,
        })
      ).status,
    ).toBe(404);
  });
});

describe("invitations", () => {
  it("work once, expire after 72 hours, and do nothing for a disabled account", async () => {
    const once = await link("invitation");
    expect(
      (await call(welcomeAction, post(once.path, NEW), ctx, { token: once.token })).status,
    ).toBe(302);
    expect(
      (await call(welcomeAction, post(once.path, NEW), ctx, { token: once.token })).status,
    ).toBe(404);

    const old = await link("invitation");
    const late = makeContext(handle.db, {
      now: new Date(clock.now.getTime() + TOKEN_LIFETIME_MS.invitation),
    });
    expect(
      (await call(welcomeAction, post(old.path, NEW), late, { token: old.token })).status,
    ).toBe(404);

    const off = await link("invitation");
    await handle.db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", off.user.id)
      .execute();
    const r = await call(welcomeAction, post(off.path, NEW), ctx, { token: off.token });
    expect(r.status).toBe(404);
    expect(r.headers.get("Set-Cookie")).toBeNull();
  });
});

describe("forgot password: no account enumeration", () => {
  it("answers an address with an account and one without identically, in content and (mean) time", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const { email } = await handle.db
      .selectFrom("users")
      .select("email")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    let n = 0;
    // Each request from its own address, so the per-client allowance is not what is measured.
    const ask = async (address: string) => {
      n += 1;
      const client = makeContext(handle.db, clock, { clientIp: `10.20.${n >> 8}.${n & 255}` });
      const t0 = performance.now();
      const response = await call(
        forgotAction,
        post("/forgot-password", { email: address }),
        client,
      );
      return { ms: performance.now() - t0, response };
    };
    for (let i = 0; i < 5; i++) {
      await ask(email);
      await ask(`warm-${i}@example.test`);
    }
    const times = { known: [] as number[], unknown: [] as number[] };
    let first: { known?: Response; unknown?: Response } = {};
    for (let i = 0; i < 50; i++) {
      // Alternating, and which goes first alternating too, so drift in the machine's load (and
      // whatever the previous request left to collect) falls on both alike.
      let known, unknown;
      if (i % 2 === 0) {
        known = await ask(email);
        unknown = await ask(`nobody-${i}@example.test`);
      } else {
        unknown = await ask(`nobody-${i}@example.test`);
        known = await ask(email);
      }
      times.known.push(known.ms);
      times.unknown.push(unknown.ms);
      first = { known: first.known ?? known.response, unknown: first.unknown ?? unknown.response };
      expect(known.response.status).toBe(302);
      expect(unknown.response.status).toBe(302);
      expect([...known.response.headers]).toEqual([...unknown.response.headers]);
      expect(await known.response.text()).toBe(await unknown.response.text());
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [k, u] = [mean(times.known), mean(times.unknown)];
    expect(Math.abs(k - u) / Math.min(k, u)).toBeLessThan(0.15);
  });
});
