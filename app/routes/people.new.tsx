import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import { PersonFields } from "../components/person-fields";
import { Button, FormError } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { Link } from "../components/ui/link";
import { audit } from "../models/audit.server";
import {
  createPerson,
  findPersonByEmail,
  findPersonByIdempotencyKey,
  listManagerChoices,
  PERSON_FIELDS,
  type PersonDetails,
  PersonDetailsSchema,
  personWriteError,
  resolveManager,
} from "../models/people.server";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { Breadcrumbs } from "../components/back-link";

export const meta: MetaFunction = () => [{ title: "Add a person · Noseworthy" }];

const NewPersonSchema = PersonDetailsSchema.extend({ idempotencyKey: IdempotencyKeySchema });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  return json({
    managers: await listManagerChoices(context.db),
    idempotencyKey: newIdempotencyKey(),
  });
}

// No name in the flash: cookies should not carry personal data.
const added = (id: string) => redirectWithFlash(`/people/${id}`, "Person added to the directory.");

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  const parsed = parseForm(NewPersonSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const values = formValues(formData);
  let details: PersonDetails | null = null;

  return saveOnce(context.db, {
    find: (db) => findPersonByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (person) => person.created_by === admin.id,
    check: async () => {
      const manager = await resolveManager(context.db, input);
      if ("field" in manager) return badRequest("", values, { [manager.field]: [manager.message] });
      if (input.email && (await findPersonByEmail(context.db, input.email)))
        return badRequest("", values, {
          email: ["Someone in the directory already has this work email."],
        });
      details = {
        name: input.name,
        email: input.email || null,
        title: input.title,
        team: input.team,
        managerId: manager.id,
      };
      return null;
    },
    create: async (trx) => {
      const d = details as PersonDetails;
      let created: { id: string };
      try {
        created = await createPerson(trx, d, {
          createdBy: admin.id,
          idempotencyKey: input.idempotencyKey,
        });
      } catch (error) {
        const refusal = personWriteError(error);
        if (!refusal) throw error;
        return badRequest("", values, { [refusal.field]: [refusal.message] });
      }
      await audit(trx, {
        actorId: admin.id,
        action: "person.create",
        entity: "person",
        entityId: created.id,
        requestId: context.requestId,
        details: {
          fields: PERSON_FIELDS.filter((f) => Boolean(d[f])),
        },
      });
      return { id: created.id, created_by: admin.id, created: true };
    },
    answer: (person) => added(person.id),
    values,
  });
}

export default function NewPerson() {
  const { managers, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

  return (
    <div className="max-w-2xl">
      <Breadcrumbs trail={[{ to: "/people", label: "People" }]} />
      <h1 className="mt-1 text-2xl font-semibold">Add a person</h1>
      <p className="mt-1 text-stone-600">
        Someone who works here. For many people at once,{" "}
        <Link to="/admin/people/import" className="text-brand-700 underline">
          import a CSV file
        </Link>
        .
      </p>
      <Form
        method="post"
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <IdempotencyKeyField value={result.key(idempotencyKey)} />
        <FormError message={result.summary} />
        <PersonFields
          value={(name) => result.value(name)}
          errors={result.errors}
          managers={managers}
        />
        <div className="flex items-center gap-4">
          <Button disabled={busy}>{busy ? "Adding…" : "Add to the directory"}</Button>
          <Link to="/people" className="text-sm text-brand-700 underline">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}
