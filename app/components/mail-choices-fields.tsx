/**
 * The mail choices as form fields — a list's on/off box and the digest's day and hour — shared by a
 * person's own mail settings (/settings/mail) and the organisation's defaults (/admin/mail).
 */
import type { FormResult } from "../utils/form-result";
import { SelectField } from "./ui/forms";

export type MailListName = "digest" | "reminders" | "invitations";

const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);

/** A list's box: checked as saved, or as typed when the save was refused. */
export function MailListBox({
  form,
  name,
  saved,
  label,
}: {
  form: FormResult;
  name: MailListName;
  saved: boolean;
  label: string;
}) {
  return (
    <label className="flex items-center gap-2">
      <input
        type="checkbox"
        name={name}
        defaultChecked={form.failed ? form.value(name) === "on" : saved}
        className="h-4 w-4 rounded border-stone-300"
      />
      {label}
    </label>
  );
}

/** A select whose options are the choices' positions (0 = the first), named by the choices. */
function PositionSelect({
  form,
  label,
  name,
  saved,
  choices,
}: {
  form: FormResult;
  label: string;
  name: "digestDay" | "digestHour";
  saved: number;
  choices: readonly string[];
}) {
  return (
    <SelectField
      label={label}
      name={name}
      defaultValue={form.value(name, String(saved))}
      errors={form.errors[name]}
    >
      {choices.map((choice, i) => (
        <option key={choice} value={i}>
          {choice}
        </option>
      ))}
    </SelectField>
  );
}

/** The digest's day (0 = Sunday, named by `weekdays`: WEEKDAYS of utils/time-zones) and hour, side by side. */
export function DigestTimeFields({
  form,
  saved,
  weekdays,
  dayLabel,
  hourLabel,
}: {
  form: FormResult;
  saved: { digestDay: number; digestHour: number };
  weekdays: readonly string[];
  dayLabel: string;
  hourLabel: string;
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <PositionSelect
        form={form}
        label={dayLabel}
        name="digestDay"
        saved={saved.digestDay}
        choices={weekdays}
      />
      <PositionSelect
        form={form}
        label={hourLabel}
        name="digestHour"
        saved={saved.digestHour}
        choices={HOURS}
      />
    </div>
  );
}
