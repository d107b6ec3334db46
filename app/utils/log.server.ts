import { inspect } from "node:util";

// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the backslash (so that an
// escape in the output always means an escape was made).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

/** Text that stays on its line of the log whatever it holds: nothing a client sends can forge an entry. */
export function escapeForLog(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return (
      NAMED[c] ??
      (code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`)
    );
  });
}

/**
 * A request path as the log may keep it: a path that carries a secret (a one-time account link's
 * token, a calendar feed's token) keeps its shape without the secret.
 */
export function pathForLog(path: string): string {
  return path
    .replace(/^\/(welcome|reset-password)\/[^/]+/, "/$1/…")
    .replace(/^\/calendar\/[^/]+\.ics$/, "/calendar/….ics");
}

/** An error as one log line: its stack (or message), escaped. */
export function errorForLog(error: unknown): string {
  const text =
    error instanceof Error
      ? (error.stack ?? error.message)
      : typeof error === "string"
        ? error
        : inspect(error);
  return escapeForLog(text);
}
