import { json } from "@remix-run/node";
import type { z } from "zod";
import type { FieldErrors, FormFailure, Values } from "./form-result";

export type { FieldErrors, FormFailure, Values };

/**
 * The one answer to a refused submission: the messages, and the values as typed so nothing is lost.
 * 400 for input; 409 for a stale version or a reused key. Pages read it with `useFormResult`.
 */
export function invalid(
  values: Values,
  fieldErrors: FieldErrors = {},
  formError?: string,
  init: number | ResponseInit = 400,
) {
  const body: FormFailure = formError
    ? { ok: false, formError, fieldErrors, values }
    : { ok: false, fieldErrors, values };
  return json(
    { ...body, detailed: false as const },
    typeof init === "number" ? { status: init } : init,
  );
}

/**
 * A refusal that carries more than the form (a 409 with the saved record beside what was typed); the
 * page reads the extra with `detailOf`. `detailed` keeps the two answers apart in the action's type
 * (otherwise TypeScript folds this one into the plain refusal, and the extra is lost to the page).
 */
export function invalidWith<D extends Record<string, unknown>>(
  failure: FormFailure,
  detail: D,
  init: number | ResponseInit = 409,
) {
  return json(
    { ...failure, ...detail, detailed: true as const },
    typeof init === "number" ? { status: init } : init,
  );
}

/** Every field as the user sent it (multi-valued fields as arrays), to put back into the form. */
export function formValues(formData: FormData): Values {
  // One pass: getAll per key is linear, so once per key made many distinct fields quadratic.
  const fields = new Map<string, string[]>();
  for (const [key, value] of formData) {
    let all = fields.get(key);
    if (!all) fields.set(key, (all = []));
    if (typeof value === "string") all.push(value);
  }
  // fromEntries defines own properties, so a field named __proto__ stays a field.
  return Object.fromEntries(
    [...fields].map(([key, all]) => [key, all.length > 1 ? all : (all[0] ?? "")]),
  );
}

export type ParseResult<T> =
  { ok: true; data: T } | { ok: false; response: ReturnType<typeof invalid> };

export const NUL_MESSAGE = "Remove the invisible NUL character (U+0000): it cannot be stored.";

/** Fields holding U+0000, which PostgreSQL text cannot store: refused, never silently changed. */
export function fieldsWithNul(values: Values): string[] {
  return Object.entries(values)
    .filter(([, v]) => (Array.isArray(v) ? v : [v]).some((s) => s.includes("\u0000")))
    .map(([k]) => k);
}

/**
 * Validate with zod; on failure the `invalid` answer. `echo` is what goes back into the form when it
 * should not be everything sent (a password is never sent back).
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  formData: FormData,
  opts: { echo?: Values } = {},
): ParseResult<z.infer<S>> {
  const sent = formValues(formData);
  const values = opts.echo ?? sent;
  const nul = fieldsWithNul(sent);
  if (nul.length)
    return {
      ok: false,
      response: invalid(values, Object.fromEntries(nul.map((k) => [k, [NUL_MESSAGE]]))),
    };
  const result = schema.safeParse(sent);
  if (result.success) return { ok: true, data: result.data };
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "form");
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { ok: false, response: invalid(values, fieldErrors) };
}

/** A refusal with a message about the whole form (and perhaps some fields). */
export function badRequest(message: string, values: Values = {}, fieldErrors: FieldErrors = {}) {
  return invalid(values, fieldErrors, message);
}
