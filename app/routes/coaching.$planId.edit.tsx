import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { PlanStatus } from "../../db/schema";
import { observationValues, Panel } from "../components/coaching-plan";
import { ObservationFields } from "../components/observation-form";
import {
  Button,
  CheckboxGroup,
  FormError,
  PastDayField,
  SelectField,
  TextArea,
  TextField,
} from "../components/ui/forms";
import { ConfirmButton } from "../components/ui/confirm";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  changePlanStatus,
  getPlanFields,
  listMentorOptions,
  isPlanEditAction,
  planInputErrors,
  updatePlan,
} from "../models/coaching.server";
import {
  findObservationByIdempotencyKey,
  listDimensionsForForm,
} from "../models/observation.server";
import { loadPlan, readPlanForm, type PlanAccess } from "../models/plan-page.server";
import { recordPlanObservation } from "../models/plan-observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { PLAN_STATUS_LABELS } from "../utils/labels";
import { useFormResult, detailOf } from "../utils/form-result";
import { canMovePlan, planIsOpen } from "../utils/lifecycle";
import {
  badRequest,
  invalid,
  invalidWith,
  type FormFailure,
  type Values,
} from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

// The plan itself and its status: rare, deliberate changes. Day-to-day work (actions, check-ins,
// flags, observations) is on the plan page.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data ? `Change the coaching plan · ${data.plan.candidate_name}` : "Change the coaching plan"} · Noseworthy`,
  },
];

export async function loader(args: LoaderFunctionArgs) {
  const { context } = args;
  const { plan } = await loadPlan(args, { edit: true });
  const open = planIsOpen(plan.status);
  const [dimensions, mentors] = open
    ? await Promise.all([listDimensionsForForm(context.db), listMentorOptions(context.db)])
    : [[], []];
  return json({
    plan,
    open,
    dimensions,
    mentors,
    today: isoDate(context.now()),
    keys: { complete: newIdempotencyKey() },
  });
}

const STATUS_TARGET = {
  pause: "paused",
  resume: "active",
  abandon: "abandoned",
  complete: "completed",
} as const;

export async function action(args: ActionFunctionArgs) {
  const { context } = args;
  const form = await readPlanForm(args);
  if (!form.ok) return form.response;
  const { user, plan, values, today, input, base, isPlanNote } = form;
  // Actions, check-ins, flags and observations are posted to the plan page.
  if (!isPlanEditAction(input))
    return badRequest("This form does not belong on this page: reload it and try again.", values);
  const planPage = `/coaching/${plan.id}`;

  const closed = () =>
    badRequest(`This plan is ${plan.status}: it can be read but no longer changed.`, values);
  // The completing form sent twice finds the plan closed by its first submit: saveOnce answers it below.
  if (!planIsOpen(plan.status) && input.intent !== "complete") return closed();

  if (input.intent === "edit-plan") {
    const fieldErrors = await planInputErrors(context.db, {
      dimensionIds: input.dimensionIds,
      mentorId: input.mentorId,
    });
    const fields = await getPlanFields(context.db, { planId: plan.id });
    if (input.mentorId !== fields.mentor_id && !input.mentorReason)
      fieldErrors.mentorReason = ["Say why the mentor changes."];
    if (input.targetOn && input.targetOn < fields.started_on)
      fieldErrors.targetOn = ["The target date cannot be before the start date."];
    if (Object.keys(fieldErrors).length) return invalid(values, fieldErrors);
    const result =
      input.version !== plan.version
        ? ("stale" as const)
        : await context.db.transaction().execute(async (trx) => {
            const done = await updatePlan(trx, {
              ...input,
              planId: plan.id,
              actorId: user.id,
              today,
            });
            if (done !== "stale") {
              const mentorChanged = done.changedFields.includes("mentorId");
              await audit(trx, {
                ...base,
                action: "coaching_plan.update",
                entity: "coaching_plan",
                entityId: plan.id,
                details: {
                  candidateId: plan.candidate_id,
                  fields: done.changedFields,
                  ...(mentorChanged
                    ? { fromMentorId: fields.mentor_id, toMentorId: input.mentorId }
                    : {}),
                },
              });
            }
            return done;
          });
    if (result === "stale") return planConflict(context, plan, values);
    return redirectWithFlash(
      planPage,
      result.changedFields.includes("mentorId")
        ? "Plan updated and the mentor replaced."
        : "Plan updated.",
    );
  }

  const to: PlanStatus = STATUS_TARGET[input.intent];
  const refusal = async () => {
    if (!planIsOpen(plan.status)) return closed();
    if (!canMovePlan(plan.status, to))
      return badRequest(`A plan that is ${plan.status} cannot become ${to}.`, values);
    const fields = await getPlanFields(context.db, { planId: plan.id });
    const fieldErrors: Record<string, string[]> =
      input.intent === "complete"
        ? await planInputErrors(context.db, { dimensionIds: input.dimensionIds })
        : {};
    if (input.changedOn < fields.started_on)
      fieldErrors.changedOn = ["The date cannot be before the plan started."];
    if (Object.keys(fieldErrors).length) return invalid(values, fieldErrors);
    if (input.version !== plan.version) return planConflict(context, plan, values);
    return null;
  };
  const change = async (trx: AppContext["db"]) => {
    const done = await changePlanStatus(trx, {
      planId: plan.id,
      version: input.version,
      from: plan.status,
      to,
      changedOn: input.changedOn,
      reason: input.reason,
      actorId: user.id,
    });
    if (done !== "stale") {
      await audit(trx, {
        ...base,
        action: "coaching_plan.status",
        entity: "coaching_plan",
        entityId: plan.id,
        details: { candidateId: plan.candidate_id, from: plan.status, to },
      });
    }
    return done;
  };
  // No status in the flash cookie: how a person's coaching goes is a fact about them.
  const message = "Plan status changed.";
  // The end of a plan is evidence too: completing it records a closing observation in the same
  // transaction, under the form's key.
  if (input.intent === "complete") {
    return saveOnce(context.db, {
      find: (db) => findObservationByIdempotencyKey(db, input.idempotencyKey),
      isRepeat: isPlanNote,
      check: refusal,
      create: async (trx) => {
        if ((await change(trx)) === "stale")
          return planConflict({ ...context, db: trx }, plan, values);
        return recordPlanObservation(trx, context, user, plan, {
          ...input,
          observedOn: input.changedOn,
        });
      },
      answer: () => redirectWithFlash(planPage, message),
      values,
    });
  }
  const refused = await refusal();
  if (refused) return refused;
  const result = await context.db.transaction().execute(change);
  if (result === "stale") return planConflict(context, plan, values);
  return redirectWithFlash(planPage, message);
}

/** 409 with the user's input kept and the plan as it is saved now. */
async function planConflict(context: AppContext, plan: PlanAccess, values: Values) {
  const saved = await getPlanFields(context.db, { planId: plan.id });
  const failure: FormFailure = {
    ok: false,
    formError:
      "Someone changed this plan after you opened the page. Nothing was saved: compare your input with the saved plan below and submit again.",
    fieldErrors: {},
    values: { ...values, version: String(saved.version) },
  };
  return invalidWith(failure, { conflict: { kind: "plan" as const, plan: saved } });
}

// ---- The page --------------------------------------------------------------------------------------

const CLOSING_LABELS = {
  situation: "Closing observation: situation (optional)",
  behavior: "Closing observation: behaviour",
  behaviorHint: "What did the person actually do or say by the end of the plan?",
  impact: "Closing observation: impact (optional)",
  dimensions: "Dimensions of the closing observation",
  signal: "Signal of the closing observation",
};

export default function PlanEditPage() {
  const { plan, open, dimensions, mentors, today, keys } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const conflict = detailOf(data, "conflict");
  const saved = conflict?.kind === "plan" ? conflict.plan : undefined;
  const version = String(saved?.version ?? plan.version);
  const summary = useFormResult().summary;
  const pause = useFormResult("pause");
  const resume = useFormResult("resume");
  const abandon = useFormResult("abandon");
  const edit = useFormResult("edit-plan");
  const complete = useFormResult("complete");
  const here = `/coaching/${plan.id}/edit`;
  const focusIds = plan.dimensions.map((d) => d.id);
  const statusForm = (
    intent: "pause" | "resume" | "abandon",
    title: string,
    button: string,
    hint: string,
  ) => {
    const result = { pause, resume, abandon }[intent];
    return (
      <Form method="post" action={here} className="space-y-3" noValidate aria-label={title}>
        <input type="hidden" name="intent" value={intent} />
        <input type="hidden" name="version" value={version} />
        <h3 className="font-medium">{title}</h3>
        <PastDayField
          label="Date"
          name="changedOn"
          form={result}
          today={today}
          min={plan.started_on}
        />
        <TextArea
          label="Reason"
          name="reason"
          required
          rows={2}
          maxLength={2000}
          hint={hint}
          defaultValue={result.value("reason")}
          errors={result.errors.reason}
        />
        {intent === "abandon" ? (
          <ConfirmButton
            label={button}
            confirmLabel="Yes, abandon the plan"
            question="An abandoned plan cannot be resumed; its history is kept."
          />
        ) : (
          <Button variant="secondary">{button}</Button>
        )}
      </Form>
    );
  };

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <p className="text-sm">
        <Link to={`/coaching/${plan.id}`} className="text-brand-700 underline">
          ← The plan
        </Link>
      </p>
      <header>
        <h1 className="text-2xl font-semibold">Change the coaching plan: {plan.candidate_name}</h1>
        <p className="mt-1 text-sm text-stone-600">
          {PLAN_STATUS_LABELS[plan.status]} · mentor {plan.mentor_name} · started{" "}
          {formatDate(plan.started_on)}
        </p>
      </header>

      {!open ? (
        <p className="rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">{`This plan is ${plan.status}: it is kept as a record and can no longer be changed.`}</p>
      ) : null}

      <FormError message={summary} />
      {saved ? (
        <section
          aria-label="Saved plan"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm"
        >
          <h2 className="font-semibold">The plan as it is saved now</h2>
          <dl className="mt-2 space-y-1">
            <div>
              <dt className="inline font-medium">Goal: </dt>
              <dd className="inline whitespace-pre-wrap">{saved.goal}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Target date: </dt>
              <dd className="inline">{saved.target_on ? formatDate(saved.target_on) : "none"}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Mentor: </dt>
              <dd className="inline">{saved.mentor_name}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Focus dimensions: </dt>
              <dd className="inline">{saved.dimensions.map((d) => d.name).join(", ")}</dd>
            </div>
          </dl>
          <p className="mt-2">
            Your input is still in the form you sent; submit it again to apply it to the saved plan.
          </p>
        </section>
      ) : null}

      {open ? (
        <>
          <Panel title="Goal, target date, focus and mentor" id="edit-heading">
            <Form
              method="post"
              action={here}
              className="space-y-3"
              noValidate
              aria-labelledby="edit-heading"
            >
              <input type="hidden" name="intent" value="edit-plan" />
              <input type="hidden" name="version" value={version} />
              <TextArea
                label="Goal"
                name="goal"
                required
                rows={3}
                maxLength={10000}
                defaultValue={edit.value("goal", plan.goal)}
                errors={edit.errors.goal}
              />
              <TextField
                label="Target date (optional)"
                name="targetOn"
                type="date"
                min={plan.started_on}
                defaultValue={edit.value("targetOn", plan.target_on ?? "")}
                errors={edit.errors.targetOn}
              />
              <CheckboxGroup
                legend="Focus dimensions (one or more)"
                name="dimensionIds"
                options={dimensions}
                chosen={new Set(edit.list("dimensionIds", focusIds))}
                errors={edit.errors.dimensionIds}
              />
              <SelectField
                label="Mentor"
                name="mentorId"
                defaultValue={edit.value("mentorId", plan.mentor_id)}
                errors={edit.errors.mentorId}
              >
                {mentors.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </SelectField>
              <TextArea
                label="Why the mentor changes (only when replacing the mentor)"
                name="mentorReason"
                rows={2}
                maxLength={10000}
                hint="The new mentor joins the candidate's circle; the previous one keeps read access to this plan but leaves it. The candidate's manager sees the change and this reason on My week."
                defaultValue={edit.value("mentorReason")}
                errors={edit.errors.mentorReason}
              />
              <Button>Save plan</Button>
            </Form>
          </Panel>

          <Panel title="Status" id="status-heading">
            <div className="grid gap-6 md:grid-cols-2">
              {plan.status === "active"
                ? statusForm(
                    "pause",
                    "Pause the plan",
                    "Pause plan",
                    "For example: leave, a crunch, or the candidate asked for a break.",
                  )
                : statusForm("resume", "Resume the plan", "Resume plan", "What changed?")}
              {statusForm(
                "abandon",
                "Abandon the plan",
                "Abandon plan",
                "Why does the plan stop without reaching its goal?",
              )}
            </div>
            <Form
              method="post"
              action={here}
              className="space-y-3 border-t border-stone-100 pt-4"
              noValidate
              aria-label="Complete the plan"
            >
              <input type="hidden" name="intent" value="complete" />
              <input type="hidden" name="version" value={version} />
              <IdempotencyKeyField value={complete.key(keys.complete)} />
              <h3 className="font-medium">Complete the plan</h3>
              <p className="text-sm text-stone-600">
                The end of a plan is evidence too: describe what you saw the person do, as a closing
                observation. It lands on the candidate's timeline.
              </p>
              <div className="grid gap-3 sm:grid-cols-2">
                <PastDayField
                  label="Completed on"
                  name="changedOn"
                  form={complete}
                  today={today}
                  min={plan.started_on}
                />
              </div>
              <TextArea
                label="Why the plan ends here"
                name="reason"
                required
                rows={2}
                maxLength={2000}
                defaultValue={complete.value("reason")}
                errors={complete.errors.reason}
              />
              <ObservationFields
                dimensions={dimensions}
                values={observationValues(complete, focusIds)}
                fieldErrors={complete.errors}
                labels={CLOSING_LABELS}
              />
              <Button>Complete plan</Button>
            </Form>
          </Panel>
        </>
      ) : null}
    </div>
  );
}
