/**
 * Erasure (issue 7): removing a candidate for good. Only archived candidates can be erased; the
 * candidate row goes and every row that refers to it goes with it through ON DELETE CASCADE (the
 * security tests derive that table list from the catalogue and check each is emptied). What stays is
 * the audit trail, which holds ids and field names only — pseudonymous once the candidate row is gone.
 */
import type { DB } from "../../db/client";
import { audit } from "./audit.server";

export interface ErasableCandidate {
  id: string;
  name: string;
  archived_at: Date | string;
}

/** Archived candidates, oldest archive first: the only people data an admin sees, for erasure only. */
export async function listErasableCandidates(db: DB): Promise<ErasableCandidate[]> {
  return db
    .selectFrom("candidates")
    .select(["id", "name", "archived_at"])
    .where("stage", "=", "archived")
    .where("archived_at", "is not", null)
    .orderBy("archived_at", "asc")
    .orderBy("id", "asc")
    .limit(500)
    .execute() as Promise<ErasableCandidate[]>;
}

export async function findErasableCandidate(db: DB, { candidateId }: { candidateId: string }) {
  return db
    .selectFrom("candidates")
    .select(["id", "name", "archived_at"])
    .where("id", "=", candidateId)
    .where("stage", "=", "archived")
    .executeTakeFirst();
}

export type EraseOutcome = "erased" | "missing";

/**
 * Deletes the candidate (and, by cascade, everything about them) and audits "candidate.erase" with
 * the id only, in one transaction. `via` says whether an admin or the retention job asked.
 */
export async function eraseCandidate(
  db: DB,
  { candidateId, actorId, requestId, via }: { candidateId: string; actorId: string | null; requestId: string | null; via: "admin" | "retention" },
): Promise<EraseOutcome> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom("candidates")
      .where("id", "=", candidateId)
      .where("stage", "=", "archived")
      .returning("id")
      .executeTakeFirst();
    if (!row) return "missing";
    await audit(trx, { actorId, action: "candidate.erase", entity: "candidate", entityId: candidateId, requestId, details: { via } });
    return "erased";
  });
}
