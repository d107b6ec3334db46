import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { loginSettings } from "../auth/oidc.server";
import { verifyAgainstDummy, verifyPassword } from "../auth/password.server";
import { clearLoginFailures, describeWait, reserveLoginAttempt } from "../auth/rate-limit.server";
import { startLogin } from "../auth/login-stages.server";
import { getUser } from "../auth/session.server";
import { Button, FormError, TextField } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { getUserForLogin, normaliseEmail } from "../models/user.server";
import { Link } from "../components/ui/link";
import { PasskeyButton } from "../components/passkey-button";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Log in · Noseworthy" }];

const LoginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, "Enter your email address.")
    .max(254, "That email address is too long."),
  password: z.string().min(1, "Enter your password.").max(1000, "That password is too long."),
  redirectTo: z.string().optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(context, request);
  if (user) return redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  const settings = loginSettings(context);
  return json({ sso: settings.oidc !== null, passwordLogin: settings.passwordLogin });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  // The password never goes back to the page.
  const { password: _password, ...echo } = formValues(formData);
  const parsed = parseForm(LoginSchema, formData, { echo });
  if (!parsed.ok) return parsed.response;
  const { password, redirectTo } = parsed.data;
  const email = normaliseEmail(parsed.data.email);
  const now = context.now();
  const ip = context.clientIp;
  const values = { email: parsed.data.email, redirectTo: redirectTo ?? "" };

  // Reserved before the password is checked, so concurrent attempts cannot exceed the allowance.
  const reservation = await reserveLoginAttempt(context.db, { email, ip, now });
  if (!reservation.ok) {
    await audit(context.db, {
      actorId: null,
      action: "auth.login",
      entity: "session",
      outcome: "denied",
      requestId: context.requestId,
      details: { reason: "rate_limited" },
    });
    return invalid(
      values,
      {},
      `Too many failed attempts from here. Try again in ${describeWait(reservation.retryAfterSeconds)}.`,
      {
        status: 429,
        headers: { "Retry-After": String(reservation.retryAfterSeconds) },
      },
    );
  }

  const account = await getUserForLogin(context.db, email);
  let valid = false;
  if (account) valid = await verifyPassword(account.password_hash, password);
  else await verifyAgainstDummy(password);

  // PASSWORD_LOGIN=admins: password login is the admins' way in when single sign-on fails (break-glass).
  // Everyone else is told so whatever the password, so the answer does not confirm a right password.
  if (loginSettings(context).passwordLogin === "admins") {
    const roles = account
      ? (
          await context.db
            .selectFrom("users")
            .select("roles")
            .where("id", "=", account.id)
            .executeTakeFirstOrThrow()
        ).roles
      : [];
    if (!roles.includes("admin")) {
      await audit(context.db, {
        actorId: account?.id ?? null,
        action: "auth.login",
        entity: "session",
        outcome: "denied",
        requestId: context.requestId,
        details: { method: "password", reason: "password_login_admins_only" },
      });
      return invalid(
        values,
        {},
        "Password login is for administrators only here. Use “Sign in with single sign-on”.",
        { status: 403 },
      );
    }
  }

  if (!account || !valid || account.disabled_at) {
    await audit(context.db, {
      actorId: account?.id ?? null,
      action: "auth.login",
      entity: "session",
      outcome: "failed",
      requestId: context.requestId,
      details: {
        reason: !account ? "unknown_account" : account.disabled_at ? "disabled" : "bad_password",
      },
    });
    return invalid(values, {}, "That email and password do not match an active account.");
  }

  const { cookie, location } = await context.db.transaction().execute(async (trx) => {
    const trxCtx = { ...context, db: trx };
    await clearLoginFailures(trx, { email, ip, now });
    const login = await startLogin(trxCtx, {
      userId: account.id,
      method: "password",
      userAgent: request.headers.get("user-agent"),
      redirectTo: safeRedirect(redirectTo),
    });
    await audit(trx, {
      actorId: account.id,
      action: "auth.login",
      entity: "session",
      requestId: context.requestId,
      // A login with a stage still due (a second factor, a new password, MFA set-up) is not in yet.
      ...(login.stage ? { details: { method: "password", stage: login.stage } } : {}),
    });
    return login;
  });
  return redirect(location, { headers: { "Set-Cookie": cookie } });
}

function ssoQuery(redirectTo: string | null | undefined): string {
  return redirectTo ? `?${new URLSearchParams({ redirectTo })}` : "";
}

export default function Login() {
  const { sso, passwordLogin } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const fieldErrors = result.errors;
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Log in to Noseworthy</h1>
      <p className="mt-2 text-stone-600">Growing technology leaders through human judgement.</p>
      {sso ? (
        // A link, not a form: the page's form-action 'self' would stop a form's redirect to the provider.
        <Link
          reloadDocument
          to={`/auth/oidc${ssoQuery(searchParams.get("redirectTo") || result.value("redirectTo"))}`}
          className="mt-6 block w-full rounded bg-brand-700 px-4 py-2 text-center text-sm font-medium text-white hover:bg-brand-800"
        >
          Sign in with single sign-on
        </Link>
      ) : null}
      {sso && passwordLogin === "admins" ? (
        <p className="mt-6 text-sm text-stone-600">
          Administrators can also log in with a password:
        </p>
      ) : null}
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result.formError} />
        <input
          type="hidden"
          name="redirectTo"
          value={result.value("redirectTo") || searchParams.get("redirectTo") || ""}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          defaultValue={result.value("email")}
          errors={fieldErrors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          errors={fieldErrors.password}
        />
        <Button className="w-full" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Logging in…" : "Log in"}
        </Button>
      </Form>
      <p className="mt-4 text-sm">
        <Link to="/forgot-password" className="text-brand-700 underline">
          Forgot your password?
        </Link>
      </p>
      <div className="mt-6 border-t border-stone-200 pt-6">
        <PasskeyButton
          purpose="sign_in"
          redirectTo={result.value("redirectTo") || searchParams.get("redirectTo") || ""}
        >
          Sign in with a passkey
        </PasskeyButton>
      </div>
    </div>
  );
}
