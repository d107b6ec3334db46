import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { z } from "zod";
import type { DB } from "../../db/client";
import { ROLES, type Role } from "../../db/schema";
import { hashPassword } from "../auth/password.server";
import { NewPasswordField, passwordProblem } from "../auth/password-policy.server";
import { enqueueAccountLink, setTemporaryPassword } from "../models/account-token.server";
import { isUuid, PEOPLE_ROLES, requireRole } from "../auth/policy.server";
import { type SessionUser } from "../auth/session.server";
import { Button, FormError, TextField } from "../components/ui/forms";
import { ConfirmButton } from "../components/ui/confirm";
import { audit } from "../models/audit.server";
import {
  getUserById,
  lockActiveAdminIds,
  setUserDisabled,
  updateUser,
} from "../models/user.server";
import { reauthenticate } from "../auth/reauthenticate.server";
import { text, version } from "../utils/fields";
import { useFormResult, detailOf } from "../utils/form-result";
import {
  type FormFailure,
  formValues,
  invalid,
  parseForm,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { formatDate } from "../utils/dates";
import type { AppContext } from "../context";
import {
  CurrentPassword,
  CurrentPasswordField,
  RoleCheckboxes,
  RolesSchema,
} from "../components/role-checkboxes";

export const meta: MetaFunction = () => [{ title: "Edit account · Noseworthy" }];

const UserActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("update"),
    version,
    name: text("Enter the person's name.", 120),
    roles: RolesSchema,
    currentPassword: CurrentPassword,
  }),
  z.object({ intent: z.literal("disable") }),
  z.object({ intent: z.literal("enable"), currentPassword: CurrentPassword }),
  // A temporary password, which the person must change at the next login (ASVS 6.4.1).
  z.object({
    intent: z.literal("reset_password"),
    password: NewPasswordField,
    currentPassword: CurrentPassword,
  }),
  // A link to the person's own mailbox: they choose the password, the admin never knows it.
  z.object({ intent: z.literal("send_reset_link") }),
]);
type UserAction = z.infer<typeof UserActionSchema>;
type AuditBase = { actorId: string; entity: string; entityId: string; requestId: string };
type Target = NonNullable<Awaited<ReturnType<typeof getUserById>>>;

async function requireTargetUser(db: DB, userId: string | undefined): Promise<Target> {
  if (!isUuid(userId)) throw notFound();
  const user = await getUserById(db, userId);
  if (!user) throw notFound();
  return user;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const user = await requireTargetUser(context.db, params.userId);
  return json({
    user,
    isSelf: user.id === admin.id,
    holdsPeopleRoles: user.roles.some((r) => PEOPLE_ROLES.includes(r)),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const target = await requireTargetUser(context.db, params.userId);
  const formData = await request.formData();
  const {
    password: _password,
    currentPassword: _currentPassword,
    ...values
  } = formValues(formData);
  const parsed = parseForm(UserActionSchema, formData, { echo: values });
  if (!parsed.ok) return parsed.response;
  return applyUserAction(context, { admin, target, input: parsed.data, values });
}

/** Why this change would leave the organisation without an admin, or null when it is safe. */
async function adminRefusal(
  trx: DB,
  {
    admin,
    target,
    losesAdmin,
    verb,
  }: { admin: SessionUser; target: Target; losesAdmin: boolean; verb: "disable" | "demote" },
) {
  if (!losesAdmin) return null;
  if (target.id === admin.id) {
    return verb === "disable"
      ? "You cannot disable your own account."
      : "You cannot remove your own admin role.";
  }
  const adminIds = await lockActiveAdminIds(trx);
  if (adminIds.includes(target.id) && adminIds.length <= 1) {
    return "This is the last active admin account: give another account the admin role first.";
  }
  return null;
}

async function applyUserAction(
  context: AppContext,
  {
    admin,
    target,
    input,
    values,
  }: { admin: SessionUser; target: Target; input: UserAction; values: Values },
) {
  const here = `/admin/users/${target.id}`;
  const base: AuditBase = {
    actorId: admin.id,
    entity: "user",
    entityId: target.id,
    requestId: context.requestId,
  };

  // Whoever knows a people-role account's password, or brings it back, can read what it reads.
  const peopleRoles = target.roles.filter((r) => PEOPLE_ROLES.includes(r));
  const takeover = peopleRoles.length ? { peopleRoles, reauthenticated: true } : undefined;
  /** The acting admin's password, asked again before a change that opens people data: null when it matches. */
  const confirmPassword = (action: string, password: string | undefined) =>
    reauthenticate(context, { admin, action, entityId: target.id, password, values });

  if (input.intent === "send_reset_link") {
    if (target.disabled_at) {
      return refuse(context, {
        base,
        action: "user.password_reset_link",
        message: "This account is disabled: enable it first.",
        values,
        reason: "disabled",
      });
    }
    await context.db.transaction().execute(async (trx) => {
      await enqueueAccountLink(trx, {
        userId: target.id,
        purpose: "reset",
        createdBy: admin.id,
        now: context.now(),
      });
      await audit(trx, { ...base, action: "user.password_reset_link", details: { via: "admin" } });
    });
    return redirectWithFlash(
      here,
      `A link to choose a new password is on its way to ${target.email}. It works once, for 30 minutes.`,
    );
  }

  if (input.intent === "reset_password") {
    const problem = passwordProblem(input.password, target);
    if (problem) return invalid(values, { password: [problem] });
    if (takeover) {
      const refused = await confirmPassword("user.password_reset", input.currentPassword);
      if (refused) return refused;
    }
    const passwordHash = await hashPassword(input.password);
    await context.db.transaction().execute(async (trx) => {
      await setTemporaryPassword(trx, { userId: target.id, passwordHash });
      await audit(trx, {
        ...base,
        action: "user.password_reset",
        details: { temporary: true, ...takeover },
      });
    });
    // Resetting your own password ends your own session too.
    if (target.id === admin.id)
      return redirectWithFlash(
        "/login",
        "Temporary password set. Log in with it, then choose your own.",
      );
    return redirectWithFlash(
      here,
      "Temporary password set. They have been signed out everywhere and must choose their own password when they next log in.",
    );
  }

  if (input.intent === "enable" || input.intent === "disable") {
    const disable = input.intent === "disable";
    if (Boolean(target.disabled_at) === disable) {
      return redirectWithFlash(here, `The account is already ${disable ? "disabled" : "active"}.`);
    }
    if (input.intent === "enable" && takeover) {
      const refused = await confirmPassword("user.enable", input.currentPassword);
      if (refused) return refused;
    }
    const refusal = await context.db.transaction().execute(async (trx) => {
      const reason = await adminRefusal(trx, {
        admin,
        target,
        losesAdmin: disable && target.roles.includes("admin"),
        verb: "disable",
      });
      if (reason) return reason;
      await setUserDisabled(trx, { id: target.id, disabled: disable, now: context.now() });
      await audit(trx, {
        ...base,
        action: disable ? "user.disable" : "user.enable",
        details: disable ? undefined : takeover,
      });
      return null;
    });
    if (refusal) return refuse(context, { base, action: "user.disable", message: refusal, values });
    return redirectWithFlash(
      here,
      disable
        ? "The account is disabled and signed out everywhere."
        : "The account is active again.",
    );
  }

  const roles = ROLES.filter((r) => input.roles.includes(r));
  // A form older than the account is answered first: its roles are not what the admin meant to change.
  if (input.version !== target.version) return stale({ name: input.name, roles });
  const fields = [
    input.name !== target.name ? "name" : null,
    rolesDiffer(roles, target.roles) ? "roles" : null,
  ].filter(Boolean);
  if (!fields.length) return redirectWithFlash(here, "No changes to save.");
  // Least privilege holds against admins too: nobody grants (or drops) their own roles.
  if (target.id === admin.id && fields.includes("roles")) {
    return refuse(context, {
      base,
      action: "user.update",
      message: OWN_ROLES,
      values,
      reason: "own_roles",
    });
  }
  const rolesAdded = roles.filter((r) => !target.roles.includes(r));
  const grantsPeopleData = rolesAdded.some((r) => PEOPLE_ROLES.includes(r));
  if (grantsPeopleData) {
    const refused = await confirmPassword("user.update", input.currentPassword);
    if (refused) return refused;
  }
  const outcome = await context.db.transaction().execute(async (trx) => {
    const reason = await adminRefusal(trx, {
      admin,
      target,
      losesAdmin: !roles.includes("admin"),
      verb: "demote",
    });
    if (reason) return { reason };
    const row = await updateUser(trx, {
      id: target.id,
      version: input.version,
      name: input.name,
      roles,
    });
    if (!row) return { stale: true as const };
    await audit(trx, {
      ...base,
      action: "user.update",
      details: {
        fields,
        rolesAdded,
        rolesRemoved: target.roles.filter((r) => !roles.includes(r)),
        ...(grantsPeopleData ? { reauthenticated: true } : {}),
      },
    });
    return {};
  });
  if ("reason" in outcome && outcome.reason)
    return refuse(context, { base, action: "user.update", message: outcome.reason, values });
  if ("stale" in outcome) return stale({ name: input.name, roles });
  return redirectWithFlash(here, `Saved the account's ${fields.join(" and ")}.`);
}

/** A 409 that also carries what the admin had entered, shown beside the saved version. */
function stale(yours: { name: string; roles: Role[] }) {
  const failure: FormFailure = {
    ok: false,
    formError:
      "Someone else changed this account while you were editing. The form now shows the saved version; your changes were not applied.",
    fieldErrors: {},
    values: { intent: "update" },
  };
  return invalidWith(failure, { yours });
}

function rolesDiffer(a: readonly Role[], b: readonly Role[]) {
  return a.length !== b.length || a.some((r) => !b.includes(r));
}

const OWN_ROLES = "You cannot change your own roles: another admin can.";

/** A guarded change was refused: audited as denied, answered with 400 and the form as it was. */
async function refuse(
  context: AppContext,
  {
    base,
    action,
    message,
    values,
    reason = "admin_guard",
  }: { base: AuditBase; action: string; message: string; values: Values; reason?: string },
) {
  await audit(context.db, { ...base, action, outcome: "denied", details: { reason } });
  return invalid(values, {}, message);
}

export default function EditUser() {
  const { user, isSelf, holdsPeopleRoles } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: string) =>
    navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const update = useFormResult("update");
  const reset = useFormResult("reset_password");
  const sendLink = useFormResult("send_reset_link");
  const disable = useFormResult("disable");
  const enable = useFormResult("enable");
  const status = disable.failed ? disable : enable;
  const yours = detailOf(actionData, "yours");
  // After a 409 the form shows the saved version (the loader ran again), not the rejected input.
  const name = update.value("name", user.name);
  const roles = yours ? user.roles : update.list("roles", user.roles);

  return (
    <section
      aria-labelledby="edit-user-heading"
      className="mt-6 rounded-lg border border-brand-600 bg-white p-4"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="edit-user-heading" className="text-lg font-semibold">
          Edit {user.name}
          {isSelf ? <span className="font-normal text-stone-600"> (you)</span> : null}
        </h2>
        <Link to="/admin/users" className="text-sm text-brand-700 underline">
          Close
        </Link>
      </div>
      <p className="mt-1 text-sm text-stone-600">
        {user.email} · {user.disabled_at ? `Disabled ${formatDate(user.disabled_at)}` : "Active"} ·
        created {formatDate(user.created_at)}
      </p>

      <div className="mt-4 grid gap-8 lg:grid-cols-2">
        <Form method="post" key={user.version} className="space-y-4" noValidate>
          <h3 className="font-semibold">Name and roles</h3>
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="version" value={user.version} />
          <FormError message={update.formError} />
          {yours ? (
            <p className="text-sm text-stone-700">
              You had entered: name “{yours.name}”, roles {yours.roles.join(", ") || "none"}.
            </p>
          ) : null}
          <TextField
            label="Name"
            name="name"
            required
            maxLength={120}
            defaultValue={name}
            errors={update.errors.name}
          />
          {isSelf ? (
            <div>
              <p className="text-sm font-medium text-stone-800">Roles</p>
              <p className="text-sm text-stone-700">{user.roles.join(", ")}</p>
              <p className="text-sm text-stone-600">
                You cannot change your own roles: another admin can.
              </p>
              {user.roles.map((r) => (
                <input key={r} type="hidden" name="roles" value={r} />
              ))}
            </div>
          ) : (
            <>
              <RoleCheckboxes selected={roles} errors={update.errors.roles} />
              <CurrentPasswordField
                errors={update.errors.currentPassword}
                hint="Needed to give a leader, manager or mentor role: they reveal people data."
              />
            </>
          )}
          <Button disabled={busy("update")}>
            {busy("update") ? "Saving…" : isSelf ? "Save name" : "Save name and roles"}
          </Button>
        </Form>

        <div className="space-y-8">
          <Form method="post" className="space-y-3">
            <h3 className="font-semibold">Password</h3>
            <input type="hidden" name="intent" value="send_reset_link" />
            <FormError message={sendLink.formError} />
            <p className="text-sm text-stone-700">
              Send {isSelf ? "yourself" : "them"} a link by mail to choose a new password. It works
              once, for 30 minutes; nobody else learns the password.
            </p>
            <Button variant="secondary" disabled={busy("send_reset_link") || !!user.disabled_at}>
              {busy("send_reset_link") ? "Sending…" : "Send a reset link"}
            </Button>
          </Form>

          <Form method="post" className="space-y-4" noValidate>
            <h3 className="font-semibold">Or set a temporary password</h3>
            <input type="hidden" name="intent" value="reset_password" />
            <FormError message={reset.formError} />
            <TextField
              label="Temporary password"
              name="password"
              type="password"
              required
              minLength={12}
              autoComplete="new-password"
              hint={
                isSelf
                  ? "At least 12 characters. This signs you out everywhere, including here; you choose your own at the next login."
                  : "At least 12 characters. This signs them out everywhere; they must choose their own at the next login."
              }
              errors={reset.errors.password}
            />
            {holdsPeopleRoles ? (
              <CurrentPasswordField
                errors={reset.errors.currentPassword}
                hint="This account sees people data: whoever knows its password does too."
              />
            ) : null}
            <Button variant="secondary" disabled={busy("reset_password")}>
              {busy("reset_password") ? "Setting…" : "Set temporary password"}
            </Button>
          </Form>

          <Form method="post" className="space-y-3">
            <h3 className="font-semibold">Account status</h3>
            <FormError message={status.formError} />
            {user.disabled_at ? (
              <>
                <p className="text-sm text-stone-700">
                  This account cannot log in. Enabling it lets them log in with their current
                  password.
                </p>
                <input type="hidden" name="intent" value="enable" />
                {holdsPeopleRoles ? (
                  <CurrentPasswordField
                    errors={status.errors.currentPassword}
                    hint="This account sees people data."
                  />
                ) : null}
                <Button variant="secondary" disabled={busy("enable")}>
                  Enable account
                </Button>
              </>
            ) : isSelf ? (
              <p className="text-sm text-stone-700">You cannot disable your own account.</p>
            ) : (
              <>
                <p className="text-sm text-stone-700">
                  Disabling stops them logging in and signs them out everywhere. Nothing they
                  recorded is removed.
                </p>
                <input type="hidden" name="intent" value="disable" />
                <ConfirmButton
                  label="Disable account"
                  confirmLabel="Yes, disable this account"
                  question={`${user.name} will be signed out and cannot log in until an admin enables the account again.`}
                  disabled={busy("disable")}
                />
              </>
            )}
          </Form>
        </div>
      </div>
    </section>
  );
}
