import type { ComponentProps } from "react";
import { SelectField } from "./ui/forms";

export interface Choice {
  id: string;
  name: string;
}

/** A labelled select of choices (people, dimensions, tracks…), with an empty "Choose…" first option when `placeholder` is given. */
export function ChoiceSelect({
  choices,
  placeholder,
  ...props
}: Omit<ComponentProps<typeof SelectField>, "children"> & {
  choices: readonly Choice[];
  placeholder?: string;
}) {
  return (
    <SelectField {...props}>
      {placeholder === undefined ? null : <option value="">{placeholder}</option>}
      {choices.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </SelectField>
  );
}
