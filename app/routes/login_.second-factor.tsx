/**
 * /login/second-factor: the login stage after a right password on an account with a second factor.
 * A code from the authenticator app, a recovery code, or a passkey (PasskeyButton, which finishes the
 * stage at /auth/passkey). Guesses are throttled per (account, address) with the login's own growing
 * delays, under a key of their own (reserveSecondFactorAttempt); the staged session itself lasts
 * fifteen minutes. A code is never sent back to the page, and every attempt is audited without it.
 */
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { finishStage } from "../auth/login-stages.server";
import { describeWait } from "../auth/rate-limit.server";
import { requireStage } from "../auth/session.server";
import {
  clearSecondFactorFailures,
  consumeRecoveryCode,
  reserveSecondFactorAttempt,
  secondFactorSummary,
  verifyTotp,
} from "../auth/totp.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { PasskeyButton } from "../components/passkey-button";
import { Button, FormError, TextField } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash, safeRedirect } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Second factor · Noseworthy" }];

// The page shows a secret (a TOTP key, recovery codes) or takes one: never kept by a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const CodeSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("totp"),
      code: z
        .string()
        .trim()
        .min(1, "Type the six-digit code from your authenticator app.")
        .max(20, "A code has six digits."),
      redirectTo: z.string().optional(),
    }),
    z.object({
      intent: z.literal("recovery"),
      code: z
        .string()
        .trim()
        .min(1, "Type one of your recovery codes.")
        .max(100, "A recovery code has 24 letters and digits."),
      redirectTo: z.string().optional(),
    }),
  ],
  { error: "Unknown action." },
);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStage(context, request, "second_factor");
  const summary = await secondFactorSummary(context.db, session.id);
  return json({
    email: session.email,
    totp: summary.totpEnabledAt !== null,
    passkey: summary.passkeys > 0,
    recovery: summary.unusedRecoveryCodes > 0,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStage(context, request, "second_factor");
  const formData = await request.formData();
  const { code: _code, ...echo } = formValues(formData);
  const parsed = parseForm(CodeSchema, formData, { echo });
  if (!parsed.ok) return parsed.response;
  const { intent, code } = parsed.data;
  const redirectTo = safeRedirect(parsed.data.redirectTo);
  const factor = intent === "totp" ? "totp" : "recovery_code";
  const base = {
    actorId: session.id,
    action: "auth.second_factor",
    entity: "session",
    requestId: context.requestId,
  };

  const reservation = await reserveSecondFactorAttempt(context, session.id);
  if (!reservation.ok) {
    await audit(context.db, {
      ...base,
      outcome: "denied",
      details: { factor, reason: "rate_limited" },
    });
    return invalid(
      echo,
      {},
      `Too many wrong codes. Try again in ${describeWait(reservation.retryAfterSeconds)}.`,
      { status: 429, headers: { "Retry-After": String(reservation.retryAfterSeconds) } },
    );
  }

  const accepted =
    intent === "totp"
      ? await verifyTotp(context, session.id, code)
      : await consumeRecoveryCode(context, session.id, code);
  if (!accepted) {
    await audit(context.db, {
      ...base,
      outcome: "failed",
      details: { factor, reason: "bad_code" },
    });
    return invalid(
      echo,
      {
        code: [
          intent === "totp"
            ? "That code is not right, or was already used. Wait for the next code and try again."
            : "That is not an unused recovery code of your account.",
        ],
      },
      "That code was not accepted: you are not logged in yet.",
    );
  }

  const next = await context.db.transaction().execute(async (trx) => {
    const trxCtx = { ...context, db: trx };
    await clearSecondFactorFailures(trxCtx, session.id);
    const done = await finishStage(trxCtx, { session, done: "second_factor", redirectTo });
    await audit(trx, {
      ...base,
      details: { factor, ...(done.stage ? { stage: done.stage } : {}) },
    });
    return done;
  });
  if (intent === "recovery") {
    const left = (await secondFactorSummary(context.db, session.id)).unusedRecoveryCodes;
    return redirectWithFlash(
      next.location,
      left === 0
        ? "You used your last recovery code. Make new ones now in Your account → Two-factor authentication."
        : `You used a recovery code: it will not work again. ${left} ${left === 1 ? "is" : "are"} left.`,
      { headers: { "Set-Cookie": next.cookie } },
    );
  }
  return redirect(next.location, { headers: { "Set-Cookie": next.cookie } });
}

export default function SecondFactor() {
  const { email, totp, passkey, recovery } = useLoaderData<typeof loader>();
  const totpForm = useFormResult("totp");
  const recoveryForm = useFormResult("recovery");
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const busy = navigation.state === "submitting";
  const redirectTo =
    totpForm.value("redirectTo") ||
    recoveryForm.value("redirectTo") ||
    searchParams.get("redirectTo") ||
    "";
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Confirm it’s you</h1>
      <p className="mt-2 text-stone-600">
        Your password was right. Your account ({email}) also has a second factor: use it to finish
        logging in.
      </p>

      {totp ? (
        <Form method="post" className="mt-6 space-y-4" noValidate>
          <input type="hidden" name="intent" value="totp" />
          <RedirectField value={redirectTo} />
          <FormError message={totpForm.formError} />
          <TextField
            label="Code from your authenticator app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={20}
            required
            autoFocus
            errors={totpForm.errors.code}
          />
          <Button className="w-full" disabled={busy}>
            Continue
          </Button>
        </Form>
      ) : null}

      {passkey ? (
        <div className="mt-6">
          <PasskeyButton purpose="second_factor" redirectTo={redirectTo || undefined}>
            Use a passkey
          </PasskeyButton>
        </div>
      ) : null}

      {recovery ? (
        <details className="mt-6" open={recoveryForm.failed || !totp}>
          <summary className="cursor-pointer text-sm text-brand-700 underline">
            Lost your phone or passkey? Use a recovery code
          </summary>
          <Form method="post" className="mt-3 space-y-4" noValidate>
            <input type="hidden" name="intent" value="recovery" />
            <RedirectField value={redirectTo} />
            <FormError message={recoveryForm.formError} />
            <TextField
              label="Recovery code"
              name="code"
              autoComplete="off"
              spellCheck={false}
              maxLength={100}
              required
              hint="Each code works once."
              errors={recoveryForm.errors.code}
            />
            <Button variant="secondary" className="w-full" disabled={busy}>
              Use this recovery code
            </Button>
          </Form>
        </details>
      ) : null}

      <p className="mt-8 text-sm text-stone-600">
        No way to confirm? Ask an administrator to reset your account.
      </p>
      <Form method="post" action="/logout" className="mt-2">
        <button type="submit" className="text-sm text-brand-700 underline">
          Cancel and log out
        </button>
      </Form>
    </div>
  );
}

function RedirectField({ value }: { value: string }) {
  return <input type="hidden" name="redirectTo" value={value} />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
