import { useActionData } from "@remix-run/react";

/**
 * The form protocol, client side. Every refused submission answers with a `FormFailure` (built by
 * `invalid` in forms.server.ts), whatever its status: 400 for input, 409 for a stale version or a
 * reused key. A page reads it with `useFormResult(intent)`, which gives the messages and the values
 * as typed for the form that sent them, and nothing for the page's other forms.
 */
export type Values = Record<string, string | string[]>;
export type FieldErrors = Record<string, string[]>;

export interface FormFailure {
  ok: false;
  formError?: string;
  fieldErrors: FieldErrors;
  values: Values;
}

export const CHECK_FIELDS = "Check the highlighted fields: nothing has been saved yet.";

export function isFormFailure(data: unknown): data is FormFailure {
  return (
    typeof data === "object" &&
    data !== null &&
    "ok" in data &&
    data.ok === false &&
    "values" in data &&
    typeof data.values === "object" &&
    data.values !== null &&
    "fieldErrors" in data &&
    typeof data.fieldErrors === "object" &&
    data.fieldErrors !== null
  );
}

export interface FormResult {
  /** This form's submission was refused. */
  failed: boolean;
  /** A message about the whole form, when there is one. */
  formError: string | undefined;
  /** What to say above the form: the form's message, or "check the highlighted fields". */
  summary: string | undefined;
  errors: FieldErrors;
  /** The value typed into a one-valued field, or `fallback` when the form was not refused. */
  value(name: string, fallback?: string): string;
  /** The values chosen in a many-valued field (checkboxes), or `fallback` when the form was not refused. */
  list(name: string, fallback?: readonly string[]): string[];
  /**
   * The idempotency key to render: the refused submission's own key, so the corrected submit still
   * makes one row; a fresh one when the key itself was the problem or the refusal was about the form.
   */
  key(fresh: string): string;
}

/** Reads a refusal for the form that sent `intent` (any form when no intent is given). */
export function readFormResult(data: unknown, intent?: string): FormResult {
  const failure =
    isFormFailure(data) && (intent === undefined || data.values.intent === intent)
      ? data
      : undefined;
  const values = failure?.values ?? {};
  const errors = failure?.fieldErrors ?? {};
  const one = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };
  return {
    failed: failure !== undefined,
    formError: failure?.formError || undefined,
    summary: failure
      ? failure.formError || errors.idempotencyKey?.join(" ") || CHECK_FIELDS
      : undefined,
    errors,
    value: (name, fallback = "") => one(name) ?? fallback,
    list: (name, fallback = []) => {
      if (!failure) return [...fallback];
      const v = values[name];
      return Array.isArray(v) ? v : v ? [v] : [];
    },
    key: (fresh) => {
      const kept = one("idempotencyKey");
      return failure && kept && !errors.idempotencyKey && !failure.formError ? kept : fresh;
    },
  };
}

/** The result of the last submission of this route's action, for the form that sent `intent`. */
export function useFormResult(intent?: string): FormResult {
  const data: unknown = useActionData();
  return readFormResult(data, intent);
}

/** The type of `key` on the members of an action's answers that carry it (never on the others). */
export type DetailOf<T, K extends string> = T extends unknown
  ? K extends keyof T
    ? T[K]
    : never
  : never;

/**
 * The detail a refusal carries beside its FormFailure (a 409's saved record, the text that was typed):
 * `detailOf(useActionData<typeof action>(), "conflict")`, typed by what the action returns.
 */
export function detailOf<T, K extends string>(
  data: T | undefined,
  key: K,
): DetailOf<T, K> | undefined {
  if (typeof data !== "object" || data === null || !(key in data)) return undefined;
  const found: Record<K, DetailOf<T, K>> = data as Record<K, DetailOf<T, K>>;
  return found[key];
}
