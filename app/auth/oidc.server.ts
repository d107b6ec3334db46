import { createHmac, timingSafeEqual } from "node:crypto";
import * as client from "openid-client";
import type { AppContext } from "../context";
import { type LoginSettings, type OidcSettings, processLoginSettings } from "../env.server";

declare module "../context" {
  interface AppContext {
    /** Sign-in settings; when absent, those of the process's environment (checked at start). */
    login?: LoginSettings;
  }
}

type Ctx = Pick<AppContext, "env" | "now" | "login">;

export function loginSettings(ctx: Pick<AppContext, "login">): LoginSettings {
  return ctx.login ?? processLoginSettings();
}

// ---------------------------------------------------------------------------------------------
// The provider's configuration (discovery), fetched once per issuer and client and kept; a failed
// discovery is not kept, so the next sign-in tries again.

const configurations = new Map<string, Promise<client.Configuration>>();

function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

export function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = JSON.stringify([settings.issuer, settings.clientId, settings.clientSecret]);
  let pending = configurations.get(key);
  if (!pending) {
    const issuer = new URL(settings.issuer);
    pending = client.discovery(
      issuer,
      settings.clientId,
      undefined,
      client.ClientSecretBasic(settings.clientSecret),
      {
        // Plain http only for a provider on this machine (a local Keycloak, the tests' provider).
        execute:
          issuer.protocol === "http:" && isLoopback(issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      },
    );
    pending.catch(() => configurations.delete(key));
    configurations.set(key, pending);
  }
  return pending;
}

/** For tests: forget discovered providers. */
export function forgetProviderConfigurations() {
  configurations.clear();
}

// ---------------------------------------------------------------------------------------------
// The short-lived sign-in cookie: state, nonce and PKCE verifier between /auth/oidc and the callback.

export const FLOW_TTL_MS = 10 * 60 * 1000;

export interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  redirectTo: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

export function flowCookieName(env: Pick<AppContext["env"], "NODE_ENV">): string {
  return env.NODE_ENV === "production" ? "__Host-nw_oidc" : "nw_oidc";
}

function sign(ctx: Pick<Ctx, "env">, payload: string): string {
  return createHmac("sha256", ctx.env.SESSION_SECRET)
    .update(`oidc-flow:${payload}`)
    .digest("base64url");
}

function flowCookie(ctx: Pick<Ctx, "env">, value: string, maxAgeSeconds: number): string {
  const secure = ctx.env.NODE_ENV === "production" ? "; Secure" : "";
  // Lax: the browser sends it on the provider's top-level redirect back to the callback.
  return `${flowCookieName(ctx.env)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearFlowCookie(ctx: Pick<Ctx, "env">): string {
  return flowCookie(ctx, "", 0);
}

function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=") || null;
  }
  return null;
}

/** Starts a sign-in: the provider's authorization URL and the Set-Cookie header holding the checks. */
export async function startSignIn(
  ctx: Ctx,
  settings: OidcSettings,
  redirectTo: string,
): Promise<{ url: URL; cookie: string }> {
  const config = await providerConfiguration(settings);
  const verifier = client.randomPKCECodeVerifier();
  const flow: FlowState = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier,
    redirectTo,
    exp: ctx.now().getTime() + FLOW_TTL_MS,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: "openid email profile",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  const payload = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return { url, cookie: flowCookie(ctx, `${payload}.${sign(ctx, payload)}`, FLOW_TTL_MS / 1000) };
}

/** The checks of the sign-in this browser started, or null (none, tampered with, or expired). */
export function readFlow(ctx: Ctx, request: Request): FlowState | null {
  const raw = readCookie(request, flowCookieName(ctx.env));
  if (!raw) return null;
  const [payload, mac] = raw.split(".");
  if (!payload || !mac) return null;
  const expected = Buffer.from(sign(ctx, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const flow = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as FlowState;
    if (typeof flow.exp !== "number" || flow.exp <= ctx.now().getTime()) return null;
    if (
      ![flow.state, flow.nonce, flow.verifier, flow.redirectTo].every((v) => typeof v === "string")
    )
      return null;
    return flow;
  } catch {
    return null;
  }
}

export type SignInFailure =
  "provider_error" | "rejected" | "unavailable" | "no_email" | "unverified_email";

export type SignInResult =
  | { ok: true; email: string; name: string | null; subject: string }
  | { ok: false; reason: SignInFailure; detail?: string; check?: string };

/**
 * Finishes a sign-in: openid-client checks the response (state, issuer), exchanges the code with the
 * PKCE verifier and validates the ID token (signature, issuer, audience, nonce, expiry). The email and
 * its verification come from the ID token, or from the UserInfo endpoint when the ID token leaves
 * them out (the subject must match).
 */
export async function finishSignIn(
  settings: OidcSettings,
  flow: FlowState,
  request: Request,
): Promise<SignInResult> {
  let config: client.Configuration;
  try {
    config = await providerConfiguration(settings);
  } catch {
    return { ok: false, reason: "unavailable" };
  }
  // The URL the provider redirected to, as registered (behind a proxy the request's own host may differ).
  const currentUrl = new URL(settings.redirectUri);
  currentUrl.search = new URL(request.url).search;
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) return { ok: false, reason: "rejected", detail: "no_id_token" };
    claims = { ...idClaims };
    if (typeof claims.email !== "string" || !("email_verified" in claims || "xms_edov" in claims)) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims, email: info.email, email_verified: info.email_verified };
    }
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) {
      return { ok: false, reason: "provider_error", detail: error.error };
    }
    if (
      error instanceof client.ResponseBodyError ||
      error instanceof client.ClientError ||
      error instanceof client.WWWAuthenticateChallengeError
    ) {
      const code =
        (error as { code?: string; error?: string }).error ?? (error as { code?: string }).code;
      // Which check failed ("state", "iss", "nonce"…): the parameter openid-client names, no values.
      const cause = (error as { cause?: unknown }).cause;
      const check = cause instanceof Error ? /"([a-z_]+)"/.exec(cause.message)?.[1] : undefined;
      return { ok: false, reason: "rejected", detail: code, check };
    }
    return { ok: false, reason: "unavailable" };
  }
  const email = typeof claims.email === "string" ? claims.email.trim() : "";
  if (email.length > 254 || !/^[^@\s]+@[^@\s]+$/.test(email))
    return { ok: false, reason: "no_email" };
  if (!emailIsVerified(claims, settings.issuer)) return { ok: false, reason: "unverified_email" };
  const name = [claims.name, [claims.given_name, claims.family_name].filter(Boolean).join(" ")]
    .find((n): n is string => typeof n === "string" && n.trim().length > 0)
    ?.trim()
    .slice(0, 200);
  return { ok: true, email, name: name ?? null, subject: String(claims.sub) };
}

const ENTRA_HOSTS = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.partner.microsoftonline.cn",
]);

/**
 * Only a verified email matches an account: `email_verified: true`. Microsoft Entra ID never sends
 * email_verified for organisational accounts; from an Entra tenant's issuer (one tenant: openid-client
 * has checked the token's issuer against it), its optional claim `xms_edov: true` (the email's domain
 * is verified by the tenant) counts instead, and only when email_verified is absent.
 */
export function emailIsVerified(claims: Record<string, unknown>, issuer: string): boolean {
  if ("email_verified" in claims) return claims.email_verified === true;
  return ENTRA_HOSTS.has(new URL(issuer).hostname) && claims.xms_edov === true;
}
