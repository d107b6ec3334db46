import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { FilterButtons, PagedTable } from "../components/list-page";
import { Link } from "../components/ui/link";
import { z } from "zod";
import { STAGES, TRACKS } from "../../db/schema";
import { isUuid, requireRole } from "../auth/policy.server";
import { SelectField, TextField } from "../components/ui/forms";
import {
  type CandidateFilters,
  countCandidates,
  hasAnyCandidate,
  listCandidates,
  listTeams,
  type Nudge,
  NUDGES,
  PAGE_SIZE,
  SORTS,
} from "../models/candidate.server";
import { listManagersForFilter } from "../models/user.server";
import { ManagerFilter } from "../components/pipeline-coverage";
import { isoDate } from "../utils/dates";
import { STAGE_LABELS, TRACK_LABELS } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "Candidates · Noseworthy" }];

// A bookmarked or hand-edited URL with a value we do not know simply drops that filter.
const ignoreBad = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const ListQuerySchema = z.object({
  stage: ignoreBad(z.enum(STAGES)),
  team: ignoreBad(z.string().trim().min(1).max(200)),
  track: ignoreBad(z.enum(TRACKS)),
  manager: ignoreBad(z.string().refine(isUuid)),
  managerName: ignoreBad(z.string().trim().min(1).max(200)),
  nudge: ignoreBad(z.enum(NUDGES)),
  q: ignoreBad(z.string().trim().min(1).max(200)),
  archived: ignoreBad(z.literal("1")),
  sort: ignoreBad(z.enum(SORTS)),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const params = new URL(request.url).searchParams;
  const query = ListQuerySchema.parse(
    Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined])),
  );
  const filters: CandidateFilters = {
    stage: query.stage,
    team: query.team,
    track: query.track,
    managerId: query.manager,
    managerName: query.managerName,
    nudge: query.nudge,
    q: query.q,
    showArchived: query.archived === "1",
    sort: query.sort,
  };
  const today = isoDate(context.now());
  const [candidates, total, teams, managers] = await Promise.all([
    listCandidates(context.db, { viewer, filters, page: query.page, today }),
    countCandidates(context.db, { viewer, filters, today }),
    listTeams(context.db, viewer),
    listManagersForFilter(context.db),
  ]);
  // Only an empty answer needs to know whether there is anyone at all, for the right next step.
  const anyAtAll = total > 0 || (await hasAnyCandidate(context.db, { viewer }));
  return json({
    candidates,
    total,
    page: query.page,
    pageSize: PAGE_SIZE,
    filters: { ...query, page: undefined },
    teams,
    managers,
    anyAtAll,
    isManager: viewer.roles.includes("manager"),
  });
}

const NUDGE_KEYS: readonly Nudge[] = [
  "single_observer",
  "no_recent_evidence",
  "undiscussed_flag",
  "unobserved_dimension",
];
const NUDGE_LABELS: Record<Nudge, string> = {
  single_observer: "Single observer (fewer than 2)",
  no_recent_evidence: "No evidence in 90 days",
  undiscussed_flag: "Flag not yet discussed",
  unobserved_dimension: "A dimension not yet observed",
};

type Filters = Record<string, string | undefined>;

function pageLink(filters: Filters, page: number) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/candidates?${search}` : "/candidates";
}

export default function Candidates() {
  const { candidates, total, page, pageSize, filters, teams, managers, anyAtAll, isManager } =
    useLoaderData<typeof loader>();
  const f = filters as Filters;
  const filtering = Object.entries(f).some(([key, value]) => key !== "sort" && Boolean(value));

  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Candidates</h1>
        <Link
          to="/candidates/new"
          className="rounded bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
        >
          Nominate someone
        </Link>
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        {isManager ? "The people in your circle" : "Everyone in the pipeline"}, sorted by name.
        Nudges point at gaps in the process, never at the person.
      </p>

      <Form
        method="get"
        className="mt-4 rounded-lg border border-stone-200 bg-white p-4"
        aria-label="Filter candidates"
      >
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <TextField label="Name" name="q" type="search" maxLength={200} defaultValue={f.q ?? ""} />
          <SelectField label="Stage" name="stage" defaultValue={f.stage ?? ""}>
            <option value="">Any stage</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABELS[s]}
              </option>
            ))}
          </SelectField>
          <SelectField label="Team" name="team" defaultValue={f.team ?? ""}>
            <option value="">Any team</option>
            {teams.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </SelectField>
          <SelectField label="Track" name="track" defaultValue={f.track ?? ""}>
            <option value="">Any track</option>
            {TRACKS.map((t) => (
              <option key={t} value={t}>
                {TRACK_LABELS[t]}
              </option>
            ))}
          </SelectField>
          <ManagerFilter
            managers={managers}
            manager={f.manager}
            managerName={f.managerName}
            clearHref={pageLink({ ...f, manager: undefined }, 1)}
          />
          <SelectField label="Nudge" name="nudge" defaultValue={f.nudge ?? ""}>
            <option value="">Any</option>
            {NUDGE_KEYS.map((n) => (
              <option key={n} value={n}>
                {NUDGE_LABELS[n]}
              </option>
            ))}
          </SelectField>
          <SelectField label="Order" name="sort" defaultValue={f.sort ?? "name"}>
            <option value="name">Name</option>
            <option value="stage">Stage, then name</option>
          </SelectField>
          <label className="flex items-center gap-2 self-end pb-2 text-sm">
            <input
              type="checkbox"
              name="archived"
              value="1"
              defaultChecked={f.archived === "1"}
              className="h-4 w-4 accent-brand-700"
            />
            Show archived
          </label>
        </div>
        <FilterButtons filtering={filtering} clearTo="/candidates" />
      </Form>

      {candidates.length === 0 ? (
        <div className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          {!anyAtAll ? (
            <p>
              No candidates yet.{" "}
              <Link to="/candidates/new" className="text-brand-700 underline">
                Nominate someone
              </Link>{" "}
              whose work made you notice them.
            </p>
          ) : (
            <p>
              No candidates match these filters.{" "}
              <Link to="/candidates" className="text-brand-700 underline">
                Clear filters
              </Link>{" "}
              to see everyone you can.
            </p>
          )}
        </div>
      ) : (
        <PagedTable
          labels={["Name", "Title", "Team", "Track", "Stage", "Manager"]}
          page={page}
          pageSize={pageSize}
          total={total}
          href={(n) => pageLink(f, n)}
        >
          {candidates.map((c) => (
            <tr key={c.id}>
              <td className="px-3 py-2 font-medium whitespace-nowrap">
                <Link to={`/candidates/${c.id}`} className="text-brand-700 underline">
                  {c.name}
                </Link>
              </td>
              <td className="px-3 py-2">{c.title}</td>
              <td className="px-3 py-2">{c.team}</td>
              <td className="px-3 py-2 whitespace-nowrap">{TRACK_LABELS[c.track]}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                {STAGE_LABELS[c.stage]}
                <span className="text-stone-600">
                  {" "}
                  · {c.days_in_stage} {c.days_in_stage === 1 ? "day" : "days"}
                </span>
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{c.manager_name}</td>
            </tr>
          ))}
        </PagedTable>
      )}
    </div>
  );
}
