import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Outlet, useLoaderData, useNavigation, useParams } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { ColumnHeads } from "../components/ui/column-heads";
import { z } from "zod";
import { ROLES } from "../../db/schema";
import { loginSettings } from "../auth/oidc.server";
import { hashPassword } from "../auth/password.server";
import { NewPasswordField, passwordProblem } from "../auth/password-policy.server";
import { enqueueAccountLink, unknownPasswordHash } from "../models/account-token.server";
import { Button, ErrorText, FormError, TextField } from "../components/ui/forms";
import { PEOPLE_ROLES, requireRole } from "../auth/policy.server";
import { reauthenticate } from "../auth/reauthenticate.server";
import { audit } from "../models/audit.server";
import { createUser, emailTaken, isUniqueViolation, listUsers } from "../models/user.server";
import { text } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { formatDate } from "../utils/dates";
import {
  CurrentPassword,
  CurrentPasswordField,
  RoleCheckboxes,
  RolesSchema,
} from "../components/role-checkboxes";

export const meta: MetaFunction = () => [{ title: "Users · Noseworthy" }];

const CreateUserSchema = z.object({
  intent: z.literal("create"),
  name: text("Enter the person's name.", 120),
  email: z
    .string()
    .trim()
    .min(1, "Enter an email address.")
    .max(254, "That email address is too long.")
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "Enter an email address like name@example.org."),
  roles: RolesSchema,
  // How the person gets in: an invitation by mail (they choose their password), or a temporary
  // password the admin passes on, which must be changed at the first login (ASVS 6.4.1).
  // Without a choice (an older form, a script), a password given means a temporary one.
  access: z.enum(["invitation", "temporary"], { error: "Choose how they get in." }).optional(),
  password: NewPasswordField.optional(),
  currentPassword: CurrentPassword,
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const users = await listUsers(context.db);
  return json({ users, currentUserId: admin.id });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  // What the user typed comes back on a 400, except the passwords.
  const {
    password: _password,
    currentPassword: _currentPassword,
    ...values
  } = formValues(formData);
  const parsed = parseForm(CreateUserSchema, formData, { echo: values });
  if (!parsed.ok) return parsed.response;
  const { name, email, password = "" } = parsed.data;
  const access = parsed.data.access ?? (password ? "temporary" : "invitation");
  if (access === "temporary") {
    const problem = passwordProblem(password, { email, name });
    if (problem) return badRequest("", values, { password: [problem] });
  }
  const roles = ROLES.filter((r) => parsed.data.roles.includes(r));
  const taken = () =>
    badRequest("", values, { email: ["An account with this email address already exists."] });

  if (await emailTaken(context.db, email)) return taken();
  const grantsPeopleData = roles.some((r) => PEOPLE_ROLES.includes(r));
  if (grantsPeopleData) {
    const refused = await reauthenticate(context, {
      admin,
      action: "user.create",
      entityId: null,
      password: parsed.data.currentPassword,
      values,
    });
    if (refused) return refused;
  }
  const passwordHash =
    access === "temporary" ? await hashPassword(password) : await unknownPasswordHash();
  try {
    await context.db.transaction().execute(async (trx) => {
      const { id } = await createUser(trx, { name, email, roles, passwordHash });
      if (access === "temporary") {
        await trx
          .updateTable("users")
          .set({ password_must_change: true })
          .where("id", "=", id)
          .execute();
      } else {
        await enqueueAccountLink(trx, {
          userId: id,
          purpose: "invitation",
          createdBy: admin.id,
          sso: loginSettings(context).oidc !== null,
          now: context.now(),
        });
      }
      await audit(trx, {
        actorId: admin.id,
        action: "user.create",
        entity: "user",
        entityId: id,
        requestId: context.requestId,
        details: { roles, access, ...(grantsPeopleData ? { reauthenticated: true } : {}) },
      });
    });
  } catch (error) {
    // Two admins creating the same account at once: the second meets the UNIQUE constraint.
    if (isUniqueViolation(error)) return taken();
    throw error;
  }
  return redirectWithFlash(
    "/admin/users",
    access === "invitation"
      ? "Account created. An invitation is on its way to them by mail; its link works for 72 hours."
      : "Account created with a temporary password. Give it to them privately: they choose their own when they first log in.",
  );
}

export default function AdminUsers() {
  const { users, currentUserId } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const { userId } = useParams();
  const errors = result.errors;
  const access = result.value("access", "invitation");
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";

  return (
    <div>
      <h1 className="text-2xl font-semibold">Users</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Accounts and their roles. Accounts are disabled, never deleted, so everything they recorded
        stays attributed.
      </p>

      <Outlet />

      <section aria-labelledby="accounts-heading" className="mt-6">
        <h2 id="accounts-heading" className="text-lg font-semibold">
          Accounts <span className="text-sm font-normal text-stone-600">({users.length})</span>
        </h2>
        <div className="relative mt-3 overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="min-w-full divide-y divide-stone-200 text-sm">
            <thead className="bg-stone-50 text-left text-stone-700">
              <ColumnHeads
                className="px-3 py-2 font-semibold"
                labels={[
                  "Name",
                  "Email",
                  "Roles",
                  "Status",
                  <span className="sr-only">Actions</span>,
                ]}
              />
            </thead>
            <tbody className="divide-y divide-stone-100">
              {users.map((u) => (
                <tr
                  key={u.id}
                  aria-current={u.id === userId ? "true" : undefined}
                  className={u.id === userId ? "bg-brand-50" : undefined}
                >
                  <td className="px-3 py-2 font-medium whitespace-nowrap">
                    {u.name}
                    {u.id === currentUserId ? (
                      <span className="font-normal text-stone-600"> (you)</span>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{u.email}</td>
                  <td className="px-3 py-2">
                    {u.roles.length ? (
                      u.roles.join(", ")
                    ) : (
                      <span className="text-stone-600">none</span>
                    )}
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    {u.disabled_at ? (
                      <span className="text-red-800">Disabled {formatDate(u.disabled_at)}</span>
                    ) : (
                      <span className="text-green-800">Active</span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right">
                    <Link to={`/admin/users/${u.id}`} className="text-brand-700 underline">
                      Edit<span className="sr-only"> {u.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section
        aria-labelledby="create-heading"
        className="mt-8 max-w-xl rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="create-heading" className="text-lg font-semibold">
          Create an account
        </h2>
        <Form method="post" action="/admin/users" className="mt-4 space-y-4" noValidate>
          <input type="hidden" name="intent" value="create" />
          <FormError message={result.formError} />
          <TextField
            label="Name"
            name="name"
            required
            maxLength={120}
            defaultValue={result.value("name")}
            errors={errors.name}
          />
          <TextField
            label="Email"
            name="email"
            type="email"
            required
            autoComplete="off"
            defaultValue={result.value("email")}
            errors={errors.email}
          />
          <RoleCheckboxes selected={result.list("roles")} errors={errors.roles} />
          <fieldset>
            <legend className="text-sm font-medium text-stone-800">How they get in</legend>
            <div className="mt-1 space-y-1 text-sm">
              <label className="flex items-start gap-2">
                <input
                  type="radio"
                  name="access"
                  value="invitation"
                  defaultChecked={access !== "temporary"}
                  className="mt-1"
                />
                <span>
                  Send them an invitation by mail: a link, valid for 72 hours, to choose their own
                  password (or to use single sign-on).
                </span>
              </label>
              <label className="flex items-start gap-2">
                <input
                  type="radio"
                  name="access"
                  value="temporary"
                  defaultChecked={access === "temporary"}
                  className="mt-1"
                />
                <span>
                  Set a temporary password that I give them: they must change it when they first log
                  in.
                </span>
              </label>
            </div>
            <ErrorText id="access-error" errors={errors.access} />
          </fieldset>
          <TextField
            label="Temporary password (only for a temporary password)"
            name="password"
            type="password"
            minLength={12}
            autoComplete="new-password"
            hint="At least 12 characters; common passwords are refused. Give it to the person through a private channel."
            errors={errors.password}
          />
          <CurrentPasswordField
            hint="Needed to give a leader, manager or mentor role: they reveal people data."
            errors={errors.currentPassword}
          />
          <Button disabled={creating}>{creating ? "Creating…" : "Create account"}</Button>
        </Form>
      </section>
    </div>
  );
}
