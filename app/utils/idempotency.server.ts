import { randomUUID } from "node:crypto";
import { z } from "zod";

/**
 * Create forms carry a hidden `idempotencyKey` made by their loader. The key is stored in a UNIQUE
 * column, so a double click or a re-sent form finds the row the first submit made instead of
 * making a second one.
 */
export function newIdempotencyKey(): string {
  return randomUUID();
}

export const IdempotencyKeySchema = z.uuid({ message: "This form has expired: reload the page and submit it again." });

/** True for a unique violation on an idempotency_key column (the same form submitted twice at once). */
export function isIdempotencyConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== "23505") return false;
  return (e.constraint ?? e.message ?? "").includes("idempotency_key");
}
