import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing request is refused when the browser says it came from elsewhere: a foreign
 * Sec-Fetch-Site, or an Origin whose host is not ours.
 */
export function isCrossOriginWrite(method: string, headers: IncomingHttpHeaders): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const site = headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}

export function securityHeaders(nonce: string, { dev }: { dev: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    // The legacy XSS auditor is off on purpose (it could be abused to blank pages); the CSP protects instead.
    "X-XSS-Protection": "0",
  };
  // Browsers ignore HSTS over plain HTTP, so it is harmless on localhost and binding behind TLS.
  if (!dev) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws://localhost:24678" : ""}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  // Vite's dev server injects inline styles and scripts without nonces: report only, in development.
  headers[dev ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy"] = csp;
  return headers;
}

/** True when a request target carries U+0000, raw or percent-encoded. */
export function hasNulInUrl(url: string): boolean {
  return url.includes("\u0000") || /%00/.test(url);
}

/**
 * What is stored of a secret token (a SCIM bearer token, a calendar feed's link): its SHA-256. A token
 * is 32 random bytes, so a plain hash is enough; a copy of the table opens nothing.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
