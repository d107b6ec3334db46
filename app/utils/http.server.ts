import { json, redirect } from "@remix-run/node";

export function notFound(message = "Not found"): Response {
  return json({ message }, { status: 404 });
}

export function forbidden(message = "Forbidden"): Response {
  return json({ message }, { status: 403 });
}

/** Only same-site paths: an open redirect would turn the login form into a phishing tool. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (!to || typeof to !== "string") return fallback;
  if (!to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}

export function redirectWithFlash(to: string, message: string, init?: ResponseInit): Response {
  const headers = new Headers(init?.headers);
  headers.append("Set-Cookie", flashCookie(message));
  return redirect(to, { ...init, headers });
}

const FLASH = "nw_flash";

// Read on every request (the root loader): compiled once.
const FLASH_COOKIE = new RegExp(`(?:^|;\\s*)${FLASH}=([^;]*)`);

function flashCookie(message: string): string {
  return `${FLASH}=${encodeURIComponent(message.slice(0, 300))}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60`;
}

/** Reads the one-shot message a redirect left, and the header that clears it. */
export function readFlash(request: Request): { message: string | null; clear: string | null } {
  const cookie = request.headers.get("Cookie") ?? "";
  const match = cookie.match(FLASH_COOKIE);
  if (!match) return { message: null, clear: null };
  let message: string | null = null;
  try {
    message = decodeURIComponent(match[1]);
  } catch {
    message = null;
  }
  return { message, clear: `${FLASH}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` };
}
