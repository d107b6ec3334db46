import { SelectField } from "./ui/forms";

export interface ReadinessRoleOption {
  id: string;
  title: string;
  team: string;
  needed_by: string | null;
}

export function readinessRoleLabel(role: Omit<ReadinessRoleOption, "id">): string {
  return `${role.title} — ${role.team}${role.needed_by ? ` (${role.needed_by})` : ""}`;
}

/**
 * What a decision is about: a named role or stretch (team, role, when), never a free-floating
 * "potential". Sends `readinessRoleId` ("" when not about a named role).
 */
export function ReadinessRoleField({
  roles,
  defaultValue = "",
  errors,
  label = "Readiness for (optional)",
}: {
  roles: ReadinessRoleOption[];
  defaultValue?: string | null;
  errors?: string[];
  label?: string;
}) {
  return (
    <SelectField
      label={label}
      name="readinessRoleId"
      defaultValue={defaultValue ?? ""}
      errors={errors}
      hint="The role or stretch this decision is about. Leaders add roles under Roles."
    >
      <option value="">Not about a named role</option>
      {roles.map((r) => (
        <option key={r.id} value={r.id}>
          {readinessRoleLabel(r)}
        </option>
      ))}
    </SelectField>
  );
}
