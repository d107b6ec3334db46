import { json } from "@remix-run/node";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { passwordMatches } from "../models/user.server";
import type { Values } from "../utils/forms.server";

/**
 * Re-authentication for an admin change that gives access to people data (a people role, or an
 * account holding one): null when `password` is the acting admin's current password; otherwise the
 * audited 400 to return, with the form kept (it never carries a password back).
 */
export async function reauthenticate(
  context: Pick<AppContext, "db" | "requestId">,
  { adminId, action, entityId, password, values }: { adminId: string; action: string; entityId: string | null; password: string | undefined; values: Values },
) {
  if (password && (await passwordMatches(context.db, { userId: adminId, password }))) return null;
  await audit(context.db, {
    actorId: adminId,
    action,
    entity: "user",
    entityId,
    outcome: "denied",
    requestId: context.requestId,
    details: { reason: "reauthentication_failed" },
  });
  const message = password ? "That is not your current password." : "Type your current password: this change gives access to people data.";
  return json({ ok: false as const, formError: "", fieldErrors: { currentPassword: [message] }, values }, { status: 400 });
}
