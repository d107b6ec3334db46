import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { ObservationForm } from "../components/observation-form";
import { FormError } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import {
  assignmentBelongsToCandidate,
  createObservation,
  findObservationByIdempotencyKey,
  listAssignmentsForCandidate,
  listDimensionsForForm,
  NewObservationSchema,
  observationInputErrors,
} from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { isIdempotencyConflict, newIdempotencyKey } from "../utils/idempotency.server";
import type { Values } from "../utils/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `New observation${data ? ` · ${data.candidate.name}` : ""} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const name = candidate.name;
  const [dimensions, assignments] = await Promise.all([
    listDimensionsForForm(context.db),
    listAssignmentsForCandidate(context.db, candidate.id),
  ]);
  return json({
    candidate: { id: candidate.id, name },
    dimensions,
    assignments: assignments.map((a) => ({ id: a.id, title: `${a.title} (offered ${formatDate(a.offered_on)})` })),
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
}

class AlreadySaved extends Error {
  constructor(readonly candidateId: string) {
    super("The observation was already saved.");
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const formData = await request.formData();
  const values = formValues(formData);
  const today = isoDate(context.now());

  const parsed = parseForm(NewObservationSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;

  // A re-sent form answers like the first submit did, before any check that could now differ.
  const earlier = await findObservationByIdempotencyKey(context.db, input.idempotencyKey);
  if (earlier) return answerSaved(earlier.candidate_id, candidate.id, values);

  const fieldErrors = await observationInputErrors(context.db, input);
  if (input.assignmentId && !(await assignmentBelongsToCandidate(context.db, { assignmentId: input.assignmentId, candidateId: candidate.id }))) {
    fieldErrors.assignmentId = ["Choose one of this person's sniff tests, or none."];
  }
  if (Object.keys(fieldErrors).length) return json({ ok: false as const, fieldErrors, values }, { status: 400 });

  try {
    const id = crypto.randomUUID();
    const result = await context.db.transaction().execute(async (trx) => {
      // The audit row first, the note last: the note's statement adds to the evidence counts
      // (evidence_coverage, one row per person, dimension and author), row locks that another note by
      // the same author on the same person and dimension waits for; written last, they are held only
      // until COMMIT. docs/performance.md measures it (the benchmark's 16 writers are that case).
      await audit(trx, {
        actorId: user.id,
        action: "observation.create",
        entity: "observation",
        entityId: id,
        requestId: context.requestId,
        details: { candidateId: candidate.id, dimensionIds: input.dimensionIds, signal: input.signal, assignmentId: input.assignmentId },
      });
      const created = await createObservation(trx, { ...input, id, candidateId: candidate.id, authorId: user.id, now: context.now() });
      // A re-sent form that raced past the check above: nothing new, so no audit row either.
      if (!created.created) throw new AlreadySaved(created.candidateId);
      return created;
    });
    return answerSaved(result.candidateId, candidate.id, values);
  } catch (error) {
    if (error instanceof AlreadySaved) return answerSaved(error.candidateId, candidate.id, values);
    // Two submits of the same form at once: the UNIQUE key let one through; answer as it did.
    if (!isIdempotencyConflict(error)) throw error;
    const winner = await findObservationByIdempotencyKey(context.db, input.idempotencyKey);
    if (!winner) throw error;
    return answerSaved(winner.candidate_id, candidate.id, values);
  }

}

/** The redirect the first submit of this form got, or a 400 when its key was used on another candidate. */
function answerSaved(savedFor: string, candidateId: string, values: Values) {
  if (savedFor !== candidateId) {
    return json(
      { ok: false as const, formError: "This form has expired: reload the page and submit it again.", fieldErrors: {}, values },
      { status: 400 },
    );
  }
  return redirectWithFlash(`/candidates/${candidateId}`, "Observation saved.");
}

export default function NewObservation() {
  const { candidate, dimensions, assignments, today, idempotencyKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const values = actionData?.values;
  const fieldErrors = (actionData?.fieldErrors ?? {}) as Record<string, string[]>;
  const formError = actionData && "formError" in actionData ? actionData.formError : null;
  // Keep the key of the failed submit so a corrected re-submit is still one observation.
  const keptKey = typeof values?.idempotencyKey === "string" && !fieldErrors.idempotencyKey && !formError ? values.idempotencyKey : null;
  return (
    <div className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
          ← {candidate.name}
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">New observation of {candidate.name}</h1>
      <p className="mt-1 text-stone-600">
        Write down what you saw: the situation, what they did, and what it led to. Facts, not verdicts.
      </p>
      <div className="mt-6 space-y-4">
        {actionData ? <FormError message={formError ?? "Check the highlighted fields: nothing has been saved yet."} /> : null}
        {dimensions.length === 0 ? (
          <p className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            No dimensions are set up yet. Ask an admin to add them under Framework before logging observations.
          </p>
        ) : null}
        <ObservationForm
          action={`/candidates/${candidate.id}/observations/new`}
          idempotencyKey={keptKey ?? idempotencyKey}
          dimensions={dimensions}
          assignments={assignments}
          today={today}
          values={values}
          fieldErrors={fieldErrors}
        />
      </div>
    </div>
  );
}
