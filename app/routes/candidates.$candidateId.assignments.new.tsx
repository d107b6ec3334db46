import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { BackToCandidate } from "../components/back-link";
import { Button, FormError, SelectField, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { listAssignableSniffTests, OfferSniffTestSchema } from "../models/assignment.server";
import { isoDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, parseForm } from "../utils/forms.server";
import { newIdempotencyKey } from "../utils/idempotency.server";
import { saveSniffTestOffer } from "../models/sniff-test-offer.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Offer a sniff test${data ? ` · ${data.candidate.name}` : ""} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId);
  const name = access.name;
  const tests = await listAssignableSniffTests(context.db);
  return json({
    candidate: { id: access.id, name },
    tests,
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(OfferSniffTestSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  return saveSniffTestOffer(
    context,
    user,
    {
      sniffTestId: input.sniffTestId,
      candidateId: access.id,
      offeredOn: input.offeredOn,
      dueOn: input.dueOn,
      idempotencyKey: input.idempotencyKey,
    },
    values,
  );
}

export default function OfferSniffTest() {
  const { candidate, tests, today, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const { errors } = result;
  const navigation = useNavigation();

  return (
    <div className="mx-auto max-w-2xl">
      <BackToCandidate candidate={candidate} />
      <h1 className="mt-2 text-2xl font-semibold">Offer a sniff test to {candidate.name}</h1>
      <p className="mt-1 text-stone-600">
        They get the test's text as it reads today; later edits to the template will not change what
        they were given.
      </p>
      {tests.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          There are no sniff tests to offer yet.{" "}
          <Link to="/sniff-tests/new" className="text-brand-700 underline">
            Create one in the library
          </Link>
          .
        </p>
      ) : (
        <Form
          method="post"
          className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
          noValidate
        >
          <IdempotencyKeyField value={result.key(idempotencyKey)} />
          <FormError message={result.summary} />
          <SelectField
            label="Sniff test"
            name="sniffTestId"
            required
            defaultValue={result.value("sniffTestId")}
            errors={errors.sniffTestId}
          >
            <option value="">Choose a sniff test</option>
            {tests.map((t) => (
              <option key={t.id} value={t.id}>
                {t.dimension_name}: {t.title} ({t.timebox_days} days)
              </option>
            ))}
          </SelectField>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Offered on"
              name="offeredOn"
              type="date"
              required
              defaultValue={result.value("offeredOn", today)}
              errors={errors.offeredOn}
            />
            <TextField
              label="Due on"
              name="dueOn"
              type="date"
              defaultValue={result.value("dueOn")}
              errors={errors.dueOn}
              hint="Leave empty for the offered day plus the test's suggested timebox."
            />
          </div>
          <Button disabled={navigation.state === "submitting"}>Offer sniff test</Button>
        </Form>
      )}
    </div>
  );
}
