import { Form } from "@remix-run/react";
import { Link } from "./ui/link";
import { TRACK_LABELS } from "../utils/labels";
import { pipelineSearch } from "../utils/search";
import { SelectField, TextField } from "./ui/forms";
import { FilterButtons } from "./list-page";

/** The board's coverage cells: the number of observations per dimension, in framework order. */
export type CoverageCounts = readonly number[];

/** The visual for "nothing observed yet" (app/tailwind.css), so a gap reads as a gap, not as zero. */
export const HATCHED = "hatched";

/**
 * Per dimension, one small cell on one line, in framework order; never summed into one number. A cell
 * shows the number of observations, or "–" on a hatched ground when nothing is observed yet, so the
 * state does not rest on colour. Sighted readers have the board's legend (the dimensions in this
 * order); screen readers hear one sentence with the same counts, named, instead of the cells. Both
 * find observers and dates in the coverage view. The markup is kept to one element per cell (styles in
 * app/tailwind.css): the board shows up to 48 strips, and a tooltip, a hidden text and long class
 * lists on each cell were a third of its HTML and a good part of its rendering (docs/performance.md).
 */
export function CoverageStrip({
  cells,
  dimensionNames,
  candidateName,
}: {
  cells: CoverageCounts;
  dimensionNames: readonly string[];
  candidateName: string;
}) {
  const facts = cells.map((observations, i) =>
    observations
      ? `${dimensionNames[i]}: ${observations} ${observations === 1 ? "observation" : "observations"}`
      : `${dimensionNames[i]}: not yet observed`,
  );
  return (
    <>
      <ul aria-hidden="true" className="strip">
        {cells.map((observations, i) => (
          <li key={i} className={observations ? undefined : HATCHED}>
            {observations || "–"}
          </li>
        ))}
      </ul>
      <p className="sr-only">{`Evidence coverage for ${candidateName}. ${facts.join("; ")}.`}</p>
    </>
  );
}

export type PipelineFilterValues = {
  team?: string;
  track?: string;
  manager?: string;
  managerName?: string;
  nudge?: string;
  q?: string;
  sort?: string;
};

/**
 * The manager filter: a select while the organisation has few managers, otherwise a name field
 * (managers is null), so the page does not grow with the number of managers. A manager chosen by id
 * (a bookmarked link) is kept until cleared.
 */
export function ManagerFilter({
  managers,
  manager,
  managerName,
  clearHref,
}: {
  managers: readonly { id: string; name: string }[] | null;
  manager?: string;
  managerName?: string;
  clearHref: string;
}) {
  if (managers) {
    return (
      <SelectField label="Manager" name="manager" defaultValue={manager ?? ""}>
        <option value="">Any manager</option>
        {managers.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </SelectField>
    );
  }
  return (
    <div>
      <TextField
        label="Manager"
        name="managerName"
        defaultValue={managerName ?? ""}
        hint="Part of their name"
        maxLength={200}
      />
      {manager ? (
        <p className="mt-1 text-sm text-stone-600">
          <input type="hidden" name="manager" value={manager} />
          One manager chosen ·{" "}
          <Link to={clearHref} className="text-brand-700 underline">
            any manager
          </Link>
        </p>
      ) : null}
    </div>
  );
}

/** The board's filters as a plain GET form: the URL is the state, so a filtered board can be bookmarked. */
export function PipelineFilters({
  action,
  filters,
  teams,
  managers,
  nudges,
  withSort,
}: {
  action: string;
  filters: PipelineFilterValues;
  teams: readonly string[];
  managers: readonly { id: string; name: string }[] | null;
  nudges: readonly { key: string; label: string }[];
  withSort: boolean;
}) {
  const filtering = Boolean(
    filters.team ||
    filters.track ||
    filters.manager ||
    filters.managerName ||
    filters.nudge ||
    filters.q,
  );
  return (
    <Form
      method="get"
      action={action}
      className="no-print mt-4 rounded-lg border border-stone-200 bg-white p-4"
      aria-label="Filter the pipeline"
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-6">
        <TextField
          label="Name"
          name="q"
          type="search"
          defaultValue={filters.q ?? ""}
          hint="Part of their name"
          maxLength={200}
        />
        <SelectField label="Team" name="team" defaultValue={filters.team ?? ""}>
          <option value="">Any team</option>
          {teams.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
        <SelectField label="Track" name="track" defaultValue={filters.track ?? ""}>
          <option value="">Any track</option>
          {Object.entries(TRACK_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <ManagerFilter
          managers={managers}
          manager={filters.manager}
          managerName={filters.managerName}
          clearHref={`${action}${pipelineSearch({ ...filters, manager: undefined })}`}
        />
        <SelectField label="Nudge" name="nudge" defaultValue={filters.nudge ?? ""}>
          <option value="">Any</option>
          {nudges.map((n) => (
            <option key={n.key} value={n.key}>
              {n.label}
            </option>
          ))}
        </SelectField>
        {withSort ? (
          <SelectField
            label="Order within a stage"
            name="sort"
            defaultValue={filters.sort ?? "name"}
          >
            <option value="name">Name</option>
            <option value="days_in_stage">Days in stage (longest first)</option>
            <option value="last_activity">Last activity (oldest first)</option>
          </SelectField>
        ) : null}
      </div>
      <FilterButtons filtering={filtering} clearTo={action} />
    </Form>
  );
}
