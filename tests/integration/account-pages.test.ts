/**
 * The account pages rendered on the server with their loaders' and actions' real answers, as Remix
 * would: what a person without JavaScript sees.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { REAUTH_WINDOW_MS } from "../../app/auth/login-stages.server";
import Account, { loader as accountLoader } from "../../app/routes/account._index";
import ChangePassword, { action as passwordAction } from "../../app/routes/account.password";
import Confirm, { loader as confirmLoader } from "../../app/routes/account.confirm";
import AdminIdentity, { loader as identityLoader } from "../../app/routes/admin.identity";
import { createSession } from "../../app/auth/session.server";
import { body, call, get, makeContext, makeUser, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";

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
async function render(component: () => unknown, loaded?: Response, acted?: Response) {
  remix.loaderData = loaded ? await body(loaded) : undefined;
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(component as () => null));
}

let handle: DbHandle;
let ctx: AppContext;
const clock: TestClock = { now: new Date() };

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db, clock, { login: { oidc: null, passwordLogin: "all" } });
});
afterAll(async () => {
  await handle?.close();
});

const signIn = async (userId: string, userAgent: string) =>
  (await createSession(ctx, { userId, userAgent })).split(";")[0];

describe("account pages without JavaScript", () => {
  it("/account shows the sessions with device and a way to end each, the factors and the settings links", async () => {
    const me = await makeUser(handle.db, ["leader"], "Lena Leader");
    await signIn(
      me.id,
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1",
    );
    const cookie = await signIn(
      me.id,
      "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36",
    );
    const html = await render(Account, await call(accountLoader, get("/account", cookie), ctx));
    expect(html).toContain("<h1");
    expect(html).toContain("Lena Leader");
    expect(html).toContain("Chrome on Linux");
    expect(html).toContain("This session");
    expect(html).toContain("Safari on iPhone");
    expect(html).toContain("Sign out everywhere else");
    expect(html).toContain('href="/account/password"');
    expect(html).toContain('href="/account/two-factor"');
    expect(html).toContain('href="/account/passkeys"');
    expect(html).toContain('href="/settings/mail"');
    // The default policy asks leaders for a second factor, and this one has none.
    expect(html).toMatch(/Your role needs a second factor/);
  });

  it("/account/password shows the field messages of a refusal, never the passwords typed", async () => {
    const me = await makeUser(handle.db, ["mentor"]);
    const cookie = await signIn(me.id, "vitest");
    const refused = await call(
      passwordAction,
      post(
        "/account/password",
        { currentPassword: "nope nope nope", password: "x", confirm: "x" },
        cookie,
      ),
      ctx,
    );
    const html = await render(ChangePassword, undefined, refused);
    expect(html).toContain("That is not your current password.");
    expect(html).not.toContain("nope nope nope");
    expect(html).toMatch(/autoComplete="current-password"/i);
  });

  it("/account/confirm offers the password form (and no code form without an authenticator app)", async () => {
    const me = await makeUser(handle.db, ["admin"]);
    const cookie = await signIn(me.id, "vitest");
    clock.now = new Date(clock.now.getTime() + REAUTH_WINDOW_MS + 1000);
    const html = await render(
      Confirm,
      await call(
        confirmLoader,
        get("/account/confirm?redirectTo=%2Fadmin%2Fidentity", cookie),
        ctx,
      ),
    );
    expect(html).toContain("Confirm it&#x27;s you");
    expect(html).toContain('name="password"');
    expect(html).toContain('value="/admin/identity"');
    expect(html).not.toContain('name="code"');
    expect(html).not.toContain("You confirmed recently");
  });

  it("/admin/identity tells a stale session to confirm before making a token or changing the policy", async () => {
    const admin = await makeUser(handle.db, ["admin"]);
    const cookie = await signIn(admin.id, "vitest");
    clock.now = new Date(clock.now.getTime() + REAUTH_WINDOW_MS + 1000);
    const html = await render(
      AdminIdentity,
      await call(identityLoader, get("/admin/identity", cookie), ctx),
    );
    expect(html).toContain("Roles that must use a second factor");
    expect(html).toContain('href="/account/confirm?redirectTo=%2Fadmin%2Fidentity"');
    expect(html.match(/Confirm it&#x27;s you first/g)).toHaveLength(2);
  });
});
