import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { finishStage } from "../auth/login-stages.server";
import { hashPassword, verifyPassword } from "../auth/password.server";
import { NewPasswordSchema, newPasswordErrors } from "../auth/password-policy.server";
import { requireStage } from "../auth/session.server";
import { NewPasswordFields } from "../components/new-password-fields";
import { Button, FormError } from "../components/ui/forms";
import { setOwnPassword } from "../models/account-token.server";
import { audit } from "../models/audit.server";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash, safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Choose your password · Noseworthy" }];
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

/**
 * The change_password stage: the password this login used was set by an administrator, so it is
 * theirs too. The person chooses their own before anything else opens (ASVS 6.4.1).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStage(context, request, "change_password");
  return json({ email: session.email }, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStage(context, request, "change_password");
  const formData = await request.formData();
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  const parsed = parseForm(NewPasswordSchema, formData, { echo: {} });
  if (!parsed.ok) return parsed.response;
  const errors = newPasswordErrors(parsed.data, session);
  if (errors) return invalid({}, errors);
  const current = await context.db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", session.id)
    .executeTakeFirstOrThrow();
  if (await verifyPassword(current.password_hash, parsed.data.password)) {
    await audit(context.db, {
      actorId: session.id,
      action: "user.password_change",
      entity: "user",
      entityId: session.id,
      outcome: "denied",
      requestId: context.requestId,
      details: { via: "first_login", reason: "same_as_temporary" },
    });
    return invalid({}, { password: ["That is the temporary password. Choose one of your own."] });
  }
  const passwordHash = await hashPassword(parsed.data.password);
  const next = await context.db.transaction().execute(async (trx) => {
    // Whoever knew the temporary password loses any session it opened elsewhere.
    await setOwnPassword(trx, { userId: session.id, passwordHash, keepSession: session.sessionId });
    await audit(trx, {
      actorId: session.id,
      action: "user.password_change",
      entity: "user",
      entityId: session.id,
      requestId: context.requestId,
      details: { via: "first_login" },
    });
    return finishStage({ ...context, db: trx }, { session, done: "change_password", redirectTo });
  });
  return redirectWithFlash(next.location, "Your password is changed.", {
    headers: { "Set-Cookie": next.cookie },
  });
}

export default function NewPassword() {
  const { email } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const busy = navigation.state === "submitting";
  const query = searchParams.toString();
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Choose your own password</h1>
      <p className="mt-2 text-stone-600">
        An administrator set the password you logged in with, so it is not yours alone. Choose a new
        one to continue.
      </p>
      <Form
        method="post"
        action={`/login/new-password${query ? `?${query}` : ""}`}
        className="mt-6 space-y-4"
        noValidate
      >
        <FormError message={result.formError} />
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <NewPasswordFields errors={result.errors} autoFocus />
        <Button className="w-full" disabled={busy}>
          {busy ? "Saving…" : "Save and continue"}
        </Button>
      </Form>
      <Form method="post" action="/logout" className="mt-6">
        <button type="submit" className="text-sm text-brand-700 underline">
          Log out instead
        </button>
      </Form>
    </div>
  );
}
