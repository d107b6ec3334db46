import type { DB } from "../../db/client";
import { ROLES, type Role } from "../../db/schema";
import { MFA_POLICY_KEY } from "../auth/login-stages.server";
import { audit } from "./audit.server";

/**
 * The admin's policy "these roles must have a second factor" (read by mfaRequiredRoles at every
 * login). Saved with the roles added and removed in the audit row, in one transaction.
 */
export async function setMfaRequiredRoles(
  db: DB,
  {
    roles,
    previous,
    actorId,
    requestId,
  }: { roles: readonly Role[]; previous: readonly Role[]; actorId: string; requestId: string },
): Promise<void> {
  const ordered = ROLES.filter((r) => roles.includes(r));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("settings")
      .values({ key: MFA_POLICY_KEY, value: JSON.stringify(ordered), updated_by: actorId })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          value: JSON.stringify(ordered),
          updated_by: actorId,
          updated_at: new Date(),
        }),
      )
      .execute();
    await audit(trx, {
      actorId,
      action: "settings.update",
      entity: "setting",
      entityId: MFA_POLICY_KEY,
      requestId,
      details: {
        roles: ordered,
        added: ordered.filter((r) => !previous.includes(r)),
        removed: previous.filter((r) => !ordered.includes(r)),
      },
    });
  });
}
