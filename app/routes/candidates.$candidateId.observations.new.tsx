import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { BackToCandidate } from "../components/back-link";
import { ObservationForm } from "../components/observation-form";
import { FormError } from "../components/ui/forms";
import { useWritingNotes, WritingNotes } from "../components/writing-notes";
import { audit } from "../models/audit.server";
import {
  createCheckedObservation,
  findObservationByIdempotencyKey,
  listAssignmentsForCandidate,
  listDimensionsForForm,
  NewObservationSchema,
} from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { CHECK_FIELDS, useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { checkSbi } from "../utils/writing-check.server";

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
    assignments: assignments.map((a) => ({
      id: a.id,
      title: `${a.title} (offered ${formatDate(a.offered_on)})`,
    })),
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
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
  const writing = await checkSbi(context.db, values);
  if (writing) return writing;

  return saveOnce(context.db, {
    find: (db) => findObservationByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (row) =>
      row.candidate_id === candidate.id &&
      row.author_id === user.id &&
      row.coaching_plan_id === null,
    // The checks that need the database (live dimensions, this person's sniff test) are made by the
    // insert itself, so a refusal rolls back the audit row with the note.
    create: async (trx) => {
      const id = crypto.randomUUID();
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
        details: {
          candidateId: candidate.id,
          dimensionIds: input.dimensionIds,
          signal: input.signal,
          assignmentId: input.assignmentId,
        },
      });
      const saved = await createCheckedObservation(trx, {
        ...input,
        id,
        candidateId: candidate.id,
        authorId: user.id,
        now: context.now(),
      });
      return "fieldErrors" in saved ? invalid(values, saved.fieldErrors) : saved;
    },
    answer: () => redirectWithFlash(`/candidates/${candidate.id}`, "Observation saved."),
    values,
  });
}

export default function NewObservation() {
  const { candidate, dimensions, assignments, today, idempotencyKey } =
    useLoaderData<typeof loader>();
  const result = useFormResult();
  const writing = useWritingNotes();
  return (
    <div className="mx-auto max-w-2xl">
      <BackToCandidate candidate={candidate} />
      <h1 className="mt-2 text-2xl font-semibold">New observation of {candidate.name}</h1>
      <p className="mt-1 text-stone-600">
        Write down what you saw: the situation, what they did, and what it led to. Facts, not
        verdicts.
      </p>
      <div className="mt-6 space-y-4">
        {/* A refused key is said beside the button, so here it is "check the fields". */}
        {writing.notes.length ? (
          <WritingNotes notes={writing.notes} />
        ) : result.failed ? (
          <FormError message={result.formError ?? CHECK_FIELDS} />
        ) : null}
        {dimensions.length === 0 ? (
          <p className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            No dimensions are set up yet. Ask an admin to add them under Framework before logging
            observations.
          </p>
        ) : null}
        <ObservationForm
          action={`/candidates/${candidate.id}/observations/new`}
          idempotencyKey={result.key(idempotencyKey)}
          dimensions={dimensions}
          assignments={assignments}
          today={today}
          result={result}
        />
      </div>
    </div>
  );
}
