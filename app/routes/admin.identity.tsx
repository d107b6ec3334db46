/**
 * Identity: single sign-on's status (the issuer, the last sign-ins through it) and the SCIM bearer
 * tokens (made here or by npm run scim:token; shown once, revoked here), and the policy of which
 * roles must sign in with a second factor. Admins only; every change audited. Making a token and
 * changing the policy need a session confirmed in the last 10 minutes (/account/confirm). Decision 0018.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { sql } from "kysely";
import { z } from "zod";
import { ROLES } from "../../db/schema";
import { mfaRequiredRoles, recentlyAuthenticated } from "../auth/login-stages.server";
import { loginSettings } from "../auth/oidc.server";
import { requireRole } from "../auth/policy.server";
import { confirmUrl, requireRecentAuthentication } from "../auth/reauthenticate.server";
import { ConfirmNotice } from "../components/confirm-notice";
import { ConfirmButton } from "../components/ui/confirm";
import { Button, FormError, TextField } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { setMfaRequiredRoles } from "../models/mfa-policy.server";
import { createScimToken, listScimTokens, revokeScimToken } from "../scim/scim.server";
import { useFormResult } from "../utils/form-result";
import { id, version } from "../utils/fields";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { formatInstant } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "Identity · Noseworthy" }];

const RECENT_SSO_LOGINS = 10;

const IdentityActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    name: z
      .string()
      .trim()
      .min(1, "Name the token after the client that will use it (e.g. “Okta”).")
      .max(100, "Use at most 100 characters."),
  }),
  z.object({
    intent: z.literal("revoke"),
    tokenId: id("Reload the page and try again."),
    version,
  }),
  z.object({
    intent: z.literal("mfa_policy"),
    roles: z.preprocess(
      (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.enum(ROLES, { error: "Choose from the listed roles." })),
    ),
  }),
]);

const HERE = "/admin/identity";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const oidc = loginSettings(context).oidc;
  const [tokens, logins, mfaRoles] = await Promise.all([
    listScimTokens(context.db),
    context.db
      .selectFrom("audit_events")
      .leftJoin("users", "users.id", "audit_events.actor_id")
      .select(["audit_events.id", "audit_events.at", "users.name", "users.email"])
      .where("audit_events.action", "=", "auth.login")
      .where("audit_events.outcome", "=", "ok")
      .where(sql<boolean>`audit_events.details->>'method' = 'oidc'`)
      .orderBy("audit_events.id", "desc")
      .limit(RECENT_SSO_LOGINS)
      .execute(),
    mfaRequiredRoles(context.db),
  ]);
  return json({
    sso: oidc ? { issuer: oidc.issuer, createUsers: oidc.createUsers } : null,
    passwordLogin: loginSettings(context).passwordLogin,
    tokens,
    logins,
    scimUrl: `${new URL(request.url).origin}/scim/v2`,
    mfaRoles,
    confirmed: recentlyAuthenticated(admin, context.now()),
    confirmUrl: confirmUrl(HERE),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  const parsed = parseForm(IdentityActionSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  if (input.intent === "mfa_policy") {
    const refused = await requireRecentAuthentication(context, {
      user: admin,
      action: "settings.update",
      entity: "setting",
      entityId: "mfa_required_roles",
      values: formValues(formData),
      redirectTo: HERE,
    });
    if (refused) return refused;
    await setMfaRequiredRoles(context.db, {
      roles: input.roles,
      previous: await mfaRequiredRoles(context.db),
      actorId: admin.id,
      requestId: context.requestId,
    });
    return redirectWithFlash(
      HERE,
      input.roles.length
        ? `Saved: ${input.roles.join(", ")} accounts must use a second factor, and are asked to set one up at their next password login.`
        : "Saved: no role must use a second factor. Anyone may still set one up on their account page.",
    );
  }
  if (input.intent === "create") {
    const refused = await requireRecentAuthentication(context, {
      user: admin,
      action: "scim_token.create",
      entity: "scim_token",
      entityId: null,
      values: formValues(formData),
      redirectTo: HERE,
    });
    if (refused) return refused;
    const made = await context.db.transaction().execute(async (trx) => {
      const token = await createScimToken(trx, { name: input.name, createdBy: admin.id });
      await audit(trx, {
        actorId: admin.id,
        action: "scim_token.create",
        entity: "scim_token",
        entityId: token.id,
        requestId: context.requestId,
        details: { via: "admin" },
      });
      return token;
    });
    // The token is in this answer only: never stored, never in a cookie or a redirect.
    return json(
      { ok: true as const, created: { id: made.id, name: input.name, token: made.token } },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  const revoked = await context.db.transaction().execute(async (trx) => {
    const row = await revokeScimToken(trx, {
      id: input.tokenId,
      version: input.version,
      now: context.now(),
    });
    if (row)
      await audit(trx, {
        actorId: admin.id,
        action: "scim_token.revoke",
        entity: "scim_token",
        entityId: row.id,
        requestId: context.requestId,
      });
    return row;
  });
  if (!revoked) {
    const exists = await context.db
      .selectFrom("scim_tokens")
      .select("id")
      .where("id", "=", input.tokenId)
      .executeTakeFirst();
    if (!exists) throw notFound();
    return badRequest(
      "This token was revoked or changed since the page was loaded: reload to see it.",
      { intent: "revoke", tokenId: input.tokenId },
      {},
    );
  }
  return redirectWithFlash(HERE, "Revoked the token: requests with it are refused from now on.");
}

export default function AdminIdentity() {
  const { sso, passwordLogin, tokens, logins, scimUrl, mfaRoles, confirmed, confirmUrl } =
    useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const created = data && "created" in data ? data.created : null;
  const create = useFormResult("create");
  const revoke = useFormResult("revoke");
  const policy = useFormResult("mfa_policy");
  const chosen = policy.list("roles", mfaRoles);

  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold">Identity</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Sign-in through your identity provider, and the tokens it uses to add, change and remove
        accounts (README: Single sign-on, Provisioning with SCIM).
      </p>

      <section className="mt-6" aria-labelledby="sso-heading">
        <h2 id="sso-heading" className="text-lg font-semibold">
          Single sign-on
        </h2>
        {sso ? (
          <dl className="mt-2 grid grid-cols-[auto,1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium">Issuer</dt>
            <dd className="break-all">{sso.issuer}</dd>
            <dt className="font-medium">New accounts</dt>
            <dd>
              {sso.createUsers
                ? "Created for unknown verified users, with no roles"
                : "Not created: only existing accounts sign in"}
            </dd>
            <dt className="font-medium">Password login</dt>
            <dd>{passwordLogin === "admins" ? "Admins only (break-glass)" : "Everyone"}</dd>
          </dl>
        ) : (
          <p className="mt-2 text-sm">
            Not configured: set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and APP_URL.
          </p>
        )}
        <h3 className="mt-4 font-medium">Last sign-ins through single sign-on</h3>
        {logins.length ? (
          <ul className="mt-1 text-sm">
            {logins.map((login) => (
              <li key={login.id}>
                {formatInstant(login.at, "never")} — {login.name ?? "a removed account"}
                {login.email ? ` (${login.email})` : ""}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-sm text-stone-600">None yet.</p>
        )}
      </section>

      <section className="mt-8" aria-labelledby="mfa-heading">
        <h2 id="mfa-heading" className="text-lg font-semibold">
          Two-step sign-in
        </h2>
        <p className="mt-1 max-w-prose text-sm text-stone-600">
          Accounts holding a checked role must sign in with a second factor (an authenticator app or
          a passkey). Those without one are walked through setting it up at their next password
          login. Single-sign-on logins rely on your identity provider&apos;s own two-step sign-in.
        </p>
        {!confirmed ? (
          <div className="mt-3">
            <ConfirmNotice confirmUrl={confirmUrl} what="Changing this policy" />
          </div>
        ) : null}
        <Form method="post" className="mt-3 space-y-3">
          <input type="hidden" name="intent" value="mfa_policy" />
          <FormError message={policy.formError} />
          <fieldset aria-describedby={policy.errors.roles ? "mfa-roles-error" : undefined}>
            <legend className="text-sm font-medium text-stone-800">
              Roles that must use a second factor
            </legend>
            <div className="mt-1 flex flex-wrap gap-x-4 gap-y-2">
              {ROLES.map((role) => (
                <label key={role} className="inline-flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    name="roles"
                    value={role}
                    defaultChecked={chosen.includes(role)}
                  />
                  {role}
                </label>
              ))}
            </div>
            {policy.errors.roles ? (
              <p id="mfa-roles-error" className="mt-1 text-sm text-red-700">
                {policy.errors.roles.join(" ")}
              </p>
            ) : null}
          </fieldset>
          <Button>Save the policy</Button>
        </Form>
      </section>

      <section className="mt-8" aria-labelledby="scim-heading">
        <h2 id="scim-heading" className="text-lg font-semibold">
          SCIM provisioning tokens
        </h2>
        <p className="mt-1 max-w-prose text-sm text-stone-600">
          The SCIM base URL is <code>{scimUrl}</code>. A token is shown once, when it is made; only
          a hash of it is kept.
        </p>

        {created ? (
          <div role="status" className="mt-3 rounded border border-green-300 bg-green-50 p-3">
            <p className="text-sm text-green-900">
              The token “{created.name}”. Copy it into your identity provider now: it will not be
              shown again.
            </p>
            <code className="mt-2 block break-all font-mono text-sm" data-testid="scim-token">
              {created.token}
            </code>
          </div>
        ) : null}

        {tokens.length ? (
          <table className="mt-3 w-full text-left text-sm">
            <thead>
              <tr>
                <th className="py-1">Name</th>
                <th className="py-1">Made</th>
                <th className="py-1">Last used</th>
                <th className="py-1">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id} className="border-t border-stone-200 align-top">
                  <td className="py-2">{token.name}</td>
                  <td className="py-2">
                    {formatInstant(token.created_at, "never")}
                    <br />
                    <span className="text-stone-600">
                      {token.created_by_name
                        ? `by ${token.created_by_name}`
                        : "by npm run scim:token"}
                    </span>
                  </td>
                  <td className="py-2">{formatInstant(token.last_used_at, "never")}</td>
                  <td className="py-2">
                    {token.revoked_at ? (
                      `Revoked ${formatInstant(token.revoked_at, "never")}`
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="tokenId" value={token.id} />
                        <input type="hidden" name="version" value={token.version} />
                        {revoke.failed && revoke.value("tokenId") === token.id ? (
                          <FormError message={revoke.summary} />
                        ) : null}
                        <ConfirmButton
                          label="Revoke"
                          confirmLabel="Revoke the token"
                          question={`Requests with “${token.name}” will be refused at once, and provisioning through it stops.`}
                        />
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="mt-3 text-sm text-stone-600">No tokens yet.</p>
        )}

        {!confirmed ? (
          <div className="mt-4">
            <ConfirmNotice confirmUrl={confirmUrl} what="Making a token" />
          </div>
        ) : null}
        {/* Keyed by the token just made: after a success the name field starts empty again. */}
        <Form
          key={created?.id ?? "new"}
          method="post"
          className="mt-4 flex flex-wrap items-end gap-3"
        >
          <input type="hidden" name="intent" value="create" />
          <FormError message={create.formError} />
          <TextField
            label="New token's name"
            name="name"
            required
            maxLength={100}
            defaultValue={create.value("name")}
            errors={create.errors.name}
            hint="The client that will use it, e.g. Okta or Entra ID."
          />
          <Button>Make a token</Button>
        </Form>
      </section>
    </div>
  );
}
