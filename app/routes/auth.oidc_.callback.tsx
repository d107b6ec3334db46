import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  clearFlowCookie,
  finishSignIn,
  loginSettings,
  readFlow,
  type SignInFailure,
} from "../auth/oidc.server";
import { clearLoginFailures } from "../auth/rate-limit.server";
import { createSession } from "../auth/session.server";
import { SignInProblem } from "../components/sign-in-problem";
import { audit } from "../models/audit.server";
import { normaliseEmail } from "../models/user.server";
import { notFound, safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Single sign-on · Noseworthy" }];

const MESSAGES: Record<SignInFailure | "expired" | "disabled" | "no_account", [number, string]> = {
  expired: [
    400,
    "This sign-in has expired or was started in another browser. Start again from the login page.",
  ],
  provider_error: [403, "The identity provider did not sign you in."],
  rejected: [
    400,
    "The identity provider's answer could not be accepted (it may have been used already, or come from somewhere else). Start again from the login page.",
  ],
  unavailable: [
    503,
    "The identity provider cannot be reached just now, so single sign-on is unavailable. Try again in a minute.",
  ],
  no_email: [
    403,
    "The identity provider did not give an email address for you, so no account can be matched. Ask your administrator.",
  ],
  unverified_email: [
    403,
    "The identity provider has not verified your email address, so it cannot be matched to an account. Ask your administrator.",
  ],
  disabled: [403, "Your account is disabled. Ask an administrator if you need access again."],
  no_account: [
    403,
    "There is no Noseworthy account for your email address. Ask an administrator to create one for you.",
  ],
};

// The identity provider redirects the browser here with a code. Public, like the login page; without
// single sign-on, a 404. Every failure is a page with its reason, audited without personal data.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { oidc } = loginSettings(context);
  if (!oidc) return notFound("Single sign-on is not set up on this server.");
  const clear = clearFlowCookie(context);

  const fail = async (
    reason: keyof typeof MESSAGES,
    {
      actorId = null,
      detail,
      check,
    }: { actorId?: string | null; detail?: string; check?: string } = {},
  ) => {
    await audit(context.db, {
      actorId,
      action: "auth.login",
      entity: "session",
      outcome: reason === "disabled" || reason === "no_account" ? "denied" : "failed",
      requestId: context.requestId,
      details: {
        method: "oidc",
        reason,
        ...(detail ? { detail: detail.replace(/[^\w.:-]/g, "").slice(0, 60) } : {}),
        ...(check ? { check } : {}),
      },
    });
    const [status, message] = MESSAGES[reason];
    return json(
      { message },
      { status, headers: { "Set-Cookie": clear, "Cache-Control": "no-store" } },
    );
  };

  const flow = readFlow(context, request);
  if (!flow) return fail("expired");
  const result = await finishSignIn(oidc, flow, request);
  if (!result.ok) return fail(result.reason, { detail: result.detail, check: result.check });

  const email = normaliseEmail(result.email);
  const now = context.now();
  const outcome = await context.db.transaction().execute(async (trx) => {
    let account = await trx
      .selectFrom("users")
      .select(["id", "disabled_at"])
      .where("email", "=", email)
      .forUpdate()
      .executeTakeFirst();
    let created = false;
    if (!account) {
      if (!oidc.createUsers) return { ok: false as const, reason: "no_account" as const };
      // No roles until an admin gives some; no password (the hash matches none): single sign-on only.
      account = await trx
        .insertInto("users")
        .values({
          email,
          name: result.name ?? email.split("@")[0],
          roles: [],
          password_hash: "!sso-only",
        })
        .onConflict((oc) => oc.column("email").doNothing())
        .returning(["id", "disabled_at"])
        .executeTakeFirst();
      created = account !== undefined;
      // Created at the same moment by another sign-in (or SCIM): that account is theirs.
      account ??= await trx
        .selectFrom("users")
        .select(["id", "disabled_at"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
    }
    if (created) {
      await audit(trx, {
        actorId: account.id,
        action: "user.create",
        entity: "user",
        entityId: account.id,
        requestId: context.requestId,
        details: { method: "oidc", roles: [] },
      });
    }
    if (account.disabled_at) {
      return { ok: false as const, reason: "disabled" as const, actorId: account.id };
    }
    // The same throttle record as a password login: this address is now the owner's usual one.
    await clearLoginFailures(trx, { email, ip: context.clientIp, now });
    await audit(trx, {
      actorId: account.id,
      action: "auth.login",
      entity: "session",
      requestId: context.requestId,
      details: { method: "oidc", ...(created ? { created: true } : {}) },
    });
    const cookie = await createSession(
      { ...context, db: trx },
      { userId: account.id, userAgent: request.headers.get("user-agent"), method: "sso" },
    );
    return { ok: true as const, cookie };
  });
  if (!outcome.ok) {
    return fail(outcome.reason, { actorId: "actorId" in outcome ? outcome.actorId : null });
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", clear);
  headers.append("Set-Cookie", outcome.cookie);
  return redirect(safeRedirect(flow.redirectTo), { headers });
}

export default function SignInCallback() {
  const { message } = useLoaderData<typeof loader>();
  return <SignInProblem message={message} />;
}
