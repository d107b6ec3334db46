import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { mayNominate, requirePerson } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { ColumnHeads } from "../components/ui/column-heads";
import { Link } from "../components/ui/link";
import { getPerson } from "../models/people.server";
import { notFound } from "../utils/http.server";
import { formatDate } from "../utils/dates";
import { ASSIGNMENT_STATUS_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? "Person"} · Noseworthy` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const { id } = await requirePerson(context, viewer, params.personId);
  const person = await getPerson(context.db, viewer, id);
  if (!person) throw notFound();
  const active = person.left_on === null;
  // Whether someone is a candidate is not a directory fact: getPerson does not say it. Whoever may
  // open their record gets a link to it; anyone else leading gets "Nominate", and only an attempt
  // says they are already in the pipeline (audited; decision 0017).
  return json({
    person,
    isAdmin: viewer.roles.includes("admin"),
    nominateHref:
      mayNominate(viewer) && active && !person.candidate_id
        ? `/people/${person.id}/nominate`
        : null,
  });
}

export default function PersonPage() {
  const { person, isAdmin, nominateHref } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-3xl">
      <p className="text-sm">
        <Link to="/people" className="text-brand-700 underline">
          People
        </Link>
      </p>
      <div className="mt-1 flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">{person.name}</h1>
        <div className="flex flex-wrap gap-3 text-sm">
          {person.candidate_id ? (
            <Link to={`/candidates/${person.candidate_id}`} className="text-brand-700 underline">
              Candidate record
            </Link>
          ) : null}
          {nominateHref ? (
            <Link
              to={nominateHref}
              className="rounded bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800"
            >
              Nominate
            </Link>
          ) : null}
          {isAdmin ? (
            <Link to={`/people/${person.id}/edit`} className="text-brand-700 underline">
              Edit
            </Link>
          ) : null}
        </div>
      </div>

      <dl className="mt-4 grid gap-x-6 gap-y-2 rounded-lg border border-stone-200 bg-white p-4 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="font-medium text-stone-700">Work email</dt>
        <dd>{person.email ?? "—"}</dd>
        <dt className="font-medium text-stone-700">Title</dt>
        <dd>{person.title || "—"}</dd>
        <dt className="font-medium text-stone-700">Team</dt>
        <dd>{person.team || "—"}</dd>
        <dt className="font-medium text-stone-700">Manager</dt>
        <dd>
          {person.manager_id ? (
            <Link to={`/people/${person.manager_id}`} className="text-brand-700 underline">
              {person.manager_name}
            </Link>
          ) : (
            "—"
          )}
        </dd>
        <dt className="font-medium text-stone-700">Status</dt>
        <dd>{person.left_on ? `Left on ${formatDate(person.left_on)}` : "Active"}</dd>
      </dl>

      <section aria-labelledby="reports-heading" className="mt-6">
        <h2 id="reports-heading" className="text-lg font-semibold">
          Reports to them
        </h2>
        {person.reports.length === 0 ? (
          <p className="mt-1 text-sm text-stone-600">No one reports to them directly.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {person.reports.map((r) => (
              <li key={r.id}>
                <Link to={`/people/${r.id}`} className="text-brand-700 underline">
                  {r.name}
                </Link>
                {r.title ? <span className="text-stone-600"> · {r.title}</span> : null}
                {r.left ? <span className="text-stone-600"> · left</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      {person.in_circle ? (
        <section aria-labelledby="tests-heading" className="mt-6">
          <h2 id="tests-heading" className="text-lg font-semibold">
            Sniff tests offered to them
          </h2>
          {person.tests.length === 0 ? (
            <p className="mt-1 text-sm text-stone-600">None yet.</p>
          ) : (
            <div className="mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white">
              <table className="min-w-full divide-y divide-stone-200 text-sm">
                <thead className="bg-stone-50 text-left text-stone-700">
                  <ColumnHeads
                    className="px-3 py-2 font-semibold"
                    labels={["Sniff test", "Offered", "Due", "Status"]}
                  />
                </thead>
                <tbody className="divide-y divide-stone-100">
                  {person.tests.map((t) => (
                    <tr key={t.id}>
                      <td className="px-3 py-2">
                        {t.href ? (
                          <Link to={t.href} className="text-brand-700 underline">
                            {t.title}
                          </Link>
                        ) : (
                          t.title
                        )}
                      </td>
                      <td className="px-3 py-2 whitespace-nowrap">{formatDate(t.offered_on)}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{formatDate(t.due_on)}</td>
                      <td className="px-3 py-2 whitespace-nowrap">
                        {ASSIGNMENT_STATUS_LABELS[t.status]}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </div>
  );
}
