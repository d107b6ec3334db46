import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
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

export const meta: MetaFunction = () => [{ title: "Choose a new password · Noseworthy" }];
// The page holds a one-time link: nothing of it is kept by a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });
const NO_STORE = { "Cache-Control": "no-store" };

export const LINK_GONE = "This link has expired or has been used. Ask for a new one.";

async function refuseLink(context: AppContext) {
  await audit(context.db, {
    actorId: null,
    action: "user.password_reset",
    entity: "user",
    outcome: "denied",
    requestId: context.requestId,
    details: { via: "link", reason: "invalid_link" },
  });
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await findAccountToken(context.db, {
    token: params.token,
    purpose: "reset",
    now: context.now(),
  });
  if (!link) {
    await refuseLink(context);
    return json({ link: null }, { status: 404, headers: NO_STORE });
  }
  return json({ link: { email: link.email } }, { headers: NO_STORE });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const now = context.now();
  const link = await findAccountToken(context.db, { token: params.token, purpose: "reset", now });
  if (!link) {
    await refuseLink(context);
    return invalid({}, {}, LINK_GONE, { status: 404, headers: NO_STORE });
  }
  // The passwords never go back into the page.
  const parsed = parseForm(NewPasswordSchema, await request.formData(), { echo: {} });
  if (!parsed.ok) return parsed.response;
  const errors = newPasswordErrors(parsed.data, link);
  if (errors) return invalid({}, errors);
  const passwordHash = await hashPassword(parsed.data.password);
  const done = await context.db.transaction().execute(async (trx) => {
    // Two submissions of one link at once: one sets the password, the other finds it used.
    if (!(await consumeAccountToken(trx, { id: link.id, now }))) return false;
    await setOwnPassword(trx, { userId: link.userId, passwordHash });
    await audit(trx, {
      actorId: link.userId,
      action: "user.password_reset",
      entity: "user",
      entityId: link.userId,
      requestId: context.requestId,
      details: { via: "link", sessionsEnded: true },
    });
    return true;
  });
  if (!done) {
    await refuseLink(context);
    return invalid({}, {}, LINK_GONE, { status: 404, headers: NO_STORE });
  }
  return redirectWithFlash(
    "/login",
    "Your password is changed, and every session of your account has ended. Log in with the new password.",
  );
}

export default function ResetPassword() {
  const { link } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  if (!link || result.formError === LINK_GONE) {
    return (
      <div className="mx-auto max-w-sm py-8">
        <h1 className="text-2xl font-semibold">This link no longer works</h1>
        <p className="mt-2 text-stone-700">
          A password reset link works once, for 30 minutes, and only the newest one sent to you.
        </p>
        <p className="mt-6">
          <Link to="/forgot-password" className="text-brand-700 underline">
            Ask for a new link
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Choose a new password</h1>
      <p className="mt-2 text-stone-600">
        For {link.email}. Every session of your account ends when you save it.
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result.formError} />
        {/* For password managers: which account this password is for. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={link.email}
          readOnly
          hidden
        />
        <NewPasswordFields errors={result.errors} autoFocus />
        <Button className="w-full" disabled={busy}>
          {busy ? "Saving…" : "Save the new password"}
        </Button>
      </Form>
    </div>
  );
}
