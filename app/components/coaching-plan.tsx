import type { ReactNode } from "react";

export function Panel({ title, children, id }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-3 space-y-4">{children}</div>
    </section>
  );
}

/** What the plan pages' actions answer when nothing was saved. */
export type PlanActionData = {
  values?: Record<string, string | string[]>;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  conflict?:
    | { kind: "plan"; plan: { goal: string; target_on: string | null; mentor_name: string; version: number; dimensions: { id: string; name: string }[] } }
    | { kind: "action"; action: { id: string; title: string; due_on: string | null; version: number } }
    | { kind: "flag"; flag: { id: string; status: string; resolution: string | null; version: number } };
};

/** Reads a refused submission back into the form of its intent; the page's other forms start afresh. */
export function planFormResult(actionData: PlanActionData | undefined) {
  const values = actionData?.values;
  const fieldErrors = actionData?.fieldErrors ?? {};
  const failed = (intent: string) => values?.intent === intent;
  return {
    values,
    fieldErrors,
    conflict: actionData?.conflict,
    failed,
    kept: (intent: string, key: string) => (failed(intent) && typeof values?.[key] === "string" ? (values[key] as string) : ""),
    keptMany: (intent: string, key: string, fallback: string[]) => {
      if (!failed(intent)) return new Set(fallback);
      const v = values?.[key];
      return new Set(Array.isArray(v) ? v : v ? [v] : []);
    },
    errorsFor: (intent: string, key: string) => (failed(intent) ? fieldErrors[key] : undefined),
    // After a failure the same key goes back, so a corrected re-submit is still one row.
    keyFor: (intent: string, fresh: string) =>
      failed(intent) && typeof values?.idempotencyKey === "string" && !fieldErrors.idempotencyKey && !actionData?.formError ? values.idempotencyKey : fresh,
  };
}
