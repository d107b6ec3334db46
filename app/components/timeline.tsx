/**
 * The candidate's timeline on the profile: filters, one page of entries newest first, and paging.
 * Presentational; the entries come from getTimeline (app/models/timeline.server.ts).
 */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { formatDate } from "../utils/dates";
import {
  OUTCOME_LABELS,
  SIGNAL_LABELS,
  STAGE_LABELS,
  STATUS_LABELS,
  TIMELINE_KINDS,
  type TimelineFields,
  type TimelineKind,
} from "../utils/labels";
import { type DecisionEvidence, evidenceLabel } from "./calibration-ui";
import { Link } from "./ui/link";

/** A timeline entry as the page receives it: the shape of TimelineEntry in app/models/timeline.server.ts. */
export interface Entry extends TimelineFields {
  dimensions: { id: string; name: string }[];
  evidence: (DecisionEvidence & { retracted: boolean })[];
  /** A text was cut on the server; the whole of it is on the entry's own page. */
  shortened: boolean;
}

export interface TimelineFilters {
  kind: TimelineKind | null;
  dimensionId: string | null;
  page: number;
}

export interface TimelinePage {
  entries: Entry[];
  hasOlder: boolean;
  hasNewer: boolean;
  page: number;
}

const KIND_LABELS: Record<TimelineKind, string> = {
  observation: "Observations",
  flag: "Flags",
  sniff_test: "Sniff tests",
  coaching: "Coaching",
  stage: "Stage changes",
  decision: "Calibration decisions",
};

const linkClass = "text-brand-700 underline";

function pageHref(base: string, filters: TimelineFilters, page: number): string {
  const params = new URLSearchParams();
  if (filters.kind) params.set("kind", filters.kind);
  if (filters.dimensionId) params.set("dimension", filters.dimensionId);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return `${base}${query ? `?${query}` : ""}#timeline`;
}

/** One filter of the timeline; its first choice ("everything") is no filter. */
function FilterSelect({
  id,
  label,
  name,
  defaultValue,
  everything,
  choices,
}: {
  id: string;
  label: string;
  name: string;
  defaultValue: string;
  everything: string;
  choices: { id: string; name: string }[];
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-stone-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={defaultValue}
        className="mt-1 block rounded border border-stone-300 bg-white px-3 py-2 text-sm"
      >
        <option value="">{everything}</option>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The timeline section; `dimensions` are the choices of the dimension filter. */
export function Timeline({
  timeline,
  filters,
  dimensions,
  base,
}: {
  timeline: TimelinePage;
  filters: TimelineFilters;
  dimensions: { id: string; name: string }[];
  base: string;
}) {
  const filtered = Boolean(filters.kind || filters.dimensionId);
  return (
    <section
      aria-labelledby="timeline"
      className="rounded-lg border border-stone-200 bg-white p-4 lg:col-span-2 lg:col-start-1 lg:row-start-2"
    >
      <h2 id="timeline" className="text-lg font-semibold">
        Timeline
      </h2>
      <Form
        method="get"
        action={base}
        className="mt-2 flex flex-wrap items-end gap-3"
        preventScrollReset
      >
        <FilterSelect
          id="timeline-kind"
          label="Kind"
          name="kind"
          defaultValue={filters.kind ?? ""}
          everything="Everything"
          choices={TIMELINE_KINDS.map((k) => ({ id: k, name: KIND_LABELS[k] }))}
        />
        <FilterSelect
          id="timeline-dimension"
          label="Dimension"
          name="dimension"
          defaultValue={filters.dimensionId ?? ""}
          everything="Any dimension"
          choices={dimensions}
        />
        <button
          type="submit"
          className="inline-flex items-center rounded border border-stone-300 bg-white px-3 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100"
        >
          Filter
        </button>
        {filtered ? (
          <Link to={`${base}#timeline`} className={`pb-2 text-sm ${linkClass}`}>
            Clear filters
          </Link>
        ) : null}
      </Form>
      {filters.dimensionId ? (
        <p className="mt-2 text-sm text-stone-600">
          Showing only observations tagged with this dimension.
        </p>
      ) : null}

      {timeline.entries.length ? (
        <ol className="mt-4 divide-y divide-stone-100">
          {timeline.entries.map((entry) => (
            <TimelineItem key={`${entry.kind}-${entry.id}`} entry={entry} base={base} />
          ))}
        </ol>
      ) : (
        <p className="mt-4 text-stone-700">
          {filtered ? (
            <>
              Nothing matches these filters.{" "}
              <Link to={`${base}#timeline`} className={linkClass}>
                Show everything
              </Link>
              .
            </>
          ) : timeline.page > 1 ? (
            "There is nothing further back."
          ) : (
            "Nothing recorded yet. Use Quick capture above to note the first thing you saw."
          )}
        </p>
      )}

      {timeline.hasNewer || timeline.hasOlder ? (
        <nav aria-label="Timeline pages" className="mt-4 flex justify-between text-sm">
          {timeline.hasNewer ? (
            <Link to={pageHref(base, filters, timeline.page - 1)} className={linkClass} rel="prev">
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          {timeline.hasOlder ? (
            <Link to={pageHref(base, filters, timeline.page + 1)} className={linkClass} rel="next">
              Older →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

function Marker({
  children,
  tone = "stone",
}: {
  children: ReactNode;
  tone?: "stone" | "amber" | "red";
}) {
  const tones = {
    stone: "border-stone-300 bg-stone-100 text-stone-700",
    amber: "border-amber-300 bg-amber-50 text-amber-900",
    red: "border-red-300 bg-red-50 text-red-800",
  };
  return (
    <span className={`ml-2 rounded border px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>
      {children}
    </span>
  );
}

function headline(entry: Entry): string {
  const to = entry.to_status ?? "";
  // A flag only moves to open when it is reopened.
  const status = to === "open" ? "reopened" : (STATUS_LABELS[to]?.toLowerCase() ?? to);
  // Already shortened on the server (a coaching goal can run to a paragraph; the plan page has it whole).
  const title = entry.title ?? "";
  switch (entry.event) {
    case "observation":
      return `Observation · ${SIGNAL_LABELS[entry.signal ?? ""] ?? entry.signal}`;
    case "flag_raised":
      return `Flag raised: ${title}`;
    case "flag_discussed":
      return `Flag discussed with the person: ${title}`;
    case "flag_status":
      return `Flag ${status}: ${title}`;
    case "assignment":
      return `Sniff test ${status}: ${title}`;
    case "plan_started":
      return `Coaching plan started: ${title}`;
    case "plan_mentor":
      return `Coaching plan mentor changed${entry.mentor ? ` to ${entry.mentor}` : ""}: ${title}`;
    case "plan_status":
      return `Coaching plan ${status}: ${title}`;
    case "checkin":
      return `Check-in held: ${title}`;
    case "nomination":
      return `Nominated · Stage: ${STAGE_LABELS[entry.to_status ?? ""] ?? entry.to_status}`;
    case "stage":
      return entry.from_status
        ? `Stage: ${STAGE_LABELS[entry.from_status] ?? entry.from_status} → ${
            STAGE_LABELS[entry.to_status ?? ""] ?? entry.to_status
          }`
        : `Stage: ${STAGE_LABELS[entry.to_status ?? ""] ?? entry.to_status}`;
    case "decision":
      return `Calibration decision: ${OUTCOME_LABELS[entry.to_status ?? ""] ?? entry.to_status}`;
    default:
      return title || entry.event;
  }
}

function entryLink(entry: Entry, base: string): { to: string; label: string } | null {
  if (!entry.link_id) return null;
  switch (entry.kind) {
    case "observation":
      return {
        to: `${base}/observations/${entry.link_id}`,
        label: "Open observation",
      };
    case "flag":
      return { to: `${base}/flags/${entry.link_id}`, label: "Open flag" };
    case "sniff_test":
      return {
        to: `${base}/assignments/${entry.link_id}`,
        label: "Open sniff test",
      };
    case "coaching":
      return { to: `/coaching/${entry.link_id}`, label: "Open coaching plan" };
    case "decision":
      return {
        to: `/calibrations/${entry.link_id}`,
        label: "Open calibration",
      };
    default:
      return null;
  }
}

export function TimelineItem({ entry, base }: { entry: Entry; base: string }) {
  const link = entryLink(entry, base);
  const sbi: [string, string | null][] = [
    ["Situation", entry.situation],
    ["Behaviour", entry.behavior],
    ["Impact", entry.impact],
  ];
  return (
    <li className="py-3">
      <p className="text-sm text-stone-600">
        <time dateTime={entry.day}>{formatDate(entry.day)}</time>
        {entry.actor ? ` · ${entry.actor}` : ""}
      </p>
      <p className={`font-medium ${entry.retracted ? "text-stone-600" : "text-stone-900"}`}>
        {headline(entry)}
        {entry.edited ? <Marker>edited</Marker> : null}
        {entry.retracted ? <Marker tone="red">retracted</Marker> : null}
        {entry.superseded ? <Marker tone="amber">superseded</Marker> : null}
      </p>
      {entry.dimensions.length ? (
        <p className="mt-1 flex flex-wrap gap-1 text-xs">
          {entry.dimensions.map((d) => (
            <span key={d.id} className="rounded bg-brand-50 px-1.5 py-0.5 text-brand-800">
              {d.name}
            </span>
          ))}
        </p>
      ) : null}
      {sbi.some(([, text]) => text) ? (
        <dl className={`sbi ${entry.retracted ? "text-stone-600 line-through" : "text-stone-800"}`}>
          {sbi
            .filter(([, text]) => text)
            .map(([term, text]) => (
              <div key={term}>
                <dt>{`${term}: `}</dt>
                <dd>{text}</dd>
              </div>
            ))}
        </dl>
      ) : null}
      {entry.detail ? (
        <p className="mt-1 text-sm text-stone-700">
          {entry.retracted
            ? "Retracted: "
            : entry.kind === "decision"
              ? "Rationale: "
              : entry.event === "nomination"
                ? "What they spotted: "
                : ""}
          {entry.detail}
        </p>
      ) : null}
      {entry.shortened ? <ReadAll entry={entry} base={base} link={link} /> : null}
      {entry.kind === "decision" ? <CitedEvidence entry={entry} base={base} /> : null}
      {link ? (
        <p className="mt-1 text-sm">
          <Link to={link.to} className={linkClass}>
            {link.label}
          </Link>
        </p>
      ) : null}
    </li>
  );
}

/**
 * The way to a shortened entry's whole text: its own page, or for the nomination the profile's header.
 * A plain link, so it works without JavaScript; the hidden words tell a screen reader which entry.
 */
function ReadAll({
  entry,
  base,
  link,
}: {
  entry: Entry;
  base: string;
  link: { to: string } | null;
}) {
  const to = entry.event === "nomination" ? `${base}#nomination` : link?.to;
  if (!to) return null;
  return (
    <p className="mt-1 text-sm">
      <Link to={to} className={linkClass}>
        Read all
        <span className="sr-only">{` of ${headline(entry)}, ${formatDate(entry.day)}`}</span>
      </Link>
    </p>
  );
}

/** What a decision rests on, described as the meeting's summary describes it, each linked to its record. */
function CitedEvidence({ entry, base }: { entry: Entry; base: string }) {
  if (!entry.evidence.length)
    return (
      <p className="mt-1 text-sm text-stone-700">No cited evidence on this candidate's record.</p>
    );
  return (
    <div className="mt-1 text-sm text-stone-700">
      <p>Evidence it rests on:</p>
      <ul className="list-disc pl-5">
        {entry.evidence.map((e) => {
          const to = e.observation_id
            ? `${base}/observations/${e.observation_id}`
            : e.flag_id
              ? `${base}/flags/${e.flag_id}`
              : `${base}/assignments/${e.assignment_id}`;
          return (
            <li key={e.observation_id ?? e.flag_id ?? e.assignment_id}>
              <Link to={to} className={linkClass}>
                {evidenceLabel(e)}
              </Link>
              {e.retracted ? <Marker tone="red">retracted since</Marker> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
