import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { ColumnHeads } from "../components/ui/column-heads";
import { Link } from "../components/ui/link";
import { requireRole } from "../auth/policy.server";
import {
  listPlans,
  PLAN_SCOPES,
  PLAN_STATUS_FILTERS,
  type PlanScopeFilter,
  type PlanStatusFilter,
} from "../models/coaching.server";
import { Button, SelectField } from "../components/ui/forms";
import { formatDate, isoDate } from "../utils/dates";
import { PLAN_STATUS_LABELS } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "Coaching · Noseworthy" }];

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireRole(context, request, ["mentor", "manager", "leader"]);
  const url = new URL(request.url);
  // A mentor starts from the people they mentor; managers and leaders from everything they can see.
  const defaultScope: PlanScopeFilter = user.roles.includes("mentor") ? "mine" : "all";
  const scope = pick(url.searchParams.get("scope"), PLAN_SCOPES, defaultScope);
  const status = pick<PlanStatusFilter>(
    url.searchParams.get("status"),
    PLAN_STATUS_FILTERS,
    "active",
  );
  const today = isoDate(context.now());
  const plans = await listPlans(context.db, { viewer: user, scope, status, today });
  return json({ plans, scope, status, today });
}

function emptyText(scope: PlanScopeFilter, status: PlanStatusFilter): string {
  if (scope === "mine") {
    return status === "active"
      ? 'You are not mentoring anyone yet. When a manager starts a coaching plan with you as the mentor, it appears here; choose "All I can see" to read the plans of the people in your circle.'
      : "You have not mentored anyone yet. When a manager starts a coaching plan with you as the mentor, it appears here.";
  }
  return status === "active"
    ? 'No active coaching plans that you can see. Start one from a candidate\'s profile ("Start a coaching plan"), or show all plans to see finished ones.'
    : "No coaching plans that you can see yet. Start one from a candidate's profile.";
}

export default function Coaching() {
  const { plans, scope, status, today } = useLoaderData<typeof loader>();
  return (
    <div>
      <h1 className="text-2xl font-semibold">Coaching</h1>
      <p className="mt-1 text-stone-600">
        Coaching plans, their next actions and check-ins. Facts about the plans, as of{" "}
        {formatDate(today)}.
      </p>

      <Form
        method="get"
        className="mt-4 flex flex-wrap items-end gap-4 rounded-lg border border-stone-200 bg-white p-4"
      >
        <div className="min-w-48">
          <SelectField label="Plans" name="scope" defaultValue={scope}>
            <option value="mine">My plans (I am the mentor)</option>
            <option value="all">All I can see</option>
          </SelectField>
        </div>
        <div className="min-w-48">
          <SelectField label="Status" name="status" defaultValue={status}>
            <option value="active">Active and paused</option>
            <option value="all">All, including completed and abandoned</option>
          </SelectField>
        </div>
        <Button variant="secondary">Show</Button>
      </Form>

      {plans.length === 0 ? (
        <p className="mt-6 rounded-lg border border-stone-200 bg-white p-4 text-stone-700">
          {emptyText(scope, status)}
        </p>
      ) : (
        <>
          <p className="mt-6 text-sm text-stone-600">
            {plans.length} {plans.length === 1 ? "plan" : "plans"}
          </p>
          <div className="relative mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white">
            <table className="min-w-full divide-y divide-stone-200 text-sm">
              <caption className="sr-only">Coaching plans</caption>
              <thead className="bg-stone-50 text-left">
                <ColumnHeads
                  className="px-3 py-2 font-medium"
                  labels={[
                    "Candidate (opens the plan)",
                    "Goal",
                    "Status",
                    "Mentor",
                    "Next action due",
                    "Last check-in",
                    "Needs attention",
                    "Open flags",
                  ]}
                />
              </thead>
              <tbody className="divide-y divide-stone-100">
                {plans.map((p) => (
                  <tr key={p.id} className="align-top">
                    <th scope="row" className="px-3 py-2 text-left font-normal">
                      <Link
                        to={`/coaching/${p.id}`}
                        className="font-medium text-brand-700 underline"
                        aria-label={`Plan for ${p.candidateName}`}
                      >
                        {p.candidateName}
                      </Link>
                      {p.candidateVisible ? (
                        <Link
                          to={`/candidates/${p.candidateId}`}
                          className="mt-1 block text-stone-600 underline"
                          aria-label={`${p.candidateName}'s profile`}
                        >
                          Profile
                        </Link>
                      ) : null}
                    </th>
                    <td className="max-w-sm px-3 py-2">
                      {p.goal.length > 120 ? `${p.goal.slice(0, 117)}…` : p.goal}
                    </td>
                    <td className="px-3 py-2">{PLAN_STATUS_LABELS[p.status] ?? p.status}</td>
                    <td className="px-3 py-2">{p.mentorName}</td>
                    <td className="px-3 py-2">
                      {p.nextAction ? (
                        <>
                          {formatDate(p.nextAction.dueOn)}
                          <span className="block text-stone-600">{p.nextAction.title}</span>
                        </>
                      ) : (
                        <span className="text-stone-600">No dated action</span>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      {p.daysSinceCheckin === null
                        ? "No check-in yet"
                        : p.daysSinceCheckin === 0
                          ? "Today"
                          : `${p.daysSinceCheckin} day${p.daysSinceCheckin === 1 ? "" : "s"} ago`}
                    </td>
                    <td className="px-3 py-2">
                      {p.nudges.length ? (
                        <ul className="space-y-1">
                          {p.nudges.map((n) => (
                            <li key={n.kind} className="text-amber-900">
                              {n.text}
                            </li>
                          ))}
                        </ul>
                      ) : p.firstCheckinDueOn ? (
                        <span className="text-stone-700">
                          First check-in due by {formatDate(p.firstCheckinDueOn)}
                        </span>
                      ) : p.status === "active" ? (
                        <span className="text-stone-600">Nothing needs attention</span>
                      ) : (
                        <span className="text-stone-600">
                          No reminders: the plan is{" "}
                          {PLAN_STATUS_LABELS[p.status]?.toLowerCase() ?? p.status}
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2">{p.openFlags}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
