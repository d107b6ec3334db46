import type {
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from "react";
import { useId } from "react";

export type FieldErrors = Record<string, string[] | undefined>;

const inputClass =
  "mt-1 block w-full rounded border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-brand-600 aria-[invalid=true]:border-red-600";

export function ErrorText({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {errors.join(" ")}
    </p>
  );
}

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
  hint?: ReactNode;
}

/** The control's accessible wiring: its id, whether it is invalid, and what describes it. */
interface ControlProps {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

/** The label, hint and errors every field shows around its control, wired to it by id. */
function Field({
  label,
  errors,
  hint,
  children,
}: Omit<FieldProps, "name"> & { children: (control: ControlProps) => ReactNode }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-stone-800">
        {label}
      </label>
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-stone-600">
          {hint}
        </p>
      ) : null}
      {children({
        id,
        "aria-invalid": errors?.length ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      <ErrorText id={`${id}-error`} errors={errors} />
    </div>
  );
}

export function TextField({
  label,
  name,
  errors,
  hint,
  ...props
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} errors={errors} hint={hint}>
      {(control) => <input {...control} name={name} className={inputClass} {...props} />}
    </Field>
  );
}

/**
 * The day something happened: a required date no later than `today` (and not before `min`), filled
 * with today until the person picks another, or with what they sent when the form was refused.
 */
export function PastDayField({
  label,
  name,
  form,
  today,
  min,
}: {
  label: string;
  name: string;
  form: { value(name: string): string; errors: FieldErrors };
  today: string;
  min?: string;
}) {
  return (
    <TextField
      label={label}
      name={name}
      type="date"
      required
      min={min}
      max={today}
      defaultValue={form.value(name) || today}
      errors={form.errors[name]}
    />
  );
}

export function TextArea({
  label,
  name,
  errors,
  hint,
  ...props
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} errors={errors} hint={hint}>
      {(control) => (
        <textarea {...control} name={name} rows={3} className={inputClass} {...props} />
      )}
    </Field>
  );
}

export function SelectField({
  label,
  name,
  errors,
  hint,
  children,
  ...props
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} errors={errors} hint={hint}>
      {(control) => (
        <select {...control} name={name} className={inputClass} {...props}>
          {children}
        </select>
      )}
    </Field>
  );
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
      {message}
    </p>
  );
}

export function Button({
  variant = "primary",
  className = "",
  ...props
}: {
  variant?: "primary" | "secondary" | "danger";
} & React.ButtonHTMLAttributes<HTMLButtonElement>) {
  const styles = {
    primary: "bg-brand-700 text-white hover:bg-brand-800",
    secondary: "border border-stone-300 bg-white text-stone-800 hover:bg-stone-100",
    danger: "bg-red-700 text-white hover:bg-red-800",
  }[variant];
  return (
    <button
      type="submit"
      className={`inline-flex items-center justify-center rounded px-4 py-2 text-sm font-medium disabled:opacity-60 ${styles} ${className}`}
      {...props}
    />
  );
}

/** A group of checkboxes sharing one name (e.g. dimensionIds), with its legend and errors. */
export function CheckboxGroup({
  legend,
  name,
  options,
  chosen,
  errors,
}: {
  legend: string;
  name: string;
  options: { id: string; name: string }[];
  chosen: Set<string>;
  errors?: string[];
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={errors?.length ? `${id}-error` : undefined}>
      <legend className="block text-sm font-medium text-stone-800">{legend}</legend>
      <div className="mt-1 flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:gap-x-4">
        {options.map((o) => (
          <label key={o.id} className="inline-flex items-center gap-2 text-sm text-stone-800">
            <input
              type="checkbox"
              name={name}
              value={o.id}
              defaultChecked={chosen.has(o.id)}
              aria-invalid={errors?.length ? true : undefined}
              className="h-4 w-4 rounded border-stone-300 text-brand-700"
            />
            {o.name}
          </label>
        ))}
      </div>
      <ErrorText id={`${id}-error`} errors={errors} />
    </fieldset>
  );
}
