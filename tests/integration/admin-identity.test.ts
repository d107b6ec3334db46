/**
 * /admin/identity: single sign-on's status and last sign-ins, and the SCIM tokens (made, shown once,
 * revoked with the version shown); admins only, every change audited.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import AdminIdentity, { action, loader } from "../../app/routes/admin.identity";
import { loader as usersLoader } from "../../app/routes/scim.v2.Users";
import { hashToken } from "../../app/utils/security.server";
import { audit } from "../../app/models/audit.server";
import { BASE, body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

// The page is rendered on the server with the loader's and action's real answers, as Remix would.
const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
}));
vi.mock("@remix-run/react", async () => {
  const { createElement: h } = await import("react");
  return {
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
  };
});
async function render(loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(AdminIdentity));
}

let handle: DbHandle;
let ctx: AppContext;
let admin: { id: string };
let adminCookie = "";
let leaderCookie = "";

const SSO = {
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

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db, undefined, { login: { oidc: null, passwordLogin: "all" } });
  admin = await makeUser(handle.db, ["admin"], "Ada Admin");
  adminCookie = await sessionCookie(ctx, admin.id);
  leaderCookie = await sessionCookie(ctx, (await makeUser(handle.db, ["leader"])).id);
});
afterAll(async () => {
  await handle?.close();
});

const scimGet = (token: string) =>
  call(
    usersLoader,
    new Request(`${BASE}/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } }),
    ctx,
  );

describe("/admin/identity", () => {
  it("is for admins only: a leader gets an audited 403 on the page and on every change", async () => {
    expect((await call(loader, get("/admin/identity", leaderCookie), ctx)).status).toBe(403);
    const made = await call(
      action,
      post("/admin/identity", { intent: "create", name: "X" }, leaderCookie),
      ctx,
    );
    expect(made.status).toBe(403);
    expect(await handle.db.selectFrom("scim_tokens").select("id").execute()).toEqual([]);
    expect((await call(loader, get("/admin/identity"), ctx)).status).toBe(302);
  });

  it('says single sign-on is "not configured" without OIDC_ISSUER, and shows the issuer and last SSO sign-ins with it', async () => {
    const off = await body(await call(loader, get("/admin/identity", adminCookie), ctx));
    expect(off.sso).toBeNull();
    expect(off.logins).toEqual([]);
    const someone = await makeUser(handle.db, [], "Sam Sso");
    await audit(handle.db, {
      actorId: someone.id,
      action: "auth.login",
      entity: "session",
      details: { method: "oidc" },
    });
    await audit(handle.db, {
      actorId: admin.id,
      action: "auth.login",
      entity: "session",
      details: {},
    });
    await audit(handle.db, {
      actorId: someone.id,
      action: "auth.login",
      entity: "session",
      outcome: "denied",
      details: { method: "oidc" },
    });
    const on = await body(
      await call(loader, get("/admin/identity", adminCookie), { ...ctx, login: SSO }),
    );
    expect(on.sso).toEqual({ issuer: SSO.oidc.issuer, createUsers: false });
    expect(on.logins.map((l: { name: string }) => l.name)).toEqual(["Sam Sso"]);
  });

  it("makes a token, shows it once in the answer (never stored), and it opens /scim/v2", async () => {
    const response = await call(
      action,
      post("/admin/identity", { intent: "create", name: "Okta" }, adminCookie),
      ctx,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { created } = await body(response);
    expect(created.name).toBe("Okta");
    const row = await handle.db
      .selectFrom("scim_tokens")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      created_by: admin.id,
      token_hash: hashToken(created.token),
      last_used_at: null,
    });
    expect((await scimGet(created.token)).status).toBe(200);
    const page = await body(await call(loader, get("/admin/identity", adminCookie), ctx));
    expect(JSON.stringify(page)).not.toContain(created.token);
    expect(page.tokens[0]).toMatchObject({
      name: "Okta",
      created_by_name: "Ada Admin",
      revoked_at: null,
    });
    expect(page.tokens[0].last_used_at).not.toBeNull();
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "details"])
      .where("action", "=", "scim_token.create")
      .execute();
    expect(audited).toEqual([{ actor_id: admin.id, details: { via: "admin" } }]);
  });

  it("refuses an empty or too long name with 400 and the value kept", async () => {
    const empty = await call(
      action,
      post("/admin/identity", { intent: "create", name: "  " }, adminCookie),
      ctx,
    );
    expect(empty.status).toBe(400);
    expect((await body(empty)).fieldErrors.name).toBeDefined();
    const long = await call(
      action,
      post("/admin/identity", { intent: "create", name: "x".repeat(101) }, adminCookie),
      ctx,
    );
    expect(long.status).toBe(400);
    expect((await body(long)).values.name).toBe("x".repeat(101));
  });

  it("revokes at the version shown: the token stops working at once; a stale or repeated revoke is refused", async () => {
    const { created } = await body(
      await call(
        action,
        post("/admin/identity", { intent: "create", name: "Entra ID" }, adminCookie),
        ctx,
      ),
    );
    const row = await handle.db
      .selectFrom("scim_tokens")
      .select("version")
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    const stale = await call(
      action,
      post(
        "/admin/identity",
        { intent: "revoke", tokenId: created.id, version: String(row.version + 1) },
        adminCookie,
      ),
      ctx,
    );
    expect(stale.status).toBe(400);
    expect((await scimGet(created.token)).status).toBe(200);
    const revoked = await call(
      action,
      post(
        "/admin/identity",
        { intent: "revoke", tokenId: created.id, version: String(row.version) },
        adminCookie,
      ),
      ctx,
    );
    expect(revoked.status).toBe(302);
    expect((await scimGet(created.token)).status).toBe(401);
    const again = await call(
      action,
      post(
        "/admin/identity",
        { intent: "revoke", tokenId: created.id, version: String(row.version) },
        adminCookie,
      ),
      ctx,
    );
    expect(again.status).toBe(400);
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "entity_id"])
      .where("action", "=", "scim_token.revoke")
      .execute();
    expect(audited).toEqual([{ actor_id: admin.id, entity_id: created.id }]);
    const missing = await call(
      action,
      post(
        "/admin/identity",
        { intent: "revoke", tokenId: crypto.randomUUID(), version: "1" },
        adminCookie,
      ),
      ctx,
    );
    expect(missing.status).toBe(404);
    const bad = await call(
      action,
      post("/admin/identity", { intent: "revoke", tokenId: "nope", version: "1" }, adminCookie),
      ctx,
    );
    expect(bad.status).toBe(400);
  });

  it("renders: not configured, the token shown once after making it, the list with Revoke", async () => {
    const page = await render(await call(loader, get("/admin/identity", adminCookie), ctx));
    expect(page).toContain("Not configured");
    expect(page).toContain("/scim/v2");
    const acted = await call(
      action,
      post("/admin/identity", { intent: "create", name: "Shown once" }, adminCookie),
      ctx,
    );
    const { created } = await body(acted);
    const after = await render(await call(loader, get("/admin/identity", adminCookie), ctx), acted);
    expect(after).toContain(created.token);
    expect(after).toContain("Revoke the token");
    const later = await render(
      await call(loader, get("/admin/identity", adminCookie), { ...ctx, login: SSO }),
    );
    expect(later).not.toContain(created.token);
    expect(later).toContain(SSO.oidc.issuer);
    expect(later).toContain("Shown once");
  });
});
