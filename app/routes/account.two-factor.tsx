/**
 * /account/two-factor: the signed-in person's authenticator app (TOTP) and recovery codes. Set it up
 * (a QR code and the key as text, confirmed with a code), see the recovery codes once, make new ones,
 * or remove the app. Every change to a factor waits for a confirmation of who you are within the last
 * ten minutes (ASVS 7.5.1: a stolen session must not be able to swap the second factor), and every
 * change and refusal is audited. The key and the codes are only in answers marked no-store.
 */
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { mfaRequiredRoles, recentlyAuthenticated } from "../auth/login-stages.server";
import { confirmUrl, requireRecentAuthentication } from "../auth/reauthenticate.server";
import { requireUser } from "../auth/session.server";
import {
  confirmTotpSetup,
  normaliseTotpCode,
  pendingTotpSetup,
  qrCodeDataUrl,
  removeTotp,
  replaceRecoveryCodes,
  secondFactorSummary,
} from "../auth/totp.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { ConfirmNotice } from "../components/confirm-notice";
import { RecoveryCodes, TotpSetupForm } from "../components/totp-setup";
import { ConfirmButton } from "../components/ui/confirm";
import { Button, FormError } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { audit } from "../models/audit.server";
import { formatInstant } from "../utils/dates";
import { detailOf, useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication · Noseworthy" }];

// The page shows a secret (a TOTP key, recovery codes) or takes one: never kept by a cache.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const PATH = "/account/two-factor";
const NO_STORE = { "Cache-Control": "no-store" };

const TotpCodeField = z
  .string()
  .trim()
  .min(1, "Type the six-digit code from your authenticator app.")
  .max(20, "A code has six digits.")
  .refine((code) => normaliseTotpCode(code) !== null, "A code has six digits.");

const TwoFactorSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("confirm"), code: TotpCodeField }),
    z.object({ intent: z.literal("restart") }),
    z.object({ intent: z.literal("regenerate") }),
    z.object({ intent: z.literal("remove") }),
  ],
  { error: "Unknown action." },
);

const AUDIT_ACTIONS = {
  confirm: "account.totp_enable",
  restart: "account.totp_restart",
  regenerate: "account.recovery_codes_regenerate",
  remove: "account.totp_remove",
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const summary = await secondFactorSummary(context.db, user.id);
  const recent = recentlyAuthenticated(user, context.now());
  const required = (await mfaRequiredRoles(context.db)).some((r) => user.roles.includes(r));
  // The key is shown only to a session that proved who it is lately, and only until it is confirmed.
  let setup: { key: string; qr: string } | null = null;
  if (!summary.totpEnabledAt && recent) {
    const pending = await pendingTotpSetup(context, { userId: user.id, label: user.email });
    setup = { key: pending.key, qr: await qrCodeDataUrl(pending.uri) };
  }
  return json(
    {
      email: user.email,
      sso: user.method === "sso",
      required,
      recent,
      confirmUrl: confirmUrl(PATH),
      totpEnabledAt: summary.totpEnabledAt,
      passkeys: summary.passkeys,
      unusedRecoveryCodes: summary.unusedRecoveryCodes,
      setup,
    },
    { headers: NO_STORE },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const formData = await request.formData();
  // A code is never sent back to the page.
  const { code: _code, ...echo } = formValues(formData);
  const parsed = parseForm(TwoFactorSchema, formData, { echo });
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const auditAction = AUDIT_ACTIONS[input.intent];
  const base = {
    actorId: user.id,
    entity: "user",
    entityId: user.id,
    requestId: context.requestId,
  };
  const gate = await requireRecentAuthentication(context, {
    user,
    action: auditAction,
    entity: "user",
    entityId: user.id,
    values: echo,
    redirectTo: PATH,
  });
  if (gate) return gate;
  const summary = await secondFactorSummary(context.db, user.id);

  switch (input.intent) {
    case "confirm": {
      if (summary.totpEnabledAt)
        return invalid(echo, {}, "Your authenticator app is already set up.", 409);
      const codes = await context.db.transaction().execute(async (trx) => {
        const made = await confirmTotpSetup(
          { ...context, db: trx },
          {
            userId: user.id,
            code: input.code,
          },
        );
        await audit(trx, {
          ...base,
          action: auditAction,
          ...(made ? {} : { outcome: "failed" as const, details: { reason: "bad_code" } }),
        });
        return made;
      });
      if (!codes)
        return invalid(echo, {
          code: [
            "That code does not match. Type the code the app shows now (check the phone's clock is right), or scan the QR code again.",
          ],
        });
      return json({ ok: true as const, done: "enabled" as const, codes }, { headers: NO_STORE });
    }
    case "restart": {
      if (summary.totpEnabledAt)
        return invalid(echo, {}, "Your authenticator app is already set up.", 409);
      await pendingTotpSetup(context, { userId: user.id, label: user.email, fresh: true });
      await audit(context.db, { ...base, action: auditAction });
      return redirectWithFlash(
        PATH,
        "A new key is ready: scan the new QR code. The old one no longer works.",
      );
    }
    case "regenerate": {
      if (!summary.totpEnabledAt && summary.passkeys === 0)
        return invalid(
          echo,
          {},
          "Set up an authenticator app or a passkey first: recovery codes stand in for one.",
        );
      const codes = await context.db.transaction().execute(async (trx) => {
        const made = await replaceRecoveryCodes({ db: trx }, user.id);
        await audit(trx, { ...base, action: auditAction });
        return made;
      });
      return json(
        { ok: true as const, done: "regenerated" as const, codes },
        { headers: NO_STORE },
      );
    }
    case "remove": {
      if (!summary.totpEnabledAt)
        return redirectWithFlash(PATH, "There is no authenticator app on your account.");
      await context.db.transaction().execute(async (trx) => {
        await removeTotp({ db: trx }, user.id);
        await audit(trx, { ...base, action: auditAction });
      });
      return redirectWithFlash(
        PATH,
        summary.passkeys
          ? "Authenticator app removed. Your passkeys remain your second factor."
          : "Authenticator app removed, and your recovery codes with it.",
      );
    }
  }
}

export default function TwoFactor() {
  const data = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const done = acted && "done" in acted ? acted : null;
  const confirm = useFormResult("confirm");
  const regenerate = useFormResult("regenerate");
  const remove = useFormResult("remove");
  const restart = useFormResult("restart");
  // The set-up form shows its own refusals; a refusal for want of a confirmation shows as the notice.
  const gated = detailOf(acted, "confirmUrl") !== undefined;
  const refusal = [regenerate, remove, restart].find((f) => f.formError);

  return (
    <div className="max-w-3xl">
      <p className="text-sm">
        <Link to="/account" className="text-brand-700 underline">
          Your account
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Two-factor authentication</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        A second factor means someone who learns your password still cannot log in: they would also
        need your phone (an authenticator app) or your passkey.
      </p>
      {data.sso ? (
        <p className="mt-2 max-w-prose text-sm text-stone-600">
          You signed in with single sign-on, where your organisation’s own two-factor rules apply.
          What you set up here protects logins with your Noseworthy password.
        </p>
      ) : null}
      {data.required && !data.totpEnabledAt && data.passkeys === 0 ? (
        <p className="mt-2 max-w-prose rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Your organisation asks people in your role to use a second factor. You will be asked to
          set one up at your next login if you have none.
        </p>
      ) : null}

      {done ? (
        <div className="mt-4 space-y-3">
          <p role="status" className="rounded border border-green-300 bg-green-50 px-3 py-2">
            {done.done === "enabled"
              ? "Your authenticator app is on. From now on, logging in with your password also asks for a code from it."
              : "New recovery codes made. The old ones no longer work."}
          </p>
          <RecoveryCodes codes={done.codes} />
          <p className="text-sm text-stone-700">
            If someone else might be signed in as you,{" "}
            <Link to="/account" className="text-brand-700 underline">
              end your other sessions
            </Link>
            .
          </p>
        </div>
      ) : null}

      {gated ? null : <FormError message={refusal?.formError} />}

      {!data.recent || gated ? (
        <div role={gated ? "alert" : undefined} className="mt-4">
          <ConfirmNotice
            confirmUrl={data.confirmUrl}
            what="Setting up, changing or removing a second factor"
          />
        </div>
      ) : null}

      <section aria-labelledby="totp-heading" className="mt-6">
        <h2 id="totp-heading" className="text-lg font-semibold">
          Authenticator app
        </h2>
        {data.totpEnabledAt ? (
          <div className="mt-2 rounded-lg border border-stone-200 bg-white p-4 text-sm">
            <p>On since {formatInstant(data.totpEnabledAt, "—")}.</p>
            {data.recent ? (
              <Form method="post" className="mt-3">
                <input type="hidden" name="intent" value="remove" />
                <ConfirmButton
                  label="Remove the authenticator app"
                  confirmLabel="Yes, remove it"
                  question={
                    data.passkeys
                      ? "Logging in will no longer accept codes from this app. Your passkeys stay."
                      : "Logging in will ask only for your password, and your recovery codes stop working."
                  }
                />
              </Form>
            ) : null}
          </div>
        ) : data.setup && !done ? (
          <div className="mt-2 rounded-lg border border-stone-200 bg-white p-4">
            <TotpSetupForm
              qr={data.setup.qr}
              totpKey={data.setup.key}
              email={data.email}
              form={confirm}
            />
            <Form method="post" className="mt-4">
              <input type="hidden" name="intent" value="restart" />
              <Button variant="secondary">Start again with a new key</Button>
            </Form>
          </div>
        ) : !done ? (
          <p className="mt-2 rounded-lg border border-dashed border-stone-300 bg-white p-4 text-stone-700">
            No authenticator app is set up.
          </p>
        ) : null}
      </section>

      <section aria-labelledby="passkeys-heading" className="mt-6">
        <h2 id="passkeys-heading" className="text-lg font-semibold">
          Passkeys
        </h2>
        <p className="mt-2 text-sm">
          {data.passkeys === 0
            ? "You have no passkey. "
            : data.passkeys === 1
              ? "You have one passkey. "
              : `You have ${data.passkeys} passkeys. `}
          <Link to="/account/passkeys" className="text-brand-700 underline">
            Manage passkeys
          </Link>
        </p>
      </section>

      <section aria-labelledby="recovery-heading" className="mt-6">
        <h2 id="recovery-heading" className="text-lg font-semibold">
          Recovery codes
        </h2>
        {data.totpEnabledAt || data.passkeys ? (
          <div className="mt-2 text-sm">
            <p>
              {data.unusedRecoveryCodes === 0
                ? "You have no unused recovery codes. Make some, so losing your phone or passkey does not lock you out."
                : data.unusedRecoveryCodes === 1
                  ? "One of your recovery codes is unused. Make new ones before it runs out."
                  : `${data.unusedRecoveryCodes} of your recovery codes are unused.`}
            </p>
            {data.recent ? (
              <Form method="post" className="mt-3">
                <input type="hidden" name="intent" value="regenerate" />
                {data.unusedRecoveryCodes ? (
                  <ConfirmButton
                    variant="secondary"
                    label="Make new recovery codes"
                    confirmLabel="Yes, make new codes"
                    question="Your current recovery codes will stop working."
                  />
                ) : (
                  <Button variant="secondary">Make recovery codes</Button>
                )}
              </Form>
            ) : null}
          </div>
        ) : (
          <p className="mt-2 text-sm text-stone-700">
            Recovery codes come with a second factor: set one up first.
          </p>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
