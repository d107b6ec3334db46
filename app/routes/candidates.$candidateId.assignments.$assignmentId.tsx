import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useId } from "react";
import { ASSIGNMENT_STATUSES, type AssignmentStatus } from "../../db/schema";
import { denyAsNotFound, isUuid, requireCandidateAccess } from "../auth/policy.server";
import { hasRole, requireUser, type SessionUser } from "../auth/session.server";
import { BackToCandidate } from "../components/back-link";
import { BEHAVIOR_HINT, SIGNALS } from "../components/observation-form";
import { Button, CheckboxGroup, FormError, TextArea } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { Link } from "../components/ui/link";
import { WrittenText } from "../components/written-text";
import type { AppContext } from "../context";
import {
  debriefOf,
  getAssignment,
  listAssignmentEvents,
  listAssignmentObservations,
  TransitionIntentSchema,
  transitionAssignment,
  type TransitionInput,
  TransitionSchema,
  transitionRefusal,
} from "../models/assignment.server";
import {
  findObservationByIdempotencyKey,
  listDimensionsForForm,
  observationInputErrors,
} from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { ASSIGNMENT_STATUS_LABELS, ASSIGNMENT_STATUS_WORDS } from "../utils/labels";
import { assignmentTransitions, canMoveAssignment, NEEDS_DEBRIEF } from "../utils/lifecycle";
import { CHECK_FIELDS, readFormResult, detailOf } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  parseForm,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data ? `${data.assignment.title} · ${data.candidate.name}` : "Sniff test"} · Noseworthy`,
  },
];

async function requireAssignment(
  context: AppContext,
  user: SessionUser,
  candidateId: string,
  assignmentId: string | undefined,
) {
  const assignment = isUuid(assignmentId)
    ? await getAssignment(context.db, { candidateId, assignmentId })
    : undefined;
  if (!assignment) throw await denyAsNotFound(context, user, "assignment", assignmentId);
  return assignment;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId);
  const assignment = await requireAssignment(context, user, access.id, params.assignmentId);
  const name = access.name;
  const [events, observations, dimensions] = await Promise.all([
    listAssignmentEvents(context.db, { assignmentId: assignment.id }),
    listAssignmentObservations(context.db, { assignmentId: assignment.id }),
    listDimensionsForForm(context.db),
  ]);
  const moves = assignmentTransitions(assignment.status, assignment.needs_acceptance);
  return json({
    candidate: { id: access.id, name },
    assignment,
    events,
    observations,
    // The test's own dimension is always tagged; these are the optional extra ones.
    extraDimensions: dimensions
      .filter((d) => d.id !== assignment.dimension_id)
      .map((d) => ({ id: d.id, name: d.name })),
    // Answers that need only a note, and outcomes that need a debrief (a test that needs no acceptance
    // closes straight from offered).
    simple: moves.filter((s) => !NEEDS_DEBRIEF.includes(s)),
    closing: moves.filter((s) => NEEDS_DEBRIEF.includes(s)),
    canOpenTemplate: hasRole(user, "manager", "leader"),
    today: isoDate(context.now()),
    idempotencyKey: newIdempotencyKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId);
  const assignment = await requireAssignment(context, user, access.id, params.assignmentId);
  const formData = await request.formData();
  const values = formValues(formData);

  const head = parseForm(TransitionIntentSchema, formData);
  if (!head.ok) return head.response;
  const { intent: to, version } = head.data;
  const here = `/candidates/${access.id}/assignments/${assignment.id}`;

  let parsed: TransitionInput | undefined;
  // A refused transition or a stale version answers before the rest of the form is judged.
  const refusal = async () => {
    if (version !== assignment.version) return conflict(values, assignment);
    if (!canMoveAssignment(assignment.status, to, assignment.needs_acceptance))
      return badRequest(
        transitionRefusal(assignment.status, to, assignment.needs_acceptance),
        values,
      );
    const full = parseForm(TransitionSchema, formData);
    if (!full.ok) return full.response;
    parsed = full.data;
    const debrief = debriefOf(parsed);
    if (debrief) {
      const extra = debrief.dimensionIds.filter((id) => id !== assignment.dimension_id);
      const fieldErrors = await observationInputErrors(context.db, { dimensionIds: extra });
      if (Object.keys(fieldErrors).length) return badRequest("", values, fieldErrors);
    }
    return null;
  };
  const record = (trx: AppContext["db"], input: TransitionInput) =>
    transitionAssignment(trx, {
      assignment,
      version,
      from: assignment.status,
      to,
      changedBy: user.id,
      note: input.note,
      debrief: debriefOf(input),
      today: isoDate(context.now()),
      now: context.now(),
      requestId: context.requestId,
    });
  const stale = async (db: AppContext["db"]) =>
    conflict(
      values,
      (await getAssignment(db, { candidateId: access.id, assignmentId: assignment.id })) ??
        assignment,
    );

  // Closing with a debrief creates an observation under the form's key: sent again it answers as the
  // first did (before its old version is judged stale); the key used for anything else is a 409.
  const key = NEEDS_DEBRIEF.includes(to)
    ? IdempotencyKeySchema.safeParse(formData.get("idempotencyKey"))
    : null;
  if (key?.success) {
    return saveOnce(context.db, {
      find: (db) => findObservationByIdempotencyKey(db, key.data),
      isRepeat: (note) =>
        note.assignment_id === assignment.id &&
        note.author_id === user.id &&
        note.coaching_plan_id === null,
      check: refusal,
      create: async (trx) => {
        const result = await record(trx, parsed!);
        return result === "stale" ? stale(trx) : result.debrief!;
      },
      answer: () => redirectWithFlash(here, "Sniff test updated, with your debrief observation."),
      values,
    });
  }

  const refused = await refusal();
  if (refused) return refused;
  const result = await context.db.transaction().execute((trx) => record(trx, parsed!));
  if (result === "stale") return stale(context.db);
  // No status in the flash cookie: how a person's sniff test went is a fact about them.
  return redirectWithFlash(here, "Sniff test updated.");
}

/** Someone changed the assignment since the form was read: nothing is saved, and the user's text comes back. */
function conflict(values: Values, current: { status: AssignmentStatus; version: number }) {
  const failure: FormFailure = {
    ok: false,
    formError: `Someone recorded a change after you opened this page: the sniff test is now ${ASSIGNMENT_STATUS_WORDS[current.status]}. Nothing was saved; your text is below.`,
    fieldErrors: {},
    values,
  };
  return invalidWith(failure, {
    conflict: { yours: values, current: { status: current.status, version: current.version } },
  });
}

const linkClass = "text-brand-700 underline";
const CHOICE_HINTS: Partial<Record<AssignmentStatus, string>> = {
  accepted: "They said yes and are taking it on.",
  declined: "They said no. Record it plainly: saying no is information too.",
  withdrawn: "The offer was taken back, for whatever reason.",
  completed: "They did it.",
  not_completed: "The time ran out without it being done. Record what happened, without judgement.",
};

function isStatus(options: readonly AssignmentStatus[], value: string): value is AssignmentStatus {
  return options.some((s) => s === value);
}

function Choices({
  name,
  legend,
  options,
  checked,
  errors,
  withHints = false,
}: {
  name: string;
  legend: string;
  options: { value: string; label: string; hint?: string }[];
  checked: string;
  errors?: string[];
  withHints?: boolean;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={errors?.length ? `${id}-error` : undefined}>
      <legend className="block text-sm font-medium text-stone-800">{legend}</legend>
      <div className="mt-1 flex flex-col gap-2">
        {options.map((o) => (
          <div key={o.value}>
            <label className="inline-flex items-center gap-2 text-sm text-stone-800">
              <input
                type="radio"
                name={name}
                value={o.value}
                required
                defaultChecked={checked === o.value}
                aria-invalid={errors?.length ? true : undefined}
                className="h-4 w-4 border-stone-300 text-brand-700"
              />
              {o.label}
            </label>
            {withHints && o.hint ? <p className="ml-6 text-sm text-stone-600">{o.hint}</p> : null}
          </div>
        ))}
      </div>
      {errors?.length ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}

export default function AssignmentPage() {
  const {
    candidate,
    assignment,
    events,
    observations,
    extraDimensions,
    simple,
    closing,
    canOpenTemplate,
    idempotencyKey,
  } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const conflict = detailOf(data, "conflict") ?? null;
  // The two forms share their intent field (the radio buttons), so the refusal is told apart here.
  const result = readFormResult(data);
  const failedIntent = result.value("intent");
  const failedSimple = isStatus(simple, failedIntent);
  const failedClosing =
    result.failed &&
    (isStatus(closing, failedIntent) || (!failedSimple && Boolean(result.value("behavior"))));
  const answer = failedSimple ? result : readFormResult(undefined);
  const debrief = failedClosing ? result : readFormResult(undefined);
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const version = String(conflict?.current.version ?? assignment.version);
  const here = `/candidates/${candidate.id}/assignments/${assignment.id}`;
  const open = simple.length + closing.length > 0;
  const debriefText = (name: string, label: string, rows = 2) => (
    <TextArea
      label={label}
      name={name}
      rows={rows}
      maxLength={10000}
      defaultValue={debrief.value(name)}
      errors={debrief.errors[name]}
    />
  );

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <BackToCandidate candidate={candidate} />
      <header>
        <h1 className="text-2xl font-semibold">
          {assignment.title} — {candidate.name}
        </h1>
        <p className="mt-1 text-stone-600">
          Sniff test on {assignment.dimension_name} ·{" "}
          <span className="font-medium text-stone-800">
            {ASSIGNMENT_STATUS_WORDS[assignment.status]}
          </span>{" "}
          · offered {formatDate(assignment.offered_on)} by {assignment.assigned_by_name} · due{" "}
          {formatDate(assignment.due_on)}
          {assignment.closed_on ? ` · closed ${formatDate(assignment.closed_on)}` : ""}
        </p>
        {canOpenTemplate ? (
          <p className="mt-1 text-sm">
            <Link to={`/sniff-tests/${assignment.sniff_test_id}`} className={linkClass}>
              Open the sniff test in the library
            </Link>
          </p>
        ) : null}
      </header>

      {result.failed ? <FormError message={result.formError ?? CHECK_FIELDS} /> : null}

      <section
        aria-labelledby="given-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="given-heading" className="text-lg font-semibold">
          The assignment as it was given
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          Version {assignment.revision_version} of the sniff test
          {assignment.template_version > assignment.revision_version
            ? `; the template has been edited since (now version ${assignment.template_version}), but this is the text they received.`
            : "."}
        </p>
        <dl className="mt-3 space-y-3">
          <WrittenText label="Assignment" text={assignment.assignment} />
          <WrittenText label="Signals to watch for" text={assignment.signals} />
          <WrittenText label="Red flags" text={assignment.red_flags} />
          <WrittenText label="Suggested timebox" text={`${assignment.timebox_days} days`} />
        </dl>
      </section>

      {conflict ? (
        <section
          aria-labelledby="conflict-heading"
          className="rounded-lg border border-brand-600 bg-white p-4"
        >
          <h2 id="conflict-heading" className="text-lg font-semibold">
            Your text (not saved)
          </h2>
          <dl className="mt-2 space-y-3">
            <WrittenText
              label="What you recorded"
              text={
                isStatus(ASSIGNMENT_STATUSES, failedIntent)
                  ? ASSIGNMENT_STATUS_LABELS[failedIntent]
                  : failedIntent
              }
            />
            <WrittenText label="Note" text={result.value("note")} />
            {result.value("behavior") ? (
              <>
                <WrittenText label="Situation" text={result.value("situation")} />
                <WrittenText label="Behaviour" text={result.value("behavior")} />
                <WrittenText label="Impact" text={result.value("impact")} />
              </>
            ) : null}
          </dl>
          <p className="mt-2 text-sm text-stone-600">
            The current status is {ASSIGNMENT_STATUS_WORDS[conflict.current.status]}; see the
            history below.
          </p>
        </section>
      ) : null}

      {simple.length ? (
        <section
          aria-labelledby="respond-heading"
          className="rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="respond-heading" className="text-lg font-semibold">
            {simple.some((s) => s !== "withdrawn") ? "Record their answer" : "Withdraw"}
          </h2>
          <Form method="post" action={here} className="mt-3 space-y-4" noValidate>
            <input type="hidden" name="version" value={version} />
            <Choices
              name="intent"
              legend="What happened"
              options={simple.map((s) => ({
                value: s,
                label: ASSIGNMENT_STATUS_LABELS[s],
                hint: CHOICE_HINTS[s],
              }))}
              checked={failedSimple ? failedIntent : simple.length === 1 ? simple[0] : ""}
              errors={failedClosing ? undefined : result.errors.intent}
              withHints
            />
            <TextArea
              label="Note (optional)"
              name="note"
              rows={2}
              maxLength={2000}
              hint="Kept in the history, e.g. the reason they gave."
              defaultValue={answer.value("note")}
              errors={answer.errors.note}
            />
            <Button variant={simple.length === 1 ? "secondary" : "primary"} disabled={busy}>
              Record
            </Button>
          </Form>
        </section>
      ) : null}

      {closing.length ? (
        <section
          aria-labelledby="debrief-heading"
          className="rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="debrief-heading" className="text-lg font-semibold">
            Close it with a debrief
          </h2>
          <p className="mt-1 text-sm text-stone-600">
            Whether or not it was done, write down what you saw. The debrief is saved as an
            observation of {candidate.name}, dated today and tagged with {assignment.dimension_name}
            .
          </p>
          <Form method="post" action={here} className="mt-3 space-y-4" noValidate>
            <input type="hidden" name="version" value={version} />
            <IdempotencyKeyField value={debrief.key(idempotencyKey)} />
            <Choices
              name="intent"
              legend="Outcome"
              options={closing.map((s) => ({
                value: s,
                label: ASSIGNMENT_STATUS_LABELS[s],
                hint: CHOICE_HINTS[s],
              }))}
              checked={debrief.value("intent")}
              errors={debrief.errors.intent}
              withHints
            />
            {debriefText("situation", "Situation (optional)")}
            <TextArea
              label="Behaviour"
              name="behavior"
              required
              rows={4}
              maxLength={10000}
              hint={BEHAVIOR_HINT}
              defaultValue={debrief.value("behavior")}
              errors={debrief.errors.behavior}
            />
            {debriefText("impact", "Impact (optional)")}
            <Choices
              name="signal"
              legend="Signal"
              options={SIGNALS.map((s) => ({ value: s.value, label: s.label }))}
              checked={debrief.value("signal")}
              errors={debrief.errors.signal}
            />
            {extraDimensions.length ? (
              <CheckboxGroup
                legend="Other dimensions it showed (optional)"
                name="dimensionIds"
                options={extraDimensions}
                chosen={new Set(debrief.list("dimensionIds"))}
                errors={debrief.errors.dimensionIds}
              />
            ) : null}
            <TextArea
              label="Note for the history (optional)"
              name="note"
              rows={2}
              maxLength={2000}
              defaultValue={debrief.value("note")}
              errors={debrief.errors.note}
            />
            <FormError message={debrief.errors.idempotencyKey?.join(" ")} />
            <Button disabled={busy}>Record outcome and debrief</Button>
          </Form>
        </section>
      ) : null}

      {!open ? (
        <p className="rounded border border-stone-200 bg-stone-50 px-3 py-2 text-stone-700">
          This sniff test is closed ({ASSIGNMENT_STATUS_WORDS[assignment.status]}); its status no
          longer changes.
        </p>
      ) : null}

      <section aria-labelledby="debriefs-heading">
        <h2 id="debriefs-heading" className="text-lg font-semibold">
          Observations linked to it
        </h2>
        {observations.length === 0 ? (
          <p className="mt-2 text-stone-600">
            None yet.{" "}
            {open ? "Closing it as completed or not completed adds the debrief here." : ""}
          </p>
        ) : (
          <ul className="mt-2 space-y-2">
            {observations.map((o) => (
              <li key={o.id} className="rounded border border-stone-200 bg-white p-3">
                <Link to={`/candidates/${candidate.id}/observations/${o.id}`} className={linkClass}>
                  {formatDate(o.observed_on)} · {o.author_name}
                </Link>
                {o.retracted_at ? (
                  <span className="ml-2 text-sm text-stone-600">(retracted)</span>
                ) : null}
                <p className="mt-1 whitespace-pre-wrap text-sm text-stone-800">{o.behavior}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="lifecycle-heading">
        <h2 id="lifecycle-heading" className="text-lg font-semibold">
          History
        </h2>
        <ol className="mt-2 space-y-2">
          {events.map((e) => (
            <li key={e.id} className="rounded border border-stone-200 bg-white p-3">
              <p>
                <span className="font-medium">
                  {e.from_status
                    ? `${ASSIGNMENT_STATUS_LABELS[e.from_status]} → ${ASSIGNMENT_STATUS_LABELS[e.to_status]}`
                    : ASSIGNMENT_STATUS_LABELS[e.to_status]}
                </span>{" "}
                <span className="text-sm text-stone-600">
                  by {e.changed_by_name}, {formatDate(e.created_at)}
                </span>
              </p>
              {e.note ? (
                <p className="mt-1 whitespace-pre-wrap text-sm text-stone-800">{e.note}</p>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
