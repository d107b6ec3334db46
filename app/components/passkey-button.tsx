/**
 * The browser side of a passkey ceremony (WebAuthn through @simplewebauthn/browser). The server side
 * is the resource route /auth/passkey (app/routes/auth.passkey.tsx): one form POST for the options (it
 * sets an HttpOnly cookie naming the single-use challenge), one POST for the verification, which
 * answers with the location to go to next. A passkey cannot work without JavaScript: the page then
 * says so, and its other way in (a password, a code) remains.
 */
import { useEffect, useId, useState, type ReactNode } from "react";
import { Button } from "./ui/forms";

export type PasskeyPurpose = "sign_in" | "second_factor" | "confirm";

export const PASSKEY_ENDPOINT = "/auth/passkey";

type Answer = { location?: string; error?: string; options?: unknown };

// The server takes forms only (app/utils/request-limits.server.ts), so the ceremony's JSON travels as a
// urlencoded field.
async function post(fields: Record<string, unknown>): Promise<{ status: number; answer: Answer }> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    body.set(key, typeof value === "string" ? value : JSON.stringify(value));
  const response = await fetch(PASSKEY_ENDPOINT, {
    method: "POST",
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    body,
  });
  let answer: Answer = {};
  try {
    answer = (await response.json()) as Answer;
  } catch {
    answer = {};
  }
  return { status: response.status, answer };
}

/** Why a ceremony stopped, in words for the person (the browser's own errors are technical). */
function describeFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError")
    return "The passkey request was cancelled or timed out. Try again.";
  if (name === "InvalidStateError") return "This device already holds a passkey for your account.";
  if (name === "SecurityError") return "This site's address cannot be used with passkeys.";
  return "The passkey did not work. Try again, or use another way.";
}

/** Whether the page has been hydrated and this browser can do WebAuthn at all. */
function useWebAuthnSupport(): "server" | "yes" | "no" {
  const [support, setSupport] = useState<"server" | "yes" | "no">("server");
  useEffect(() => {
    let live = true;
    void import("@simplewebauthn/browser").then(({ browserSupportsWebAuthn }) => {
      if (live) setSupport(browserSupportsWebAuthn() ? "yes" : "no");
    });
    return () => {
      live = false;
    };
  }, []);
  return support;
}

function NeedsJavaScript({ other }: { other: string }) {
  return (
    <noscript>
      <p className="text-sm text-stone-600">
        A passkey needs JavaScript, which is off in this browser. {other}
      </p>
    </noscript>
  );
}

function Unsupported({ other }: { other: string }) {
  return <p className="text-sm text-stone-600">This browser cannot use passkeys. {other}</p>;
}

const OTHER_WAY: Record<PasskeyPurpose, string> = {
  sign_in: "You can log in with your email and password instead.",
  second_factor: "You can use a code from your authenticator app or a recovery code instead.",
  confirm: "You can confirm with your password instead.",
};

/**
 * Signs in, proves the second factor, or confirms who you are with a passkey, then goes where the
 * server says (the page asked for, the next login stage, or `redirectTo`).
 */
export function PasskeyButton({
  purpose,
  redirectTo,
  children,
}: {
  purpose: PasskeyPurpose;
  redirectTo?: string;
  children?: ReactNode;
}) {
  const support = useWebAuthnSupport();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { startAuthentication } = await import("@simplewebauthn/browser");
      const begun = await post({ step: "options", purpose, redirectTo: redirectTo ?? "" });
      if (begun.status !== 200 || !begun.answer.options) {
        setError(begun.answer.error ?? "Passkeys are not available right now.");
        return;
      }
      const response = await startAuthentication({
        optionsJSON: begun.answer.options as Parameters<
          typeof startAuthentication
        >[0]["optionsJSON"],
      });
      const done = await post({
        step: "verify",
        purpose,
        redirectTo: redirectTo ?? "",
        response,
      });
      if (done.status === 200 && done.answer.location) {
        window.location.assign(done.answer.location);
        return;
      }
      setError(done.answer.error ?? "That passkey was not accepted.");
    } catch (e) {
      setError(describeFailure(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-2">
      <NeedsJavaScript other={OTHER_WAY[purpose]} />
      {support === "no" ? (
        <Unsupported other={OTHER_WAY[purpose]} />
      ) : (
        <Button
          type="button"
          variant="secondary"
          className="w-full"
          disabled={support !== "yes" || busy}
          aria-describedby={error ? errorId : undefined}
          onClick={() => void run()}
        >
          {busy ? "Waiting for your passkey…" : (children ?? "Use a passkey")}
        </Button>
      )}
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Adds a passkey to the signed-in account (or to the account setting up its second factor at login),
 * then goes where the server says: `redirectTo`, or the next login stage.
 */
export function PasskeyRegister({ redirectTo }: { redirectTo?: string }) {
  const support = useWebAuthnSupport();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const inputId = useId();
  const errorId = useId();
  const hintId = useId();
  const other = "You can set up an authenticator app instead, which works without JavaScript.";

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const { startRegistration } = await import("@simplewebauthn/browser");
      const begun = await post({
        step: "options",
        purpose: "register",
        redirectTo: redirectTo ?? "",
      });
      if (begun.status !== 200 || !begun.answer.options) {
        setError(begun.answer.error ?? "Passkeys are not available right now.");
        return;
      }
      const response = await startRegistration({
        optionsJSON: begun.answer.options as Parameters<typeof startRegistration>[0]["optionsJSON"],
      });
      const done = await post({
        step: "verify",
        purpose: "register",
        redirectTo: redirectTo ?? "",
        name,
        response,
      });
      if (done.status === 200 && done.answer.location) {
        window.location.assign(done.answer.location);
        return;
      }
      setError(done.answer.error ?? "That passkey could not be added.");
    } catch (e) {
      setError(describeFailure(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <NeedsJavaScript other={other} />
      {support === "no" ? (
        <Unsupported other={other} />
      ) : (
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            void run();
          }}
        >
          <div>
            <label htmlFor={inputId} className="block text-sm font-medium text-stone-800">
              Name this passkey (optional)
            </label>
            <p id={hintId} className="text-sm text-stone-600">
              So you can tell it apart later, e.g. “Work laptop” or “Phone”.
            </p>
            <input
              id={inputId}
              name="name"
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-describedby={[hintId, error ? errorId : null].filter(Boolean).join(" ")}
              className="mt-1 block w-full rounded border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-brand-600"
            />
          </div>
          <Button disabled={support !== "yes" || busy}>
            {busy ? "Waiting for your passkey…" : "Add a passkey"}
          </Button>
        </form>
      )}
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
