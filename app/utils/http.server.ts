import { json, redirect } from "@remix-run/node";
import type { TypedResponse } from "@remix-run/node";

export function notFound(message = "Not found"): Response {
  return json({ message }, { status: 404 });
}

export function forbidden(message = "Forbidden"): Response {
  return json({ message }, { status: 403 });
}

// Any origin would do: what matters is whether the target stays on it.
const HERE = new URL("http://noseworthy.invalid/");

/**
 * Only a path on this site: an open redirect would turn the login form into a phishing tool. The path
 * is judged as the browser will read it (WHATWG URL parsing drops tabs and newlines and reads "\" as
 * "/", so "/\t/evil.example" is another host), and returned as parsed: printable ASCII only.
 */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  if (typeof to !== "string" || !to.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(to, HERE);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" stays here as parsed, but its path "//evil.example" would leave as a Location.
  if (url.origin !== HERE.origin || path.startsWith("//")) return fallback;
  return path;
}

export function redirectWithFlash(
  to: string,
  message: string,
  init?: ResponseInit,
): TypedResponse<never> {
  const headers = new Headers(init?.headers);
  headers.append("Set-Cookie", flashCookie(message, 60));
  return redirect(to, { ...init, headers });
}

// Like the session cookie: __Host- and Secure in production. redirectWithFlash is called without the
// request's context, so production is told by NODE_ENV, and anything but development or test counts.
function secureFlash(): boolean {
  return process.env.NODE_ENV !== "development" && process.env.NODE_ENV !== "test";
}

// Read on every request (the root loader): compiled once.
const FLASH_COOKIES = {
  secure: /(?:^|;\s*)__Host-nw_flash=([^;]*)/,
  plain: /(?:^|;\s*)nw_flash=([^;]*)/,
};

function flashCookie(message: string, maxAge: number): string {
  const secure = secureFlash();
  return `${secure ? "__Host-" : ""}nw_flash=${encodeURIComponent(message.slice(0, 300))}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

/** Reads the one-shot message a redirect left, and the header that clears it. */
export function readFlash(request: Request): { message: string | null; clear: string | null } {
  const cookie = request.headers.get("Cookie") ?? "";
  const match = cookie.match(secureFlash() ? FLASH_COOKIES.secure : FLASH_COOKIES.plain);
  if (!match) return { message: null, clear: null };
  let message: string | null = null;
  try {
    message = decodeURIComponent(match[1]);
  } catch {
    message = null;
  }
  return { message, clear: flashCookie("", 0) };
}
