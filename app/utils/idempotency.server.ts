import { randomUUID } from "node:crypto";
import type { DB } from "../../db/client";
import { invalid, type Values } from "./forms.server";

/**
 * Create forms carry a hidden `idempotencyKey` made by their loader. The key is stored in a UNIQUE
 * column, so a double click or a re-sent form finds the row the first submit made instead of
 * making a second one.
 */
export function newIdempotencyKey(): string {
  return randomUUID();
}

export { idempotencyKey as IdempotencyKeySchema } from "./fields";

export const KEY_USED_ELSEWHERE =
  "This form was already used for something else, so nothing was saved. Reload the page and submit it again.";

/** True for a unique violation on an idempotency_key column (the same form submitted twice at once). */
export function isIdempotencyConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== "23505") return false;
  return (e.constraint ?? e.message ?? "").includes("idempotency_key");
}

/** 409: the key belongs to another submission (another candidate, plan, item, author…). The input comes back. */
export function keyUsedElsewhere(values: Values) {
  return invalid(values, {}, KEY_USED_ELSEWHERE, 409);
}

/** What a create wrote, or (`created: false`) the row an earlier submit with the same key wrote. */
export type Saved<Row> = Row & { created: boolean };

class Rollback extends Error {
  constructor(readonly outcome: Response | Saved<unknown>) {
    super("rolled back");
  }
}

/**
 * The one way a create form saves under its idempotency key:
 * - a repeat of the same submission (same key, same target: `isRepeat`) gets the answer the first got,
 *   before any check that could now differ, and stores nothing;
 * - the same key for something else gets 409 with the input kept, and stores nothing;
 * - otherwise `check` (a 4xx answer, or null), then `create` in one transaction. When `create` finds the
 *   key already used (`created: false`) or answers with a Response, the transaction is rolled back: no
 *   audit row or status change of a submission that stored nothing stays;
 * - concurrent identical submits: the UNIQUE index lets one through, the others answer as it did (also
 *   when the first one's change made theirs look stale).
 */
export async function saveOnce<Row, Answer extends Response, Refusal extends Response = never>(
  db: DB,
  opts: {
    /** The row stored under this key, if any. */
    find: (db: DB) => Promise<Row | undefined>;
    /** Whether that row is this submission's: the same target and the same author. */
    isRepeat: (row: Row) => boolean;
    check?: () => Promise<Refusal | null>;
    create: (trx: DB) => Promise<Saved<Row> | Refusal>;
    /** The answer to the submission, and to every repeat of it. */
    answer: (row: Row) => Answer;
    values: Values;
  },
): Promise<Answer | Refusal | ReturnType<typeof keyUsedElsewhere>> {
  const settle = (row: Row) =>
    opts.isRepeat(row) ? opts.answer(row) : keyUsedElsewhere(opts.values);
  // A refusal can be the work of a twin of this submission stored meanwhile (it moved on the version this
  // form carried): then the twin's answer is this one's too.
  const refuse = async (refusal: Refusal) => {
    const twin = await opts.find(db);
    return twin ? settle(twin) : refusal;
  };
  const earlier = await opts.find(db);
  if (earlier) return settle(earlier);
  const refusal = opts.check ? await opts.check() : null;
  if (refusal) return refuse(refusal);
  try {
    const row = await db.transaction().execute(async (trx) => {
      const saved = await opts.create(trx);
      if (saved instanceof Response || !saved.created) throw new Rollback(saved);
      return saved;
    });
    return opts.answer(row);
  } catch (error) {
    if (error instanceof Rollback)
      return error.outcome instanceof Response
        ? refuse(error.outcome as Refusal)
        : settle(error.outcome as Row);
    if (!isIdempotencyConflict(error)) throw error;
    const winner = await opts.find(db);
    if (!winner) throw error;
    return settle(winner);
  }
}
