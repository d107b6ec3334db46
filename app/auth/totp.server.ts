/**
 * A second factor from an authenticator app (TOTP, RFC 6238: SHA-1, six digits, 30-second steps) and
 * the ten recovery codes that stand in for it once each.
 *
 * - The key is sealed (AES-256-GCM, app/utils/security.server.ts) with the account's id as context;
 *   it is shown once, while the person sets the app up, and never again.
 * - A code is accepted within one step either side of the server's clock, and each step once: the
 *   last accepted step is stored, and the update that records a step only succeeds while the stored
 *   one is older, so two requests racing with the same code cannot both pass.
 * - Recovery codes are 24 characters of Crockford's base 32 (120 random bits), stored as their
 *   SHA-256: with that much entropy a plain hash is enough (ASVS 6.5.2). Reading them back forgives
 *   case, spaces, dashes and the letters people confuse with digits (O for 0, I and L for 1).
 * - Guessing is throttled by the pages that take a code (reserveSecondFactorAttempt), not here.
 */
import { createHash, randomInt } from "node:crypto";
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import type { DB } from "../../db/client";
import type { AppContext } from "../context";
import { openSecret, sealSecret } from "../utils/security.server";
import {
  clearLoginFailures,
  reserveLoginAttempt,
  type LoginReservation,
} from "./rate-limit.server";

type Ctx = Pick<AppContext, "db" | "env" | "now">;

export const TOTP_ISSUER = "Noseworthy";
const PERIOD = 30;
const DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_LENGTH = 24;
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

function totpFor(secret: OTPAuth.Secret, label = "") {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD,
    secret,
  });
}

/** The digits of a code as typed ("123 456", "123-456"), or null when it cannot be a code. */
export function normaliseTotpCode(code: string): string | null {
  const digits = code.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The step a code matches (±1 around `now`), or null. */
function matchingStep(secretBase32: string, code: string, now: Date): number | null {
  const token = normaliseTotpCode(code);
  if (!token) return null;
  const totp = totpFor(OTPAuth.Secret.fromBase32(secretBase32));
  const timestamp = now.getTime();
  const delta = totp.validate({ token, timestamp, window: 1 });
  if (delta === null) return null;
  return totp.counter({ timestamp }) + delta;
}

function open(ctx: Ctx, userId: string, sealed: string | null): string | null {
  return sealed ? openSecret(ctx.env.SESSION_SECRET, sealed, userId) : null;
}

/**
 * True when `code` is the current code (±1 step) of the account's confirmed authenticator and its
 * step was not used before; the step is then spent.
 */
export async function verifyTotp(ctx: Ctx, userId: string, code: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("users")
    .select(["totp_secret", "totp_last_step", "disabled_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!row || row.disabled_at) return false;
  const secret = open(ctx, userId, row.totp_secret);
  if (!secret) return false;
  const step = matchingStep(secret, code, ctx.now());
  if (step === null) return false;
  if (row.totp_last_step !== null && step <= row.totp_last_step) return false;
  // Conditional on the stored step, so a replay racing this request finds it already spent.
  const spent = await ctx.db
    .updateTable("users")
    .set({ totp_last_step: step })
    .where("id", "=", userId)
    .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
    .returning("id")
    .executeTakeFirst();
  return spent !== undefined;
}

/** Whether the account has a confirmed authenticator app. */
export async function hasTotp(db: DB, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("totp_secret")
    .where("id", "=", userId)
    .executeTakeFirst();
  return Boolean(row?.totp_secret);
}

export interface TotpSetup {
  /** The key in base 32, grouped by four for typing. */
  key: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
}

/**
 * The QR code of a set-up URI as an SVG data: URL, for an <img>: the page's CSP allows data: images
 * and no inline style or script is needed. Made on the server, so the key never reaches a third party.
 */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

/** What the account has for a second factor, for its owner's pages. */
export async function secondFactorSummary(db: DB, userId: string) {
  const row = await db
    .selectFrom("users")
    .select((eb) => [
      "users.totp_enabled_at",
      eb
        .selectFrom("passkeys")
        .select((p) => p.fn.countAll<string | number>().as("n"))
        .whereRef("passkeys.user_id", "=", "users.id")
        .as("passkeys"),
      eb
        .selectFrom("recovery_codes")
        .select((r) => r.fn.countAll<string | number>().as("n"))
        .whereRef("recovery_codes.user_id", "=", "users.id")
        .where("recovery_codes.used_at", "is", null)
        .as("recovery_codes"),
    ])
    .where("users.id", "=", userId)
    .executeTakeFirstOrThrow();
  return {
    totpEnabledAt: row.totp_enabled_at,
    passkeys: Number(row.passkeys ?? 0),
    unusedRecoveryCodes: Number(row.recovery_codes ?? 0),
  };
}

function describeSetup(secretBase32: string, label: string): TotpSetup {
  return {
    key: secretBase32.replace(/(.{4})(?=.)/g, "$1 "),
    uri: totpFor(OTPAuth.Secret.fromBase32(secretBase32), label).toString(),
  };
}

/**
 * The key being set up: the pending one (so reloading the page keeps the QR code already scanned),
 * or a new one when there is none or `fresh` asks for it. `label` names the account in the app.
 */
export async function pendingTotpSetup(
  ctx: Ctx,
  { userId, label, fresh = false }: { userId: string; label: string; fresh?: boolean },
): Promise<TotpSetup> {
  const row = await ctx.db
    .selectFrom("users")
    .select("totp_pending_secret")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const pending = fresh ? null : open(ctx, userId, row.totp_pending_secret);
  if (pending) return describeSetup(pending, label);
  // 160 bits, the size RFC 4226 recommends for SHA-1.
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await ctx.db
    .updateTable("users")
    .set({ totp_pending_secret: sealSecret(ctx.env.SESSION_SECRET, secret, userId) })
    .where("id", "=", userId)
    .execute();
  return describeSetup(secret, label);
}

/**
 * Confirms set-up with a code from the app: the pending key becomes the account's, replacing any
 * earlier one, its step is spent, and ten new recovery codes replace the old. Returns the codes to
 * show once, or null when the code does not match the pending key (or there is none).
 */
export async function confirmTotpSetup(
  ctx: Ctx,
  { userId, code }: { userId: string; code: string },
): Promise<string[] | null> {
  const row = await ctx.db
    .selectFrom("users")
    .select("totp_pending_secret")
    .where("id", "=", userId)
    .executeTakeFirst();
  const pending = open(ctx, userId, row?.totp_pending_secret ?? null);
  if (!row?.totp_pending_secret || !pending) return null;
  const step = matchingStep(pending, code, ctx.now());
  if (step === null) return null;
  const now = ctx.now();
  const confirmed = await ctx.db
    .updateTable("users")
    .set({
      totp_secret: row.totp_pending_secret,
      totp_pending_secret: null,
      totp_last_step: step,
      totp_enabled_at: now,
    })
    .where("id", "=", userId)
    // Only the pending key just checked: a concurrent confirmation or restart wins or loses whole.
    .where("totp_pending_secret", "=", row.totp_pending_secret)
    .returning("id")
    .executeTakeFirst();
  if (!confirmed) return null;
  return replaceRecoveryCodes(ctx, userId);
}

/**
 * Removes the authenticator app (and a half-done set-up). The recovery codes go too when no passkey
 * remains, since there is then no second factor for them to stand in for.
 */
export async function removeTotp(ctx: Pick<Ctx, "db">, userId: string): Promise<void> {
  await ctx.db
    .updateTable("users")
    .set({
      totp_secret: null,
      totp_pending_secret: null,
      totp_last_step: null,
      totp_enabled_at: null,
    })
    .where("id", "=", userId)
    .execute();
  const passkey = await ctx.db
    .selectFrom("passkeys")
    .select("id")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!passkey) await ctx.db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
}

// ---- Recovery codes ------------------------------------------------------------------------------

function newRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) code += CROCKFORD[randomInt(CROCKFORD.length)];
  return code.replace(/(.{4})(?=.)/g, "$1-");
}

/** A recovery code as stored: lower case, no separators, O read as 0 and I, L as 1. */
export function normaliseRecoveryCode(code: string): string | null {
  const canonical = code
    .toLowerCase()
    .replace(/[\s\-_.]/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
  if (canonical.length !== RECOVERY_CODE_LENGTH) return null;
  for (const ch of canonical) if (!CROCKFORD.includes(ch)) return null;
  return canonical;
}

function hashRecoveryCode(canonical: string): string {
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

/** Ten new recovery codes replace every earlier one (used or not); returns them, to show once. */
export async function replaceRecoveryCodes(
  ctx: Pick<Ctx, "db">,
  userId: string,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await ctx.db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await ctx.db
    .insertInto("recovery_codes")
    .values(
      codes.map((code) => ({
        user_id: userId,
        code_hash: hashRecoveryCode(normaliseRecoveryCode(code)!),
      })),
    )
    .execute();
  return codes;
}

/** True when `code` is one of the account's unused recovery codes; it is then used up. */
export async function consumeRecoveryCode(
  ctx: Pick<Ctx, "db" | "now">,
  userId: string,
  code: string,
): Promise<boolean> {
  const canonical = normaliseRecoveryCode(code);
  if (!canonical) return false;
  const used = await ctx.db
    .updateTable("recovery_codes")
    .set({ used_at: ctx.now() })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hashRecoveryCode(canonical))
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return used !== undefined;
}

/** How many unused recovery codes the account has (shown to its owner, to know when to make more). */
export async function unusedRecoveryCodes(db: DB, userId: string): Promise<number> {
  const row = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- Throttling ----------------------------------------------------------------------------------

/**
 * A code (authenticator or recovery) is checked against the login throttle under a key of its own per
 * account, so guesses at the second factor (at login, at a confirmation, anywhere) share one
 * allowance and one growing delay per (account, address) pair. Call before checking a code; call
 * clearSecondFactorFailures after a right one.
 */
export function secondFactorThrottleKey(userId: string): string {
  return `second-factor:${userId}`;
}

export function reserveSecondFactorAttempt(
  ctx: Pick<AppContext, "db" | "now" | "clientIp">,
  userId: string,
): Promise<LoginReservation> {
  return reserveLoginAttempt(ctx.db, {
    email: secondFactorThrottleKey(userId),
    ip: ctx.clientIp,
    now: ctx.now(),
  });
}

export function clearSecondFactorFailures(
  ctx: Pick<AppContext, "db" | "now" | "clientIp">,
  userId: string,
): Promise<void> {
  return clearLoginFailures(ctx.db, {
    email: secondFactorThrottleKey(userId),
    ip: ctx.clientIp,
    now: ctx.now(),
  });
}
