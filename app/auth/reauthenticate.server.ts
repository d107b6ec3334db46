import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { normaliseEmail, passwordMatches } from "../models/user.server";
import { invalid, invalidWith, type Values } from "../utils/forms.server";
import { safeRedirect } from "../utils/http.server";
import { recentlyAuthenticated } from "./login-stages.server";
import { clearLoginFailures, describeWait, reserveLoginAttempt } from "./rate-limit.server";

type Ctx = Pick<AppContext, "db" | "requestId" | "clientIp" | "now">;

/** The page where a signed-in person proves who they are again, then comes back to `redirectTo`. */
export function confirmUrl(redirectTo: string): string {
  return `/account/confirm?${new URLSearchParams({ redirectTo: safeRedirect(redirectTo) })}`;
}

export const CONFIRM_FIRST = "Confirm it's you first";

/** The form error a page shows when a sensitive change waits for a confirmation. */
export function confirmFirstMessage(redirectTo: string): string {
  return `${CONFIRM_FIRST}: ${confirmUrl(redirectTo)} asks for your password, an authenticator code or a passkey, then brings you back here.`;
}

/**
 * The gate before a sensitive action (erasing a person, changing roles, creating a SCIM token,
 * removing a second factor): null when this session proved who it is within REAUTH_WINDOW_MS;
 * otherwise the audited refusal to return — 403, the form's values kept, a form error naming the
 * confirmation page, and `confirmUrl` beside it for the page to render as a link.
 */
export async function requireRecentAuthentication(
  context: Pick<AppContext, "db" | "requestId" | "now">,
  {
    user,
    action,
    entity,
    entityId,
    values,
    redirectTo,
  }: {
    user: { id: string; authenticatedAt: Date };
    action: string;
    entity: string;
    entityId: string | null;
    values: Values;
    redirectTo: string;
  },
): Promise<Response | null> {
  if (recentlyAuthenticated(user, context.now())) return null;
  await audit(context.db, {
    actorId: user.id,
    action,
    entity,
    entityId,
    outcome: "denied",
    requestId: context.requestId,
    details: { reason: "reauthentication_required" },
  });
  const url = confirmUrl(redirectTo);
  return invalidWith(
    { ok: false, formError: confirmFirstMessage(redirectTo), fieldErrors: {}, values },
    { confirmUrl: url },
    403,
  );
}

/**
 * Re-authentication for an admin change that gives access to people data (a people role, or an
 * account holding one): null when the admin's session was confirmed within REAUTH_WINDOW_MS (the
 * password, a second factor or a passkey at /account/confirm, or a fresh login), or when `password` is
 * the acting admin's current password (which then counts as a confirmation of the session); otherwise
 * the audited 400 (or 429 while throttled) to return, with the form kept (never a password).
 */
export async function reauthenticate(
  context: Ctx,
  {
    admin,
    action,
    entityId,
    password,
    values,
  }: {
    admin: { id: string; email: string; authenticatedAt?: Date; sessionId?: string };
    action: string;
    entityId: string | null;
    password: string | undefined;
    values: Values;
  },
) {
  // Within the window a confirmed session is enough; a password typed anyway is still checked, so
  // what the person typed is never silently ignored.
  if (
    !password &&
    admin.authenticatedAt &&
    recentlyAuthenticated({ authenticatedAt: admin.authenticatedAt }, context.now())
  )
    return null;
  const refuse = async (reason: string, message: string, init: ResponseInit) => {
    await audit(context.db, {
      actorId: admin.id,
      action,
      entity: "user",
      entityId,
      outcome: "denied",
      requestId: context.requestId,
      details: { reason },
    });
    return invalid(values, { currentPassword: [message] }, undefined, init);
  };
  if (!password)
    return refuse(
      "reauthentication_failed",
      "Type your current password (or confirm it's you at /account/confirm): this change gives access to people data.",
      { status: 400 },
    );
  // A stolen admin session must not be a way to guess the admin's password without limit: each check
  // is reserved on the same (account, address) pair as a login, with the same growing delays.
  const pair = { email: normaliseEmail(admin.email), ip: context.clientIp, now: context.now() };
  const reservation = await reserveLoginAttempt(context.db, pair);
  if (!reservation.ok) {
    const wait = reservation.retryAfterSeconds;
    return refuse(
      "rate_limited",
      `Too many wrong passwords from here. Try again in ${describeWait(wait)}.`,
      { status: 429, headers: { "Retry-After": String(wait) } },
    );
  }
  if (await passwordMatches(context.db, { userId: admin.id, password })) {
    await clearLoginFailures(context.db, pair);
    if (admin.sessionId)
      await context.db
        .updateTable("sessions")
        .set({ authenticated_at: context.now() })
        .where("id", "=", admin.sessionId)
        .execute();
    return null;
  }
  return refuse("reauthentication_failed", "That is not your current password.", { status: 400 });
}
