/**
 * Setting up an authenticator app (the QR code, the key to type, the code that confirms it) and
 * showing the recovery codes once: shared by /account/two-factor and the login stage
 * /login/set-up-mfa. Plain forms, so it all works without JavaScript.
 */
import { Form } from "@remix-run/react";
import type { FormResult } from "../utils/form-result";
import { Button, FormError, TextField } from "./ui/forms";

export function TotpSetupForm({
  qr,
  totpKey,
  email,
  form,
  redirectTo,
  submitLabel = "Turn on",
}: {
  /** The QR code as a data: URL (made on the server). */
  qr: string;
  /** The key in base 32, grouped for typing. */
  totpKey: string;
  email: string;
  form: FormResult;
  redirectTo?: string;
  submitLabel?: string;
}) {
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-4 pl-5 text-stone-800">
        <li>
          <p>
            Open your authenticator app (for example Microsoft Authenticator, Google Authenticator,
            1Password or Bitwarden) and add an account by scanning this QR code.
          </p>
          <img
            src={qr}
            alt="QR code to scan with your authenticator app. The same key is written out below."
            width={200}
            height={200}
            className="mt-2 rounded border border-stone-200 bg-white p-1"
          />
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer text-brand-700 underline">
              Can’t scan it? Type the key instead
            </summary>
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
              <dt className="text-stone-600">Key</dt>
              <dd>
                <code className="break-all font-mono text-base" data-testid="totp-key">
                  {totpKey}
                </code>
              </dd>
              <dt className="text-stone-600">Account</dt>
              <dd>Noseworthy ({email})</dd>
              <dt className="text-stone-600">Type</dt>
              <dd>Time-based, 6 digits, every 30 seconds</dd>
            </dl>
          </details>
        </li>
        <li>
          <p>Type the six-digit code the app now shows for Noseworthy.</p>
          <Form method="post" className="mt-2 max-w-xs space-y-3" noValidate>
            <input type="hidden" name="intent" value="confirm" />
            {redirectTo !== undefined ? (
              <input type="hidden" name="redirectTo" value={redirectTo} />
            ) : null}
            <FormError message={form.summary} />
            <TextField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={20}
              required
              errors={form.errors.code}
            />
            <Button>{submitLabel}</Button>
          </Form>
        </li>
      </ol>
    </div>
  );
}

function recoveryCodesText(codes: string[]): string {
  return [
    "Noseworthy recovery codes",
    "",
    "Each code works once, in place of a code from your authenticator app or a passkey.",
    "Keep them somewhere safe, such as a password manager. Making new codes voids these.",
    "",
    ...codes,
    "",
  ].join("\n");
}

/**
 * The recovery codes, shown once. "Download as text" is a link to a data: URL with the download
 * attribute: the browser saves the file itself, without JavaScript and without asking the server
 * again (which keeps only the codes' hashes).
 */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(recoveryCodesText(codes))}`;
  return (
    <section
      aria-labelledby="recovery-codes-heading"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4"
    >
      <h2 id="recovery-codes-heading" className="text-lg font-semibold">
        Your recovery codes
      </h2>
      <p className="mt-1 max-w-prose text-sm text-stone-800">
        If you lose your phone or passkey, each of these codes lets you log in once instead. Save
        them now, somewhere other than your phone: <strong>they will not be shown again</strong>.
      </p>
      <ol
        className="mt-3 grid max-w-md grid-cols-1 gap-1 font-mono text-base sm:grid-cols-2"
        data-testid="recovery-codes"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <a
        href={href}
        download="noseworthy-recovery-codes.txt"
        className="mt-3 inline-block text-sm font-medium text-brand-700 underline"
      >
        Download as text
      </a>
    </section>
  );
}
