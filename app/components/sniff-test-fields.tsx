import type { FieldErrors } from "./ui/forms";
import { TextArea, TextField } from "./ui/forms";
import { ChoiceSelect } from "./choice-select";

/** The template's optional notes for whoever offers it, in the order the form shows them. */
const OPTIONAL_NOTES = [
  { name: "rationale", label: "Why it reveals the dimension (optional)" },
  { name: "signals", label: "Signals to watch for (optional)" },
  { name: "redFlags", label: "Red flags (optional)" },
] as const;

/** The fields of a sniff-test template, shared by the create and edit forms. */
export function SniffTestFields({
  dimensions,
  text,
  errors,
}: {
  dimensions: { id: string; name: string }[];
  text: (name: string) => string;
  errors: FieldErrors;
}) {
  return (
    <>
      <TextField
        label="Title"
        name="title"
        required
        maxLength={200}
        defaultValue={text("title")}
        errors={errors.title}
        autoComplete="off"
      />
      <ChoiceSelect
        label="Dimension"
        name="dimensionId"
        required
        defaultValue={text("dimensionId")}
        errors={errors.dimensionId}
        choices={dimensions}
        placeholder="Choose the dimension it reveals"
      />
      <TextArea
        label="The assignment, as given to the person"
        name="assignment"
        required
        rows={5}
        maxLength={10000}
        defaultValue={text("assignment")}
        errors={errors.assignment}
      />
      {OPTIONAL_NOTES.map(({ name, label }) => (
        <TextArea
          key={name}
          label={label}
          name={name}
          rows={3}
          maxLength={10000}
          defaultValue={text(name)}
          errors={errors[name]}
        />
      ))}
      <TextField
        label="Suggested timebox in days"
        name="timeboxDays"
        type="number"
        inputMode="numeric"
        required
        min={1}
        max={365}
        defaultValue={text("timeboxDays")}
        errors={errors.timeboxDays}
        hint="Sets the default due date when you offer it: 1 to 365 days."
      />
    </>
  );
}
