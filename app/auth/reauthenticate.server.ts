import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { normaliseEmail, passwordMatches } from "../models/user.server";
import { invalid, type Values } from "../utils/forms.server";
import { clearLoginFailures, describeWait, reserveLoginAttempt } from "./rate-limit.server";

/**
 * Re-authentication for an admin change that gives access to people data (a people role, or an
 * account holding one): null when `password` is the acting admin's current password; otherwise the
 * audited 400 (or 429 while throttled) to return, with the form kept (it never carries a password back).
 */
export async function reauthenticate(
  context: Pick<AppContext, "db" | "requestId" | "clientIp" | "now">,
  {
    admin,
    action,
    entityId,
    password,
    values,
  }: {
    admin: { id: string; email: string };
    action: string;
    entityId: string | null;
    password: string | undefined;
    values: Values;
  },
) {
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
      "Type your current password: this change gives access to people data.",
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
    return null;
  }
  return refuse("reauthentication_failed", "That is not your current password.", { status: 400 });
}
