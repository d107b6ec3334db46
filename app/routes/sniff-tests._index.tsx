import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireRole } from "../auth/policy.server";
import { Button, TextField } from "../components/ui/forms";
import { hasAnySniffTest, LibraryQuerySchema, listSniffTests } from "../models/sniff-test.server";

export const meta: MetaFunction = () => [{ title: "Sniff tests · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["manager", "leader"]);
  const url = new URL(request.url);
  const filters = LibraryQuerySchema.parse(Object.fromEntries(url.searchParams));
  const [tests, anyAtAll] = await Promise.all([
    listSniffTests(context.db, { q: filters.q, showArchived: filters.archived }),
    hasAnySniffTest(context.db),
  ]);
  // Grouped by dimension, in the framework's order (the query returns them in that order).
  const groups: { dimension: { id: string; name: string }; tests: typeof tests }[] = [];
  for (const t of tests) {
    const last = groups[groups.length - 1];
    if (last && last.dimension.id === t.dimension_id) last.tests.push(t);
    else groups.push({ dimension: { id: t.dimension_id, name: t.dimension_name }, tests: [t] });
  }
  return json({ groups, filters: { q: filters.q ?? "", archived: filters.archived }, anyAtAll });
}

const linkClass = "text-brand-700 underline";

export default function SniffTestLibrary() {
  const { groups, filters, anyAtAll } = useLoaderData<typeof loader>();
  const filtering = Boolean(filters.q) || filters.archived;
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Sniff tests</h1>
        <Link
          to="/sniff-tests/new"
          className="rounded bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
        >
          New sniff test
        </Link>
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        Stretch assignments that let real work show a dimension of leadership. The figures are about
        each test, never about a person.
      </p>

      <Form
        method="get"
        className="mt-4 rounded-lg border border-stone-200 bg-white p-4"
        aria-label="Search sniff tests"
      >
        <div className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-end">
          <TextField
            label="Search title or assignment"
            name="q"
            type="search"
            maxLength={200}
            defaultValue={filters.q}
          />
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input
              type="checkbox"
              name="archived"
              value="1"
              defaultChecked={filters.archived}
              className="h-4 w-4 accent-brand-700"
            />
            Show archived
          </label>
        </div>
        <div className="mt-4 flex items-center gap-4">
          <Button>Search</Button>
          {filtering ? (
            <Link to="/sniff-tests" className={`text-sm ${linkClass}`}>
              Clear search
            </Link>
          ) : null}
        </div>
      </Form>

      {groups.length === 0 ? (
        <div className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          {anyAtAll ? (
            <p>
              No sniff tests match.{" "}
              <Link to="/sniff-tests" className={linkClass}>
                Clear the search
              </Link>{" "}
              or{" "}
              <Link to="/sniff-tests/new" className={linkClass}>
                create a new one
              </Link>
              .
            </p>
          ) : (
            <p>
              No sniff tests yet.{" "}
              <Link to="/sniff-tests/new" className={linkClass}>
                Create the first one
              </Link>
              : a piece of real work that shows commitment, curiosity, outcome orientation or
              technical leadership.
            </p>
          )}
        </div>
      ) : (
        <div className="mt-6 space-y-6">
          {groups.map((g) => (
            <section key={g.dimension.id} aria-labelledby={`dimension-${g.dimension.id}`}>
              <h2 id={`dimension-${g.dimension.id}`} className="text-lg font-semibold">
                {g.dimension.name}
              </h2>
              <ul className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
                {g.tests.map((t) => (
                  <li
                    key={t.id}
                    className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3"
                  >
                    <div>
                      <Link to={`/sniff-tests/${t.id}`} className={`font-medium ${linkClass}`}>
                        {t.title}
                      </Link>
                      {t.archived_at ? (
                        <span className="ml-2 rounded border border-stone-300 bg-stone-100 px-1.5 py-0.5 text-xs font-medium text-stone-700">
                          Archived
                        </span>
                      ) : null}
                      <span className="block text-sm text-stone-600">
                        Timebox {t.timebox_days} {t.timebox_days === 1 ? "day" : "days"}
                      </span>
                    </div>
                    <span className="text-sm text-stone-600">
                      offered {t.offered} · completed {t.completed}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
