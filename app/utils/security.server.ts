import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
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

// A stored secret the server must read back (a TOTP key): AES-256-GCM under a key derived from
// SESSION_SECRET by HKDF, so a copy of the database alone reveals none of them. `context` (the owner's
// id) is authenticated with it, so a sealed value moved to another row does not open. Changing
// SESSION_SECRET makes every sealed value unreadable (people set up their authenticator again).
const SEAL_VERSION = "v1";

function sealKey(sessionSecret: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", sessionSecret, "noseworthy", "noseworthy sealed secrets v1", 32),
  );
}

/** `v1.<iv>.<ciphertext>.<tag>` (base64url): the plaintext encrypted and authenticated. */
export function sealSecret(sessionSecret: string, plaintext: string, context = ""): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealKey(sessionSecret), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [SEAL_VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** The plaintext of a sealed value, or null when it was altered, sealed for another context or under another key. */
export function openSecret(sessionSecret: string, sealed: string, context = ""): string | null {
  const [version, iv, ciphertext, tag, ...rest] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !ciphertext || !tag || rest.length) return null;
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      sealKey(sessionSecret),
      Buffer.from(iv, "base64url"),
      { authTagLength: 16 },
    );
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    return null;
  }
}
