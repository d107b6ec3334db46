import { queueCheckinInvitation } from "../calendar/checkin-invitations.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { denyAsNotFound } from "../auth/policy.server";
import { ActionItem, observationValues, Panel, PlanHistory } from "../components/coaching-plan";
import { ObservationForm } from "../components/observation-form";
import { Button, FormError, TextArea, TextField, PastDayField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  createAction,
  createCheckin,
  findActionByIdempotencyKey,
  findCheckinByIdempotencyKey,
  getAction,
  moveAction,
  isPlanEditAction,
  planHasFlag,
  planInputErrors,
  firstCheckinDueOn,
  planNudges,
  setActionDone,
  updateAction,
} from "../models/coaching.server";
import { getFlag, setFlagStatus } from "../models/flag.server";
import {
  findObservationByIdempotencyKey,
  listDimensionsForForm,
} from "../models/observation.server";
import { loadPlan, readPlanForm } from "../models/plan-page.server";
import { recordPlanObservation } from "../models/plan-observation.server";
import { FLAG_STATUS_LABELS, PLAN_STATUS_LABELS, SIGNAL_LABELS } from "../utils/labels";
import { useFormResult, detailOf } from "../utils/form-result";
import { canMoveFlag, planIsOpen } from "../utils/lifecycle";
import { formatDate, isoDate } from "../utils/dates";
import {
  badRequest,
  invalid,
  type FormFailure,
  type Values,
  invalidWith,
} from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey, saveOnce } from "../utils/idempotency.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data ? `Coaching plan · ${data.plan.candidate_name}` : "Coaching plan"} · Noseworthy`,
  },
];

export async function loader(args: LoaderFunctionArgs) {
  const { context } = args;
  const { access, plan } = await loadPlan(args);
  const today = isoDate(context.now());
  const open = planIsOpen(plan.status);
  const editable = access.mayEdit && open;
  const dimensions = editable ? await listDimensionsForForm(context.db) : [];
  const facts = {
    status: plan.status,
    startedOn: plan.started_on,
    targetOn: plan.target_on,
    lastCheckinOn: plan.checkins[0]?.held_on ?? null,
    overdueActions: plan.actions.filter((a) => !a.done_on && a.due_on && a.due_on < today).length,
  };
  return json({
    plan,
    nudges: planNudges(facts, today),
    firstCheckinDueOn: firstCheckinDueOn(facts),
    candidateVisible: access.candidate_visible,
    mayEdit: access.mayEdit,
    open,
    editable,
    dimensions,
    today,
    keys: {
      action: newIdempotencyKey(),
      checkin: newIdempotencyKey(),
      observation: newIdempotencyKey(),
    },
  });
}

export async function action(args: ActionFunctionArgs) {
  const { context } = args;
  const form = await readPlanForm(args);
  if (!form.ok) return form.response;
  const { user, plan, values, today, input, base, isPlanNote } = form;
  // Changes to the plan itself and to its status are posted to its edit page.
  if (isPlanEditAction(input))
    return badRequest(
      "This form belongs on the page that changes the plan: reload it and try again.",
      values,
    );
  const here = `/coaching/${plan.id}`;

  if (!planIsOpen(plan.status))
    return badRequest(`This plan is ${plan.status}: it can be read but no longer changed.`, values);

  switch (input.intent) {
    case "add-action":
      return saveOnce(context.db, {
        find: (db) => findActionByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: (row) => row.plan_id === plan.id && row.created_by === user.id,
        create: async (trx) => {
          const created = await createAction(trx, {
            planId: plan.id,
            title: input.title,
            dueOn: input.dueOn,
            createdBy: user.id,
            idempotencyKey: input.idempotencyKey,
          });
          await audit(trx, {
            ...base,
            action: "coaching_action.create",
            entity: "coaching_action",
            entityId: created.id,
            details: { planId: plan.id, dueOn: input.dueOn },
          });
          return created;
        },
        answer: () => redirectWithFlash(here, "Action added."),
        values,
      });

    case "edit-action": {
      const current = await getAction(context.db, { planId: plan.id, actionId: input.actionId });
      if (!current) throw await denyAsNotFound(context, user, "coaching_action", input.actionId);
      const result = await context.db.transaction().execute(async (trx) => {
        const done = await updateAction(trx, {
          planId: plan.id,
          actionId: current.id,
          version: input.version,
          title: input.title,
          dueOn: input.dueOn,
        });
        if (done !== "stale") {
          await audit(trx, {
            ...base,
            action: "coaching_action.update",
            entity: "coaching_action",
            entityId: current.id,
            details: { planId: plan.id, fields: ["title", "dueOn"] },
          });
        }
        return done;
      });
      if (result === "stale") {
        const saved =
          (await getAction(context.db, { planId: plan.id, actionId: current.id })) ?? current;
        return conflict(
          "This action was changed after you opened the page. Nothing was saved: compare your text with the saved one and submit again.",
          values,
          { kind: "action", action: saved },
        );
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
          await audit(trx, {
            ...base,
            action: done ? "coaching_action.done" : "coaching_action.undone",
            entity: "coaching_action",
            entityId: current.id,
            details: { planId: plan.id },
          });
        }
      });
      return redirectWithFlash(here, done ? "Action marked done." : "Action marked not done.");
    }

    case "move-action": {
      const result = await context.db.transaction().execute(async (trx) => {
        const moved = await moveAction(trx, {
          planId: plan.id,
          actionId: input.actionId,
          direction: input.direction,
        });
        if (moved === "moved") {
          await audit(trx, {
            ...base,
            action: "coaching_action.move",
            entity: "coaching_action",
            entityId: input.actionId,
            details: { planId: plan.id, direction: input.direction },
          });
        }
        return moved;
      });
      if (result === "not_found")
        throw await denyAsNotFound(context, user, "coaching_action", input.actionId);
      return redirectWithFlash(
        here,
        result === "moved"
          ? `Action moved ${input.direction}.`
          : "That action is already at the end of the list.",
      );
    }

    case "checkin":
      return saveOnce(context.db, {
        find: (db) => findCheckinByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: (row) => row.plan_id === plan.id && row.author_id === user.id,
        create: async (trx) => {
          const created = await createCheckin(trx, {
            planId: plan.id,
            authorId: user.id,
            heldOn: input.heldOn,
            notes: input.notes,
            nextOn: input.nextOn,
            idempotencyKey: input.idempotencyKey,
          });
          await audit(trx, {
            ...base,
            action: "coaching_checkin.create",
            entity: "coaching_checkin",
            entityId: created.id,
            details: { planId: plan.id, heldOn: input.heldOn, nextOn: input.nextOn },
          });
          if (input.nextOn)
            await queueCheckinInvitation(trx, { checkinId: created.id, runAt: context.now() });
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
      if (!canMoveFlag(flag.status, "resolved"))
        return badRequest(`This flag is already ${flag.status}.`, values);
      const result =
        flag.version !== input.version
          ? ("stale" as const)
          : await context.db.transaction().execute(async (trx) => {
              const done = await setFlagStatus(trx, {
                flagId: flag.id,
                version: input.version,
                from: flag.status,
                to: "resolved",
                note: input.note,
                actorId: user.id,
                now: context.now(),
              });
              if (done !== "stale") {
                await audit(trx, {
                  ...base,
                  action: "flag.resolve",
                  entity: "flag",
                  entityId: flag.id,
                  details: {
                    candidateId: plan.candidate_id,
                    planId: plan.id,
                    from: flag.status,
                    to: "resolved",
                  },
                });
              }
              return done;
            });
      if (result === "stale") {
        const saved =
          (await getFlag(context.db, { candidateId: plan.candidate_id, flagId: flag.id })) ?? flag;
        return conflict(
          "This flag was changed after you opened the page. Nothing was saved: check its current state and submit again.",
          values,
          {
            kind: "flag",
            flag: {
              id: saved.id,
              status: saved.status,
              resolution: saved.resolution,
              version: saved.version,
            },
          },
        );
      }
      return redirectWithFlash(here, "Flag updated.");
    }

    case "observation": {
      return saveOnce(context.db, {
        find: (db) => findObservationByIdempotencyKey(db, input.idempotencyKey),
        isRepeat: isPlanNote,
        check: async () => {
          const fieldErrors = await planInputErrors(context.db, {
            dimensionIds: input.dimensionIds,
          });
          return Object.keys(fieldErrors).length ? invalid(values, fieldErrors) : null;
        },
        create: (trx) => recordPlanObservation(trx, context, user, plan, input),
        answer: () =>
          redirectWithFlash(here, "Observation saved. It is on the candidate's timeline too."),
        values,
      });
    }
  }
}

type Conflict =
  | { kind: "action"; action: NonNullable<Awaited<ReturnType<typeof getAction>>> }
  | {
      kind: "flag";
      flag: Pick<
        NonNullable<Awaited<ReturnType<typeof getFlag>>>,
        "id" | "status" | "resolution" | "version"
      >;
    };

/** 409: the user's input kept, and the row as it is saved now to show beside the form. */
function conflict(message: string, values: Values, detail: Conflict) {
  const failure: FormFailure = { ok: false, formError: message, fieldErrors: {}, values };
  return invalidWith(failure, { conflict: detail });
}

// ---- The page --------------------------------------------------------------------------------------

export default function PlanPage() {
  const {
    plan,
    nudges,
    firstCheckinDueOn: firstDue,
    candidateVisible,
    mayEdit,
    open,
    editable,
    dimensions,
    today,
    keys,
  } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const conflict = detailOf(data, "conflict");
  const summary = useFormResult().summary;
  const addAction = useFormResult("add-action");
  const editAction = useFormResult("edit-action");
  const checkin = useFormResult("checkin");
  const resolveFlag = useFormResult("resolve-flag");
  const observation = useFormResult("observation");
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
            <span className="text-stone-600">
              (goal, target date, focus, mentor; pause, resume, abandon or complete it)
            </span>
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
        <section
          aria-labelledby="nudges-heading"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4"
        >
          <h2 id="nudges-heading" className="font-semibold text-amber-900">
            Needs attention
          </h2>
          <ul className="mt-2 list-disc pl-5 text-amber-900">
            {nudges.map((n) => (
              <li key={n.kind}>{n.text}</li>
            ))}
          </ul>
        </section>
      ) : firstDue ? (
        <p className="rounded border border-stone-300 bg-white px-3 py-2 text-stone-800">
          No check-in yet: the first is due by {formatDate(firstDue)}, two weeks after the plan
          started.
        </p>
      ) : null}

      <FormError message={summary} />
      <Panel title={`Actions (${openActions} open)`} id="actions-heading">
        {plan.actions.length === 0 ? (
          <p className="text-stone-600">
            No actions yet.{" "}
            {editable ? "Agree the first small step with the candidate and add it below." : ""}
          </p>
        ) : (
          <ol className="divide-y divide-stone-100">
            {plan.actions.map((a, index) => (
              <ActionItem
                key={a.id}
                action={a}
                index={index}
                count={plan.actions.length}
                here={here}
                today={today}
                editable={editable}
                edit={editAction}
                conflicted={
                  conflict?.kind === "action" && conflict.action.id === a.id
                    ? conflict.action
                    : null
                }
              />
            ))}
          </ol>
        )}
        {editable ? (
          <Form
            method="post"
            action={here}
            className="grid gap-3 border-t border-stone-100 pt-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end"
            noValidate
          >
            <input type="hidden" name="intent" value="add-action" />
            <IdempotencyKeyField value={addAction.key(keys.action)} />
            <TextField
              label="New action"
              name="title"
              required
              maxLength={500}
              defaultValue={addAction.value("title")}
              errors={addAction.errors.title}
            />
            <TextField
              label="Due date (optional)"
              name="dueOn"
              type="date"
              defaultValue={addAction.value("dueOn")}
              errors={addAction.errors.dueOn}
            />
            <Button>Add action</Button>
          </Form>
        ) : null}
      </Panel>

      <Panel title="Check-ins" id="checkins-heading">
        {editable ? (
          <Form method="post" action={here} className="space-y-3" noValidate>
            <input type="hidden" name="intent" value="checkin" />
            <IdempotencyKeyField value={checkin.key(keys.checkin)} />
            <div className="grid gap-3 sm:grid-cols-2">
              <PastDayField label="Held on" name="heldOn" form={checkin} today={today} />
              <TextField
                label="Next check-in (optional)"
                name="nextOn"
                type="date"
                defaultValue={checkin.value("nextOn")}
                errors={checkin.errors.nextOn}
              />
            </div>
            <TextArea
              label="Notes"
              name="notes"
              required
              rows={3}
              maxLength={10000}
              hint="What you talked about and what you agreed."
              defaultValue={checkin.value("notes")}
              errors={checkin.errors.notes}
            />
            <Button>Record check-in</Button>
          </Form>
        ) : null}
        {plan.checkins.length === 0 ? (
          <p className="text-stone-600">
            No check-in yet.{editable ? " Record the first conversation above." : ""}
          </p>
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
              const conflicted =
                conflict?.kind === "flag" && conflict.flag.id === f.id ? conflict.flag : null;
              const resolving = resolveFlag.failed && resolveFlag.value("flagId") === f.id;
              return (
                <li key={f.id} className="py-3">
                  <p className="font-medium">
                    {candidateVisible ? (
                      <Link
                        to={`/candidates/${plan.candidate_id}/flags/${f.id}`}
                        className="text-brand-700 underline"
                      >
                        {f.anti_pattern_name}
                      </Link>
                    ) : (
                      f.anti_pattern_name
                    )}{" "}
                    <span className="text-sm font-normal text-stone-600">
                      · seen {formatDate(f.observed_on)} ·{" "}
                      {FLAG_STATUS_LABELS[f.status] ?? f.status}
                    </span>
                  </p>
                  <p className="mt-1 whitespace-pre-wrap text-sm text-stone-700">{f.behavior}</p>
                  {f.resolution ? (
                    <p className="mt-1 whitespace-pre-wrap text-sm">Resolution: {f.resolution}</p>
                  ) : null}
                  {editable && open ? (
                    <Form method="post" action={here} className="mt-2 space-y-2" noValidate>
                      <input type="hidden" name="intent" value="resolve-flag" />
                      <input type="hidden" name="flagId" value={f.id} />
                      <input
                        type="hidden"
                        name="version"
                        value={String(conflicted?.version ?? f.version)}
                      />
                      <TextArea
                        label={`How was “${f.anti_pattern_name}” resolved?`}
                        name="note"
                        required
                        rows={2}
                        maxLength={2000}
                        defaultValue={resolving ? resolveFlag.value("note") : ""}
                        errors={resolving ? resolveFlag.errors.note : undefined}
                      />
                      <Button
                        variant="secondary"
                        aria-label={`Resolve flag: ${f.anti_pattern_name}`}
                      >
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
          <p className="text-stone-600">
            None yet. What you see during the plan is evidence: note it here and it lands on the
            candidate's timeline.
          </p>
        ) : (
          <ul className="divide-y divide-stone-100">
            {plan.observations.map((o) => (
              <li key={o.id} className="py-3">
                <p className="text-sm text-stone-600">
                  {formatDate(o.observed_on)} · {o.author_name} ·{" "}
                  {SIGNAL_LABELS[o.signal] ?? o.signal}
                  {o.retracted_at ? " · retracted" : ""}
                </p>
                <p className="mt-1 whitespace-pre-wrap">{o.behavior}</p>
              </li>
            ))}
          </ul>
        )}
        {editable ? (
          <details open={observation.failed}>
            <summary className="cursor-pointer font-medium text-brand-700 underline">
              Log an observation
            </summary>
            <div className="mt-3">
              <ObservationForm
                action={here}
                idempotencyKey={observation.key(keys.observation)}
                dimensions={dimensions}
                assignments={[]}
                today={today}
                values={observationValues(observation, focusIds)}
                fieldErrors={observation.errors}
                hidden={{ intent: "observation" }}
              />
            </div>
          </details>
        ) : null}
      </Panel>

      <PlanHistory changes={plan.changes} createdBy={mayEdit ? plan.created_by_name : null} />
    </div>
  );
}
