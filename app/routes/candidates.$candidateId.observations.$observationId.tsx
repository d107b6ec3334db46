import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  denyAsForbidden,
  denyAsNotFound,
  isLeader,
  isUuid,
  requireCandidateAccess,
} from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import { BackToCandidate } from "../components/back-link";
import { ObservationForm } from "../components/observation-form";
import { FormError, TextArea } from "../components/ui/forms";
import { useWritingNotes, WritingNotes } from "../components/writing-notes";
import { ConfirmButton } from "../components/ui/confirm";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  deleteObservation,
  EditObservationFieldsSchema,
  getObservation,
  listDimensionsForForm,
  listObservationRevisions,
  observationIsCited,
  observationInputErrors,
  retractObservation,
  updateObservation,
} from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { SIGNAL_LABELS } from "../utils/labels";
import { text } from "../utils/fields";
import { readFormResult, detailOf } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  invalid,
  parseForm,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { checkSbi } from "../utils/writing-check.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Observation${data ? ` · ${data.candidate.name}` : ""} · Noseworthy` },
];

const DELETE_WINDOW_MS = 24 * 60 * 60 * 1000;

type Observation = NonNullable<Awaited<ReturnType<typeof getObservation>>>;
type Access = Awaited<ReturnType<typeof requireCandidateAccess>>;

async function requireObservation(
  context: AppContext,
  user: SessionUser,
  candidateId: string,
  observationId: string | undefined,
) {
  const observation = isUuid(observationId)
    ? await getObservation(context.db, { candidateId, observationId })
    : undefined;
  if (!observation) throw await denyAsNotFound(context, user, "observation", observationId);
  return observation;
}

function permissions(user: SessionUser, candidate: Access, observation: Observation, now: Date) {
  const isAuthor = observation.author_id === user.id;
  const live = !observation.retracted_at;
  const young = now.getTime() - new Date(observation.created_at).getTime() < DELETE_WINDOW_MS;
  return {
    edit: isAuthor && live,
    delete: isAuthor && young,
    retract: live && (isAuthor || candidate.manager_id === user.id || isLeader(user)),
    isAuthor,
  };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const observation = await requireObservation(context, user, candidate.id, params.observationId);
  const name = candidate.name;
  const [revisions, dimensions] = await Promise.all([
    listObservationRevisions(context.db, { observationId: observation.id }),
    listDimensionsForForm(context.db),
  ]);
  return json({
    candidate: { id: candidate.id, name },
    observation,
    revisions,
    // The edit form offers the live dimensions plus any archived one the observation already has.
    dimensions: mergeDimensions(dimensions, observation.dimensions),
    today: isoDate(context.now()),
    can: permissions(user, candidate, observation, context.now()),
  });
}

function mergeDimensions(
  active: { id: string; name: string }[],
  current: { id: string; name: string }[],
) {
  const ids = new Set(active.map((d) => d.id));
  return [
    ...active.map((d) => ({ id: d.id, name: d.name })),
    ...current.filter((d) => !ids.has(d.id)),
  ];
}

const IntentSchema = z.object({
  intent: z.enum(["edit", "delete", "retract"], { error: "Choose what to do." }),
});
const RetractSchema = z.object({ reason: text("Say why you retract this observation.", 2000) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const candidate = await requireCandidateAccess(context, user, params.candidateId);
  const observation = await requireObservation(context, user, candidate.id, params.observationId);
  const formData = await request.formData();
  const intent = parseForm(IntentSchema, formData);
  if (!intent.ok) return intent.response;
  const can = permissions(user, candidate, observation, context.now());
  const values = formValues(formData);
  const base = {
    actorId: user.id,
    entity: "observation",
    entityId: observation.id,
    requestId: context.requestId,
  };

  switch (intent.data.intent) {
    case "edit": {
      if (!can.isAuthor)
        throw await denyAsForbidden(
          context,
          user,
          "observation.update",
          "observation",
          observation.id,
        );
      if (observation.retracted_at)
        return badRequest("A retracted observation cannot be edited.", values);
      return editObservation(context, { user, observation, formData, values, base });
    }
    case "delete": {
      if (!can.isAuthor)
        throw await denyAsForbidden(
          context,
          user,
          "observation.delete",
          "observation",
          observation.id,
        );
      if (!can.delete) {
        return badRequest(
          "More than 24 hours have passed: this observation can only be retracted now, with a reason.",
          values,
        );
      }
      if (await observationIsCited(context.db, observation.id)) {
        return badRequest(
          "A calibration decision cites this observation: it can only be retracted, with a reason.",
          values,
        );
      }
      await context.db.transaction().execute(async (trx) => {
        await deleteObservation(trx, { observationId: observation.id });
        await audit(trx, {
          ...base,
          action: "observation.delete",
          details: { candidateId: candidate.id },
        });
      });
      return redirectWithFlash(`/candidates/${candidate.id}`, "Observation deleted.");
    }
    case "retract": {
      if (!can.isAuthor && candidate.manager_id !== user.id && !isLeader(user)) {
        throw await denyAsForbidden(
          context,
          user,
          "observation.retract",
          "observation",
          observation.id,
        );
      }
      if (observation.retracted_at)
        return badRequest("This observation is already retracted.", values);
      const parsed = parseForm(RetractSchema, formData);
      if (!parsed.ok) return parsed.response;
      const done = await context.db.transaction().execute(async (trx) => {
        const ok = await retractObservation(trx, {
          observationId: observation.id,
          actorId: user.id,
          reason: parsed.data.reason,
          now: context.now(),
        });
        if (ok)
          await audit(trx, {
            ...base,
            action: "observation.retract",
            details: { candidateId: candidate.id },
          });
        return ok;
      });
      if (!done) return badRequest("This observation is already retracted.", values);
      return redirectWithFlash(
        `/candidates/${candidate.id}/observations/${observation.id}`,
        "Observation retracted. It stays in the record, marked as retracted.",
      );
    }
  }
}

async function editObservation(
  context: AppContext,
  {
    user,
    observation,
    formData,
    values,
    base,
  }: {
    user: SessionUser;
    observation: Observation;
    formData: FormData;
    values: Values;
    base: { actorId: string; entity: string; entityId: string; requestId: string };
  },
) {
  const parsed = parseForm(EditObservationFieldsSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const current = new Set(observation.dimensions.map((d) => d.id));
  const fieldErrors = await observationInputErrors(context.db, {
    dimensionIds: input.dimensionIds.filter((id) => !current.has(id)),
  });
  if (Object.keys(fieldErrors).length) return invalid(values, fieldErrors);
  const writing = await checkSbi(context.db, values);
  if (writing) return writing;

  const result = await context.db.transaction().execute(async (trx) => {
    const updated = await updateObservation(trx, {
      ...input,
      observationId: observation.id,
      editorId: user.id,
      now: context.now(),
    });
    if (updated === "stale") return updated;
    await audit(trx, {
      ...base,
      action: "observation.update",
      details: {
        candidateId: observation.candidate_id,
        fromVersion: input.version,
        toVersion: updated.version,
        dimensionIds: input.dimensionIds,
      },
    });
    return updated;
  });
  if (result === "stale") {
    // Someone saved first: send back both texts so the user can merge and re-submit against the new version.
    const saved =
      (await getObservation(context.db, {
        candidateId: observation.candidate_id,
        observationId: observation.id,
      })) ?? observation;
    const failure: FormFailure = {
      ok: false,
      formError:
        "This observation was changed after you opened it. Your text was not saved: compare it with the saved text below, then save again.",
      fieldErrors: {},
      values: { ...values, version: String(saved.version) },
    };
    return invalidWith(failure, { conflict: { yours: values, saved } });
  }
  return redirectWithFlash(
    `/candidates/${observation.candidate_id}/observations/${observation.id}`,
    "Observation updated. The earlier text is kept in its history.",
  );
}

function Sbi({
  situation,
  behavior,
  impact,
  struck = false,
}: {
  situation: string;
  behavior: string;
  impact: string;
  struck?: boolean;
}) {
  const cls = struck ? "line-through decoration-stone-400" : "";
  return (
    <dl className="space-y-3">
      {[
        ["Situation", situation],
        ["Behaviour", behavior],
        ["Impact", impact],
      ].map(([label, text]) => (
        <div key={label}>
          <dt className="text-sm font-medium text-stone-600">{label}</dt>
          <dd className={`whitespace-pre-wrap ${cls}`}>
            {text || <span className="text-stone-600">Not recorded</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export default function ObservationPage() {
  const { candidate, observation, revisions, dimensions, today, can } =
    useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const conflict = detailOf(data, "conflict") ?? null;
  const { formError } = readFormResult(data);
  const edit = readFormResult(data, "edit");
  const retract = readFormResult(data, "retract");
  const writing = useWritingNotes("edit");
  const version = String(conflict?.saved.version ?? observation.version);
  const retracted = Boolean(observation.retracted_at);
  const here = `/candidates/${candidate.id}/observations/${observation.id}`;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <BackToCandidate candidate={candidate} />
      <header>
        <h1 className="text-2xl font-semibold">
          Observation of {candidate.name}, {formatDate(observation.observed_on)}
        </h1>
        <p className="mt-1 text-stone-600">
          By {observation.author_name} · {SIGNAL_LABELS[observation.signal]} ·{" "}
          {observation.dimensions.map((d) => d.name).join(", ")}
          {observation.version > 1 ? (
            <>
              {" "}
              ·{" "}
              <a href="#history" className="text-brand-700 underline">
                edited
              </a>
            </>
          ) : null}
        </p>
        {observation.assignment_title ? (
          <p className="mt-1 text-sm text-stone-600">
            Linked to the sniff test “{observation.assignment_title}”, offered{" "}
            {formatDate(observation.assignment_offered_on)}.
          </p>
        ) : null}
      </header>

      <FormError message={formError} />

      {retracted ? (
        <section
          className="rounded border border-amber-300 bg-amber-50 p-4"
          aria-labelledby="retracted-heading"
        >
          <h2 id="retracted-heading" className="font-semibold text-amber-900">
            Retracted
          </h2>
          <p className="mt-1 text-amber-900">
            Retracted by {observation.retracted_by_name} on {formatDate(observation.retracted_at)}:{" "}
            <span className="whitespace-pre-wrap">{observation.retraction_reason}</span>
          </p>
        </section>
      ) : null}

      <section
        className="rounded-lg border border-stone-200 bg-white p-4"
        aria-label="The observation"
      >
        <Sbi
          situation={observation.situation}
          behavior={observation.behavior}
          impact={observation.impact}
          struck={retracted}
        />
      </section>

      {conflict ? (
        <section className="grid gap-4 md:grid-cols-2" aria-labelledby="conflict-heading">
          <h2 id="conflict-heading" className="text-lg font-semibold md:col-span-2">
            Your text and the saved text
          </h2>
          <div className="rounded border border-brand-600 bg-white p-4">
            <h3 className="font-medium">Your text (not saved)</h3>
            <div className="mt-2">
              <Sbi
                situation={String(conflict.yours.situation ?? "")}
                behavior={String(conflict.yours.behavior ?? "")}
                impact={String(conflict.yours.impact ?? "")}
              />
            </div>
          </div>
          <div className="rounded border border-stone-300 bg-white p-4">
            <h3 className="font-medium">Saved text (version {conflict.saved.version})</h3>
            <div className="mt-2">
              <Sbi
                situation={conflict.saved.situation}
                behavior={conflict.saved.behavior}
                impact={conflict.saved.impact}
              />
            </div>
          </div>
        </section>
      ) : null}

      {can.edit ? (
        <details className="rounded-lg border border-stone-200 bg-white p-4" open={edit.failed}>
          <summary className="cursor-pointer font-medium text-brand-700">
            Edit this observation
          </summary>
          <p className="mt-2 text-sm text-stone-600">
            The current text is kept in the history below when you save.
          </p>
          <div className="mt-4 space-y-4">
            <WritingNotes notes={writing.notes} action={here} />
            <ObservationForm
              key={version}
              action={here}
              idempotencyKey=""
              hidden={{ intent: "edit", version }}
              dimensions={dimensions}
              assignments={[]}
              today={today}
              result={edit}
              values={{
                observedOn: observation.observed_on,
                situation: observation.situation,
                behavior: observation.behavior,
                impact: observation.impact,
                signal: observation.signal,
                dimensionIds: observation.dimensions.map((d) => d.id),
              }}
              submitLabel="Save changes"
            />
          </div>
        </details>
      ) : null}

      {can.delete || can.retract ? (
        <section className="grid gap-4 md:grid-cols-2" aria-labelledby="remove-heading">
          <h2 id="remove-heading" className="text-lg font-semibold md:col-span-2">
            Take it back
          </h2>
          {can.delete ? (
            <Form
              method="post"
              action={here}
              className="rounded-lg border border-stone-200 bg-white p-4"
            >
              <input type="hidden" name="intent" value="delete" />
              <p className="text-sm text-stone-700">
                Within 24 hours of writing it, you can delete your observation completely.
              </p>
              <div className="mt-3">
                <ConfirmButton
                  label="Delete observation"
                  confirmLabel="Yes, delete it for good"
                  question="Deleting removes the observation completely; it cannot be undone."
                />
              </div>
            </Form>
          ) : null}
          {can.retract ? (
            <Form
              method="post"
              action={here}
              className="space-y-3 rounded-lg border border-stone-200 bg-white p-4"
            >
              <input type="hidden" name="intent" value="retract" />
              <TextArea
                label="Reason for retracting"
                name="reason"
                required
                maxLength={2000}
                hint="The observation stays in the record, marked as retracted, with this reason."
                defaultValue={retract.value("reason")}
                errors={retract.errors.reason}
              />
              <ConfirmButton
                variant="secondary"
                label="Retract observation"
                confirmLabel="Yes, retract it"
                question="The observation stays in the record, marked as retracted, and stops counting as evidence."
              />
            </Form>
          ) : null}
        </section>
      ) : null}

      <section id="history" aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        <ol className="mt-2 space-y-3">
          {observation.version > 1 || revisions.length ? (
            <li className="text-sm text-stone-600">
              Version {observation.version} (current), last changed{" "}
              {formatDate(observation.updated_at)}.
            </li>
          ) : null}
          {revisions.map((r) => (
            <li key={r.id} className="rounded border border-stone-200 bg-white p-4">
              <p className="text-sm text-stone-600">
                Version {r.version}, replaced by {r.edited_by_name} on {formatDate(r.created_at)} ·
                observed {formatDate(r.observed_on)} · {SIGNAL_LABELS[r.signal]} ·{" "}
                {r.dimension_names.join(", ")}
              </p>
              <div className="mt-2">
                <Sbi situation={r.situation} behavior={r.behavior} impact={r.impact} />
              </div>
            </li>
          ))}
          <li className="text-sm text-stone-600">
            Written by {observation.author_name} on {formatDate(observation.created_at)}.
          </li>
        </ol>
      </section>
    </div>
  );
}
