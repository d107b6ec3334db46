import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { useId } from "react";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { ChoiceSelect } from "../components/choice-select";
import { Button, CheckboxGroup, FormError, TextArea, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  createPlan,
  findAddressableFlagIds,
  findPlanByIdempotencyKey,
  listAddressableFlags,
  listMentorOptions,
  NewPlanSchema,
  planInputErrors,
} from "../models/coaching.server";
import { listDimensionsForForm } from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Start a coaching plan${data ? ` · ${data.candidate.name}` : ""} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId, {
    manage: true,
  });
  const name = candidate.name;
  const [mentors, dimensions, flags] = await Promise.all([
    listMentorOptions(context.db),
    listDimensionsForForm(context.db),
    listAddressableFlags(context.db, { candidateId: candidate.id }),
  ]);
  return json({
    candidate: { id: candidate.id, name },
    mentors,
    dimensions,
    flags,
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId, {
    manage: true,
  });
  const formData = await request.formData();
  const values = formValues(formData);
  const today = isoDate(context.now());
  const parsed = parseForm(NewPlanSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;

  const flagIds = [...new Set(input.flagIds)];
  return saveOnce(context.db, {
    find: (db) => findPlanByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (plan) => plan.candidate_id === candidate.id && plan.created_by === user.id,
    check: async () => {
      const fieldErrors = await planInputErrors(context.db, input);
      const addressable = await findAddressableFlagIds(context.db, {
        candidateId: candidate.id,
        flagIds,
      });
      if (addressable.length !== flagIds.length)
        fieldErrors.flagIds = ["Choose flags from this person's open flags."];
      return Object.keys(fieldErrors).length ? invalid(values, fieldErrors) : null;
    },
    create: async (trx) => {
      const created = await createPlan(trx, {
        ...input,
        flagIds,
        candidateId: candidate.id,
        createdBy: user.id,
        today,
        requestId: context.requestId,
      });
      await audit(trx, {
        actorId: user.id,
        action: "coaching_plan.create",
        entity: "coaching_plan",
        entityId: created.id,
        requestId: context.requestId,
        details: {
          candidateId: candidate.id,
          mentorId: input.mentorId,
          dimensionIds: input.dimensionIds,
          flagIds,
        },
      });
      return created;
    },
    answer: (plan) =>
      redirectWithFlash(
        `/coaching/${plan.id}`,
        "Coaching plan started. Add the first actions with the mentor.",
      ),
    values,
  });
}

const FLAG_STATUS: Record<string, string> = { open: "open", addressing: "already in another plan" };

export default function NewPlan() {
  const { candidate, mentors, dimensions, flags, today, idempotencyKey } =
    useLoaderData<typeof loader>();
  const result = useFormResult();
  const id = useId();
  const chosenDimensions = new Set(result.list("dimensionIds"));
  const chosenFlags = new Set(result.list("flagIds"));

  return (
    <div className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
          ← {candidate.name}
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">Start a coaching plan for {candidate.name}</h1>
      <p className="mt-1 text-stone-600">
        Choose a mentor and agree a goal. While the plan is active or paused, the mentor is in{" "}
        {candidate.name}'s circle.
      </p>
      <div className="mt-6 space-y-4">
        <FormError message={result.summary} />
        <Form method="post" className="space-y-4" noValidate>
          <IdempotencyKeyField value={result.key(idempotencyKey)} />
          <ChoiceSelect
            label="Mentor"
            name="mentorId"
            required
            defaultValue={result.value("mentorId")}
            errors={result.errors.mentorId}
            choices={mentors}
            placeholder="Choose a mentor"
          />
          <TextArea
            label="Goal"
            name="goal"
            required
            maxLength={10000}
            rows={3}
            hint="What should be different at the end? Describe behaviour you could see, not a verdict."
            defaultValue={result.value("goal")}
            errors={result.errors.goal}
          />
          <CheckboxGroup
            legend="Focus dimensions (one or more)"
            name="dimensionIds"
            options={dimensions}
            chosen={chosenDimensions}
            errors={result.errors.dimensionIds}
          />
          <fieldset
            aria-describedby={result.errors.flagIds?.length ? `${id}-flags-error` : undefined}
          >
            <legend className="block text-sm font-medium text-stone-800">
              Flags this plan addresses (optional)
            </legend>
            {flags.length === 0 ? (
              <p className="mt-1 text-sm text-stone-600">{candidate.name} has no open flags.</p>
            ) : (
              <div className="mt-1 flex flex-col gap-2">
                {flags.map((f) => (
                  <label
                    key={f.id}
                    className="inline-flex items-center gap-2 text-sm text-stone-800"
                  >
                    <input
                      type="checkbox"
                      name="flagIds"
                      value={f.id}
                      defaultChecked={chosenFlags.has(f.id)}
                      aria-invalid={result.errors.flagIds?.length ? true : undefined}
                      className="h-4 w-4 rounded border-stone-300 text-brand-700"
                    />
                    {f.anti_pattern_name} (seen {formatDate(f.observed_on)},{" "}
                    {FLAG_STATUS[f.status] ?? f.status})
                  </label>
                ))}
                <p className="text-sm text-stone-600">
                  Open flags you choose move to "being addressed".
                </p>
              </div>
            )}
            {result.errors.flagIds?.length ? (
              <p id={`${id}-flags-error`} className="mt-1 text-sm text-red-700">
                {result.errors.flagIds.join(" ")}
              </p>
            ) : null}
          </fieldset>
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Start date"
              name="startedOn"
              type="date"
              required
              defaultValue={result.value("startedOn") || today}
              errors={result.errors.startedOn}
            />
            <TextField
              label="Target date (optional)"
              name="targetOn"
              type="date"
              defaultValue={result.value("targetOn")}
              errors={result.errors.targetOn}
            />
          </div>
          <Button className="w-full sm:w-auto">Start plan</Button>
        </Form>
      </div>
    </div>
  );
}
