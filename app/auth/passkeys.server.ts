/**
 * Passkeys (WebAuthn, through @simplewebauthn/server): registering one, and proving one for a
 * passwordless sign-in, a second factor or a confirmation.
 *
 * - The relying party is the host of APP_URL, or of the request when APP_URL is not set; the origin
 *   the browser reports must be that base URL's origin.
 * - A challenge lives in webauthn_challenges for CHALLENGE_TTL_MS, named by an HttpOnly cookie whose
 *   SHA-256 is the row's id (a copy of the table cannot answer a challenge for anyone); it is deleted
 *   as it is read, so it is used once, and only for the purpose and account it was made for.
 * - User verification (the device's PIN or biometric) is required: a passkey sign-in counts as two
 *   factors (app/auth/login-stages.server.ts).
 * - The signature counter is checked by the library (a counter that does not grow, when the
 *   authenticator keeps one, is a cloned key) and stored after each use.
 */
import { randomBytes } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { DB } from "../../db/client";
import type { AppContext } from "../context";
import { hashToken } from "../utils/security.server";

type Ctx = Pick<AppContext, "db" | "env" | "now">;

export type CeremonyPurpose = "register" | "sign_in" | "second_factor" | "confirm";

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const RP_NAME = "Noseworthy";
const MAX_PASSKEYS = 20;

/**
 * The cookie naming the pending challenge; Secure in production. __Secure- rather than the session's
 * __Host-: a __Host- cookie must have Path=/, and this one is sent to /auth/passkey only.
 */
export function challengeCookieName(env: Pick<AppContext["env"], "NODE_ENV">): string {
  return env.NODE_ENV === "production" ? "__Secure-nw_webauthn" : "nw_webauthn";
}

function challengeCookie(ctx: Ctx, value: string, maxAgeSeconds: number): string {
  const secure = ctx.env.NODE_ENV === "production" ? "; Secure" : "";
  return `${challengeCookieName(ctx.env)}=${value}; Path=/auth/passkey; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/** The Set-Cookie header that forgets the challenge (sent with every verification's answer). */
export function clearChallengeCookie(ctx: Ctx): string {
  return challengeCookie(ctx, "", 0);
}

function readChallengeCookie(ctx: Ctx, request: Request): string | null {
  const name = challengeCookieName(ctx.env);
  for (const part of (request.headers.get("Cookie") ?? "").split(/;\s*/)) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at) === name) return part.slice(at + 1) || null;
  }
  return null;
}

/** Who the passkeys are for: the host of APP_URL (or of the request) and the origin browsers report. */
export function relyingParty(
  request: Request,
  appUrl: string | undefined = process.env.APP_URL || undefined,
): { rpID: string; origin: string } {
  const base = new URL(appUrl ?? request.url);
  return { rpID: base.hostname, origin: base.origin };
}

async function saveChallenge(
  ctx: Ctx,
  {
    purpose,
    userId,
    challenge,
  }: { purpose: CeremonyPurpose; userId: string | null; challenge: string },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = ctx.now();
  // Expired challenges of anyone go as new ones come; an account keeps one pending challenge.
  await ctx.db.deleteFrom("webauthn_challenges").where("expires_at", "<=", now).execute();
  if (userId)
    await ctx.db
      .deleteFrom("webauthn_challenges")
      .where("user_id", "=", userId)
      .where("purpose", "=", purpose)
      .execute();
  await ctx.db
    .insertInto("webauthn_challenges")
    .values({
      id: hashToken(token),
      user_id: userId,
      purpose,
      challenge,
      created_at: now,
      expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS),
    })
    .execute();
  return challengeCookie(ctx, token, CHALLENGE_TTL_MS / 1000);
}

/** The challenge the cookie names, deleted as it is read: null when absent, expired, or for another purpose or account. */
async function takeChallenge(
  ctx: Ctx,
  request: Request,
  { purpose, userId }: { purpose: CeremonyPurpose; userId: string | null },
): Promise<string | null> {
  const token = readChallengeCookie(ctx, request);
  if (!token) return null;
  const row = await ctx.db
    .deleteFrom("webauthn_challenges")
    .where("id", "=", hashToken(token))
    .returning(["user_id", "purpose", "challenge", "expires_at"])
    .executeTakeFirst();
  if (!row) return null;
  if (row.purpose !== purpose || row.user_id !== userId) return null;
  if (new Date(row.expires_at).getTime() <= ctx.now().getTime()) return null;
  return row.challenge;
}

// ---------------------------------------------------------------------------------------------
// The account's passkeys

export interface PasskeySummary {
  id: string;
  name: string;
  deviceType: "singleDevice" | "multiDevice" | null;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(db: DB, userId: string): Promise<PasskeySummary[]> {
  const rows = await db
    .selectFrom("passkeys")
    .select(["id", "name", "device_type", "backed_up", "created_at", "last_used_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    deviceType: r.device_type,
    backedUp: r.backed_up,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  }));
}

/** Renames one of the account's passkeys; false when it is not theirs. */
export async function renamePasskey(
  db: DB,
  { userId, id, name }: { userId: string; id: string; name: string },
): Promise<boolean> {
  const result = await db
    .updateTable("passkeys")
    .set({ name })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes one of the account's passkeys; false when it is not theirs. */
export async function removePasskey(
  db: DB,
  { userId, id }: { userId: string; id: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom("passkeys")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The name a passkey gets when the person gives none: "Passkey 2026-12-02". */
export function defaultPasskeyName(now: Date): string {
  return `Passkey ${now.toISOString().slice(0, 10)}`;
}

// ---------------------------------------------------------------------------------------------
// Registration

export async function beginRegistration(
  ctx: Ctx,
  request: Request,
  user: { id: string; email: string; name: string },
): Promise<
  | { ok: true; options: PublicKeyCredentialCreationOptionsJSON; cookie: string }
  | { ok: false; reason: "too_many" }
> {
  const existing = await ctx.db
    .selectFrom("passkeys")
    .select(["id", "transports"])
    .where("user_id", "=", user.id)
    .execute();
  if (existing.length >= MAX_PASSKEYS) return { ok: false, reason: "too_many" };
  const { rpID } = relyingParty(request);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID,
    userName: user.email,
    userDisplayName: user.name,
    // The account's id (no personal data) is the user handle a discoverable passkey hands back.
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: CHALLENGE_TTL_MS,
  });
  const cookie = await saveChallenge(ctx, {
    purpose: "register",
    userId: user.id,
    challenge: options.challenge,
  });
  return { ok: true, options, cookie };
}

export type RegistrationFailure = "no_challenge" | "not_verified" | "already_registered";

export async function finishRegistration(
  ctx: Ctx,
  request: Request,
  { userId, response, name }: { userId: string; response: RegistrationResponseJSON; name: string },
): Promise<{ ok: true; id: string; name: string } | { ok: false; reason: RegistrationFailure }> {
  const challenge = await takeChallenge(ctx, request, { purpose: "register", userId });
  if (!challenge) return { ok: false, reason: "no_challenge" };
  const { rpID, origin } = relyingParty(request);
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
  } catch {
    return { ok: false, reason: "not_verified" };
  }
  if (!verification.verified) return { ok: false, reason: "not_verified" };
  const info = verification.registrationInfo;
  const taken = await ctx.db
    .selectFrom("passkeys")
    .select("id")
    .where("id", "=", info.credential.id)
    .executeTakeFirst();
  if (taken) return { ok: false, reason: "already_registered" };
  const passkeyName = name.trim() || defaultPasskeyName(ctx.now());
  await ctx.db
    .insertInto("passkeys")
    .values({
      id: info.credential.id,
      user_id: userId,
      name: passkeyName,
      public_key: info.credential.publicKey,
      counter: info.credential.counter,
      transports: (info.credential.transports ?? []).slice(0, 10),
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp,
      created_at: ctx.now(),
    })
    .execute();
  return { ok: true, id: info.credential.id, name: passkeyName };
}

// ---------------------------------------------------------------------------------------------
// Authentication

/**
 * Options to prove a passkey. Without `userId` (a passwordless sign-in) the browser offers the
 * passkeys it holds for this site; with it, only that account's.
 */
export async function beginAuthentication(
  ctx: Ctx,
  request: Request,
  { purpose, userId }: { purpose: Exclude<CeremonyPurpose, "register">; userId: string | null },
): Promise<
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON; cookie: string }
  | { ok: false; reason: "no_passkeys" }
> {
  let allowCredentials: { id: string; transports?: string[] }[] | undefined;
  if (userId) {
    const rows = await ctx.db
      .selectFrom("passkeys")
      .select(["id", "transports"])
      .where("user_id", "=", userId)
      .execute();
    if (rows.length === 0) return { ok: false, reason: "no_passkeys" };
    allowCredentials = rows.map((p) => ({ id: p.id, transports: p.transports }));
  }
  const { rpID } = relyingParty(request);
  const options = await generateAuthenticationOptions({
    rpID,
    allowCredentials,
    userVerification: "required",
    timeout: CHALLENGE_TTL_MS,
  });
  const cookie = await saveChallenge(ctx, { purpose, userId, challenge: options.challenge });
  return { ok: true, options, cookie };
}

export type AuthenticationFailure = "no_challenge" | "unknown_passkey" | "not_verified";

/**
 * Checks a passkey's answer to the challenge the cookie names; on success stores the new counter and
 * says whose passkey it was. With `userId`, a passkey of another account is refused.
 */
export async function finishAuthentication(
  ctx: Ctx,
  request: Request,
  {
    purpose,
    userId,
    response,
  }: {
    purpose: Exclude<CeremonyPurpose, "register">;
    userId: string | null;
    response: AuthenticationResponseJSON;
  },
): Promise<
  { ok: true; userId: string; passkeyId: string } | { ok: false; reason: AuthenticationFailure }
> {
  const challenge = await takeChallenge(ctx, request, { purpose, userId });
  if (!challenge) return { ok: false, reason: "no_challenge" };
  const passkey = await ctx.db
    .selectFrom("passkeys")
    .select(["id", "user_id", "public_key", "counter", "transports"])
    .where("id", "=", response.id)
    .executeTakeFirst();
  if (!passkey || (userId && passkey.user_id !== userId))
    return { ok: false, reason: "unknown_passkey" };
  // A discoverable passkey names its account: it must be the one the credential was registered to.
  const handle = response.response.userHandle;
  if (handle && handle !== Buffer.from(passkey.user_id, "utf8").toString("base64url"))
    return { ok: false, reason: "unknown_passkey" };
  const { rpID, origin } = relyingParty(request);
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: Number(passkey.counter),
        transports: passkey.transports,
      },
    });
  } catch {
    // A bad signature, a counter that did not grow, another origin: all the same to the person.
    return { ok: false, reason: "not_verified" };
  }
  if (!verification.verified) return { ok: false, reason: "not_verified" };
  await ctx.db
    .updateTable("passkeys")
    .set({
      counter: verification.authenticationInfo.newCounter,
      backed_up: verification.authenticationInfo.credentialBackedUp,
      last_used_at: ctx.now(),
    })
    .where("id", "=", passkey.id)
    .execute();
  return { ok: true, userId: passkey.user_id, passkeyId: passkey.id };
}
