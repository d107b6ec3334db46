import { Form } from "@remix-run/react";
import { useId } from "react";
import type { FieldErrors, FormResult, Values } from "../utils/form-result";
import { Button, CheckboxGroup, SelectField, TextArea, PastDayField } from "./ui/forms";
import { IdempotencyKeyField } from "./ui/idempotency-key";

export interface ObservationFormProps {
  action: string; // e.g. `/candidates/${id}/observations/new`
  idempotencyKey: string;
  dimensions: { id: string; name: string }[];
  assignments: { id: string; title: string }[]; // this candidate's sniff-test assignments (may be empty)
  today: string; // YYYY-MM-DD, default and max of observedOn
  /** The refused submission of this form (from useFormResult); while it has not failed, `values` show. */
  result?: FormResult;
  values?: Values;
  fieldErrors?: FieldErrors;
  compact?: boolean; // the quick-capture variant on the profile
  submitLabel?: string;
  /** Extra hidden fields, e.g. the intent and version of the edit form (which passes an empty idempotencyKey). */
  hidden?: Record<string, string>;
}

export const SIGNALS = [
  { value: "strength", label: "Strength" },
  { value: "concern", label: "Concern" },
  { value: "context", label: "Context" },
] as const;

export const BEHAVIOR_HINT =
  'What did the person actually do or say? Something you could see or hear, e.g. "Asked the on-call engineer to walk her through the alert before proposing a fix".';

interface Shown {
  value(name: string): string;
  list(name: string): string[];
  errors: FieldErrors;
}

/** What the fields show: the refused submission when `result` failed, otherwise `values` and `fieldErrors`. */
function shown(
  result: FormResult | undefined,
  values: Values | undefined,
  fieldErrors: FieldErrors = {},
): Shown {
  if (result?.failed)
    return {
      value: (name) => result.value(name),
      list: (name) => result.list(name),
      errors: result.errors,
    };
  return {
    value: (name) => {
      const v = values?.[name];
      return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
    },
    list: (name) => {
      const v = values?.[name];
      return Array.isArray(v) ? v : v ? [v] : [];
    },
    errors: fieldErrors,
  };
}

const FIELD_LABELS = {
  situation: "Situation (optional)",
  behavior: "Behaviour",
  behaviorHint: BEHAVIOR_HINT,
  impact: "Impact (optional)",
  dimensions: "Dimensions (one or more)",
  signal: "Signal",
};

export interface ObservationFieldsProps {
  dimensions: { id: string; name: string }[];
  /** The refused submission (from useFormResult); while it has not failed, `values` and `fieldErrors` show. */
  result?: FormResult;
  values?: Values;
  fieldErrors?: FieldErrors;
  compact?: boolean;
  /** Other words for the fields when the observation is part of a larger form, e.g. a plan's closing observation. */
  labels?: Partial<typeof FIELD_LABELS>;
}

/**
 * Situation, behaviour, impact: the three text fields of an observation, and of a flag. `hints` adds the
 * "where and when" and "what happened" hints under situation and impact.
 */
export function SbiFields({
  value,
  errors,
  labels,
  behaviorRows,
  hints,
}: {
  value: (name: string) => string;
  errors: FieldErrors;
  labels: { situation: string; behavior: string; behaviorHint: string; impact: string };
  behaviorRows: number;
  hints: boolean;
}) {
  return (
    <>
      <TextArea
        label={labels.situation}
        name="situation"
        maxLength={10000}
        rows={2}
        hint={hints ? "Where and when: the meeting, incident or piece of work." : undefined}
        defaultValue={value("situation")}
        errors={errors.situation}
      />
      <TextArea
        label={labels.behavior}
        name="behavior"
        required
        maxLength={10000}
        rows={behaviorRows}
        hint={labels.behaviorHint}
        defaultValue={value("behavior")}
        errors={errors.behavior}
      />
      <TextArea
        label={labels.impact}
        name="impact"
        maxLength={10000}
        rows={2}
        hint={
          hints ? "What happened as a result, for the team, the work or the people." : undefined
        }
        defaultValue={value("impact")}
        errors={errors.impact}
      />
    </>
  );
}

/** The observation itself (situation, behaviour, impact, dimensions, signal), without a form around it. */
export function ObservationFields({
  dimensions,
  result,
  values,
  fieldErrors: errorsGiven,
  compact = false,
  labels = {},
}: ObservationFieldsProps) {
  const id = useId();
  const label = { ...FIELD_LABELS, ...labels };
  const { value, list, errors: fieldErrors } = shown(result, values, errorsGiven);
  const chosenDimensions = new Set(list("dimensionIds"));
  const signal = value("signal");
  return (
    <>
      <SbiFields
        value={value}
        errors={fieldErrors}
        labels={label}
        behaviorRows={compact ? 2 : 4}
        hints={!compact}
      />

      <CheckboxGroup
        legend={label.dimensions}
        name="dimensionIds"
        options={dimensions}
        chosen={chosenDimensions}
        errors={fieldErrors.dimensionIds}
      />

      <fieldset aria-describedby={fieldErrors.signal?.length ? `${id}-signal-error` : undefined}>
        <legend className="block text-sm font-medium text-stone-800">{label.signal}</legend>
        <div className="mt-1 flex flex-col gap-2 sm:flex-row sm:gap-x-4">
          {SIGNALS.map((s) => (
            <label key={s.value} className="inline-flex items-center gap-2 text-sm text-stone-800">
              <input
                type="radio"
                name="signal"
                value={s.value}
                required
                defaultChecked={signal === s.value}
                aria-invalid={fieldErrors.signal?.length ? true : undefined}
                className="h-4 w-4 border-stone-300 text-brand-700"
              />
              {s.label}
            </label>
          ))}
        </div>
        {fieldErrors.signal?.length ? (
          <p id={`${id}-signal-error`} className="mt-1 text-sm text-red-700">
            {fieldErrors.signal.join(" ")}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}

/** Situation–Behaviour–Impact capture: a plain form that works without JavaScript. */
export function ObservationForm({
  action,
  idempotencyKey,
  dimensions,
  assignments,
  today,
  result,
  values,
  fieldErrors,
  compact = false,
  submitLabel = "Save observation",
  hidden = {},
}: ObservationFormProps) {
  const form = shown(result, values, fieldErrors);
  const errors = form.errors;
  return (
    <Form method="post" action={action} className="space-y-4" noValidate>
      {idempotencyKey ? <IdempotencyKeyField value={idempotencyKey} /> : null}
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <ObservationFields
        dimensions={dimensions}
        result={result}
        values={values}
        fieldErrors={fieldErrors}
        compact={compact}
      />

      <div className="grid gap-4 sm:grid-cols-2">
        <PastDayField
          label="Observed on"
          name="observedOn"
          form={form}
          today={today}
          min="2000-01-01"
        />
        {assignments.length || errors.assignmentId?.length ? (
          <SelectField
            label="Sniff test (optional)"
            name="assignmentId"
            defaultValue={form.value("assignmentId")}
            errors={errors.assignmentId}
          >
            <option value="">Not linked to a sniff test</option>
            {assignments.map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
          </SelectField>
        ) : null}
      </div>
      {errors.idempotencyKey?.length ? (
        <p role="alert" className="text-sm text-red-700">
          {errors.idempotencyKey.join(" ")}
        </p>
      ) : null}
      <Button className="w-full sm:w-auto">{submitLabel}</Button>
    </Form>
  );
}
