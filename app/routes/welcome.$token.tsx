import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { startLogin } from "../auth/login-stages.server";
import { loginSettings } from "../auth/oidc.server";
import { hashPassword } from "../auth/password.server";
import { NewPasswordSchema, newPasswordErrors } from "../auth/password-policy.server";
import { NewPasswordFields } from "../components/new-password-fields";
import { Button, FormError } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import {
  consumeAccountToken,
  findAccountToken,
  setOwnPassword,
} from "../models/account-token.server";
import { audit } from "../models/audit.server";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Welcome · Noseworthy" }];
// The page holds a one-time link: nothing of it is kept by a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });
const NO_STORE = { "Cache-Control": "no-store" };

export const INVITATION_GONE =
  "This invitation has expired or has been used. Ask your administrator for a new one.";

async function refuseLink(context: AppContext) {
  await audit(context.db, {
    actorId: null,
    action: "user.invitation_accept",
    entity: "user",
    outcome: "denied",
    requestId: context.requestId,
    details: { reason: "invalid_link" },
  });
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await findAccountToken(context.db, {
    token: params.token,
    purpose: "invitation",
    now: context.now(),
  });
  if (!link) {
    await refuseLink(context);
    return json(
      { link: null, sso: false, passwordLogin: true },
      { status: 404, headers: NO_STORE },
    );
  }
  const settings = loginSettings(context);
  return json(
    {
      link: { email: link.email, name: link.name },
      sso: settings.oidc !== null,
      passwordLogin: settings.passwordLogin !== "admins",
    },
    { headers: NO_STORE },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const now = context.now();
  const link = await findAccountToken(context.db, {
    token: params.token,
    purpose: "invitation",
    now,
  });
  if (!link) {
    await refuseLink(context);
    return invalid({}, {}, INVITATION_GONE, { status: 404, headers: NO_STORE });
  }
  // Where password login is for administrators only (PASSWORD_LOGIN=admins), everyone else signs in
  // with single sign-on: the invitation sets no password for them.
  if (loginSettings(context).passwordLogin === "admins") {
    const { roles } = await context.db
      .selectFrom("users")
      .select("roles")
      .where("id", "=", link.userId)
      .executeTakeFirstOrThrow();
    if (!roles.includes("admin")) {
      await audit(context.db, {
        actorId: link.userId,
        action: "user.invitation_accept",
        entity: "user",
        entityId: link.userId,
        outcome: "denied",
        requestId: context.requestId,
        details: { reason: "password_login_admins_only" },
      });
      return invalid(
        {},
        {},
        "Sign in with single sign-on: passwords are for administrators only here.",
        {
          status: 403,
        },
      );
    }
  }
  const parsed = parseForm(NewPasswordSchema, await request.formData(), { echo: {} });
  if (!parsed.ok) return parsed.response;
  const errors = newPasswordErrors(parsed.data, link);
  if (errors) return invalid({}, errors);
  const passwordHash = await hashPassword(parsed.data.password);
  const login = await context.db.transaction().execute(async (trx) => {
    if (!(await consumeAccountToken(trx, { id: link.id, now }))) return null;
    await setOwnPassword(trx, { userId: link.userId, passwordHash });
    await audit(trx, {
      actorId: link.userId,
      action: "user.invitation_accept",
      entity: "user",
      entityId: link.userId,
      requestId: context.requestId,
    });
    // The link proved the mailbox and the person chose the password: signed in, with whatever the
    // admin's policy still asks (a second factor's set-up).
    return startLogin(
      { ...context, db: trx },
      {
        userId: link.userId,
        method: "invitation",
        userAgent: request.headers.get("user-agent"),
        redirectTo: "/",
      },
    );
  });
  if (!login) {
    await refuseLink(context);
    return invalid({}, {}, INVITATION_GONE, { status: 404, headers: NO_STORE });
  }
  return redirectWithFlash(
    login.location,
    "Welcome to Noseworthy. Your password is set, and you are signed in.",
    { headers: { "Set-Cookie": login.cookie } },
  );
}

export default function Welcome() {
  const { link, sso, passwordLogin } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  if (!link || result.formError === INVITATION_GONE) {
    return (
      <div className="mx-auto max-w-sm py-8">
        <h1 className="text-2xl font-semibold">This invitation no longer works</h1>
        <p className="mt-2 text-stone-700">
          An invitation works once, for 72 hours. Ask your administrator to send a new one.
        </p>
        <p className="mt-6">
          <Link to="/login" className="text-brand-700 underline">
            Go to log in
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Welcome, {link.name}</h1>
      {sso ? (
        <>
          <p className="mt-2 text-stone-600">
            Your organisation signs in with single sign-on. Use it, and this invitation is not
            needed.
          </p>
          <Link
            reloadDocument
            to="/auth/oidc"
            className="mt-4 block w-full rounded bg-brand-700 px-4 py-2 text-center text-sm font-medium text-white hover:bg-brand-800"
          >
            Use single sign-on
          </Link>
        </>
      ) : null}
      {passwordLogin ? (
        <>
          <p className="mt-6 text-stone-600">
            {sso ? "Or choose a password" : "Choose a password"} for {link.email}.
          </p>
          <Form method="post" className="mt-4 space-y-4" noValidate>
            <FormError message={result.formError} />
            <input
              type="email"
              name="username"
              autoComplete="username"
              value={link.email}
              readOnly
              hidden
            />
            <NewPasswordFields errors={result.errors} label="Password" autoFocus={!sso} />
            <Button className="w-full" disabled={busy}>
              {busy ? "Saving…" : "Set my password and sign in"}
            </Button>
          </Form>
        </>
      ) : null}
    </div>
  );
}
