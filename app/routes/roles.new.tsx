/** /roles/new: a leader adds a role or stretch that decisions may name. Audited; idempotent (0014). */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import { Breadcrumbs } from "../components/back-link";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError, TextArea, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  createReadinessRole,
  findReadinessRoleByIdempotencyKey,
  NewReadinessRoleSchema,
} from "../models/readiness-role.server";
import { useFormResult } from "../utils/form-result";
import { formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

export const meta: MetaFunction = () => [{ title: "Add a role · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["leader"]);
  return json({ idempotencyKey: newIdempotencyKey() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const leader = await requireRole(context, request, ["leader"]);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(NewReadinessRoleSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;

  return saveOnce(context.db, {
    find: (db) => findReadinessRoleByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (role) => role.created_by === leader.id,
    create: async (trx) => {
      const role = await createReadinessRole(trx, { ...input, createdBy: leader.id });
      if (role.created)
        await audit(trx, {
          actorId: leader.id,
          action: "readiness_role.create",
          entity: "readiness_role",
          entityId: role.id,
          requestId: context.requestId,
        });
      return role;
    },
    answer: (role) => redirectWithFlash(`/roles/${role.id}`, "Role added."),
    values,
  });
}

export default function NewRole() {
  const { idempotencyKey } = useLoaderData<typeof loader>();
  const form = useFormResult();
  return (
    <div className="mx-auto max-w-2xl">
      <Breadcrumbs trail={[{ to: "/roles", label: "Roles" }]} />
      <h1 className="mt-2 text-2xl font-semibold">Add a role or stretch</h1>
      <p className="mt-1 text-stone-600">
        Something a calibration decision can be about: a role or a stretch assignment, in a team, by
        a time. Decisions then say &ldquo;ready for this&rdquo;, not &ldquo;has potential&rdquo;.
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={form.summary} />
        <IdempotencyKeyField value={form.key(idempotencyKey)} />
        <TextField
          label="Role or stretch"
          name="title"
          required
          maxLength={120}
          hint="e.g. Engineering manager, Tech lead, Incident commander rotation"
          defaultValue={form.value("title")}
          errors={form.errors.title}
        />
        <TextField
          label="Team"
          name="team"
          required
          maxLength={120}
          defaultValue={form.value("team")}
          errors={form.errors.team}
        />
        <TextField
          label="When (optional)"
          name="neededBy"
          maxLength={60}
          hint="When it is needed, in your words, e.g. Q2 2027."
          defaultValue={form.value("neededBy")}
          errors={form.errors.neededBy}
        />
        <TextArea
          label="What it involves (optional)"
          name="description"
          maxLength={2000}
          defaultValue={form.value("description")}
          errors={form.errors.description}
        />
        {form.errors.idempotencyKey?.length ? (
          <p role="alert" className="text-sm text-red-700">
            {form.errors.idempotencyKey.join(" ")}
          </p>
        ) : null}
        <Button>Add role</Button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
