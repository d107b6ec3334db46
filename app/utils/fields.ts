import { z } from "zod";
import { isRealDay } from "./dates";

/**
 * The field schemas forms share, client-safe so models and routes validate a day, a text, an id list
 * or a version one way, with one set of messages.
 */
export const EARLIEST_DAY = "2000-01-01";
export const LATEST_DAY = "2100-12-31";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

interface DayRange {
  /** The earliest day allowed (default 2000-01-01) and what to say before it. */
  min?: string;
  tooEarly?: string;
  /** The latest day allowed (default 2100-12-31) and what to say after it. */
  max?: string;
  tooLate?: string;
}

function inRange(
  schema: z.ZodType<string>,
  { min = EARLIEST_DAY, max = LATEST_DAY, tooEarly, tooLate }: DayRange,
) {
  const between = "Use a date between 2000 and 2100.";
  return schema
    .refine(
      (d) => !isRealDay(d) || d >= min,
      tooEarly ?? (min === EARLIEST_DAY ? "Use a date in 2000 or later." : between),
    )
    .refine((d) => !isRealDay(d) || d <= max, tooLate ?? between);
}

/** A required 'YYYY-MM-DD' day that exists, within the range. `what` completes "Enter …". */
export function day(what: string, range: DayRange = {}) {
  return inRange(
    z
      .string({ error: `Enter ${what}.` })
      .trim()
      .min(1, { error: `Enter ${what}.`, abort: true })
      .refine(isRealDay, { error: `Enter ${what} as a real date (YYYY-MM-DD).`, abort: true }),
    range,
  );
}

/** An optional day: empty becomes null. */
export function optionalDay(what: string, range: DayRange = {}) {
  const { min = EARLIEST_DAY, max = LATEST_DAY, tooEarly, tooLate } = range;
  const between = "Use a date between 2000 and 2100.";
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || isRealDay(v), {
      error: `Enter ${what} as a real date (YYYY-MM-DD), or leave it empty.`,
      abort: true,
    })
    .refine(
      (v) => v === null || !isRealDay(v) || v >= min,
      tooEarly ?? (min === EARLIEST_DAY ? "Use a date in 2000 or later." : between),
    )
    .refine((v) => v === null || !isRealDay(v) || v <= max, tooLate ?? between);
}

/** A date and time from <input type="datetime-local"> (no time zone: the app reads it as UTC). */
export function dateTime(what: string) {
  return z
    .string({ error: `Choose ${what}.` })
    .trim()
    .min(1, { error: `Choose ${what}.`, abort: true })
    .refine(
      (v) =>
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v) &&
        isRealDay(v.slice(0, 10)) &&
        !Number.isNaN(Date.parse(`${v}Z`)),
      `Enter ${what} as a real date and time.`,
    );
}

const atMost = (max: number) => `Use at most ${max.toLocaleString("en-GB")} characters.`;

/** Required text, trimmed; `message` says what to write when it is empty. */
export function text(message: string, max = 10_000) {
  return z.string({ error: message }).trim().min(1, message).max(max, atMost(max));
}

/** Optional text, trimmed; empty becomes "". */
export function optionalText(max = 10_000) {
  return z
    .string()
    .trim()
    .max(max, atMost(max))
    .optional()
    .transform((v) => v ?? "");
}

/** One id chosen from a list. */
export function id(message: string) {
  return z.string({ error: message }).refine(isUuid, message);
}

/** Ids chosen with checkboxes (none, one or many; empty entries dropped). */
export function idList(message: string, max = 200) {
  return z.preprocess(
    (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v.filter((x) => x !== "") : [v]),
    z.array(z.string().refine(isUuid, message)).max(max, message),
  );
}

/** The version an edit form was rendered with (compared on save: a stale one answers 409). */
export const version = z.coerce
  .number({ error: "Reload the page and try again." })
  .int()
  .positive();

/** The hidden key of a create form (see saveOnce in idempotency.server.ts). */
export const idempotencyKey = z.uuid({
  message: "This form has expired: reload the page and submit it again.",
});
