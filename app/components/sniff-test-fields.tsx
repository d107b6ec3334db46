import type { FieldErrors } from "./ui/forms";
import { TextArea, TextField } from "./ui/forms";
import { ChoiceSelect } from "./choice-select";

/** The template's optional notes for whoever offers it, in the order the form shows them. */
const OPTIONAL_NOTES = [
  { name: "rationale", label: "Why it reveals the dimension (optional)" },
  { name: "signals", label: "Signals to watch for (optional)" },
  { name: "redFlags", label: "Red flags (optional)" },
] as const;

/**
 * The fields of a sniff-test template, shared by the create and edit forms. `text("needsAcceptance")`
 * is "1" when the box is ticked.
 */
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
      <div>
        <label className="inline-flex items-center gap-2 text-sm font-medium text-stone-800">
          <input
            type="checkbox"
            name="needsAcceptance"
            value="1"
            defaultChecked={text("needsAcceptance") === "1"}
            aria-describedby="needs-acceptance-hint"
            className="h-4 w-4 rounded border-stone-300 text-brand-700"
          />
          Needs acceptance
        </label>
        <p id="needs-acceptance-hint" className="ml-6 text-sm text-stone-600">
          Ticked: the person first says yes or no, then it is completed or not. Unticked: homework
          offered to a group, recorded in one step as completed or not completed.
        </p>
      </div>
    </>
  );
}
