/**
 * /account/confirm?redirectTo=…: prove who you are again before a sensitive action (erasing a person,
 * changing roles, creating a SCIM token, removing a second factor). Your password, a code from your
 * authenticator app, or a passkey; a single-sign-on session signs in again through the identity
 * provider, which makes a fresh session. The confirmation lasts REAUTH_WINDOW_MS (10 minutes).
 * Guesses share the login's throttle (password) or the second factor's (codes).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { loginSettings } from "../auth/oidc.server";
import { REAUTH_WINDOW_MS, recentlyAuthenticated } from "../auth/login-stages.server";
import { clearLoginFailures, describeWait, reserveLoginAttempt } from "../auth/rate-limit.server";
import {
  clearSessionCookie,
  destroySession,
  markAuthenticated,
  requireUser,
} from "../auth/session.server";
import {
  clearSecondFactorFailures,
  hasTotp,
  reserveSecondFactorAttempt,
  verifyTotp,
} from "../auth/totp.server";
import { PasskeyButton } from "../components/passkey-button";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { audit } from "../models/audit.server";
import { normaliseEmail, passwordMatches } from "../models/user.server";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash, safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Noseworthy" }];

const MINUTES = REAUTH_WINDOW_MS / 60_000;

const ConfirmSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("password"),
      password: z
        .string({ error: "Type your password." })
        .min(1, "Type your password.")
        .max(1000, "That is not your password."),
      redirectTo: z.string().max(2000).optional(),
    }),
    z.object({
      intent: z.literal("code"),
      code: z
        .string({ error: "Type the 6-digit code from your authenticator app." })
        .trim()
        .min(1, "Type the 6-digit code from your authenticator app.")
        .max(20, "Type the 6-digit code from your authenticator app."),
      redirectTo: z.string().max(2000).optional(),
    }),
    z.object({ intent: z.literal("sso"), redirectTo: z.string().max(2000).optional() }),
  ],
  { error: "Choose a way to confirm." },
);

function target(request: Request): string {
  return safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/account");
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const [totp, passkeys] = await Promise.all([
    hasTotp(context.db, user.id),
    context.db
      .selectFrom("passkeys")
      .select("id")
      .where("user_id", "=", user.id)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return json({
    minutes: MINUTES,
    redirectTo: target(request),
    sso: user.method === "sso" && loginSettings(context).oidc !== null,
    totp,
    passkey: Boolean(passkeys),
    confirmed: recentlyAuthenticated(user, context.now()),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const formData = await request.formData();
  // A password or a code never goes back to the page: only which form it was, and where to go.
  const intent = formData.get("intent");
  const redirectTo = safeRedirect(formData.get("redirectTo"), "/account");
  const echo = { intent: typeof intent === "string" ? intent : "", redirectTo };
  const parsed = parseForm(ConfirmSchema, formData, { echo });
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const base = {
    actorId: user.id,
    action: "session.confirm",
    entity: "session",
    entityId: user.id,
    requestId: context.requestId,
  };
  const refuse = async (
    reason: string,
    field: string,
    message: string,
    init: ResponseInit = { status: 400 },
  ) => {
    await audit(context.db, {
      ...base,
      outcome: "denied",
      details: { method: input.intent, reason },
    });
    return invalid(echo, { [field]: [message] }, undefined, init);
  };
  const confirmed = async (method: "password" | "totp") => {
    const cookie = await markAuthenticated(context, user.sessionId);
    await audit(context.db, { ...base, details: { method } });
    return redirectWithFlash(
      redirectTo,
      `Confirmed: for the next ${MINUTES} minutes you can make sensitive changes without confirming again.`,
      { headers: { "Set-Cookie": cookie } },
    );
  };

  if (input.intent === "sso") {
    if (!loginSettings(context).oidc)
      return refuse("sso_not_configured", "form", "Single sign-on is not set up here.");
    // The identity provider proves who it is again and makes a fresh session; this one ends first,
    // so the provider's answer cannot be skipped by the session still being signed in.
    await destroySession(context, request);
    await audit(context.db, { ...base, details: { method: "sso", step: "sign_in_again" } });
    return redirect(`/auth/oidc?${new URLSearchParams({ redirectTo })}`, {
      headers: { "Set-Cookie": clearSessionCookie(context) },
    });
  }

  if (input.intent === "password") {
    const pair = { email: normaliseEmail(user.email), ip: context.clientIp, now: context.now() };
    const reservation = await reserveLoginAttempt(context.db, pair);
    if (!reservation.ok) {
      const wait = reservation.retryAfterSeconds;
      return refuse(
        "rate_limited",
        "password",
        `Too many wrong passwords from here. Try again in ${describeWait(wait)}.`,
        { status: 429, headers: { "Retry-After": String(wait) } },
      );
    }
    if (!(await passwordMatches(context.db, { userId: user.id, password: input.password })))
      return refuse("bad_password", "password", "That is not your password.");
    await clearLoginFailures(context.db, pair);
    return confirmed("password");
  }

  const reservation = await reserveSecondFactorAttempt(context, user.id);
  if (!reservation.ok) {
    const wait = reservation.retryAfterSeconds;
    return refuse(
      "rate_limited",
      "code",
      `Too many wrong codes from here. Try again in ${describeWait(wait)}.`,
      { status: 429, headers: { "Retry-After": String(wait) } },
    );
  }
  if (!(await verifyTotp(context, user.id, input.code)))
    return refuse(
      "bad_code",
      "code",
      "That code is not right, or it was already used. Wait for the next one and try again.",
    );
  await clearSecondFactorFailures(context, user.id);
  return confirmed("totp");
}

export default function ConfirmIdentity() {
  const { redirectTo, sso, totp, passkey, confirmed, minutes } = useLoaderData<typeof loader>();
  const password = useFormResult("password");
  const code = useFormResult("code");
  const other = useFormResult("sso");

  return (
    <div className="max-w-md">
      <h1 className="text-2xl font-semibold">Confirm it&apos;s you</h1>
      <p className="mt-1 text-sm text-stone-600">
        The change you are about to make is sensitive, so Noseworthy asks you to prove who you are
        again. It then stays open for {minutes} minutes.
      </p>
      {confirmed ? (
        <p
          role="status"
          className="mt-3 rounded border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900"
        >
          You confirmed recently: you can{" "}
          <Link to={redirectTo} className="font-medium underline">
            go back and make the change
          </Link>
          .
        </p>
      ) : null}
      <FormError message={other.formError ?? other.errors.form?.join(" ")} />

      {sso ? (
        <section className="mt-6" aria-labelledby="sso-heading">
          <h2 id="sso-heading" className="text-lg font-semibold">
            Sign in again with single sign-on
          </h2>
          <p className="mt-1 text-sm text-stone-600">
            You signed in through your identity provider: it confirms you, then brings you back.
          </p>
          <Form method="post" className="mt-3">
            <input type="hidden" name="intent" value="sso" />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <Button>Sign in again</Button>
          </Form>
        </section>
      ) : null}

      <section className="mt-6" aria-labelledby="password-heading">
        <h2 id="password-heading" className="text-lg font-semibold">
          {sso ? "Or use your Noseworthy password" : "With your password"}
        </h2>
        <Form method="post" className="mt-3 space-y-4">
          <input type="hidden" name="intent" value="password" />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          {password.failed ? <FormError message={password.summary} /> : null}
          <TextField
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            autoFocus={!sso}
            errors={password.errors.password}
          />
          <Button>Confirm with password</Button>
        </Form>
      </section>

      {totp ? (
        <section className="mt-6" aria-labelledby="code-heading">
          <h2 id="code-heading" className="text-lg font-semibold">
            Or with your authenticator app
          </h2>
          <Form method="post" className="mt-3 space-y-4">
            <input type="hidden" name="intent" value="code" />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            {code.failed ? <FormError message={code.summary} /> : null}
            <TextField
              label="6-digit code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={20}
              required
              errors={code.errors.code}
            />
            <Button>Confirm with code</Button>
          </Form>
        </section>
      ) : null}

      {passkey ? (
        <section className="mt-6" aria-labelledby="passkey-heading">
          <h2 id="passkey-heading" className="text-lg font-semibold">
            Or with a passkey
          </h2>
          <div className="mt-3">
            <PasskeyButton purpose="confirm" redirectTo={redirectTo}>
              Confirm with a passkey
            </PasskeyButton>
          </div>
        </section>
      ) : null}

      <p className="mt-8 text-sm">
        <Link to={redirectTo} className="text-brand-800 underline">
          Cancel
        </Link>
      </p>
    </div>
  );
}
