import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { ReactNode } from "react";
import type { PlanStatus } from "../../db/schema";
import { denyAsNotFound, requirePlanAccess } from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import { ObservationForm, SIGNALS } from "../components/observation-form";
import { Button, CheckboxGroup, FormError, SelectField, TextArea, TextField } from "../components/ui/forms";
import { ConfirmButton } from "../components/ui/confirm";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  canMovePlan,
  changePlanStatus,
  createAction,
  createCheckin,
  findActionByIdempotencyKey,
  findCheckinByIdempotencyKey,
  getAction,
  getPlan,
  getPlanFields,
  listMentorOptions,
  moveAction,
  PlanActionSchema,
  planHasFlag,
  planInputErrors,
  planIsOpen,
  planNudges,
  setActionDone,
  updateAction,
  updatePlan,
  type PlanDetails,
} from "../models/coaching.server";
import { canMoveFlag, getFlag, setFlagStatus } from "../models/flag.server";
import { createObservation, findObservationByIdempotencyKey, listDimensionsForForm, type ObservationKeyRow } from "../models/observation.server";
import { formatDate, isoDate } from "../utils/dates";
import { badRequest, formValues, parseForm, type Values } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Coaching plan · ${data.plan.candidate_name}` : "Coaching plan"} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requirePlanAccess(context, user, params.planId);
  const plan = await getPlan(context.db, { planId: access.id });
  if (!plan) throw await denyAsNotFound(context, user, "coaching_plan", params.planId);
  const today = isoDate(context.now());
  const editable = access.mayEdit && planIsOpen(plan.status);
  const [dimensions, mentors] = editable
    ? await Promise.all([listDimensionsForForm(context.db), listMentorOptions(context.db)])
    : [[], []];
  return json({
    plan,
    nudges: planNudges(
      {
        status: plan.status,
        startedOn: plan.started_on,
        targetOn: plan.target_on,
        lastCheckinOn: plan.checkins[0]?.held_on ?? null,
        overdueActions: plan.actions.filter((a) => !a.done_on && a.due_on && a.due_on < today).length,
      },
      today,
    ),
    candidateVisible: access.candidate_visible,
    mayEdit: access.mayEdit,
    editable,
    dimensions,
    mentors,
    today,
    keys: { action: newIdempotencyKey(), checkin: newIdempotencyKey(), observation: newIdempotencyKey(), complete: newIdempotencyKey() },
  });
}

type Access = Awaited<ReturnType<typeof requirePlanAccess>>;
const STATUS_TARGET = { pause: "paused", resume: "active", abandon: "abandoned", complete: "completed" } as const;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const plan = await requirePlanAccess(context, user, params.planId, { edit: true });
  const formData = await request.formData();
  const values = formValues(formData);
  const today = isoDate(context.now());
  const parsed = parseForm(PlanActionSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const here = `/coaching/${plan.id}`;

  const closed = () => badRequest(`This plan is ${plan.status}: it can be read but no longer changed.`, values);
  // The completing form sent twice finds the plan closed by its first submit: saveOnce answers it below.
  if (!planIsOpen(plan.status) && input.intent !== "complete") return closed();
  const base = { actorId: user.id, requestId: context.requestId };
  // A note written from this plan by this user: the target of the plan's observation and closing forms.
  const isPlanNote = (note: ObservationKeyRow) => note.coaching_plan_id === plan.id && note.author_id === user.id;

  switch (input.intent) {
    case "add-action":
      return saveOnce(context.db, {
        find: (db) => findActionByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: (row) => row.plan_id === plan.id && row.created_by === user.id,
        create: async (trx) => {
          const created = await createAction(trx, { planId: plan.id, title: input.title, dueOn: input.dueOn, createdBy: user.id, idempotencyKey: input.idempotencyKey });
          await audit(trx, { ...base, action: "coaching_action.create", entity: "coaching_action", entityId: created.id, details: { planId: plan.id, dueOn: input.dueOn } });
          return created;
        },
        answer: () => redirectWithFlash(here, "Action added."),
        values,
      });

    case "edit-action": {
      const current = await getAction(context.db, { planId: plan.id, actionId: input.actionId });
      if (!current) throw await denyAsNotFound(context, user, "coaching_action", input.actionId);
      const result = await context.db.transaction().execute(async (trx) => {
        const done = await updateAction(trx, { planId: plan.id, actionId: current.id, version: input.version, title: input.title, dueOn: input.dueOn });
        if (done !== "stale") {
          await audit(trx, { ...base, action: "coaching_action.update", entity: "coaching_action", entityId: current.id, details: { planId: plan.id, fields: ["title", "dueOn"] } });
        }
        return done;
      });
      if (result === "stale") {
        const saved = (await getAction(context.db, { planId: plan.id, actionId: current.id })) ?? current;
        return conflict("This action was changed after you opened the page. Nothing was saved: compare your text with the saved one and submit again.", values, { kind: "action" as const, action: saved });
      }
      return redirectWithFlash(here, "Action updated.");
    }

    case "tick-action":
    case "untick-action": {
      const current = await getAction(context.db, { planId: plan.id, actionId: input.actionId });
      if (!current) throw await denyAsNotFound(context, user, "coaching_action", input.actionId);
      const done = input.intent === "tick-action";
      await context.db.transaction().execute(async (trx) => {
        if (await setActionDone(trx, { planId: plan.id, actionId: current.id, done, today })) {
          await audit(trx, { ...base, action: done ? "coaching_action.done" : "coaching_action.undone", entity: "coaching_action", entityId: current.id, details: { planId: plan.id } });
        }
      });
      return redirectWithFlash(here, done ? "Action marked done." : "Action marked not done.");
    }

    case "move-action": {
      const result = await context.db.transaction().execute(async (trx) => {
        const moved = await moveAction(trx, { planId: plan.id, actionId: input.actionId, direction: input.direction });
        if (moved === "moved") {
          await audit(trx, { ...base, action: "coaching_action.move", entity: "coaching_action", entityId: input.actionId, details: { planId: plan.id, direction: input.direction } });
        }
        return moved;
      });
      if (result === "not_found") throw await denyAsNotFound(context, user, "coaching_action", input.actionId);
      return redirectWithFlash(here, result === "moved" ? `Action moved ${input.direction}.` : "That action is already at the end of the list.");
    }

    case "checkin":
      return saveOnce(context.db, {
        find: (db) => findCheckinByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: (row) => row.plan_id === plan.id && row.author_id === user.id,
        create: async (trx) => {
          const created = await createCheckin(trx, { planId: plan.id, authorId: user.id, heldOn: input.heldOn, notes: input.notes, nextOn: input.nextOn, idempotencyKey: input.idempotencyKey });
          await audit(trx, { ...base, action: "coaching_checkin.create", entity: "coaching_checkin", entityId: created.id, details: { planId: plan.id, heldOn: input.heldOn, nextOn: input.nextOn } });
          return created;
        },
        answer: () => redirectWithFlash(here, "Check-in recorded."),
        values,
      });

    case "resolve-flag": {
      const flag = (await planHasFlag(context.db, { planId: plan.id, flagId: input.flagId }))
        ? await getFlag(context.db, { candidateId: plan.candidate_id, flagId: input.flagId })
        : undefined;
      if (!flag) throw await denyAsNotFound(context, user, "flag", input.flagId);
      if (!canMoveFlag(flag.status, "resolved")) return badRequest(`This flag is already ${flag.status}.`, values);
      const result =
        flag.version !== input.version
          ? ("stale" as const)
          : await context.db.transaction().execute(async (trx) => {
              const done = await setFlagStatus(trx, { flagId: flag.id, version: input.version, from: flag.status, to: "resolved", note: input.note, actorId: user.id, now: context.now() });
              if (done !== "stale") {
                await audit(trx, { ...base, action: "flag.resolve", entity: "flag", entityId: flag.id, details: { candidateId: plan.candidate_id, planId: plan.id, from: flag.status, to: "resolved" } });
              }
              return done;
            });
      if (result === "stale") {
        const saved = (await getFlag(context.db, { candidateId: plan.candidate_id, flagId: flag.id })) ?? flag;
        return conflict("This flag was changed after you opened the page. Nothing was saved: check its current state and submit again.", values, {
          kind: "flag" as const,
          flag: { id: saved.id, status: saved.status, resolution: saved.resolution, version: saved.version },
        });
      }
      return redirectWithFlash(here, "Flag updated.");
    }

    case "observation": {
      return saveOnce(context.db, {
        find: (db) => findObservationByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: isPlanNote,
        check: async () => {
          const fieldErrors = await planInputErrors(context.db, { dimensionIds: input.dimensionIds });
          return Object.keys(fieldErrors).length ? json({ ok: false as const, fieldErrors, values }, { status: 400 }) : null;
        },
        create: (trx) => recordPlanObservation(trx, context, user, plan, input),
        answer: () => redirectWithFlash(here, "Observation saved. It is on the candidate's timeline too."),
        values,
      });
    }

    case "edit-plan": {
      const fieldErrors = await planInputErrors(context.db, { dimensionIds: input.dimensionIds, mentorId: input.mentorId });
      const fields = await getPlanFields(context.db, { planId: plan.id });
      if (input.mentorId !== fields.mentor_id && !input.mentorReason) fieldErrors.mentorReason = ["Say why the mentor changes."];
      if (input.targetOn && input.targetOn < fields.started_on) fieldErrors.targetOn = ["The target date cannot be before the start date."];
      if (Object.keys(fieldErrors).length) return json({ ok: false as const, fieldErrors, values }, { status: 400 });
      const result =
        input.version !== plan.version
          ? ("stale" as const)
          : await context.db.transaction().execute(async (trx) => {
              const done = await updatePlan(trx, { ...input, planId: plan.id, actorId: user.id, today });
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
                    ...(mentorChanged ? { fromMentorId: fields.mentor_id, toMentorId: input.mentorId } : {}),
                  },
                });
              }
              return done;
            });
      if (result === "stale") return planConflict(context, plan, values);
      return redirectWithFlash(here, result.changedFields.includes("mentorId") ? "Plan updated and the mentor replaced." : "Plan updated.");
    }

    case "pause":
    case "resume":
    case "abandon":
    case "complete": {
      const to: PlanStatus = STATUS_TARGET[input.intent];
      const refusal = async () => {
        if (!planIsOpen(plan.status)) return closed();
        if (!canMovePlan(plan.status, to)) return badRequest(`A plan that is ${plan.status} cannot become ${to}.`, values);
        const fields = await getPlanFields(context.db, { planId: plan.id });
        const fieldErrors: Record<string, string[]> =
          input.intent === "complete" ? await planInputErrors(context.db, { dimensionIds: input.dimensionIds }) : {};
        if (input.changedOn < fields.started_on) fieldErrors.changedOn = ["The date cannot be before the plan started."];
        if (Object.keys(fieldErrors).length) return json({ ok: false as const, fieldErrors, values }, { status: 400 });
        if (input.version !== plan.version) return planConflict(context, plan, values);
        return null;
      };
      const change = async (trx: AppContext["db"]) => {
        const done = await changePlanStatus(trx, { planId: plan.id, version: input.version, from: plan.status, to, changedOn: input.changedOn, reason: input.reason, actorId: user.id });
        if (done !== "stale") {
          await audit(trx, { ...base, action: "coaching_plan.status", entity: "coaching_plan", entityId: plan.id, details: { candidateId: plan.candidate_id, from: plan.status, to } });
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
            if ((await change(trx)) === "stale") return planConflict({ ...context, db: trx }, plan, values);
            return recordPlanObservation(trx, context, user, plan, { ...input, observedOn: input.changedOn });
          },
          answer: () => redirectWithFlash(here, message),
          values,
        });
      }
      const refused = await refusal();
      if (refused) return refused;
      const result = await context.db.transaction().execute(change);
      if (result === "stale") return planConflict(context, plan, values);
      return redirectWithFlash(here, message);
    }
  }
}

/** Creates an observation linked to the plan, with its audit row. Call inside a transaction. */
async function recordPlanObservation(
  trx: AppContext["db"],
  context: AppContext,
  user: SessionUser,
  plan: Access,
  input: { observedOn: string; situation: string; behavior: string; impact: string; signal: (typeof SIGNALS)[number]["value"]; dimensionIds: string[]; idempotencyKey: string },
) {
  const created = await createObservation(trx, {
    ...input,
    candidateId: plan.candidate_id,
    authorId: user.id,
    assignmentId: null,
    coachingPlanId: plan.id,
    now: context.now(),
  });
  if (created.created) {
    await audit(trx, {
      actorId: user.id,
      requestId: context.requestId,
      action: "observation.create",
      entity: "observation",
      entityId: created.id,
      details: { candidateId: plan.candidate_id, coachingPlanId: plan.id, dimensionIds: input.dimensionIds, signal: input.signal },
    });
  }
  return created;
}

function conflict<T>(message: string, values: Values, detail: T) {
  return json({ ok: false as const, formError: message, fieldErrors: {}, values, conflict: detail }, { status: 409 });
}

/** 409 with the user's input kept and the plan as it is saved now. */
async function planConflict(context: AppContext, plan: Access, values: Values) {
  const saved = await getPlanFields(context.db, { planId: plan.id });
  return conflict(
    "Someone changed this plan after you opened the page. Nothing was saved: compare your input with the saved plan below and submit again.",
    { ...values, version: String(saved.version) },
    { kind: "plan" as const, plan: saved },
  );
}

// ---- The page --------------------------------------------------------------------------------------

const STATUS_LABEL: Record<PlanStatus, string> = { active: "Active", paused: "Paused", completed: "Completed", abandoned: "Abandoned" };
const FLAG_LABEL: Record<string, string> = { open: "Open", addressing: "Being addressed", resolved: "Resolved", dismissed: "Dismissed" };
const SIGNAL_LABEL: Record<string, string> = { strength: "Strength", concern: "Concern", context: "Context" };

function Panel({ title, children, id }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-3 space-y-4">{children}</div>
    </section>
  );
}

type ActionData = {
  values?: Values;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  conflict?:
    | { kind: "plan"; plan: { goal: string; target_on: string | null; mentor_name: string; version: number; dimensions: { id: string; name: string }[] } }
    | { kind: "action"; action: { id: string; title: string; due_on: string | null; version: number } }
    | { kind: "flag"; flag: { id: string; status: string; resolution: string | null; version: number } };
};


export default function PlanPage() {
  const { plan, nudges, candidateVisible, mayEdit, editable, dimensions, mentors, today, keys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const values = actionData?.values;
  const fieldErrors = actionData?.fieldErrors ?? {};
  const conflict = actionData?.conflict;
  const failed = (intent: string) => values?.intent === intent;
  const kept = (intent: string, key: string) => (failed(intent) && typeof values?.[key] === "string" ? (values[key] as string) : "");
  const keptMany = (intent: string, key: string, fallback: string[]) => {
    if (!failed(intent)) return new Set(fallback);
    const v = values?.[key];
    return new Set(Array.isArray(v) ? v : v ? [v] : []);
  };
  const errorsFor = (intent: string, key: string) => (failed(intent) ? fieldErrors[key] : undefined);
  // After a failure the same key goes back, so a corrected re-submit is still one row.
  const keyFor = (intent: string, fresh: string) =>
    failed(intent) && typeof values?.idempotencyKey === "string" && !fieldErrors.idempotencyKey && !actionData?.formError ? values.idempotencyKey : fresh;
  const version = String(conflict?.kind === "plan" ? conflict.plan.version : plan.version);
  const here = `/coaching/${plan.id}`;
  const focusIds = plan.dimensions.map((d) => d.id);
  const openActions = plan.actions.filter((a) => !a.done_on).length;

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <p className="text-sm">
        <Link to="/coaching" className="text-brand-700 underline">
          ← Coaching
        </Link>
        {candidateVisible ? (
          <>
            {" · "}
            <Link to={`/candidates/${plan.candidate_id}`} className="text-brand-700 underline">
              {plan.candidate_name}'s profile
            </Link>
          </>
        ) : null}
      </p>
      <header>
        <h1 className="text-2xl font-semibold">Coaching plan: {plan.candidate_name}</h1>
        <p className="mt-1 whitespace-pre-wrap text-stone-800">{plan.goal}</p>
        <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
          <div>
            <dt className="font-medium text-stone-600">Status</dt>
            <dd>{STATUS_LABEL[plan.status]}</dd>
          </div>
          <div>
            <dt className="font-medium text-stone-600">Mentor</dt>
            <dd>{plan.mentor_name}</dd>
          </div>
          <div>
            <dt className="font-medium text-stone-600">Dates</dt>
            <dd>
              Started {formatDate(plan.started_on)}
              {plan.target_on ? ` · target ${formatDate(plan.target_on)}` : " · no target date"}
            </dd>
          </div>
          <div className="sm:col-span-3">
            <dt className="font-medium text-stone-600">Focus dimensions</dt>
            <dd>{plan.dimensions.map((d) => d.name).join(", ") || "None chosen"}</dd>
          </div>
        </dl>
      </header>

      {!editable ? (
        <p className="rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          {planIsOpenClient(plan.status)
            ? "You can read this plan. Its mentor, the candidate's manager and leaders make the changes."
            : `This plan is ${plan.status}: it is kept as a record and can no longer be changed.`}
        </p>
      ) : null}

      {nudges.length ? (
        <section aria-labelledby="nudges-heading" className="rounded-lg border border-amber-300 bg-amber-50 p-4">
          <h2 id="nudges-heading" className="font-semibold text-amber-900">
            Needs attention
          </h2>
          <ul className="mt-2 list-disc pl-5 text-amber-900">
            {nudges.map((n) => (
              <li key={n.kind}>{n.text}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {actionData ? <FormError message={actionData.formError ?? "Check the highlighted fields: nothing has been saved yet."} /> : null}
      {conflict?.kind === "plan" ? (
        <section aria-label="Saved plan" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm">
          <h2 className="font-semibold">The plan as it is saved now</h2>
          <dl className="mt-2 space-y-1">
            <div>
              <dt className="inline font-medium">Goal: </dt>
              <dd className="inline whitespace-pre-wrap">{conflict.plan.goal}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Target date: </dt>
              <dd className="inline">{conflict.plan.target_on ? formatDate(conflict.plan.target_on) : "none"}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Mentor: </dt>
              <dd className="inline">{conflict.plan.mentor_name}</dd>
            </div>
            <div>
              <dt className="inline font-medium">Focus dimensions: </dt>
              <dd className="inline">{conflict.plan.dimensions.map((d) => d.name).join(", ")}</dd>
            </div>
          </dl>
          <p className="mt-2">Your input is still in the form you sent; submit it again to apply it to the saved plan.</p>
        </section>
      ) : null}

      <Panel title={`Actions (${openActions} open)`} id="actions-heading">
        {plan.actions.length === 0 ? (
          <p className="text-stone-600">No actions yet. {editable ? "Agree the first small step with the candidate and add it below." : ""}</p>
        ) : (
          <ol className="divide-y divide-stone-100">
            {plan.actions.map((a, index) => {
              const overdue = !a.done_on && a.due_on && a.due_on < today;
              const conflicted = conflict?.kind === "action" && conflict.action.id === a.id ? conflict.action : null;
              const editing = failed("edit-action") && values?.actionId === a.id;
              return (
                <li key={a.id} className="py-3">
                  <p className={a.done_on ? "text-stone-600 line-through" : "font-medium"}>{a.title}</p>
                  <p className="text-sm text-stone-600">
                    {a.due_on ? `Due ${formatDate(a.due_on)}` : "No due date"}
                    {overdue ? <strong className="text-amber-900"> · overdue</strong> : null}
                    {a.done_on ? ` · done ${formatDate(a.done_on)}` : null}
                  </p>
                  {editable ? (
                    <div className="mt-2 flex flex-wrap items-start gap-2">
                      <Form method="post" action={here}>
                        <input type="hidden" name="actionId" value={a.id} />
                        {a.done_on ? (
                          <Button variant="secondary" name="intent" value="untick-action" aria-label={`Undo: ${a.title}`}>
                            Undo
                          </Button>
                        ) : (
                          <Button variant="secondary" name="intent" value="tick-action" aria-label={`Mark done: ${a.title}`}>
                            Mark done
                          </Button>
                        )}
                      </Form>
                      <Form method="post" action={here}>
                        <input type="hidden" name="intent" value="move-action" />
                        <input type="hidden" name="actionId" value={a.id} />
                        <Button variant="secondary" name="direction" value="up" disabled={index === 0} aria-label={`Move up: ${a.title}`}>
                          Move up
                        </Button>
                      </Form>
                      <Form method="post" action={here}>
                        <input type="hidden" name="intent" value="move-action" />
                        <input type="hidden" name="actionId" value={a.id} />
                        <Button variant="secondary" name="direction" value="down" disabled={index === plan.actions.length - 1} aria-label={`Move down: ${a.title}`}>
                          Move down
                        </Button>
                      </Form>
                      <details className="w-full" open={editing || Boolean(conflicted)}>
                        <summary className="cursor-pointer text-sm text-brand-700 underline">
                          Edit<span className="sr-only"> action: {a.title}</span>
                        </summary>
                        {conflicted ? (
                          <p className="mt-2 rounded bg-amber-50 p-2 text-sm">
                            Saved now: “{conflicted.title}”{conflicted.due_on ? `, due ${formatDate(conflicted.due_on)}` : ", no due date"}. Your text is in the form below.
                          </p>
                        ) : null}
                        <Form method="post" action={here} className="mt-2 grid gap-3 sm:grid-cols-[1fr_12rem_auto] sm:items-end" noValidate>
                          <input type="hidden" name="intent" value="edit-action" />
                          <input type="hidden" name="actionId" value={a.id} />
                          <input type="hidden" name="version" value={String(conflicted?.version ?? a.version)} />
                          <TextField
                            label="Action title"
                            name="title"
                            required
                            maxLength={500}
                            defaultValue={editing ? kept("edit-action", "title") : a.title}
                            errors={editing ? fieldErrors.title : undefined}
                          />
                          <TextField
                            label="Due on (optional)"
                            name="dueOn"
                            type="date"
                            defaultValue={editing ? kept("edit-action", "dueOn") : (a.due_on ?? "")}
                            errors={editing ? fieldErrors.dueOn : undefined}
                          />
                          <Button variant="secondary">Save action</Button>
                        </Form>
                      </details>
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ol>
        )}
        {editable ? (
          <Form method="post" action={here} className="grid gap-3 border-t border-stone-100 pt-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end" noValidate>
            <input type="hidden" name="intent" value="add-action" />
            <IdempotencyKeyField value={keyFor("add-action", keys.action)} />
            <TextField
              label="New action"
              name="title"
              required
              maxLength={500}
              defaultValue={kept("add-action", "title")}
              errors={errorsFor("add-action", "title")}
            />
            <TextField label="Due date (optional)" name="dueOn" type="date" defaultValue={kept("add-action", "dueOn")} errors={errorsFor("add-action", "dueOn")} />
            <Button>Add action</Button>
          </Form>
        ) : null}
      </Panel>

      <Panel title="Check-ins" id="checkins-heading">
        {editable ? (
          <Form method="post" action={here} className="space-y-3" noValidate>
            <input type="hidden" name="intent" value="checkin" />
            <IdempotencyKeyField value={keyFor("checkin", keys.checkin)} />
            <div className="grid gap-3 sm:grid-cols-2">
              <TextField
                label="Held on"
                name="heldOn"
                type="date"
                required
                max={today}
                defaultValue={kept("checkin", "heldOn") || today}
                errors={errorsFor("checkin", "heldOn")}
              />
              <TextField
                label="Next check-in (optional)"
                name="nextOn"
                type="date"
                defaultValue={kept("checkin", "nextOn")}
                errors={errorsFor("checkin", "nextOn")}
              />
            </div>
            <TextArea
              label="Notes"
              name="notes"
              required
              rows={3}
              maxLength={10000}
              hint="What you talked about and what you agreed."
              defaultValue={kept("checkin", "notes")}
              errors={errorsFor("checkin", "notes")}
            />
            <Button>Record check-in</Button>
          </Form>
        ) : null}
        {plan.checkins.length === 0 ? (
          <p className="text-stone-600">No check-in yet.{editable ? " Record the first conversation above." : ""}</p>
        ) : (
          <ol className="divide-y divide-stone-100">
            {plan.checkins.map((k) => (
              <li key={k.id} className="py-3">
                <p className="text-sm text-stone-600">
                  {formatDate(k.held_on)} · {k.author_name}
                  {k.next_on ? ` · next on ${formatDate(k.next_on)}` : ""}
                </p>
                <p className="mt-1 whitespace-pre-wrap">{k.notes}</p>
              </li>
            ))}
          </ol>
        )}
      </Panel>

      <Panel title="Flags this plan addresses" id="flags-heading">
        {plan.flags.length === 0 ? (
          <p className="text-stone-600">This plan does not address any flag.</p>
        ) : (
          <ul className="divide-y divide-stone-100">
            {plan.flags.map((f) => {
              const open = f.status === "open" || f.status === "addressing";
              const conflicted = conflict?.kind === "flag" && conflict.flag.id === f.id ? conflict.flag : null;
              const resolving = failed("resolve-flag") && values?.flagId === f.id;
              return (
                <li key={f.id} className="py-3">
                  <p className="font-medium">
                    {candidateVisible ? (
                      <Link to={`/candidates/${plan.candidate_id}/flags/${f.id}`} className="text-brand-700 underline">
                        {f.anti_pattern_name}
                      </Link>
                    ) : (
                      f.anti_pattern_name
                    )}{" "}
                    <span className="text-sm font-normal text-stone-600">
                      · seen {formatDate(f.observed_on)} · {FLAG_LABEL[f.status] ?? f.status}
                    </span>
                  </p>
                  <p className="mt-1 whitespace-pre-wrap text-sm text-stone-700">{f.behavior}</p>
                  {f.resolution ? <p className="mt-1 whitespace-pre-wrap text-sm">Resolution: {f.resolution}</p> : null}
                  {editable && open ? (
                    <Form method="post" action={here} className="mt-2 space-y-2" noValidate>
                      <input type="hidden" name="intent" value="resolve-flag" />
                      <input type="hidden" name="flagId" value={f.id} />
                      <input type="hidden" name="version" value={String(conflicted?.version ?? f.version)} />
                      <TextArea
                        label={`How was “${f.anti_pattern_name}” resolved?`}
                        name="note"
                        required
                        rows={2}
                        maxLength={2000}
                        defaultValue={resolving ? kept("resolve-flag", "note") : ""}
                        errors={resolving ? fieldErrors.note : undefined}
                      />
                      <Button variant="secondary" aria-label={`Resolve flag: ${f.anti_pattern_name}`}>
                        Resolve flag
                      </Button>
                    </Form>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </Panel>

      <Panel title="Observations from this plan" id="observations-heading">
        {plan.observations.length === 0 ? (
          <p className="text-stone-600">None yet. What you see during the plan is evidence: note it here and it lands on the candidate's timeline.</p>
        ) : (
          <ul className="divide-y divide-stone-100">
            {plan.observations.map((o) => (
              <li key={o.id} className="py-3">
                <p className="text-sm text-stone-600">
                  {formatDate(o.observed_on)} · {o.author_name} · {SIGNAL_LABEL[o.signal] ?? o.signal}
                  {o.retracted_at ? " · retracted" : ""}
                </p>
                <p className="mt-1 whitespace-pre-wrap">{o.behavior}</p>
              </li>
            ))}
          </ul>
        )}
        {editable ? (
          <details open={failed("observation")}>
            <summary className="cursor-pointer font-medium text-brand-700 underline">Log an observation</summary>
            <div className="mt-3">
              <ObservationForm
                action={here}
                idempotencyKey={keyFor("observation", keys.observation)}
                dimensions={dimensions}
                assignments={[]}
                today={today}
                values={failed("observation") ? values : { dimensionIds: focusIds }}
                fieldErrors={failed("observation") ? fieldErrors : {}}
                hidden={{ intent: "observation" }}
              />
            </div>
          </details>
        ) : null}
      </Panel>

      {editable ? (
        <PlanEditing
          plan={plan}
          dimensions={dimensions}
          mentors={mentors}
          today={today}
          version={version}
          completeKey={keyFor("complete", keys.complete)}
          failed={failed}
          kept={kept}
          keptMany={keptMany}
          errorsFor={errorsFor}
        />
      ) : null}

      <section aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        <ol className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
          {plan.changes.map((c) => (
            <li key={c.id} className="p-3 text-sm">
              <span className="font-medium">{changeText(c)}</span>{" "}
              <span className="text-stone-600">
                on {formatDate(c.changed_on)} by {c.changed_by_name}
              </span>
              {c.reason ? <p className="mt-1 whitespace-pre-wrap text-stone-700">{c.reason}</p> : null}
            </li>
          ))}
        </ol>
        {!mayEdit ? null : <p className="mt-2 text-sm text-stone-600">Created by {plan.created_by_name}.</p>}
      </section>
    </div>
  );
}

function planIsOpenClient(status: PlanStatus) {
  return status === "active" || status === "paused";
}

function changeText(c: PlanDetails["changes"][number]): string {
  if (c.from_status === null) return `Started with ${c.to_mentor_name ?? "a mentor"} as mentor`;
  if (c.from_status === c.to_status) return `Mentor changed from ${c.from_mentor_name ?? "—"} to ${c.to_mentor_name ?? "—"}`;
  return `${STATUS_LABEL[c.from_status as PlanStatus]} → ${STATUS_LABEL[c.to_status as PlanStatus]}`;
}

function PlanEditing({
  plan,
  dimensions,
  mentors,
  today,
  version,
  completeKey,
  failed,
  kept,
  keptMany,
  errorsFor,
}: {
  plan: PlanDetails;
  dimensions: { id: string; name: string }[];
  mentors: { id: string; name: string }[];
  today: string;
  version: string;
  completeKey: string;
  failed: (intent: string) => boolean;
  kept: (intent: string, key: string) => string;
  keptMany: (intent: string, key: string, fallback: string[]) => Set<string>;
  errorsFor: (intent: string, key: string) => string[] | undefined;
}) {
  const here = `/coaching/${plan.id}`;
  const focusIds = plan.dimensions.map((d) => d.id);
  const statusForm = (intent: "pause" | "resume" | "abandon", title: string, button: string, hint: string) => (
    <Form method="post" action={here} className="space-y-3" noValidate aria-label={title}>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="version" value={version} />
      <h3 className="font-medium">{title}</h3>
      <TextField
        label="Date"
        name="changedOn"
        type="date"
        required
        min={plan.started_on}
        max={today}
        defaultValue={kept(intent, "changedOn") || today}
        errors={errorsFor(intent, "changedOn")}
      />
      <TextArea label="Reason" name="reason" required rows={2} maxLength={2000} hint={hint} defaultValue={kept(intent, "reason")} errors={errorsFor(intent, "reason")} />
      {intent === "abandon" ? (
        <ConfirmButton label={button} confirmLabel="Yes, abandon the plan" question="An abandoned plan cannot be resumed; its history is kept." />
      ) : (
        <Button variant="secondary">{button}</Button>
      )}
    </Form>
  );
  return (
    <>
      <Panel title="Change the plan" id="edit-heading">
        <details open={failed("edit-plan")}>
          <summary className="cursor-pointer font-medium text-brand-700 underline">Edit goal, target date, focus or mentor</summary>
          <Form method="post" action={here} className="mt-3 space-y-3" noValidate>
            <input type="hidden" name="intent" value="edit-plan" />
            <input type="hidden" name="version" value={version} />
            <TextArea
              label="Goal"
              name="goal"
              required
              rows={3}
              maxLength={10000}
              defaultValue={failed("edit-plan") ? kept("edit-plan", "goal") : plan.goal}
              errors={errorsFor("edit-plan", "goal")}
            />
            <TextField
              label="Target date (optional)"
              name="targetOn"
              type="date"
              min={plan.started_on}
              defaultValue={failed("edit-plan") ? kept("edit-plan", "targetOn") : (plan.target_on ?? "")}
              errors={errorsFor("edit-plan", "targetOn")}
            />
            <CheckboxGroup
              legend="Focus dimensions (one or more)"
              name="dimensionIds"
              options={dimensions}
              chosen={keptMany("edit-plan", "dimensionIds", focusIds)}
              errors={errorsFor("edit-plan", "dimensionIds")}
            />
            <SelectField
              label="Mentor"
              name="mentorId"
              defaultValue={failed("edit-plan") ? kept("edit-plan", "mentorId") : plan.mentor_id}
              errors={errorsFor("edit-plan", "mentorId")}
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
              defaultValue={kept("edit-plan", "mentorReason")}
              errors={errorsFor("edit-plan", "mentorReason")}
            />
            <Button>Save plan</Button>
          </Form>
        </details>
      </Panel>

      <Panel title="Status" id="status-heading">
        <div className="grid gap-6 md:grid-cols-2">
          {plan.status === "active"
            ? statusForm("pause", "Pause the plan", "Pause plan", "For example: leave, a crunch, or the candidate asked for a break.")
            : statusForm("resume", "Resume the plan", "Resume plan", "What changed?")}
          {statusForm("abandon", "Abandon the plan", "Abandon plan", "Why does the plan stop without reaching its goal?")}
        </div>
        <Form method="post" action={here} className="space-y-3 border-t border-stone-100 pt-4" noValidate aria-label="Complete the plan">
          <input type="hidden" name="intent" value="complete" />
          <input type="hidden" name="version" value={version} />
          <IdempotencyKeyField value={completeKey} />
          <h3 className="font-medium">Complete the plan</h3>
          <p className="text-sm text-stone-600">
            The end of a plan is evidence too: describe what you saw the person do, as a closing observation. It lands on the candidate's timeline.
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="Completed on"
              name="changedOn"
              type="date"
              required
              min={plan.started_on}
              max={today}
              defaultValue={kept("complete", "changedOn") || today}
              errors={errorsFor("complete", "changedOn")}
            />
          </div>
          <TextArea
            label="Why the plan ends here"
            name="reason"
            required
            rows={2}
            maxLength={2000}
            defaultValue={kept("complete", "reason")}
            errors={errorsFor("complete", "reason")}
          />
          <TextArea
            label="Closing observation: situation (optional)"
            name="situation"
            rows={2}
            maxLength={10000}
            defaultValue={kept("complete", "situation")}
            errors={errorsFor("complete", "situation")}
          />
          <TextArea
            label="Closing observation: behaviour"
            name="behavior"
            required
            rows={3}
            maxLength={10000}
            hint="What did the person actually do or say by the end of the plan?"
            defaultValue={kept("complete", "behavior")}
            errors={errorsFor("complete", "behavior")}
          />
          <TextArea
            label="Closing observation: impact (optional)"
            name="impact"
            rows={2}
            maxLength={10000}
            defaultValue={kept("complete", "impact")}
            errors={errorsFor("complete", "impact")}
          />
          <CheckboxGroup
            legend="Dimensions of the closing observation"
            name="dimensionIds"
            options={dimensions}
            chosen={keptMany("complete", "dimensionIds", focusIds)}
            errors={errorsFor("complete", "dimensionIds")}
          />
          <fieldset>
            <legend className="block text-sm font-medium text-stone-800">Signal of the closing observation</legend>
            <div className="mt-1 flex flex-col gap-2 sm:flex-row sm:gap-x-4">
              {SIGNALS.map((s) => (
                <label key={s.value} className="inline-flex items-center gap-2 text-sm text-stone-800">
                  <input
                    type="radio"
                    name="signal"
                    value={s.value}
                    required
                    defaultChecked={kept("complete", "signal") === s.value}
                    aria-invalid={errorsFor("complete", "signal")?.length ? true : undefined}
                    className="h-4 w-4 border-stone-300 text-brand-700"
                  />
                  {s.label}
                </label>
              ))}
            </div>
            {errorsFor("complete", "signal")?.length ? <p className="mt-1 text-sm text-red-700">{errorsFor("complete", "signal")!.join(" ")}</p> : null}
          </fieldset>
          <Button>Complete plan</Button>
        </Form>
      </Panel>
    </>
  );
}
