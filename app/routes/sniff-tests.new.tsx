import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireRole } from "../auth/policy.server";
import { Button, FormError } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  createSniffTest,
  findSniffTestByIdempotencyKey,
  listDimensionsForTemplates,
  NewSniffTestSchema,
  sniffTestInputErrors,
  toSniffTestText,
} from "../models/sniff-test.server";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { SniffTestFields } from "../components/sniff-test-fields";
import { useFormResult } from "../utils/form-result";

export const meta: MetaFunction = () => [{ title: "New sniff test · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["manager", "leader"]);
  const dimensions = await listDimensionsForTemplates(context.db);
  return json({ dimensions, idempotencyKey: newIdempotencyKey() });
}

const created = (id: string) => redirectWithFlash(`/sniff-tests/${id}`, "Sniff test created.");

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(NewSniffTestSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;

  return saveOnce(context.db, {
    find: (db) => findSniffTestByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (test) => test.created_by === viewer.id,
    check: async () => {
      const fieldErrors = await sniffTestInputErrors(context.db, {
        dimensionId: input.dimensionId,
      });
      return Object.keys(fieldErrors).length ? badRequest("", values, fieldErrors) : null;
    },
    create: async (trx) => {
      const row = await createSniffTest(trx, {
        text: toSniffTestText(input),
        createdBy: viewer.id,
        idempotencyKey: input.idempotencyKey,
        now: context.now(),
      });
      await audit(trx, {
        actorId: viewer.id,
        action: "sniff_test.create",
        entity: "sniff_test",
        entityId: row.id,
        requestId: context.requestId,
        details: {
          dimensionId: input.dimensionId,
          timeboxDays: input.timeboxDays,
          needsAcceptance: input.needsAcceptance,
          revisionId: row.revisionId,
        },
      });
      return row;
    },
    answer: (test) => created(test.id),
    values,
  });
}

// A refused form keeps what was sent (an unticked box sends nothing); a fresh one ticks "Needs acceptance".
const NEW_DEFAULTS: Record<string, string> = { timeboxDays: "14", needsAcceptance: "1" };

export default function NewSniffTest() {
  const { dimensions, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();

  return (
    <div className="max-w-2xl">
      <p className="text-sm">
        <Link to="/sniff-tests" className="text-brand-700 underline">
          ← Sniff tests
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">New sniff test</h1>
      <p className="mt-1 text-stone-600">
        A piece of real work offered to a candidate. Write it as you would give it to them, then
        note what to watch for.
      </p>
      {dimensions.length === 0 ? (
        <p className="mt-4 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
          No dimensions are set up yet. Ask an admin to add them under Framework first.
        </p>
      ) : null}
      <Form
        method="post"
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <IdempotencyKeyField value={result.key(idempotencyKey)} />
        <FormError message={result.summary} />
        <SniffTestFields
          dimensions={dimensions}
          text={(name) => result.value(name, NEW_DEFAULTS[name] ?? "")}
          errors={result.errors}
        />
        <Button disabled={navigation.state === "submitting"}>Create sniff test</Button>
      </Form>
    </div>
  );
}
