import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Breadcrumbs } from "../components/back-link";
import { ColumnHeads } from "../components/ui/column-heads";
import type { ReactNode } from "react";
import { z } from "zod";
import { STAGES, type Stage } from "../../db/schema";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import {
  CandidateDetailsFields,
  DETAIL_FIELDS,
  type DetailValues,
  DetailsComparison,
} from "../components/candidate-details-fields";
import { ChoiceSelect } from "../components/choice-select";
import { Button, FormError, TextArea, TextField } from "../components/ui/forms";
import { ConfirmButton } from "../components/ui/confirm";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  addObserver,
  type CandidateForEdit,
  CandidateDetailsSchema,
  emailTakenByAnotherPerson,
  getCandidateForEdit,
  getCurrentDecision,
  getStageBeforeArchive,
  isActiveUserWithRole,
  isPersonTaken,
  listObservers,
  listPeopleUsers,
  listStageChanges,
  moveStage,
  removeObserver,
  stageMoveRefusal,
  toCandidateDetails,
  updateCandidateDetails,
} from "../models/candidate.server";
import { listActiveUsers } from "../models/user.server";
import { addDays, formatDate, isoDate } from "../utils/dates";
import { id, optionalDay, text, version } from "../utils/fields";
import { useFormResult, type FormResult } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  invalid,
  parseForm,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { STAGE_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Edit ${data?.candidate.name ?? "candidate"} · Noseworthy` },
];

const Reason = text("Give a reason: it stays in the stage history.", 2000);
const RevisitOn = optionalDay("the revisit date");
const UserId = id("Choose a person from the list.");

const EditSchema = z.discriminatedUnion("intent", [
  CandidateDetailsSchema.extend({ intent: z.literal("details"), version: version }),
  z.object({
    intent: z.literal("stage"),
    version: version,
    to: z.enum(STAGES, { error: "Choose a stage." }),
    reason: Reason,
    revisitOn: RevisitOn,
  }),
  z.object({ intent: z.literal("archive"), version: version, reason: Reason }),
  z.object({
    intent: z.literal("restore"),
    version: version,
    reason: Reason,
    revisitOn: RevisitOn,
  }),
  z.object({ intent: z.literal("add_observer"), userId: UserId }),
  z.object({ intent: z.literal("remove_observer"), userId: UserId }),
]);
type EditInput = z.infer<typeof EditSchema>;

async function requireManagedCandidate(
  context: AppContext,
  viewer: SessionUser,
  candidateId: string | undefined,
) {
  const access = await requireCandidateAccess(context, viewer, candidateId, { manage: true });
  const candidate = await getCandidateForEdit(context.db, access.id);
  if (!candidate) throw notFound();
  return candidate;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const candidate = await requireManagedCandidate(context, viewer, params.candidateId);
  const [observers, history, managers, people, decision, beforeArchive] = await Promise.all([
    listObservers(context.db, candidate.id),
    listStageChanges(context.db, candidate.id),
    listActiveUsers(context.db, { withRole: "manager" }),
    listPeopleUsers(context.db),
    getCurrentDecision(context.db, candidate.id),
    candidate.stage === "archived"
      ? getStageBeforeArchive(context.db, candidate.id)
      : Promise.resolve(null),
  ]);
  const observerIds = new Set(observers.map((o) => o.id));
  return json({
    candidate,
    observers,
    history,
    managers: managers.map((m) => ({ id: m.id, name: m.name })),
    observerChoices: people
      .filter((p) => !observerIds.has(p.id) && p.id !== candidate.manager_id)
      .map((p) => ({ id: p.id, name: p.name })),
    promotable: candidate.stage === "ready" && decision?.outcome === "ready_now",
    restoreTo: beforeArchive?.stage ?? null,
    today: isoDate(context.now()),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const candidate = await requireManagedCandidate(context, viewer, params.candidateId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(EditSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const here = `/candidates/${candidate.id}/edit`;
  const base = {
    actorId: viewer.id,
    entity: "candidate",
    entityId: candidate.id,
    requestId: context.requestId,
  };

  switch (input.intent) {
    case "details":
      return saveDetails(context, { candidate, input, values, base, here });
    case "stage":
    case "archive":
    case "restore":
      return changeStage(context, { candidate, input, values, base, here });
    case "add_observer": {
      if (
        !(await isActiveUserWithRole(context.db, {
          userId: input.userId,
          roles: ["leader", "manager", "mentor"],
        }))
      ) {
        return badRequest("", values, { userId: ["Choose an active leader, manager or mentor."] });
      }
      const added = await context.db.transaction().execute(async (trx) => {
        const inserted = await addObserver(trx, {
          candidateId: candidate.id,
          userId: input.userId,
          addedBy: viewer.id,
        });
        if (inserted)
          await audit(trx, {
            ...base,
            action: "candidate.observer_add",
            details: { userId: input.userId },
          });
        return inserted;
      });
      return redirectWithFlash(here, added ? "Observer added." : "They were already an observer.");
    }
    case "remove_observer": {
      const removed = await context.db.transaction().execute(async (trx) => {
        const deleted = await removeObserver(trx, {
          candidateId: candidate.id,
          userId: input.userId,
        });
        if (deleted)
          await audit(trx, {
            ...base,
            action: "candidate.observer_remove",
            details: { userId: input.userId },
          });
        return deleted;
      });
      return redirectWithFlash(here, removed ? "Observer removed." : "They were not an observer.");
    }
  }
}

type AuditBase = { actorId: string; entity: string; entityId: string; requestId: string };
type Args<I> = {
  candidate: CandidateForEdit;
  input: I;
  values: Values;
  base: AuditBase;
  here: string;
};

/** The details as saved, in the form's terms (no email is ""). */
function savedDetails(
  candidate: Pick<
    CandidateForEdit,
    "name" | "email" | "title" | "team" | "track" | "manager_id" | "nominated_reason"
  >,
): DetailValues {
  return {
    name: candidate.name,
    email: candidate.email ?? "",
    title: candidate.title,
    team: candidate.team,
    track: candidate.track,
    managerId: candidate.manager_id,
    nominatedReason: candidate.nominated_reason,
  };
}

async function saveDetails(
  context: AppContext,
  { candidate, input, values, base, here }: Args<Extract<EditInput, { intent: "details" }>>,
) {
  const details = toCandidateDetails(input);
  if (
    details.managerId !== candidate.manager_id &&
    !(await isActiveUserWithRole(context.db, { userId: details.managerId, roles: ["manager"] }))
  ) {
    return badRequest("", values, { managerId: ["Choose an active manager from the list."] });
  }
  // The address is the person's in the directory, where it is unique.
  const emailTaken = { email: ["Another person in the directory has this email address."] };
  if (
    await emailTakenByAnotherPerson(context.db, { email: details.email, candidateId: candidate.id })
  )
    return badRequest("", values, emailTaken);
  const before = savedDetails(candidate);
  const yours: DetailValues = { ...details, email: details.email ?? "" };
  const fields = DETAIL_FIELDS.filter((f) => before[f] !== yours[f]);
  const saved = await context.db
    .transaction()
    .execute(async (trx) => {
      const row = await updateCandidateDetails(trx, {
        id: candidate.id,
        version: input.version,
        details,
      });
      if (!row) return false;
      await audit(trx, { ...base, action: "candidate.update", details: { fields } });
      return true;
    })
    .catch((error: unknown) => {
      // Someone else took the address between the check and the save.
      if (isPersonTaken(error) === "email") return "email_taken" as const;
      throw error;
    });
  if (saved === "email_taken") return badRequest("", values, emailTaken);
  if (!saved) {
    const current = await getCandidateForEdit(context.db, candidate.id);
    const failure: FormFailure = {
      ok: false,
      formError:
        "Someone else changed these details while you were editing. Your changes were not saved: compare them with the saved version below.",
      fieldErrors: {},
      values: { intent: "details" },
    };
    return invalidWith(failure, { yours, current: current ? savedDetails(current) : null });
  }
  return redirectWithFlash(here, fields.length ? "Details saved." : "No changes to save.");
}

async function changeStage(
  context: AppContext,
  {
    candidate,
    input,
    values,
    base,
    here,
  }: Args<Extract<EditInput, { intent: "stage" | "archive" | "restore" }>>,
) {
  const today = isoDate(context.now());
  const from = candidate.stage;
  let to: Stage;
  let calibrationDecisionId: string | null = null;
  const revisitOn = input.intent === "archive" ? undefined : input.revisitOn;

  if (input.intent === "archive") {
    if (from === "archived") return badRequest("This candidate is already archived.", values);
    to = "archived";
  } else if (input.intent === "restore") {
    if (from !== "archived")
      return badRequest("Only an archived candidate can be restored.", values);
    const previous = await getStageBeforeArchive(context.db, candidate.id);
    to = previous.stage;
    if (to === "ready" || to === "promoted") {
      if (!previous.calibrationDecisionId) {
        return badRequest(
          "The decision that made them ready is missing: move them to another stage instead.",
          values,
        );
      }
      calibrationDecisionId = previous.calibrationDecisionId;
    } else {
      const refusal = stageMoveRefusal({
        from,
        to,
        currentOutcome: null,
        revisitOn: revisitOn ?? null,
        today,
      });
      if (refusal) return badRequest("", values, { [refusal.field]: [refusal.message] });
    }
  } else {
    to = input.to;
    const decision =
      to === "promoted" ? await getCurrentDecision(context.db, candidate.id) : undefined;
    const refusal = stageMoveRefusal({
      from,
      to,
      currentOutcome: decision?.outcome ?? null,
      revisitOn: revisitOn ?? null,
      today,
    });
    if (refusal) return badRequest("", values, { [refusal.field]: [refusal.message] });
    if (to === "promoted" && decision) calibrationDecisionId = decision.id;
  }

  const moved = await context.db.transaction().execute(async (trx) => {
    const row = await moveStage(trx, {
      id: candidate.id,
      version: input.version,
      from,
      to,
      changedBy: base.actorId,
      reason: input.reason,
      revisitOn: to === "paused" ? (revisitOn ?? null) : null,
      calibrationDecisionId,
      now: context.now(),
    });
    if (!row) return false;
    await audit(trx, {
      ...base,
      action: "candidate.stage",
      details: {
        from,
        to,
        via: input.intent,
        ...(calibrationDecisionId ? { calibrationDecisionId } : {}),
      },
    });
    return true;
  });
  if (!moved) {
    return invalid(
      values,
      {},
      "Someone else changed this candidate while you were editing, so the stage was not changed. Check the current stage, then try again: your reason is kept below.",
      409,
    );
  }
  // No stage in the flash cookie: a person's stage is a fact about them. The page shows it.
  return redirectWithFlash(
    here,
    input.intent === "restore" ? "Candidate restored." : "Stage changed.",
  );
}

export default function EditCandidate() {
  const { candidate, observers, history, managers, observerChoices, promotable, restoreTo, today } =
    useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  // After a 409 the form shows the saved version and the refused input sits beside it.
  const conflict = data && "yours" in data ? data : undefined;
  const navigation = useNavigation();
  const busy = (intent: string) =>
    navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const details = useFormResult("details");
  const stage = useFormResult("stage");
  const archive = useFormResult("archive");
  const restore = useFormResult("restore");
  const addObs = useFormResult("add_observer");
  const saved = savedDetails(candidate);
  const managerChoices = managers.some((m) => m.id === candidate.manager_id)
    ? managers
    : [{ id: candidate.manager_id, name: candidate.manager_name }, ...managers];
  const managerName = (id: string) => managerChoices.find((m) => m.id === id)?.name ?? id;
  const stageChoices = STAGES.filter(
    (s) => s !== candidate.stage && (s === "promoted" ? promotable : s !== "ready"),
  ).map((s) => ({
    id: s,
    name: STAGE_LABELS[s],
  }));
  const nextDay = addDays(today, 1);

  return (
    <div>
      <Breadcrumbs
        trail={[
          { to: "/candidates", label: "Candidates" },
          { to: `/candidates/${candidate.id}`, label: candidate.name },
        ]}
      />
      <h1 className="mt-1 text-2xl font-semibold">Edit {candidate.name}</h1>
      <p className="mt-1 text-stone-600">
        {STAGE_LABELS[candidate.stage]} since {formatDate(candidate.stage_changed_at)}
        {candidate.stage === "paused" && candidate.revisit_on
          ? `, revisit on ${formatDate(candidate.revisit_on)}`
          : ""}{" "}
        · managed by {candidate.manager_name}
      </p>

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <section
          aria-labelledby="details-heading"
          className="rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="details-heading" className="text-lg font-semibold">
            Details
          </h2>
          <Form
            method="post"
            key={`details-${candidate.version}`}
            className="mt-3 space-y-4"
            noValidate
          >
            <input type="hidden" name="intent" value="details" />
            <input type="hidden" name="version" value={candidate.version} />
            <FormError message={details.summary} />
            {conflict?.current ? (
              <DetailsComparison
                yours={conflict.yours}
                current={conflict.current}
                managerName={managerName}
              />
            ) : null}
            <CandidateDetailsFields
              value={(name) => details.value(name, saved[name])}
              errors={details.errors}
              managers={managerChoices}
            />
            <TextArea
              label="Why they were nominated"
              name="nominatedReason"
              rows={4}
              maxLength={10_000}
              defaultValue={details.value("nominatedReason", saved.nominatedReason)}
              errors={details.errors.nominatedReason}
            />
            <Button disabled={busy("details")}>
              {busy("details") ? "Saving…" : "Save details"}
            </Button>
          </Form>
        </section>

        <div className="space-y-6">
          <section
            aria-labelledby="stage-heading"
            className="rounded-lg border border-stone-200 bg-white p-4"
          >
            <h2 id="stage-heading" className="text-lg font-semibold">
              Stage
            </h2>
            <p className="mt-1 text-sm text-stone-600">
              Ready and promoted are reached only through a calibration decision.
              {promotable
                ? " The current decision is “ready now”, so you can record the promotion."
                : ""}
            </p>
            <Form
              method="post"
              key={`stage-${candidate.version}`}
              className="mt-3 space-y-4"
              noValidate
            >
              <input type="hidden" name="intent" value="stage" />
              <input type="hidden" name="version" value={candidate.version} />
              <FormError message={stage.summary} />
              <ChoiceSelect
                label="Move to"
                name="to"
                defaultValue={stage.value("to")}
                errors={stage.errors.to}
                choices={stageChoices}
                placeholder="Choose a stage"
              />
              <TextArea
                label="Reason"
                name="reason"
                rows={3}
                maxLength={2000}
                defaultValue={stage.value("reason")}
                errors={stage.errors.reason}
              />
              <TextField
                label="Revisit on"
                name="revisitOn"
                type="date"
                min={nextDay}
                hint="Needed when pausing: the date to look at this again."
                defaultValue={stage.value("revisitOn")}
                errors={stage.errors.revisitOn}
              />
              <Button disabled={busy("stage")}>{busy("stage") ? "Moving…" : "Change stage"}</Button>
            </Form>

            {candidate.stage === "archived" ? (
              <ArchivalForm
                intent="restore"
                version={candidate.version}
                title="Restore"
                description={`Returns them to ${restoreTo ? STAGE_LABELS[restoreTo] : "the stage before archiving"}.`}
                reasonLabel="Reason for restoring"
                result={restore}
              >
                {restoreTo === "paused" ? (
                  <TextField
                    label="Revisit on"
                    name="revisitOn"
                    type="date"
                    min={nextDay}
                    defaultValue={restore.value("revisitOn")}
                    errors={restore.errors.revisitOn}
                  />
                ) : null}
                <Button variant="secondary" disabled={busy("restore")}>
                  Restore
                </Button>
              </ArchivalForm>
            ) : (
              <ArchivalForm
                intent="archive"
                version={candidate.version}
                title="Archive"
                description="Hides them from lists; their record is kept and can be restored."
                reasonLabel="Reason for archiving"
                result={archive}
              >
                <ConfirmButton
                  label="Archive"
                  confirmLabel={`Yes, archive ${candidate.name}`}
                  question="They disappear from lists and My week until someone restores them."
                  disabled={busy("archive")}
                />
              </ArchivalForm>
            )}
          </section>

          <section
            aria-labelledby="observers-heading"
            className="rounded-lg border border-stone-200 bg-white p-4"
          >
            <h2 id="observers-heading" className="text-lg font-semibold">
              Observers
            </h2>
            <p className="mt-1 text-sm text-stone-600">
              People you add here can see this candidate and record what they observe.
            </p>
            {observers.length === 0 ? (
              <p className="mt-2 text-stone-700">
                No observers yet. Add someone who works with them to get a second view.
              </p>
            ) : (
              <ul className="mt-2 divide-y divide-stone-100">
                {observers.map((o) => (
                  <li key={o.id} className="flex items-center justify-between gap-3 py-2">
                    <span>
                      {o.name}
                      {o.disabled_at ? (
                        <span className="text-sm text-stone-600"> (disabled)</span>
                      ) : null}
                    </span>
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove_observer" />
                      <input type="hidden" name="userId" value={o.id} />
                      <Button variant="secondary" className="px-2 py-1">
                        Remove<span className="sr-only"> {o.name}</span>
                      </Button>
                    </Form>
                  </li>
                ))}
              </ul>
            )}
            <Form method="post" className="mt-4 flex flex-wrap items-end gap-3" noValidate>
              <input type="hidden" name="intent" value="add_observer" />
              <div className="min-w-56 flex-1">
                <ChoiceSelect
                  label="Add an observer"
                  name="userId"
                  defaultValue=""
                  errors={addObs.errors.userId}
                  choices={observerChoices}
                  placeholder="Choose a person"
                />
              </div>
              <Button variant="secondary" disabled={busy("add_observer")}>
                Add observer
              </Button>
            </Form>
          </section>
        </div>
      </div>

      <section
        aria-labelledby="history-heading"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="history-heading" className="text-lg font-semibold">
          Stage history
        </h2>
        <div className="relative mt-2 overflow-x-auto">
          <table className="min-w-full divide-y divide-stone-200 text-sm">
            <thead className="text-left text-stone-700">
              <ColumnHeads
                className="px-2 py-2 font-semibold"
                labels={["When", "Move", "By", "Reason"]}
              />
            </thead>
            <tbody className="divide-y divide-stone-100 align-top">
              {history.map((h) => (
                <tr key={h.id}>
                  <td className="px-2 py-2 whitespace-nowrap">{formatDate(h.created_at)}</td>
                  <td className="px-2 py-2 whitespace-nowrap">
                    {h.from_stage ? `${STAGE_LABELS[h.from_stage]} → ` : ""}
                    {STAGE_LABELS[h.to_stage]}
                    {h.calibration_decision_id ? (
                      <span className="block text-stone-600">by calibration decision</span>
                    ) : null}
                  </td>
                  <td className="px-2 py-2 whitespace-nowrap">{h.changed_by_name}</td>
                  <td className="px-2 py-2 whitespace-pre-wrap">{h.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** Archiving or restoring: a form of its own with the reason that goes into the stage history. */
function ArchivalForm({
  intent,
  version,
  title,
  description,
  reasonLabel,
  result,
  children,
}: {
  intent: "archive" | "restore";
  version: number;
  title: string;
  description: string;
  reasonLabel: string;
  result: FormResult;
  children: ReactNode;
}) {
  return (
    <Form
      method="post"
      key={`${intent}-${version}`}
      className="mt-6 space-y-4 border-t border-stone-200 pt-4"
      noValidate
    >
      <h3 className="font-semibold">{title}</h3>
      <p className="text-sm text-stone-600">{description}</p>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="version" value={version} />
      <FormError message={result.summary} />
      <TextArea
        label={reasonLabel}
        name="reason"
        rows={2}
        maxLength={2000}
        defaultValue={result.value("reason")}
        errors={result.errors.reason}
      />
      {children}
    </Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
