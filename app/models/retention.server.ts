/**
 * Retention (docs/security.md §4, Privacy): an optional setting, `retention_months` in `settings`
 * (null = off, the default). `npm run db:retention` erases candidates archived more than that many
 * months ago.
 */
import type { DB } from "../../db/client";
import { audit } from "./audit.server";
import { eraseCandidate } from "./erasure.server";

export const RETENTION_KEY = "retention_months";
export const MAX_RETENTION_MONTHS = 600;

export async function getRetentionMonths(db: DB): Promise<number | null> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", RETENTION_KEY)
    .executeTakeFirst();
  const value = row?.value;
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

export async function setRetentionMonths(
  db: DB,
  {
    months,
    actorId,
    requestId,
  }: { months: number | null; actorId: string; requestId: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("settings")
      .values({ key: RETENTION_KEY, value: JSON.stringify(months), updated_by: actorId })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          value: JSON.stringify(months),
          updated_by: actorId,
          updated_at: new Date(),
        }),
      )
      .execute();
    await audit(trx, {
      actorId,
      action: "settings.update",
      entity: "setting",
      entityId: RETENTION_KEY,
      requestId,
      details: { months },
    });
  });
}

/** The moment N calendar months before `now` (UTC); clamps to the month's last day (31 Mar − 1 month → 28/29 Feb). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface RetentionResult {
  months: number | null;
  cutoff: Date | null;
  due: { id: string; archived_at: Date | string }[];
  erased: string[];
}

/** Erases (or, with dryRun, only lists) archived candidates archived before now − N months. */
export async function runRetention(
  db: DB,
  { now, dryRun }: { now: Date; dryRun: boolean },
): Promise<RetentionResult> {
  const months = await getRetentionMonths(db);
  if (months === null) return { months, cutoff: null, due: [], erased: [] };
  const cutoff = monthsBefore(now, months);
  const due = (await db
    .selectFrom("candidates")
    .select(["id", "archived_at"])
    .where("stage", "=", "archived")
    .where("archived_at", "<", cutoff)
    .orderBy("archived_at", "asc")
    .execute()) as { id: string; archived_at: Date | string }[];
  const erased: string[] = [];
  if (!dryRun) {
    for (const { id } of due) {
      if (
        (await eraseCandidate(db, {
          candidateId: id,
          actorId: null,
          requestId: null,
          via: "retention",
        })) === "erased"
      )
        erased.push(id);
    }
    await audit(db, {
      actorId: null,
      action: "retention.run",
      entity: "setting",
      entityId: RETENTION_KEY,
      details: { months, erased: erased.length },
    });
  }
  return { months, cutoff, due, erased };
}
