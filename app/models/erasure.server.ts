/**
 * Erasure (docs/security.md §4, Privacy): removing a candidate for good. Only archived candidates can
 * be erased; the candidate row goes and every row that refers to it goes with it through ON DELETE
 * CASCADE (the security tests derive that table list from the catalogue and check each is emptied).
 * Their person goes too, because a person row holds their name (decision 0017): someone who still
 * works here comes back, without any history, with the next import or when an admin adds them again.
 * Their reports keep no manager until then.
 * What stays is the audit trail's events — who did what, when, with what outcome — with their details
 * scrubbed: details can hold facts about the person (an outcome, a stage, a signal, a mentor).
 */
import { sql } from "kysely";
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

/** The ids of the candidate's own records, any of which an audit row may name. */
async function recordIds(trx: DB, candidateId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with p as (select id from coaching_plans where candidate_id = ${candidateId}),
         i as (select id from calibration_items where candidate_id = ${candidateId}),
         o as (select id from observations where candidate_id = ${candidateId}),
         f as (select id from flags where candidate_id = ${candidateId}),
         a as (select id from sniff_test_assignments where candidate_id = ${candidateId})
    select id::text from p union all select id::text from i union all select id::text from o
    union all select id::text from f union all select id::text from a
    union all select id::text from stage_changes where candidate_id = ${candidateId}
    union all select id::text from coaching_actions where plan_id in (select id from p)
    union all select id::text from coaching_checkins where plan_id in (select id from p)
    union all select id::text from coaching_plan_changes where plan_id in (select id from p)
    union all select id::text from calibration_decisions where item_id in (select id from i)
    union all select id::text from calibration_prereads where item_id in (select id from i)
    union all select id::text from observation_revisions where observation_id in (select id from o)
    union all select id::text from flag_events where flag_id in (select id from f)
    union all select id::text from sniff_test_assignment_events where assignment_id in (select id from a)
    union all select person_id::text from candidates where id = ${candidateId}`.execute(trx);
  return [candidateId, ...rows.map((r) => r.id)];
}

/**
 * Empties the details of every audit row about the candidate or one of their records (by entity id,
 * or naming one in its details); the rows themselves stay. The database allows an update of the log
 * that only removes details, and only in a transaction that declares itself an erasure (migration
 * 0007); `set local` ends that with this transaction. Rows about them are no older than the candidate
 * (a day's margin for clocks that disagree), which spares reading the whole log.
 */
async function scrubAudit(
  trx: DB,
  { candidateId, since }: { candidateId: string; since: Date | string },
) {
  const ids = await recordIds(trx, candidateId);
  await sql`set local noseworthy.erasing = 'on'`.execute(trx);
  await sql`
    update audit_events set details = '{}'::jsonb
    where at >= ${since}::timestamptz - interval '1 day' and details <> '{}'::jsonb
      and (entity_id = any(${ids}::text[]) or details::text like any(${ids.map((id) => `%${id}%`)}::text[]))`.execute(
    trx,
  );
}

/**
 * Deletes the candidate (and, by cascade, everything about them) and audits "candidate.erase" with
 * the id only, in one transaction. `via` says whether an admin or the retention job asked.
 */
export async function eraseCandidate(
  db: DB,
  {
    candidateId,
    actorId,
    requestId,
    via,
  }: {
    candidateId: string;
    actorId: string | null;
    requestId: string | null;
    via: "admin" | "retention";
  },
): Promise<EraseOutcome> {
  return db.transaction().execute(async (trx) => {
    const candidate = await trx
      .selectFrom("candidates")
      .select(["id", "created_at", "person_id", "name"])
      .where("id", "=", candidateId)
      .where("stage", "=", "archived")
      .forUpdate()
      .executeTakeFirst();
    if (!candidate) return "missing";
    await scrubAudit(trx, { candidateId, since: candidate.created_at });
    // Stored mail that names them: messages about them go with the candidate (candidate_id cascades);
    // a digest or a pre-read reminder names several people and has no candidate_id, so it is found
    // by the name it prints. (Mail already delivered is in inboxes, which is why it never holds a
    // judgement's text.)
    await trx
      .deleteFrom("mail_messages")
      .where(
        sql<boolean>`strpos(subject, ${candidate.name}) > 0 OR strpos(text_body, ${candidate.name}) > 0`,
      )
      .execute();
    const row = await trx
      .deleteFrom("candidates")
      .where("id", "=", candidateId)
      .where("stage", "=", "archived")
      .returning("id")
      .executeTakeFirst();
    if (!row) return "missing";
    await trx.deleteFrom("people").where("id", "=", candidate.person_id).execute();
    await audit(trx, {
      actorId,
      action: "candidate.erase",
      entity: "candidate",
      entityId: candidateId,
      requestId,
      details: { via },
    });
    return "erased";
  });
}
