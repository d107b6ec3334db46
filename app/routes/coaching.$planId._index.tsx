import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { PlanStatus } from "../../db/schema";
import { denyAsNotFound, requirePlanAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { Panel, planFormResult, type PlanActionData } from "../components/coaching-plan";
import { ObservationForm } from "../components/observation-form";
import { Button, FormError, TextArea, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  createAction,
  createCheckin,
  findActionByIdempotencyKey,
  findCheckinByIdempotencyKey,
  getAction,
  getPlan,
  moveAction,
  isPlanEditAction,
  PlanActionSchema,
  planHasFlag,
  planInputErrors,
  planNudges,
  setActionDone,
  updateAction,
  type PlanDetails,
} from "../models/coaching.server";
import { getFlag, setFlagStatus } from "../models/flag.server";
import { findObservationByIdempotencyKey, listDimensionsForForm, type ObservationKeyRow } from "../models/observation.server";
import { recordPlanObservation } from "../models/plan-observation.server";
import { FLAG_STATUS_LABELS, PLAN_STATUS_LABELS, SIGNAL_LABELS } from "../utils/labels";
import { canMoveFlag, planIsOpen } from "../utils/lifecycle";
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
  const open = planIsOpen(plan.status);
  const editable = access.mayEdit && open;
  const dimensions = editable ? await listDimensionsForForm(context.db) : [];
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
    open,
    editable,
    dimensions,
    today,
    keys: { action: newIdempotencyKey(), checkin: newIdempotencyKey(), observation: newIdempotencyKey() },
  });
}


export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const plan = await requirePlanAccess(context, user, params.planId, { edit: true });
  const formData = await request.formData();
  const values = formValues(formData);
  const today = isoDate(context.now());
  const parsed = parseForm(PlanActionSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  // Changes to the plan itself and to its status are posted to its edit page.
  if (isPlanEditAction(input)) return badRequest("This form belongs on the page that changes the plan: reload it and try again.", values);
  const here = `/coaching/${plan.id}`;

  if (!planIsOpen(plan.status)) return badRequest(`This plan is ${plan.status}: it can be read but no longer changed.`, values);
  const base = { actorId: user.id, requestId: context.requestId };
  // A note written from this plan by this user: the target of the observation form's key.
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
  }
}

function conflict<T>(message: string, values: Values, detail: T) {
  return json({ ok: false as const, formError: message, fieldErrors: {}, values, conflict: detail }, { status: 409 });
}

// ---- The page --------------------------------------------------------------------------------------

export default function PlanPage() {
  const { plan, nudges, candidateVisible, mayEdit, open, editable, dimensions, today, keys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as PlanActionData | undefined;
  const { values, fieldErrors, conflict, failed, kept, errorsFor, keyFor } = planFormResult(actionData);
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
            <dd>{PLAN_STATUS_LABELS[plan.status]}</dd>
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
        {editable ? (
          <p className="mt-3 text-sm">
            <Link to={`/coaching/${plan.id}/edit`} className="font-medium text-brand-700 underline">
              Change the plan
            </Link>{" "}
            <span className="text-stone-600">(goal, target date, focus, mentor; pause, resume, abandon or complete it)</span>
          </p>
        ) : null}
      </header>

      {!editable ? (
        <p className="rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          {open
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
                      · seen {formatDate(f.observed_on)} · {FLAG_STATUS_LABELS[f.status] ?? f.status}
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
                  {formatDate(o.observed_on)} · {o.author_name} · {SIGNAL_LABELS[o.signal] ?? o.signal}
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

function changeText(c: PlanDetails["changes"][number]): string {
  if (c.from_status === null) return `Started with ${c.to_mentor_name ?? "a mentor"} as mentor`;
  if (c.from_status === c.to_status) return `Mentor changed from ${c.from_mentor_name ?? "—"} to ${c.to_mentor_name ?? "—"}`;
  return `${PLAN_STATUS_LABELS[c.from_status as PlanStatus]} → ${PLAN_STATUS_LABELS[c.to_status as PlanStatus]}`;
}
