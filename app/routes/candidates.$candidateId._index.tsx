import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { ReactNode } from "react";
import { useEffect } from "react";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { ObservationForm } from "../components/observation-form";
import { getCandidateHeader } from "../models/candidate.server";
import { computeNudges, getEvidenceSummary, listOpenFlags } from "../models/evidence.server";
import { listAssignmentsForCandidate } from "../models/observation.server";
import { getTimeline, timelineFiltersFrom } from "../models/timeline.server";
import { listCandidatePlans } from "../models/coaching.server";
import { daysBetween, formatDate, isoDate } from "../utils/dates";
import { notFound } from "../utils/http.server";
import { newIdempotencyKey } from "../utils/idempotency.server";
import {
  OUTCOME_LABELS,
  PLAN_STATUS_LABELS,
  SIGNAL_LABELS,
  STAGE_LABELS,
  STATUS_LABELS,
  TIMELINE_KINDS,
  TRACK_LABELS,
  type TimelineKind,
} from "../utils/labels";
import { CoverageTable } from "../components/coverage-table";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `${data.candidate.name} · Noseworthy` : "Candidate · Noseworthy",
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId);
  const url = new URL(request.url);

  const today = isoDate(context.now());
  const filters = timelineFiltersFrom(url.searchParams);
  const [candidate, { coverage, totals }, openFlags, assignments, timeline, plans] =
    await Promise.all([
      getCandidateHeader(context.db, access.id),
      getEvidenceSummary(context.db, { candidateId: access.id }),
      listOpenFlags(context.db, { candidateId: access.id }),
      listAssignmentsForCandidate(context.db, access.id),
      getTimeline(context.db, { candidateId: access.id, filters }),
      listCandidatePlans(context.db, { candidateId: access.id, today }),
    ]);
  if (!candidate) throw notFound();
  return json({
    candidate,
    daysInStage: Math.max(0, daysBetween(isoDate(new Date(candidate.stage_changed_at)), today)),
    canManage: access.mayManage,
    today,
    coverage,
    nudges: [
      ...computeNudges({ coverage, totals, openFlags, today }),
      ...plans.flatMap((plan) =>
        plan.nudges.map((n) => ({
          key: `${plan.id}-${n.kind}`,
          title: n.text,
          detail: `In the coaching plan with ${plan.mentorName}.`,
        })),
      ),
    ],
    plans,
    // The oldest first, and only the first few: the rest are one click away in the timeline.
    openFlags: openFlags.slice(0, OPEN_FLAGS_SHOWN),
    openFlagsTotal: openFlags.length,
    assignments: assignments.map((a) => ({
      id: a.id,
      title: `${a.title} (offered ${formatDate(a.offered_on)})`,
    })),
    timeline,
    filters,
    idempotencyKey: newIdempotencyKey(),
  });
}

const OPEN_FLAGS_SHOWN = 10;

export default function CandidateRoute() {
  const data = useLoaderData<typeof loader>();
  return <Profile data={data} />;
}

type ProfileData = ReturnType<typeof useLoaderData<typeof loader>>;

const KIND_LABELS: Record<TimelineKind, string> = {
  observation: "Observations",
  flag: "Flags",
  sniff_test: "Sniff tests",
  coaching: "Coaching",
  stage: "Stage changes",
  decision: "Calibration decisions",
};

const linkClass = "text-brand-700 underline";
const buttonLinkClass =
  "inline-flex items-center rounded border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100";

function excerpt(text: string | null, max = 280): string {
  if (!text) return "";
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** Pressing "o" (outside a text field) jumps to quick capture: notes are taken right after a meeting. */
function useQuickCaptureShortcut() {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (
        event.key !== "o" ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        event.defaultPrevented
      )
        return;
      const target = event.target as HTMLElement | null;
      if (
        target &&
        (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
      )
        return;
      const field = document.querySelector<HTMLElement>(
        "#quick-capture-section textarea, #quick-capture-section input:not([type=hidden])",
      );
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}

function Profile({ data }: { data: ProfileData }) {
  const { candidate } = data;
  const base = `/candidates/${candidate.id}`;
  useQuickCaptureShortcut();
  return (
    <div>
      <p className="text-sm">
        <Link to="/candidates" className={linkClass}>
          ← Candidates
        </Link>
      </p>
      <ProfileHeader data={data} base={base} />

      <div className="mt-6 grid gap-6 lg:grid-cols-3 lg:items-start">
        <section
          id="quick-capture-section"
          aria-labelledby="quick-capture"
          className="min-w-0 rounded-lg border border-stone-200 bg-white p-4 lg:col-span-2"
        >
          <h2 id="quick-capture" className="text-lg font-semibold">
            Quick capture
          </h2>
          <p className="mb-3 text-sm text-stone-600">
            What did you see {candidate.name} do? One concrete behaviour is enough.{" "}
            <span className="hidden sm:inline">
              Press <kbd>o</kbd> anywhere on this page to jump here.
            </span>
          </p>
          {data.coverage.length ? (
            <ObservationForm
              // A new key after each save remounts the form, so the fields start empty for the next note.
              key={data.idempotencyKey}
              action={`${base}/observations/new`}
              idempotencyKey={data.idempotencyKey}
              dimensions={data.coverage.map((d) => ({
                id: d.id,
                name: d.name,
              }))}
              assignments={data.assignments}
              today={data.today}
              compact
            />
          ) : (
            <p className="text-stone-700">
              No dimensions are set up yet. Ask an admin to add them under Framework first.
            </p>
          )}
        </section>

        <div className="space-y-6 lg:col-start-3 lg:row-span-2 lg:row-start-1">
          <Nudges nudges={data.nudges} />
          <Coverage coverage={data.coverage} />
          <OpenFlags flags={data.openFlags} total={data.openFlagsTotal} base={base} />
          <CoachingPlans plans={data.plans} />
        </div>

        <Timeline data={data} base={base} />
      </div>
    </div>
  );
}

function ProfileHeader({ data, base }: { data: ProfileData; base: string }) {
  const { candidate, canManage, daysInStage } = data;
  const facts: [string, ReactNode][] = [
    [
      "Stage",
      <>
        {STAGE_LABELS[candidate.stage] ?? candidate.stage} for {daysInStage}{" "}
        {daysInStage === 1 ? "day" : "days"}
        {candidate.stage === "paused" && candidate.revisit_on
          ? `, revisit on ${formatDate(candidate.revisit_on)}`
          : ""}
      </>,
    ],
    ["Track", TRACK_LABELS[candidate.track] ?? candidate.track],
    ["Team", candidate.team || "—"],
    ["Manager", candidate.manager.name],
    [
      "Mentors",
      candidate.mentors.length ? candidate.mentors.map((m) => m.name).join(", ") : "None yet",
    ],
    ["Nominated by", candidate.nominated_by.name],
  ];
  return (
    <header className="mt-2">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">{candidate.name}</h1>
          {candidate.title ? <p className="text-stone-600">{candidate.title}</p> : null}
        </div>
        <div className="flex flex-wrap gap-2">
          {canManage ? (
            <Link to={`${base}/edit`} className={buttonLinkClass}>
              Edit
            </Link>
          ) : null}
          <Link to={`${base}/flags/new`} className={buttonLinkClass}>
            Raise a flag
          </Link>
          <Link to={`${base}/assignments/new`} className={buttonLinkClass}>
            Offer a sniff test
          </Link>
          {canManage ? (
            <Link to={`${base}/plans/new`} className={buttonLinkClass}>
              Start a coaching plan
            </Link>
          ) : null}
          {canManage ? (
            <Link to={`${base}/export`} reloadDocument className={buttonLinkClass}>
              Export
            </Link>
          ) : null}
        </div>
      </div>
      {candidate.archived_at ? (
        <p className="mt-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
          This candidate was archived on {formatDate(candidate.archived_at)}. The record is kept;
          new notes are still possible.
        </p>
      ) : null}
      <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt className="text-stone-600">{term}</dt>
            <dd className="font-medium text-stone-900">{value}</dd>
          </div>
        ))}
      </dl>
    </header>
  );
}

/** A panel of the right-hand column: a titled card, with a line saying what it shows. */
function SidePanel({
  id,
  title,
  intro,
  children,
}: {
  id: string;
  title: ReactNode;
  intro?: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-stone-200 bg-white p-4">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {intro ? <p className="text-sm text-stone-600">{intro}</p> : null}
      {children}
    </section>
  );
}

function CoachingPlans({ plans }: { plans: ProfileData["plans"] }) {
  return (
    <SidePanel id="plans" title="Coaching plans">
      {plans.length ? (
        <ul className="mt-2 space-y-3">
          {plans.map((p) => (
            <li key={p.id} className="text-sm">
              <Link to={`/coaching/${p.id}`} className="font-medium text-brand-700 underline">
                {p.goal.length > 90 ? `${p.goal.slice(0, 90)}…` : p.goal}
              </Link>
              <span className="block text-stone-600">
                {PLAN_STATUS_LABELS[p.status] ?? p.status} · with {p.mentorName} · since{" "}
                {formatDate(p.startedOn)}
                {p.targetOn ? ` · target ${formatDate(p.targetOn)}` : ""}
              </span>
              <span className="block text-stone-600">
                {p.openActions} open {p.openActions === 1 ? "action" : "actions"} ·{" "}
                {p.lastCheckinOn
                  ? `last check-in ${formatDate(p.lastCheckinOn)}`
                  : "no check-in yet"}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-stone-700">
          No coaching plan yet. The candidate&apos;s manager or a leader can start one.
        </p>
      )}
    </SidePanel>
  );
}

function Nudges({ nudges }: { nudges: ProfileData["nudges"] }) {
  return (
    <SidePanel
      id="nudges"
      title="Process nudges"
      intro="About how the evidence is gathered, not about the person."
    >
      {nudges.length ? (
        <ul className="mt-2 space-y-2">
          {nudges.map((n) => (
            <li key={n.key} className="rounded border border-amber-200 bg-amber-50 px-3 py-2">
              <p className="font-medium text-amber-900">{n.title}</p>
              <p className="text-sm text-amber-900">{n.detail}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-stone-700">
          Nothing to nudge: the evidence is recent, from several people, and covers every dimension.
        </p>
      )}
    </SidePanel>
  );
}

function Coverage({ coverage }: { coverage: ProfileData["coverage"] }) {
  return (
    <SidePanel
      id="coverage"
      title="Evidence coverage"
      intro="Facts about the observations per dimension, to read side by side."
    >
      {coverage.length ? (
        <CoverageTable coverage={coverage} />
      ) : (
        <p className="mt-2 text-stone-700">No dimensions are set up yet.</p>
      )}
    </SidePanel>
  );
}

function OpenFlags({
  flags,
  total,
  base,
}: {
  flags: ProfileData["openFlags"];
  total: number;
  base: string;
}) {
  return (
    <SidePanel
      id="open-flags"
      title={
        <>
          Open flags
          {total ? <span className="font-normal text-stone-600">{` (${total})`}</span> : null}
        </>
      }
    >
      {flags.length ? (
        <ul className="mt-2 divide-y divide-stone-100">
          {flags.map((f) => (
            <li key={f.id} className="py-2">
              <Link to={`${base}/flags/${f.id}`} className={`font-medium ${linkClass}`}>
                {f.anti_pattern}
              </Link>
              <span className="block text-sm text-stone-600">
                Observed {formatDate(f.observed_on)}
                {f.status === "addressing" ? " · being addressed" : ""} ·{" "}
                {f.discussed_with_candidate_on
                  ? `discussed with them on ${formatDate(f.discussed_with_candidate_on)}`
                  : "not yet discussed with them"}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {total > flags.length ? (
        <p className="mt-2 text-sm text-stone-600">
          {`Showing the ${flags.length} oldest of ${total}. `}
          <Link to={`${base}?kind=flag#timeline`} className={linkClass}>
            All flags in the timeline
          </Link>
        </p>
      ) : null}
      {flags.length ? null : (
        <p className="mt-2 text-stone-700">
          No open flags. If you see an anti-pattern,{" "}
          <Link to={`${base}/flags/new`} className={linkClass}>
            raise a flag
          </Link>{" "}
          and discuss it with them.
        </p>
      )}
    </SidePanel>
  );
}

function pageHref(base: string, filters: ProfileData["filters"], page: number): string {
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

function Timeline({ data, base }: { data: ProfileData; base: string }) {
  const { timeline, filters, coverage } = data;
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
          choices={coverage}
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

type Entry = ProfileData["timeline"]["entries"][number];

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
  // Coaching goals can run to a paragraph; the plan page has the whole text.
  const title = excerpt(entry.title, 120);
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

function TimelineItem({ entry, base }: { entry: Entry; base: string }) {
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
        <dl
          className={`mt-1 space-y-0.5 text-sm ${
            entry.retracted ? "text-stone-600 line-through" : "text-stone-800"
          }`}
        >
          {sbi
            .filter(([, text]) => text)
            .map(([term, text]) => (
              <div key={term}>
                <dt className="inline font-medium">{term}: </dt>
                <dd className="inline">{excerpt(text)}</dd>
              </div>
            ))}
        </dl>
      ) : null}
      {entry.detail ? (
        <p className="mt-1 text-sm text-stone-700">
          {entry.retracted ? "Retracted: " : entry.kind === "decision" ? "Rationale: " : ""}
          {excerpt(entry.detail)}
        </p>
      ) : null}
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
