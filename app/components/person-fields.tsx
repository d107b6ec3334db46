import { ChoiceSelect } from "./choice-select";
import type { FieldErrors } from "./ui/forms";
import { TextField } from "./ui/forms";

export type PersonFieldName = "name" | "email" | "title" | "team" | "managerId" | "managerLookup";

/**
 * A person's directory facts. The manager is a select while the directory is small (`managers`), and
 * past that a name or work email typed in (`managers` null), so the page works without JavaScript
 * and does not grow with the organisation.
 */
export function PersonFields({
  value,
  errors,
  managers,
}: {
  value: (name: PersonFieldName) => string;
  errors: FieldErrors;
  managers: readonly { id: string; name: string; team: string }[] | null;
}) {
  return (
    <>
      <DirectoryFactsFields value={value} errors={errors} />
      {managers ? (
        <ChoiceSelect
          label="Manager"
          name="managerId"
          defaultValue={value("managerId")}
          errors={errors.managerId}
          choices={managers.map((m) => ({
            id: m.id,
            name: m.team ? `${m.name} (${m.team})` : m.name,
          }))}
          placeholder="No manager"
        />
      ) : (
        <>
          <input type="hidden" name="managerId" value="" />
          <TextField
            label="Manager"
            name="managerLookup"
            maxLength={254}
            autoComplete="off"
            defaultValue={value("managerLookup")}
            errors={[...(errors.managerLookup ?? []), ...(errors.managerId ?? [])]}
            hint="Their work email, or their whole name. Leave empty for no manager."
          />
        </>
      )}
    </>
  );
}

/** Name, work email, title and team: the directory's facts, as the person and the candidate forms ask them. */
export function DirectoryFactsFields({
  value,
  errors,
}: {
  value: (name: "name" | "email" | "title" | "team") => string;
  errors: FieldErrors;
}) {
  return (
    <>
      <TextField
        label="Name"
        name="name"
        required
        maxLength={120}
        autoComplete="off"
        defaultValue={value("name")}
        errors={errors.name}
      />
      <TextField
        label="Work email (optional)"
        name="email"
        type="email"
        maxLength={254}
        autoComplete="off"
        defaultValue={value("email")}
        errors={errors.email}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Title"
          name="title"
          maxLength={120}
          defaultValue={value("title")}
          errors={errors.title}
          hint="e.g. Senior engineer"
        />
        <TextField
          label="Team"
          name="team"
          maxLength={120}
          defaultValue={value("team")}
          errors={errors.team}
        />
      </div>
    </>
  );
}
