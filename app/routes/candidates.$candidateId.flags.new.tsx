import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { ChoiceSelect } from "../components/choice-select";
import { SbiFields } from "../components/observation-form";
import { Button, FormError, PastDayField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { useWritingNotes, WritingNotes } from "../components/writing-notes";
import { audit } from "../models/audit.server";
import {
  antiPatternIsActive,
  createFlag,
  findFlagByIdempotencyKey,
  listAntiPatternsForForm,
  NewFlagSchema,
} from "../models/flag.server";
import { isoDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { checkSbi } from "../utils/writing-check.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Raise a flag${data ? ` · ${data.candidate.name}` : ""} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const name = candidate.name;
  const antiPatterns = await listAntiPatternsForForm(context.db);
  return json({
    candidate: { id: candidate.id, name },
    antiPatterns,
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(NewFlagSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const writing = await checkSbi(context.db, values);
  if (writing) return writing;

  return saveOnce(context.db, {
    find: (db) => findFlagByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (flag) => flag.candidate_id === candidate.id && flag.raised_by === user.id,
    check: async () =>
      (await antiPatternIsActive(context.db, input.antiPatternId))
        ? null
        : invalid(values, { antiPatternId: ["Choose the anti-pattern you saw."] }),
    create: async (trx) => {
      const created = await createFlag(trx, {
        ...input,
        candidateId: candidate.id,
        raisedBy: user.id,
      });
      await audit(trx, {
        actorId: user.id,
        action: "flag.create",
        entity: "flag",
        entityId: created.id,
        requestId: context.requestId,
        details: { candidateId: candidate.id, antiPatternId: input.antiPatternId },
      });
      return created;
    },
    answer: (flag) =>
      redirectWithFlash(
        `/candidates/${candidate.id}/flags/${flag.id}`,
        "Flag raised. Record when you discuss it with them.",
      ),
    values,
  });
}

const FLAG_BEHAVIOR_HINT =
  'What did the person actually do or say? Something you could see or hear, e.g. "Talked over two colleagues in the design review until they stopped proposing options".';

export default function NewFlag() {
  const { candidate, antiPatterns, today, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const writing = useWritingNotes();
  return (
    <div className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
          ← {candidate.name}
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">
        Raise an anti-pattern flag for {candidate.name}
      </h1>
      <p className="mt-1 text-stone-600">
        Describe one occasion you saw. A flag is a prompt to talk with the person and to coach, not
        a verdict.
      </p>
      {antiPatterns.length === 0 ? (
        <p className="mt-6 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
          The anti-pattern catalogue is empty. Ask an admin to add anti-patterns under Framework
          first.
        </p>
      ) : (
        <div className="mt-6 space-y-4">
          <WritingNotes notes={writing.notes} />
          <Form method="post" className="space-y-4" noValidate>
            {writing.notes.length ? null : <FormError message={result.summary} />}
            <IdempotencyKeyField value={result.key(idempotencyKey)} />
            <ChoiceSelect
              label="Anti-pattern"
              name="antiPatternId"
              required
              defaultValue={result.value("antiPatternId")}
              hint="Which behaviour from the catalogue did you see? Their descriptions are listed below."
              errors={result.errors.antiPatternId}
              choices={antiPatterns}
              placeholder="Choose…"
            />
            <details className="rounded border border-stone-200 bg-white p-3 text-sm">
              <summary className="cursor-pointer text-brand-700">
                What each anti-pattern means
              </summary>
              <dl className="mt-2 space-y-2">
                {antiPatterns.map((ap) => (
                  <div key={ap.id}>
                    <dt className="font-medium text-stone-900">{ap.name}</dt>
                    <dd className="text-stone-600">{ap.description || "No description yet."}</dd>
                  </div>
                ))}
              </dl>
            </details>
            <PastDayField
              label="Observed on"
              name="observedOn"
              form={result}
              today={today}
              min="2000-01-01"
            />
            <SbiFields
              value={(name) => result.value(name)}
              errors={result.errors}
              labels={{
                situation: "Situation (optional)",
                behavior: "Behaviour",
                behaviorHint: FLAG_BEHAVIOR_HINT,
                impact: "Impact (optional)",
              }}
              behaviorRows={4}
              hints={false}
            />
            <Button>Raise flag</Button>
          </Form>
        </div>
      )}
    </div>
  );
}
