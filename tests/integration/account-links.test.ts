import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../db/client";
import { verifyPassword } from "../../app/auth/password.server";
import {
  ACCOUNT_LINK_JOB,
  FORGOT_PASSWORD_JOB,
  accountLinkJob,
  forgotPasswordJob,
} from "../../app/models/account-token.server";
import { action as forgotAction } from "../../app/routes/forgot-password";
import { FORGOT_ANSWER } from "../../app/models/account-token.server";
import {
  action as resetAction,
  loader as resetLoader,
} from "../../app/routes/reset-password.$token";
import { action as welcomeAction, loader as welcomeLoader } from "../../app/routes/welcome.$token";
import {
  action as newPasswordAction,
  loader as newPasswordLoader,
} from "../../app/routes/login_.new-password";
import { action as createAction } from "../../app/routes/admin.users";
import { action as editAction } from "../../app/routes/admin.users.$userId";
import { action as loginAction } from "../../app/routes/login";
import { body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import type { TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import type { AppContext } from "../../app/context";

const APP_URL = "https://nw.example.test";
let handle: Awaited<ReturnType<typeof createTestDb>>;
let db: DB;
const clock: TestClock = { now: new Date("2026-12-02T09:00:00Z") };
let ctx: AppContext;

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  ctx = makeContext(db, clock, {
    env: { ...makeContext(db).env, APP_URL, HOST: "127.0.0.1", PORT: 3000 } as AppContext["env"],
  });
});
afterAll(() => handle.close());

/** Runs the pending jobs of a kind as the runner would, and marks them done. */
async function runJobs(kind: string) {
  const jobs = await db
    .selectFrom("jobs")
    .select(["id", "payload"])
    .where("kind", "=", kind)
    .where("status", "=", "pending")
    .execute();
  for (const job of jobs) {
    const payload = (
      typeof job.payload === "string" ? JSON.parse(job.payload) : job.payload
    ) as Record<string, unknown>;
    const handler = kind === FORGOT_PASSWORD_JOB ? forgotPasswordJob : accountLinkJob;
    await handler(ctx as unknown as Parameters<typeof forgotPasswordJob>[0], payload, {
      id: job.id,
    });
    await db.updateTable("jobs").set({ status: "done" }).where("id", "=", job.id).execute();
  }
}

async function mailsTo(userId: string) {
  return db
    .selectFrom("mail_messages")
    .select(["kind", "subject", "text_body", "html_body"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
}

function linkIn(text: string, path: string): string {
  const match = new RegExp(`${APP_URL}(${path}/[A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in the mail`);
  return match[1];
}

const tokenOf = (link: string) => link.split("/").pop() as string;

describe("forgot password", () => {
  it("answers the same for an address with an account and one without; only the account gets a link", async () => {
    const user = await makeUser(db, ["manager"], "Forgetful Fran");
    const email = (
      await db
        .selectFrom("users")
        .select("email")
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow()
    ).email;
    const known = await call(forgotAction, post("/forgot-password", { email }), ctx);
    const unknown = await call(
      forgotAction,
      post("/forgot-password", { email: "nobody.here@example.test" }),
      ctx,
    );
    for (const r of [known, unknown]) {
      expect(r.status).toBe(302);
      expect(r.headers.get("Location")).toBe("/forgot-password");
      expect(decodeURIComponent(r.headers.get("Set-Cookie") ?? "")).toContain(FORGOT_ANSWER);
    }
    expect([...known.headers]).toEqual([...unknown.headers]);
    await runJobs(FORGOT_PASSWORD_JOB);
    const mails = await mailsTo(user.id);
    expect(mails).toHaveLength(1);
    expect(mails[0].kind).toBe("account.password-reset");
    expect(mails[0].text_body).toContain("Forgetful Fran");
    expect(mails[0].text_body).toMatch(/30 minutes/);
    expect(
      await db
        .selectFrom("mail_messages")
        .select("id")
        .where("to_address", "=", "nobody.here@example.test")
        .execute(),
    ).toEqual([]);
    // The table holds a hash, never the token in the link.
    const token = tokenOf(linkIn(mails[0].text_body, "/reset-password"));
    const stored = await db
      .selectFrom("account_tokens")
      .select("token_hash")
      .where("user_id", "=", user.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);
    // The request's audit row names nobody.
    const events = await db
      .selectFrom("audit_events")
      .select(["entity_id", "details"])
      .where("action", "=", "auth.password_reset_request")
      .execute();
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain(email);
  });

  it("refuses a malformed address with 400 and keeps it", async () => {
    const r = await call(forgotAction, post("/forgot-password", { email: "not an address" }), ctx);
    expect(r.status).toBe(400);
    const data = await body(r);
    expect(data.fieldErrors.email).toEqual(["Enter an email address like name@example.org."]);
    expect(data.values.email).toBe("not an address");
  });

  it("sends at most three links an hour to one account, however often it is asked", async () => {
    const user = await makeUser(db, [], "Often Asked");
    const { email } = await db
      .selectFrom("users")
      .select("email")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    const other = makeContext(db, clock, { ...ctx, clientIp: "10.9.9.9" });
    for (let i = 0; i < 5; i++) {
      expect((await call(forgotAction, post("/forgot-password", { email }), other)).status).toBe(
        302,
      );
    }
    await runJobs(FORGOT_PASSWORD_JOB);
    expect(await mailsTo(user.id)).toHaveLength(3);
  });

  it("slows one client down after ten requests, whatever the addresses (429)", async () => {
    const busy = makeContext(db, clock, { ...ctx, clientIp: "10.1.2.3" });
    for (let i = 0; i < 10; i++) {
      const r = await call(
        forgotAction,
        post("/forgot-password", { email: `x${i}@example.test` }),
        busy,
      );
      expect(r.status).toBe(302);
    }
    const refused = await call(
      forgotAction,
      post("/forgot-password", { email: "y@example.test" }),
      busy,
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toMatch(/^\d+$/);
    const denied = await db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "auth.password_reset_request")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.map((d) => d.details)).toContainEqual({ reason: "rate_limited" });
  });

  it("a reset link sets a new password once, ends every session, and refuses weak passwords without echoing them", async () => {
    const user = await makeUser(db, ["mentor"], "Reset Rita");
    const { email } = await db
      .selectFrom("users")
      .select("email")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    const cookie = await sessionCookie(ctx, user.id);
    await call(
      forgotAction,
      post("/forgot-password", { email }),
      makeContext(db, clock, { ...ctx, clientIp: "10.4.4.4" }),
    );
    await runJobs(FORGOT_PASSWORD_JOB);
    const link = linkIn((await mailsTo(user.id))[0].text_body, "/reset-password");
    const params = { token: tokenOf(link) };

    const page = await call(resetLoader, get(link), ctx, params);
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");

    const weak = await call(
      resetAction,
      post(link, { password: "Password1234", confirm: "Password1234" }),
      ctx,
      params,
    );
    expect(weak.status).toBe(400);
    const weakBody = await body(weak);
    expect(weakBody.fieldErrors.password[0]).toMatch(/common password/);
    expect(JSON.stringify(weakBody)).not.toContain("Password1234");

    const differ = await call(
      resetAction,
      post(link, { password: "lantern orchard kettle", confirm: "lantern orchard kettles" }),
      ctx,
      params,
    );
    expect((await body(differ)).fieldErrors.confirm).toBeDefined();

    const ok = await call(
      resetAction,
      post(link, { password: "lantern orchard kettle", confirm: "lantern orchard kettle" }),
      ctx,
      params,
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/login");
    const row = await db
      .selectFrom("users")
      .select(["password_hash", "password_must_change"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, "lantern orchard kettle")).toBe(true);
    expect(row.password_must_change).toBe(false);
    expect(
      await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute(),
    ).toEqual([]);
    expect(cookie).toBeTruthy();

    const again = await call(
      resetAction,
      post(link, { password: "another fine passphrase", confirm: "another fine passphrase" }),
      ctx,
      params,
    );
    expect(again.status).toBe(404);
    expect((await call(resetLoader, get(link), ctx, params)).status).toBe(404);
    const audits = await db
      .selectFrom("audit_events")
      .select(["outcome", "details"])
      .where("action", "=", "user.password_reset")
      .where("entity_id", "=", user.id)
      .execute();
    expect(audits).toEqual([{ outcome: "ok", details: { via: "link", sessionsEnded: true } }]);
    expect(
      JSON.stringify(await db.selectFrom("audit_events").select("details").execute()),
    ).not.toContain(params.token);
  });
});

describe("invitations and temporary passwords (admin)", () => {
  it("an admin's new account gets an invitation by mail; its link sets the person's password and signs them in, once", async () => {
    const admin = await makeUser(db, ["admin"]);
    const adminCookie = await sessionCookie(ctx, admin.id);
    const created = await call(
      createAction,
      post(
        "/admin/users",
        {
          intent: "create",
          name: "Ivy Invited",
          email: "ivy@example.test",
          roles: "admin",
          access: "invitation",
        },
        adminCookie,
      ),
      ctx,
    );
    expect(created.status).toBe(302);
    const ivy = await db
      .selectFrom("users")
      .select(["id", "password_hash", "password_must_change"])
      .where("email", "=", "ivy@example.test")
      .executeTakeFirstOrThrow();
    await runJobs(ACCOUNT_LINK_JOB);
    const mails = await mailsTo(ivy.id);
    expect(mails).toHaveLength(1);
    expect(mails[0].kind).toBe("account.invitation");
    expect(mails[0].text_body).toContain("Ivy Invited");
    expect(mails[0].text_body).toMatch(/72 hours/);
    const link = linkIn(mails[0].text_body, "/welcome");
    const params = { token: tokenOf(link) };
    const page = await call(welcomeLoader, get(link), ctx, params);
    expect(page.status).toBe(200);
    expect((await body(page)).link).toEqual({ email: "ivy@example.test", name: "Ivy Invited" });

    const own = await call(
      welcomeAction,
      post(link, { password: "ivy@example.test", confirm: "ivy@example.test" }),
      ctx,
      params,
    );
    expect(own.status).toBe(400);
    expect((await body(own)).fieldErrors.password[0]).toMatch(/your name or email/);

    const ok = await call(
      welcomeAction,
      post(link, { password: "violet harbour sketches", confirm: "violet harbour sketches" }),
      ctx,
      params,
    );
    expect(ok.status).toBe(302);
    // Signed in; the default policy asks admins for a second factor, so its set-up comes next.
    expect(ok.headers.get("Location")).toBe("/login/set-up-mfa");
    expect(ok.headers.get("Set-Cookie")).toMatch(/nw_session=/);
    const session = await db
      .selectFrom("sessions")
      .select(["method", "stage"])
      .where("user_id", "=", ivy.id)
      .execute();
    expect(session).toEqual([{ method: "invitation", stage: "set_up_mfa" }]);

    const twice = await call(
      welcomeAction,
      post(link, { password: "another harbour sketch", confirm: "another harbour sketch" }),
      ctx,
      params,
    );
    expect(twice.status).toBe(404);
  });

  it("a temporary password must be changed at the first login (ASVS 6.4.1)", async () => {
    const admin = await makeUser(db, ["admin"]);
    const adminCookie = await sessionCookie(ctx, admin.id);
    const weak = await call(
      createAction,
      post(
        "/admin/users",
        {
          intent: "create",
          name: "Tom Temp",
          email: "tom@example.test",
          roles: "admin",
          access: "temporary",
          password: "aaaaaaaaaaaa",
        },
        adminCookie,
      ),
      ctx,
    );
    expect(weak.status).toBe(400);
    expect(JSON.stringify(await body(weak))).not.toContain("aaaaaaaaaaaa");
    const created = await call(
      createAction,
      post(
        "/admin/users",
        {
          intent: "create",
          name: "Tom Temp",
          email: "tom@example.test",
          roles: "admin",
          access: "temporary",
          password: "granite pelican 42",
        },
        adminCookie,
      ),
      ctx,
    );
    expect(created.status).toBe(302);
    const tom = await db
      .selectFrom("users")
      .select(["id", "password_must_change"])
      .where("email", "=", "tom@example.test")
      .executeTakeFirstOrThrow();
    expect(tom.password_must_change).toBe(true);
    // No invitation for a temporary password.
    expect(
      await db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", ACCOUNT_LINK_JOB)
        .where("status", "=", "pending")
        .execute(),
    ).toEqual([]);

    const login = await call(
      loginAction,
      post("/login", { email: "tom@example.test", password: "granite pelican 42" }),
      ctx,
    );
    expect(login.status).toBe(302);
    expect(login.headers.get("Location")).toBe("/login/new-password");
    const cookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0];
    expect((await call(newPasswordLoader, get("/login/new-password", cookie), ctx)).status).toBe(
      200,
    );

    const same = await call(
      newPasswordAction,
      post(
        "/login/new-password",
        { password: "granite pelican 42", confirm: "granite pelican 42" },
        cookie,
      ),
      ctx,
    );
    expect(same.status).toBe(400);
    expect((await body(same)).fieldErrors.password).toEqual([
      "That is the temporary password. Choose one of your own.",
    ]);

    const done = await call(
      newPasswordAction,
      post(
        "/login/new-password",
        { password: "copper meadow lantern", confirm: "copper meadow lantern" },
        cookie,
      ),
      ctx,
    );
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login/set-up-mfa");
    const after = await db
      .selectFrom("users")
      .select(["password_hash", "password_must_change"])
      .where("id", "=", tom.id)
      .executeTakeFirstOrThrow();
    expect(after.password_must_change).toBe(false);
    expect(await verifyPassword(after.password_hash, "copper meadow lantern")).toBe(true);
    // The stage is done: the page sends the session on to the next one.
    expect((await call(newPasswordLoader, get("/login/new-password", cookie), ctx)).status).toBe(
      302,
    );
  });

  it("an admin's reset sends a link to the person, or sets a temporary password that must be changed", async () => {
    const admin = await makeUser(db, ["admin"]);
    const adminCookie = await sessionCookie(ctx, admin.id);
    const user = await makeUser(db, [], "Linda Link");
    const userCookie = await sessionCookie(ctx, user.id);
    const sent = await call(
      editAction,
      post(`/admin/users/${user.id}`, { intent: "send_reset_link" }, adminCookie),
      ctx,
      { userId: user.id },
    );
    expect(sent.status).toBe(302);
    await runJobs(ACCOUNT_LINK_JOB);
    const mails = await mailsTo(user.id);
    expect(mails.map((m) => m.kind)).toEqual(["account.password-reset"]);
    expect(mails[0].text_body).toMatch(/An administrator asked/);
    // A link changes nothing until it is used: their session stays.
    expect(
      await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute(),
    ).toHaveLength(1);
    expect(userCookie).toBeTruthy();

    const temp = await call(
      editAction,
      post(
        `/admin/users/${user.id}`,
        { intent: "reset_password", password: "walnut skyline 1987" },
        adminCookie,
      ),
      ctx,
      { userId: user.id },
    );
    expect(temp.status).toBe(302);
    const row = await db
      .selectFrom("users")
      .select(["password_must_change", "password_hash"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_must_change).toBe(true);
    expect(
      await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute(),
    ).toEqual([]);
    const audits = await db
      .selectFrom("audit_events")
      .select(["action", "details"])
      .where("entity_id", "=", user.id)
      .orderBy("at")
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      "user.password_reset_link",
      "user.password_reset",
    ]);
    expect(JSON.stringify(audits)).not.toContain("walnut");
  });

  it("a link for a disabled account is refused, and none is sent", async () => {
    const admin = await makeUser(db, ["admin"]);
    const adminCookie = await sessionCookie(ctx, admin.id);
    const user = await makeUser(db, [], "Dora Disabled");
    await db
      .updateTable("users")
      .set({ disabled_at: clock.now })
      .where("id", "=", user.id)
      .execute();
    const r = await call(
      editAction,
      post(`/admin/users/${user.id}`, { intent: "send_reset_link" }, adminCookie),
      ctx,
      { userId: user.id },
    );
    expect(r.status).toBe(400);
    expect((await body(r)).formError).toBe("This account is disabled: enable it first.");
    expect(
      await db
        .selectFrom("jobs")
        .select("id")
        .where("kind", "=", ACCOUNT_LINK_JOB)
        .where("payload", "@>", JSON.stringify({ userId: user.id }) as never)
        .execute(),
    ).toEqual([]);
  });
});
