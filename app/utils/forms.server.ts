import { json } from "@remix-run/node";
import type { z } from "zod";

export type Values = Record<string, string | string[]>;

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
  return Object.fromEntries([...fields].map(([key, all]) => [key, all.length > 1 ? all : (all[0] ?? "")]));
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; response: Response };

export const NUL_MESSAGE = "Remove the invisible NUL character (U+0000): it cannot be stored.";

/** Fields holding U+0000, which PostgreSQL text cannot store: refused, never silently changed. */
export function fieldsWithNul(values: Values): string[] {
  return Object.entries(values)
    .filter(([, v]) => (Array.isArray(v) ? v : [v]).some((s) => s.includes("\u0000")))
    .map(([k]) => k);
}

/** Validate with zod; on failure a 400 that carries field messages and the user's input intact. */
export function parseForm<S extends z.ZodType>(schema: S, formData: FormData, extra: Record<string, unknown> = {}): ParseResult<z.infer<S>> {
  const values = formValues(formData);
  const nul = fieldsWithNul(values);
  if (nul.length) {
    const fieldErrors = Object.fromEntries(nul.map((k) => [k, [NUL_MESSAGE]]));
    return { ok: false, response: json({ ok: false as const, fieldErrors, values, ...extra }, { status: 400 }) };
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "form");
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { ok: false, response: json({ ok: false as const, fieldErrors, values, ...extra }, { status: 400 }) };
}

export function badRequest(message: string, values: Values = {}, fieldErrors: Record<string, string[]> = {}) {
  return json({ ok: false as const, formError: message, fieldErrors, values }, { status: 400 });
}
