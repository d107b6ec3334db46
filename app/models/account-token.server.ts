/**
 * One-time account links sent by mail (migration 0013's account_tokens): an invitation to choose a
 * first password (72 hours) and a password reset (30 minutes). The link carries 32 random bytes; the
 * table holds only their SHA-256, so a copy of it opens nothing. A link works once, expires, and is
 * void for a disabled account; a new link of the same purpose voids the older ones.
 */
import { randomBytes } from "node:crypto";
import type { DB } from "../../db/client";
import type { Env } from "../env.server";
import { hashPassword } from "../auth/password.server";
import { enqueueJob } from "../jobs/queue.server";
import { appUrl, queueMail, type MailEnv } from "../mail/mail.server";
import { hashToken } from "../utils/security.server";
import { audit } from "./audit.server";
import { normaliseEmail } from "./user.server";

export type AccountTokenPurpose = "invitation" | "reset";

export const TOKEN_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  invitation: 72 * 3_600_000,
  reset: 30 * 60_000,
};

/** At most this many reset links for one account an hour, whoever asks: the rest are dropped silently. */
export const RESETS_PER_HOUR = 3;

export const FORGOT_PASSWORD_JOB = "account.forgot-password";
/** Mails an invitation or a reset link an admin (or SCIM) asked for; enqueued with the change. */
export const ACCOUNT_LINK_JOB = "account.link";

const PATHS: Record<AccountTokenPurpose, string> = {
  invitation: "/welcome/",
  reset: "/reset-password/",
};

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

type MailCtx = { db: DB; env: MailEnv; now: () => Date };

/**
 * A new link for the account; voids its older unused links of the same purpose. Returns the token
 * (to put in the mail, never to store or log).
 */
export async function issueAccountToken(
  db: DB,
  {
    userId,
    purpose,
    createdBy,
    now,
  }: { userId: string; purpose: AccountTokenPurpose; createdBy: string | null; now: Date },
): Promise<{ id: string; token: string }> {
  await db
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
  const token = randomBytes(32).toString("base64url");
  const row = await db
    .insertInto("account_tokens")
    .values({
      user_id: userId,
      purpose,
      token_hash: hashToken(token),
      created_by: createdBy,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export interface LiveAccountToken {
  id: string;
  userId: string;
  email: string;
  name: string;
}

/** The link's account when the link is unused, unexpired and the account active; else null. */
export async function findAccountToken(
  db: DB,
  { token, purpose, now }: { token: string | undefined; purpose: AccountTokenPurpose; now: Date },
): Promise<LiveAccountToken | null> {
  if (!token || !TOKEN.test(token)) return null;
  const row = await db
    .selectFrom("account_tokens")
    .innerJoin("users", "users.id", "account_tokens.user_id")
    .select(["account_tokens.id", "users.id as userId", "users.email", "users.name"])
    .where("account_tokens.token_hash", "=", hashToken(token))
    .where("account_tokens.purpose", "=", purpose)
    .where("account_tokens.used_at", "is", null)
    .where("account_tokens.expires_at", ">", now)
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Uses the link: true for the one request that gets it (two at once: the row's update decides), false
 * when it was used, expired or its account disabled in the meantime. Call in the transaction that
 * sets the password.
 */
export async function consumeAccountToken(
  db: DB,
  { id, now }: { id: string; now: Date },
): Promise<boolean> {
  const row = await db
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("users")
          .select("users.id")
          .whereRef("users.id", "=", "account_tokens.user_id")
          .where("users.disabled_at", "is", null),
      ),
    )
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Sets the person's own password (a reset, an invitation, a first login's change): no longer one to
 * change, and every session ends but `keepSession`.
 */
export async function setOwnPassword(
  db: DB,
  {
    userId,
    passwordHash,
    keepSession,
  }: { userId: string; passwordHash: string; keepSession?: string },
) {
  await db
    .updateTable("users")
    .set((eb) => ({
      password_hash: passwordHash,
      password_must_change: false,
      version: eb("version", "+", 1),
    }))
    .where("id", "=", userId)
    .execute();
  let ending = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (keepSession) ending = ending.where("id", "!=", keepSession);
  await ending.execute();
}

/** An admin's temporary password: to be changed at the next login (ASVS 6.4.1); every session ends. */
export async function setTemporaryPassword(
  db: DB,
  { userId, passwordHash }: { userId: string; passwordHash: string },
) {
  await db
    .updateTable("users")
    .set((eb) => ({
      password_hash: passwordHash,
      password_must_change: true,
      version: eb("version", "+", 1),
    }))
    .where("id", "=", userId)
    .execute();
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

/** The hash an invited account holds until the person chooses a password: a random one nobody knows. */
export function unknownPasswordHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString("base64url"));
}

/**
 * Mails an invitation: the person's name, the link and when it expires. Call after the transaction
 * that creates the account has committed (queueMail opens its own; the mail.send job sends it).
 */
export async function sendInvitation(
  ctx: MailCtx,
  {
    userId,
    createdBy,
    sso,
    key,
  }: { userId: string; createdBy: string | null; sso?: boolean; key?: string },
): Promise<boolean> {
  const { id, token } = await issueAccountToken(ctx.db, {
    userId,
    purpose: "invitation",
    createdBy,
    now: ctx.now(),
  });
  const user = await ctx.db
    .selectFrom("users")
    .select("name")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const url = appUrl(ctx.env, `${PATHS.invitation}${token}`);
  return queueMail(ctx, {
    key: key ?? `account:invitation:${id}`,
    kind: "account.invitation",
    userId,
    subject: "Your Noseworthy account",
    body: {
      paragraphs: [
        `Hello ${user.name},`,
        "An account on Noseworthy has been made for you. Open the link below to choose your password" +
          (sso ? " or to sign in with your organisation's single sign-on." : "."),
        "The link works once and expires in 72 hours. If it has expired, ask your administrator for a new one.",
      ],
      action: { label: "Set up your account", url },
    },
  });
}

/** Mails a password reset link (30 minutes, once). */
export async function sendPasswordReset(
  ctx: MailCtx,
  { userId, createdBy, key }: { userId: string; createdBy: string | null; key?: string },
): Promise<boolean> {
  const { id, token } = await issueAccountToken(ctx.db, {
    userId,
    purpose: "reset",
    createdBy,
    now: ctx.now(),
  });
  const user = await ctx.db
    .selectFrom("users")
    .select("name")
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const url = appUrl(ctx.env, `${PATHS.reset}${token}`);
  return queueMail(ctx, {
    key: key ?? `account:reset:${id}`,
    kind: "account.password-reset",
    userId,
    subject: "Reset your Noseworthy password",
    body: {
      paragraphs: [
        `Hello ${user.name},`,
        createdBy
          ? "An administrator asked for a password reset link for your account. Open the link below to choose a new password."
          : "Someone, hopefully you, asked to reset the password of your account. Open the link below to choose a new password.",
        "The link works once and expires in 30 minutes. Choosing a new password signs you out everywhere.",
        "If you did not ask for this, you can ignore this message: your password stays as it is.",
      ],
      action: { label: "Choose a new password", url },
    },
  });
}

/**
 * The forgot-password job: mails a reset link if the address belongs to an active account that has
 * not had RESETS_PER_HOUR links in the last hour. Runs apart from the request, so the answer to the
 * request is the same, in content and time, whether or not the address exists.
 */
export async function forgotPasswordJob(
  ctx: { db: DB; env: Env; now: () => Date },
  payload: Record<string, unknown>,
): Promise<void> {
  if (typeof payload.email !== "string") throw new Error(`${FORGOT_PASSWORD_JOB}: no email`);
  const now = ctx.now();
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "disabled_at"])
    .where("email", "=", normaliseEmail(payload.email))
    .executeTakeFirst();
  if (!user || user.disabled_at) return;
  const recent = await ctx.db
    .selectFrom("account_tokens")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", user.id)
    .where("purpose", "=", "reset")
    .where("created_at", ">", new Date(now.getTime() - 3_600_000))
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= RESETS_PER_HOUR) return;
  if (await sendPasswordReset(ctx, { userId: user.id, createdBy: null })) {
    await audit(ctx.db, {
      actorId: null,
      action: "user.password_reset_link",
      entity: "user",
      entityId: user.id,
      details: { via: "forgot_password" },
    });
  }
}

/**
 * Asks for an invitation or a reset link to be mailed, in the transaction that makes the account or
 * the admin's request, so the two commit together; the "account.link" job sends it.
 */
export async function enqueueAccountLink(
  db: DB,
  {
    userId,
    purpose,
    createdBy,
    sso = false,
    now,
  }: {
    userId: string;
    purpose: AccountTokenPurpose;
    createdBy: string | null;
    sso?: boolean;
    now: Date;
  },
) {
  await enqueueJob(db, {
    kind: ACCOUNT_LINK_JOB,
    payload: { userId, purpose, createdBy, sso },
    runAt: now,
    maxAttempts: 10,
  });
}

/** The "account.link" job. Safe to run twice: the mail is keyed by the job, so a second run sends nothing. */
export async function accountLinkJob(
  ctx: { db: DB; env: Env; now: () => Date },
  payload: Record<string, unknown>,
  job: { id: string },
): Promise<void> {
  const { userId, purpose, createdBy, sso } = payload;
  if (typeof userId !== "string" || (purpose !== "invitation" && purpose !== "reset"))
    throw new Error(`${ACCOUNT_LINK_JOB}: a userId and a purpose are needed`);
  const key = `account:${purpose}:job:${job.id}`;
  const made = await ctx.db
    .selectFrom("mail_messages")
    .select("id")
    .where("key", "=", key)
    .executeTakeFirst();
  if (made) return;
  const user = await ctx.db
    .selectFrom("users")
    .select("disabled_at")
    .where("id", "=", userId)
    .executeTakeFirst();
  // Disabled (or gone) since: no link for it.
  if (!user || user.disabled_at) return;
  const by = typeof createdBy === "string" ? createdBy : null;
  if (purpose === "invitation")
    await sendInvitation(ctx, { userId, createdBy: by, sso: sso === true, key });
  else await sendPasswordReset(ctx, { userId, createdBy: by, key });
}

/** The one answer to every forgot-password request, whether or not the address has an account. */
export const FORGOT_ANSWER = `If an account uses that address, we have sent it a link to choose a new password. The link works once, for ${TOKEN_LIFETIME_MS.reset / 60_000} minutes.`;
