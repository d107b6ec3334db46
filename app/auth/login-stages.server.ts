/**
 * A login in stages. The first factor (password, single sign-on, a passkey, an invitation link)
 * makes a session; what is still due makes it a *staged* session that opens only its stage's page
 * (STAGE_PATHS in session.server.ts), in this order:
 *   1. second_factor   — a password login of an account with a second factor (TOTP or a passkey);
 *   2. change_password — the password was set by an admin (ASVS 6.4.1);
 *   3. set_up_mfa      — the admin's policy asks one of the account's roles for a second factor and
 *                        it has none yet.
 * Single sign-on skips all three: the identity provider's own MFA applies. A passkey is itself two
 * factors (the device and its PIN or biometric), so a passkey login has nothing due.
 */
import type { DB } from "../../db/client";
import type { LoginMethod, LoginStage, Role } from "../../db/schema";
import { ROLES } from "../../db/schema";
import type { AppContext } from "../context";
import { STAGE_PATHS, createSession, setSessionStage } from "./session.server";

type Ctx = Pick<AppContext, "db" | "env" | "now">;

export const MFA_POLICY_KEY = "mfa_required_roles";
export const DEFAULT_MFA_ROLES: Role[] = ["admin", "leader"];

/** Sensitive actions want the person to have proved who they are within this long. */
export const REAUTH_WINDOW_MS = 10 * 60 * 1000;

/** The roles whose accounts must have a second factor (the admin's policy; default admin and leader). */
export async function mfaRequiredRoles(db: DB): Promise<Role[]> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", MFA_POLICY_KEY)
    .executeTakeFirst();
  if (!row || !Array.isArray(row.value)) return DEFAULT_MFA_ROLES;
  const value = row.value as unknown[];
  return ROLES.filter((r) => value.includes(r));
}

/** Whether the account has a confirmed second factor: a TOTP app or a passkey. */
export async function hasSecondFactor(db: DB, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select((eb) => [
      "users.totp_secret",
      eb
        .exists(
          eb
            .selectFrom("passkeys")
            .select("passkeys.id")
            .whereRef("passkeys.user_id", "=", "users.id"),
        )
        .as("has_passkey"),
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  return Boolean(row && (row.totp_secret || row.has_passkey));
}

const ORDER: LoginStage[] = ["second_factor", "change_password", "set_up_mfa"];

/** The first stage still due after `after` (null: the login is complete). */
export async function nextStage(
  db: DB,
  {
    userId,
    method,
    after = null,
  }: { userId: string; method: LoginMethod; after?: LoginStage | null },
): Promise<LoginStage | null> {
  if (method === "sso") return null;
  const user = await db
    .selectFrom("users")
    .select(["roles", "password_must_change"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const factor = await hasSecondFactor(db, userId);
  const from = after === null ? 0 : ORDER.indexOf(after) + 1;
  for (const stage of ORDER.slice(from)) {
    if (stage === "second_factor" && method === "password" && factor) return stage;
    if (stage === "change_password" && method === "password" && user.password_must_change)
      return stage;
    if (stage === "set_up_mfa" && !factor) {
      const required = await mfaRequiredRoles(db);
      if (user.roles.some((r) => required.includes(r))) return stage;
    }
  }
  return null;
}

/**
 * Makes the session for a first factor just proved and says where to go: the stage's page, or
 * `redirectTo` when nothing is due. Call inside the login's transaction.
 */
export async function startLogin(
  ctx: Ctx,
  {
    userId,
    method,
    userAgent,
    redirectTo,
  }: { userId: string; method: LoginMethod; userAgent: string | null; redirectTo: string },
): Promise<{ cookie: string; location: string; stage: LoginStage | null }> {
  const stage = await nextStage(ctx.db, { userId, method });
  const cookie = await createSession(ctx, { userId, userAgent, method, stage });
  return { cookie, stage, location: stagePath(stage, redirectTo) };
}

/** Marks `done` finished on the session and says where to go next, with the session's new cookie. */
export async function finishStage(
  ctx: Ctx,
  {
    session,
    done,
    redirectTo,
  }: {
    session: { id: string; sessionId: string; method: LoginMethod };
    done: LoginStage;
    redirectTo: string;
  },
): Promise<{ location: string; stage: LoginStage | null; cookie: string }> {
  const stage = await nextStage(ctx.db, {
    userId: session.id,
    method: session.method,
    after: done,
  });
  // A new token with every stage done: the Set-Cookie header must go with the answer.
  const cookie = await setSessionStage(ctx, {
    sessionId: session.sessionId,
    stage,
    authenticated: done === "second_factor",
  });
  return { stage, cookie, location: stagePath(stage, redirectTo) };
}

function stagePath(stage: LoginStage | null, redirectTo: string): string {
  if (!stage) return redirectTo;
  return redirectTo && redirectTo !== "/"
    ? `${STAGE_PATHS[stage]}?${new URLSearchParams({ redirectTo })}`
    : STAGE_PATHS[stage];
}

/** Whether the session proved who it is recently enough for a sensitive action. */
export function recentlyAuthenticated(session: { authenticatedAt: Date }, now: Date): boolean {
  return now.getTime() - session.authenticatedAt.getTime() <= REAUTH_WINDOW_MS;
}
