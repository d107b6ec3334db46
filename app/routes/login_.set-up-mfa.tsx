/**
 * /login/set-up-mfa: the login stage for an account the admin's policy asks for a second factor
 * (app/auth/login-stages.server.ts) and which has none. Why, then an authenticator app set up right
 * here (the QR code and the key as text, confirmed with a code; the recovery codes shown once), or a
 * passkey (PasskeyRegister, which finishes the stage at /auth/passkey). The stage finishes once a
 * factor exists and the person goes on ("continue"): after an authenticator app, only once the
 * recovery codes have been shown, since the page that shows them must still load in this stage.
 * The person has just proved their first factor, so no further confirmation is asked.
 */
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { finishStage, hasSecondFactor, mfaRequiredRoles } from "../auth/login-stages.server";
import { STAGE_PATHS, requireStage } from "../auth/session.server";
import {
  confirmTotpSetup,
  hasTotp,
  normaliseTotpCode,
  pendingTotpSetup,
  qrCodeDataUrl,
} from "../auth/totp.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { PasskeyRegister } from "../components/passkey-button";
import { RecoveryCodes, TotpSetupForm } from "../components/totp-setup";
import { Button, FormError } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Set up a second factor · Noseworthy" }];

// The page shows a secret (a TOTP key, recovery codes) or takes one: never kept by a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const NO_STORE = { "Cache-Control": "no-store" };

const SetUpSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("confirm"),
      code: z
        .string()
        .trim()
        .min(1, "Type the six-digit code from your authenticator app.")
        .max(20, "A code has six digits.")
        .refine((code) => normaliseTotpCode(code) !== null, "A code has six digits."),
      redirectTo: z.string().optional(),
    }),
    z.object({ intent: z.literal("restart"), redirectTo: z.string().optional() }),
    z.object({ intent: z.literal("continue"), redirectTo: z.string().optional() }),
  ],
  { error: "Unknown action." },
);

const ROLE_NAMES: Record<string, string> = {
  admin: "administrators",
  leader: "leaders",
  manager: "managers",
  mentor: "mentors",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStage(context, request, "set_up_mfa");
  const required = await mfaRequiredRoles(context.db);
  // Once the app is confirmed (the recovery codes on screen), there is no key to show any more.
  const pending = (await hasTotp(context.db, session.id))
    ? null
    : await pendingTotpSetup(context, { userId: session.id, label: session.email });
  return json(
    {
      email: session.email,
      roles: session.roles.filter((r) => required.includes(r)).map((r) => ROLE_NAMES[r] ?? r),
      setup: pending ? { key: pending.key, qr: await qrCodeDataUrl(pending.uri) } : null,
    },
    { headers: NO_STORE },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStage(context, request, "set_up_mfa");
  const formData = await request.formData();
  const { code: _code, ...echo } = formValues(formData);
  const parsed = parseForm(SetUpSchema, formData, { echo });
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const redirectTo = safeRedirect(input.redirectTo);
  const base = {
    actorId: session.id,
    entity: "user",
    entityId: session.id,
    requestId: context.requestId,
  };

  if (input.intent === "restart") {
    await pendingTotpSetup(context, { userId: session.id, label: session.email, fresh: true });
    await audit(context.db, {
      ...base,
      action: "account.totp_restart",
      details: { stage: "set_up_mfa" },
    });
    return redirect(
      redirectTo === "/"
        ? STAGE_PATHS.set_up_mfa
        : `${STAGE_PATHS.set_up_mfa}?${new URLSearchParams({ redirectTo })}`,
    );
  }

  if (input.intent === "continue") {
    // A passkey added in another tab, say: the stage is done once any factor exists.
    if (!(await hasSecondFactor(context.db, session.id)))
      return invalid(
        echo,
        {},
        "Set up an authenticator app or a passkey first: your organisation requires one.",
      );
    const next = await finishStage(context, { session, done: "set_up_mfa", redirectTo });
    return redirect(next.location, { headers: { "Set-Cookie": next.cookie } });
  }

  if (await hasTotp(context.db, session.id))
    return invalid(echo, {}, "Your authenticator app is already set up: continue.", 409);
  const codes = await context.db.transaction().execute(async (trx) => {
    const made = await confirmTotpSetup(
      { ...context, db: trx },
      {
        userId: session.id,
        code: input.code,
      },
    );
    await audit(trx, {
      ...base,
      action: "account.totp_enable",
      ...(made
        ? { details: { stage: "set_up_mfa" } }
        : { outcome: "failed" as const, details: { stage: "set_up_mfa", reason: "bad_code" } }),
    });
    return made;
  });
  if (!codes)
    return invalid(echo, {
      code: [
        "That code does not match. Type the code the app shows now (check the phone's clock is right), or scan the QR code again.",
      ],
    });
  // Shown once; the login goes on with "continue", which finishes the stage.
  return json({ ok: true as const, codes }, { headers: NO_STORE });
}

function ContinueForm({ redirectTo, label }: { redirectTo: string; label: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="continue" />
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <Button>{label}</Button>
    </Form>
  );
}

export default function SetUpMfa() {
  const { email, roles, setup } = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const done = acted && "codes" in acted ? acted : null;
  const confirm = useFormResult("confirm");
  const proceed = useFormResult("continue");
  const [searchParams] = useSearchParams();
  const redirectTo = confirm.value("redirectTo") || searchParams.get("redirectTo") || "";

  if (done)
    return (
      <div className="mx-auto max-w-xl space-y-4 py-8">
        <h1 className="text-2xl font-semibold">Your second factor is set up</h1>
        <p role="status" className="rounded border border-green-300 bg-green-50 px-3 py-2">
          Your authenticator app is on. Each time you log in with your password, Noseworthy will
          also ask for a code from it.
        </p>
        <RecoveryCodes codes={done.codes} />
        <ContinueForm redirectTo={redirectTo} label="I have saved my recovery codes: continue" />
      </div>
    );

  return (
    <div className="mx-auto max-w-xl py-8">
      <h1 className="text-2xl font-semibold">Set up a second factor</h1>
      <p className="mt-2 text-stone-700">
        Your organisation asks {roles.length ? roles.join(" and ") : "your role"} to log in with a
        second factor as well as a password, so that a stolen password alone cannot open your
        account ({email}). Set one up now to continue; it takes a minute.
      </p>

      {setup ? (
        <section aria-labelledby="totp-heading" className="mt-6">
          <h2 id="totp-heading" className="text-lg font-semibold">
            An authenticator app on your phone
          </h2>
          <div className="mt-2 rounded-lg border border-stone-200 bg-white p-4">
            <TotpSetupForm
              qr={setup.qr}
              totpKey={setup.key}
              email={email}
              form={confirm}
              redirectTo={redirectTo}
              submitLabel="Turn on"
            />
            <Form method="post" className="mt-4">
              <input type="hidden" name="intent" value="restart" />
              <input type="hidden" name="redirectTo" value={redirectTo} />
              <Button variant="secondary">Start again with a new key</Button>
            </Form>
          </div>
        </section>
      ) : (
        <p role="status" className="mt-6 rounded border border-green-300 bg-green-50 px-3 py-2">
          Your authenticator app is set up.
        </p>
      )}

      <section aria-labelledby="passkey-heading" className="mt-6">
        <h2 id="passkey-heading" className="text-lg font-semibold">
          Or a passkey
        </h2>
        <p className="mt-1 text-sm text-stone-700">
          Your device’s fingerprint, face or PIN, or a security key.
        </p>
        <div className="mt-2 rounded-lg border border-stone-200 bg-white p-4">
          <PasskeyRegister redirectTo={redirectTo || undefined} />
        </div>
      </section>

      <div className="mt-6 space-y-2">
        <FormError message={proceed.formError} />
        <p className="text-sm text-stone-600">
          {setup ? "Added a passkey in another window?" : "Ready to go on?"}
        </p>
        <ContinueForm redirectTo={redirectTo} label="Continue" />
      </div>

      <Form method="post" action="/logout" className="mt-6">
        <button type="submit" className="text-sm text-brand-700 underline">
          Cancel and log out
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
