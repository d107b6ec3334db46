import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { HATCHED, PipelineFilters } from "../components/pipeline-coverage";
import { listPipelineCards, loadPipelineFilters } from "../models/pipeline.server";
import { formatDate } from "../utils/dates";
import { STAGE_LABELS } from "../utils/labels";
import { pipelineSearch } from "../utils/search";

// The file name ends the `pipeline` segment with `_` so this page does not nest inside the board's route.
export const meta: MetaFunction = () => [{ title: "Evidence coverage · Pipeline · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["leader"]);
  const { query, filters, today, dimensions, teams, managers, nudgeOptions } =
    await loadPipelineFilters(context, new URL(request.url).searchParams);
  // Always by name: the view shows where evidence is thin, it does not line people up.
  const cards = await listPipelineCards(context.db, { filters, today, dimensions, sort: "name" });
  return json({
    rows: cards.map((c) => ({
      id: c.id,
      name: c.name,
      team: c.team,
      stage: c.stage,
      coverage: c.coverage,
    })),
    dimensions,
    teams,
    managers,
    query: { ...query, sort: undefined },
    search: pipelineSearch({ ...query, sort: undefined }),
    nudgeOptions,
  });
}

export default function PipelineCoverage() {
  const data = useLoaderData<typeof loader>();
  return (
    <div>
      <p className="no-print text-sm">
        <Link to={`/pipeline${data.search}`} className="text-brand-700 underline">
          ← Pipeline board
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Evidence coverage</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Each cell shows how many observations cover a dimension and how many different people made
        them. Hatched cells have no observation yet. It is a picture of where to look next, not a
        measure of anyone.
      </p>
      <PipelineFilters
        action="/pipeline/coverage"
        filters={data.query}
        teams={data.teams}
        managers={data.managers}
        nudges={data.nudgeOptions}
        withSort={false}
      />
      {data.rows.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          No candidates match these filters. Clear them to see everyone in the pipeline.
        </p>
      ) : data.dimensions.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          No dimensions are set up yet. Ask an admin to add them under Framework.
        </p>
      ) : (
        <div className="relative mt-6 overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="min-w-full text-sm">
            <caption className="sr-only">
              Observations and observers per candidate and dimension
            </caption>
            <thead className="bg-stone-50 text-left text-stone-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-semibold">
                  Candidate
                </th>
                <th scope="col" className="px-3 py-2 font-semibold">
                  Stage
                </th>
                {data.dimensions.map((d) => (
                  <th key={d.id} scope="col" className="px-3 py-2 font-semibold">
                    {d.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {data.rows.map((row) => (
                <tr key={row.id}>
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    <Link to={`/candidates/${row.id}`} className="text-brand-700 underline">
                      {row.name}
                    </Link>
                    {row.team ? (
                      <span className="block text-xs font-normal text-stone-600">{row.team}</span>
                    ) : null}
                  </th>
                  <td className="px-3 py-2 whitespace-nowrap">{STAGE_LABELS[row.stage]}</td>
                  {row.coverage.map((cell) =>
                    cell.observations ? (
                      <td
                        key={cell.dimension_id}
                        className="bg-brand-50 px-3 py-2 whitespace-nowrap text-brand-800"
                      >
                        {cell.observations} obs · {cell.observers}{" "}
                        {cell.observers === 1 ? "observer" : "observers"}
                        <span className="block text-xs">
                          last {formatDate(cell.last_observed_on)}
                        </span>
                      </td>
                    ) : (
                      <td
                        key={cell.dimension_id}
                        className={`px-3 py-2 whitespace-nowrap ${HATCHED}`}
                      >
                        <span className="text-xs">not yet observed</span>
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
