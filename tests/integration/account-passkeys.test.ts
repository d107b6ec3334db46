/**
 * /account/passkeys: the person's own passkeys listed, renamed and removed; removing needs a session
 * confirmed in the last ten minutes and is refused for the last second factor of a role the policy
 * requires one of; another person's passkey is not there (404); every change and refusal audited.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { action, loader } from "../../app/routes/account.passkeys";
import { MFA_POLICY_KEY } from "../../app/auth/login-stages.server";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

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

let counter = 0;
async function addPasskey(userId: string, name = "Laptop") {
  counter += 1;
  const id = `credential-${counter}`;
  await handle.db
    .insertInto("passkeys")
    .values({
      id,
      user_id: userId,
      name,
      public_key: new Uint8Array([1, 2, 3]),
      created_at: clock.now,
    })
    .execute();
  return id;
}

async function lastAudit(action: string) {
  return handle.db
    .selectFrom("audit_events")
    .select(["actor_id", "outcome", "details", "entity_id"])
    .where("action", "=", action)
    .orderBy("id", "desc")
    .executeTakeFirst();
}

describe("/account/passkeys", () => {
  it("lists only the person's own passkeys, says when there are none, and sends a visitor to log in", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const other = await makeUser(handle.db, ["mentor"]);
    await addPasskey(other.id, "Someone else's");
    const cookie = await sessionCookie(ctx, user.id);
    let page = await body(await call(loader, get("/account/passkeys", cookie), ctx));
    expect(page.passkeys).toEqual([]);
    expect(page.confirmed).toBe(true);
    const id = await addPasskey(user.id, "Phone");
    page = await body(await call(loader, get("/account/passkeys", cookie), ctx));
    expect(page.passkeys.map((p: { id: string; name: string }) => [p.id, p.name])).toEqual([
      [id, "Phone"],
    ]);
    expect(JSON.stringify(page)).not.toContain("public_key");

    const anonymous = await call(loader, get("/account/passkeys"), ctx);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Faccount%2Fpasskeys");
  });

  it("says the person must confirm first when the session was not confirmed in the last ten minutes", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await sessionCookie(ctx, user.id);
    clock.now = new Date(clock.now.getTime() + 11 * 60 * 1000);
    const page = await body(await call(loader, get("/account/passkeys", cookie), ctx));
    expect(page.confirmed).toBe(false);
    expect(page.confirmUrl).toBe("/account/confirm?redirectTo=%2Faccount%2Fpasskeys");
  });

  it("renames a passkey (audited, flash), refuses an empty or long name with the values kept", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const id = await addPasskey(user.id);
    const cookie = await sessionCookie(ctx, user.id);
    const empty = await call(
      action,
      post("/account/passkeys", { intent: "rename", passkeyId: id, name: "  " }, cookie),
      ctx,
    );
    expect(empty.status).toBe(400);
    expect((await body(empty)).fieldErrors.name).toEqual(["Give the passkey a name."]);
    const long = await call(
      action,
      post("/account/passkeys", { intent: "rename", passkeyId: id, name: "x".repeat(101) }, cookie),
      ctx,
    );
    expect(long.status).toBe(400);
    expect((await body(long)).values.name).toBe("x".repeat(101));

    const done = await call(
      action,
      post("/account/passkeys", { intent: "rename", passkeyId: id, name: "Work laptop" }, cookie),
      ctx,
    );
    expect(done.status).toBe(302);
    expect(done.headers.get("Set-Cookie")).toMatch(/nw_flash=/);
    const row = await handle.db
      .selectFrom("passkeys")
      .select("name")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe("Work laptop");
    expect(await lastAudit("passkey.rename")).toMatchObject({
      actor_id: user.id,
      outcome: "ok",
      entity_id: id,
    });
  });

  it("does not let anyone rename or remove another person's passkey (404, audited)", async () => {
    const user = await makeUser(handle.db, ["admin"]);
    const other = await makeUser(handle.db, ["mentor"]);
    const id = await addPasskey(other.id, "Theirs");
    const cookie = await sessionCookie(ctx, user.id);
    const attempts: Record<string, string>[] = [
      { intent: "rename", passkeyId: id, name: "Mine now" },
      { intent: "remove", passkeyId: id },
    ];
    for (const fields of attempts) {
      const answer = await call(action, post("/account/passkeys", fields, cookie), ctx);
      expect(answer.status).toBe(404);
    }
    const row = await handle.db
      .selectFrom("passkeys")
      .select("name")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe("Theirs");
    expect(await lastAudit("passkey.view")).toMatchObject({ actor_id: user.id, outcome: "denied" });
  });

  it("removes a passkey only for a recently confirmed session (403 and audited otherwise)", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const id = await addPasskey(user.id);
    const cookie = await sessionCookie(ctx, user.id);
    clock.now = new Date(clock.now.getTime() + 11 * 60 * 1000);
    const stale = await call(
      action,
      post("/account/passkeys", { intent: "remove", passkeyId: id }, cookie),
      ctx,
    );
    expect(stale.status).toBe(403);
    expect((await body(stale)).formError).toMatch(/Confirm it's you first/);
    expect(await lastAudit("passkey.remove")).toMatchObject({
      outcome: "denied",
      details: { reason: "reauthentication_required" },
    });
    expect(
      await handle.db.selectFrom("passkeys").select("id").where("id", "=", id).execute(),
    ).toHaveLength(1);

    const fresh = await sessionCookie(ctx, user.id);
    const done = await call(
      action,
      post("/account/passkeys", { intent: "remove", passkeyId: id }, fresh),
      ctx,
    );
    expect(done.status).toBe(302);
    expect(
      await handle.db.selectFrom("passkeys").select("id").where("id", "=", id).execute(),
    ).toHaveLength(0);
    expect(await lastAudit("passkey.remove")).toMatchObject({
      actor_id: user.id,
      outcome: "ok",
      entity_id: id,
    });
  });

  it("keeps the last second factor of a role the policy requires one of, and removes it when the policy does not", async () => {
    await handle.db
      .insertInto("settings")
      .values({ key: MFA_POLICY_KEY, value: JSON.stringify(["leader"]) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(["leader"]) }))
      .execute();
    const leader = await makeUser(handle.db, ["leader"]);
    const only = await addPasskey(leader.id);
    const cookie = await sessionCookie(ctx, leader.id);
    const refused = await call(
      action,
      post("/account/passkeys", { intent: "remove", passkeyId: only }, cookie),
      ctx,
    );
    expect(refused.status).toBe(409);
    expect((await body(refused)).formError).toMatch(/needs a second factor/);
    expect(
      await handle.db.selectFrom("passkeys").select("id").where("id", "=", only).execute(),
    ).toHaveLength(1);
    expect(await lastAudit("passkey.remove")).toMatchObject({
      outcome: "denied",
      details: { reason: "last_required_factor" },
    });

    const second = await addPasskey(leader.id, "Spare");
    const done = await call(
      action,
      post("/account/passkeys", { intent: "remove", passkeyId: second }, cookie),
      ctx,
    );
    expect(done.status).toBe(302);

    const mentor = await makeUser(handle.db, ["mentor"]);
    const theirs = await addPasskey(mentor.id);
    const mentorCookie = await sessionCookie(ctx, mentor.id);
    const removed = await call(
      action,
      post("/account/passkeys", { intent: "remove", passkeyId: theirs }, mentorCookie),
      ctx,
    );
    expect(removed.status).toBe(302);
  });

  it("refuses an unknown intent (400)", async () => {
    const user = await makeUser(handle.db, ["mentor"]);
    const cookie = await sessionCookie(ctx, user.id);
    const answer = await call(
      action,
      post("/account/passkeys", { intent: "steal", passkeyId: "x" }, cookie),
      ctx,
    );
    expect(answer.status).toBe(400);
  });
});
