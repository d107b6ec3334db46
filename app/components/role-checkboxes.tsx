import { useId } from "react";
import { z } from "zod";
import { ROLES, type Role } from "../../db/schema";
import { ErrorText, TextField } from "./ui/forms";

const ROLE_HINTS: Record<Role, string> = {
  admin: "accounts, framework and audit log; no people data",
  leader: "the whole pipeline and calibration meetings",
  manager: "nominates and observes the candidates they manage",
  mentor: "runs coaching plans for their mentees",
};

/** The roles chosen with the checkboxes below: at least one, each a listed role. */
export const RolesSchema = z.preprocess(
  (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(z.enum(ROLES, { error: "Choose from the listed roles." }))
    .min(1, "Choose at least one role."),
);

/** The acting admin's own password: asked for only when the change gives access to people data. */
export const CurrentPassword = z.string().max(1000, "That password is too long.").optional();

/** The field for that password, with why it is asked for here. */
export function CurrentPasswordField({ errors, hint }: { errors?: string[]; hint: string }) {
  return (
    <TextField
      label="Your current password"
      name="currentPassword"
      type="password"
      autoComplete="current-password"
      hint={hint}
      errors={errors}
    />
  );
}

/** The role checkboxes of the account forms, with what each role may see. */
export function RoleCheckboxes({
  selected,
  errors,
  hint,
}: {
  selected: readonly string[];
  errors?: string[];
  hint?: string;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <fieldset aria-describedby={describedBy || undefined}>
      <legend className="block text-sm font-medium text-stone-800">Roles</legend>
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-stone-600">
          {hint}
        </p>
      ) : null}
      <div className="mt-1 space-y-1">
        {ROLES.map((role) => (
          <label key={role} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="roles"
              value={role}
              defaultChecked={selected.includes(role)}
              className="mt-1 h-4 w-4 accent-brand-700"
            />
            <span>
              <span className="font-medium capitalize">{role}</span>
              <span className="text-stone-600"> — {ROLE_HINTS[role]}</span>
            </span>
          </label>
        ))}
      </div>
      <ErrorText id={`${id}-error`} errors={errors} />
    </fieldset>
  );
}
