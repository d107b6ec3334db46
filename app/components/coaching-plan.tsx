import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import type { PlanStatus } from "../../db/schema";
import { formatDate } from "../utils/dates";
import type { FormResult, Values } from "../utils/form-result";
import { PLAN_STATUS_LABELS } from "../utils/labels";
import { Button, TextField } from "./ui/forms";

export function Panel({ title, children, id }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-stone-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <div className="mt-3 space-y-4">{children}</div>
    </section>
  );
}

const OBSERVATION_FIELDS = [
  "situation",
  "behavior",
  "impact",
  "signal",
  "observedOn",
  "assignmentId",
];

/** What goes back into an observation's fields: the refused values, or the plan's focus to start from. */
export function observationValues(result: FormResult, focusIds: string[]): Values {
  return {
    ...Object.fromEntries(OBSERVATION_FIELDS.map((name) => [name, result.value(name)])),
    dimensionIds: result.list("dimensionIds", focusIds),
  };
}

type PlanAction = {
  id: string;
  title: string;
  due_on: string | null;
  done_on: string | null;
  version: number;
};
type PlanChange = {
  id: string;
  from_status: PlanStatus | null;
  to_status: PlanStatus;
  reason: string;
  changed_on: string;
  changed_by_name: string;
  from_mentor_name: string | null;
  to_mentor_name: string | null;
};

/**
 * One action of the plan, with its forms when the plan can be changed: done or not, move, edit.
 * `edit` is the refusal of an edit-action form; `conflicted` the action as saved when that edit was stale.
 */
export function ActionItem({
  action: a,
  index,
  count,
  here,
  today,
  editable,
  edit,
  conflicted,
}: {
  action: PlanAction;
  index: number;
  count: number;
  here: string;
  today: string;
  editable: boolean;
  edit: FormResult;
  conflicted: { title: string; due_on: string | null; version: number } | null;
}) {
  const overdue = !a.done_on && a.due_on && a.due_on < today;
  const editing = edit.failed && edit.value("actionId") === a.id;
  const move = (direction: "up" | "down", label: string, disabled: boolean) => (
    <Form method="post" action={here}>
      <input type="hidden" name="intent" value="move-action" />
      <input type="hidden" name="actionId" value={a.id} />
      <Button
        variant="secondary"
        name="direction"
        value={direction}
        disabled={disabled}
        aria-label={`${label}: ${a.title}`}
      >
        {label}
      </Button>
    </Form>
  );
  return (
    <li className="py-3">
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
              <Button
                variant="secondary"
                name="intent"
                value="untick-action"
                aria-label={`Undo: ${a.title}`}
              >
                Undo
              </Button>
            ) : (
              <Button
                variant="secondary"
                name="intent"
                value="tick-action"
                aria-label={`Mark done: ${a.title}`}
              >
                Mark done
              </Button>
            )}
          </Form>
          {move("up", "Move up", index === 0)}
          {move("down", "Move down", index === count - 1)}
          <details className="w-full" open={editing || Boolean(conflicted)}>
            <summary className="cursor-pointer text-sm text-brand-700 underline">
              Edit<span className="sr-only"> action: {a.title}</span>
            </summary>
            {conflicted ? (
              <p className="mt-2 rounded bg-amber-50 p-2 text-sm">
                Saved now: “{conflicted.title}”
                {conflicted.due_on ? `, due ${formatDate(conflicted.due_on)}` : ", no due date"}.
                Your text is in the form below.
              </p>
            ) : null}
            <Form
              method="post"
              action={here}
              className="mt-2 grid gap-3 sm:grid-cols-[1fr_12rem_auto] sm:items-end"
              noValidate
            >
              <input type="hidden" name="intent" value="edit-action" />
              <input type="hidden" name="actionId" value={a.id} />
              <input
                type="hidden"
                name="version"
                value={String(conflicted?.version ?? a.version)}
              />
              <TextField
                label="Action title"
                name="title"
                required
                maxLength={500}
                defaultValue={editing ? edit.value("title") : a.title}
                errors={editing ? edit.errors.title : undefined}
              />
              <TextField
                label="Due on (optional)"
                name="dueOn"
                type="date"
                defaultValue={editing ? edit.value("dueOn") : (a.due_on ?? "")}
                errors={editing ? edit.errors.dueOn : undefined}
              />
              <Button variant="secondary">Save action</Button>
            </Form>
          </details>
        </div>
      ) : null}
    </li>
  );
}

/** The plan's status and mentor changes, oldest first, and who created it (for those who may edit). */
export function PlanHistory({
  changes,
  createdBy,
}: {
  changes: PlanChange[];
  createdBy: string | null;
}) {
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading" className="text-lg font-semibold">
        History
      </h2>
      <ol className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
        {changes.map((c) => (
          <li key={c.id} className="p-3 text-sm">
            <span className="font-medium">{changeText(c)}</span>{" "}
            <span className="text-stone-600">
              on {formatDate(c.changed_on)} by {c.changed_by_name}
            </span>
            {c.reason ? (
              <p className="mt-1 whitespace-pre-wrap text-stone-700">{c.reason}</p>
            ) : null}
          </li>
        ))}
      </ol>
      {createdBy === null ? null : (
        <p className="mt-2 text-sm text-stone-600">Created by {createdBy}.</p>
      )}
    </section>
  );
}

function changeText(c: PlanChange): string {
  if (c.from_status === null) return `Started with ${c.to_mentor_name ?? "a mentor"} as mentor`;
  if (c.from_status === c.to_status)
    return `Mentor changed from ${c.from_mentor_name ?? "—"} to ${c.to_mentor_name ?? "—"}`;
  return `${PLAN_STATUS_LABELS[c.from_status]} → ${PLAN_STATUS_LABELS[c.to_status]}`;
}
