import { TextField } from "./ui/forms";

/** A new password typed twice, with the rules in words (app/auth/password-policy.server.ts). */
export function NewPasswordFields({
  errors,
  label = "New password",
  autoFocus,
}: {
  errors: Record<string, string[] | undefined>;
  label?: string;
  autoFocus?: boolean;
}) {
  return (
    <>
      <TextField
        label={label}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={128}
        autoFocus={autoFocus}
        hint="At least 12 characters. A few unrelated words make a good one; common passwords are refused."
        errors={errors.password}
      />
      <TextField
        label="Type it again"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        errors={errors.confirm}
      />
    </>
  );
}
