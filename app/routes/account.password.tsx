/**
 * /account/password: change your own password. The current one is required (and throttled like a
 * login), the new one follows the password rules (app/auth/password-policy.server.ts), and every
 * other session of the account ends. Audited without either password.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { z } from "zod";
import { hashPassword } from "../auth/password.server";
import { NewPasswordSchema, newPasswordErrors } from "../auth/password-policy.server";
import { clearLoginFailures, describeWait, reserveLoginAttempt } from "../auth/rate-limit.server";
import { requireUser } from "../auth/session.server";
import { NewPasswordFields } from "../components/new-password-fields";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { changeOwnPassword } from "../models/account.server";
import { audit } from "../models/audit.server";
import { normaliseEmail, passwordMatches } from "../models/user.server";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Change your password · Noseworthy" }];

const ChangePasswordSchema = NewPasswordSchema.extend({
  currentPassword: z
    .string({ error: "Type your current password." })
    .min(1, "Type your current password.")
    .max(1000, "That is not your current password."),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(context, request);
  return json({}, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  // Nothing typed here goes back to the page: every field is a password.
  const parsed = parseForm(ChangePasswordSchema, await request.formData(), { echo: {} });
  if (!parsed.ok) return parsed.response;
  const { currentPassword, password, confirm } = parsed.data;
  const refuse = async (
    reason: string,
    fieldErrors: Record<string, string[]>,
    init: ResponseInit,
  ) => {
    await audit(context.db, {
      actorId: user.id,
      action: "user.password_change",
      entity: "user",
      entityId: user.id,
      outcome: "denied",
      requestId: context.requestId,
      details: { reason },
    });
    return invalid({}, fieldErrors, undefined, init);
  };

  // The same allowance and growing delays as a login for this (account, address): a session left
  // open is not a way to guess the password without limit.
  const pair = { email: normaliseEmail(user.email), ip: context.clientIp, now: context.now() };
  const reservation = await reserveLoginAttempt(context.db, pair);
  if (!reservation.ok) {
    const wait = reservation.retryAfterSeconds;
    return refuse(
      "rate_limited",
      {
        currentPassword: [
          `Too many wrong passwords from here. Try again in ${describeWait(wait)}.`,
        ],
      },
      { status: 429, headers: { "Retry-After": String(wait) } },
    );
  }
  if (!(await passwordMatches(context.db, { userId: user.id, password: currentPassword })))
    return refuse(
      "wrong_current_password",
      { currentPassword: ["That is not your current password."] },
      { status: 400 },
    );
  await clearLoginFailures(context.db, pair);

  const problems = newPasswordErrors({ password, confirm }, { email: user.email, name: user.name });
  if (problems) return refuse("weak_password", problems, { status: 400 });
  if (currentPassword === password)
    return refuse(
      "same_password",
      { password: ["That is your current password: choose a new one."] },
      { status: 400 },
    );

  const passwordHash = await hashPassword(password);
  const ended = await context.db.transaction().execute(async (trx) => {
    const count = await changeOwnPassword(trx, {
      userId: user.id,
      passwordHash,
      keepSessionId: user.sessionId,
      now: context.now(),
    });
    await audit(trx, {
      actorId: user.id,
      action: "user.password_change",
      entity: "user",
      entityId: user.id,
      requestId: context.requestId,
      details: { otherSessionsEnded: count },
    });
    return count;
  });
  return redirectWithFlash(
    "/account",
    ended
      ? `Password changed. Your other sessions (${ended}) have been signed out.`
      : "Password changed.",
  );
}

export default function ChangePassword() {
  const form = useFormResult();
  return (
    <div className="max-w-md">
      <h1 className="text-2xl font-semibold">Change your password</h1>
      <p className="mt-1 text-sm text-stone-600">
        Every other device signed in to your account is signed out. This one stays signed in.
      </p>
      <Form method="post" className="mt-4 space-y-4">
        {form.failed ? <FormError message={form.summary} /> : null}
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          errors={form.errors.currentPassword}
        />
        <NewPasswordFields errors={form.errors} />
        <div className="flex items-center gap-4">
          <Button>Change password</Button>
          <Link to="/account" className="text-sm text-brand-800 underline">
            Cancel
          </Link>
        </div>
      </Form>
      <p className="mt-6 text-sm text-stone-600">
        Forgot your current password? Log out and use{" "}
        <Link to="/forgot-password" className="text-brand-800 underline">
          Forgot your password?
        </Link>{" "}
        on the login page.
      </p>
    </div>
  );
}
