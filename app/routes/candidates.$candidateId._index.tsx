import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
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
import { shorten } from "../utils/shorten";
import { newIdempotencyKey } from "../utils/idempotency.server";
import { PLAN_STATUS_LABELS, STAGE_LABELS, TRACK_LABELS } from "../utils/labels";
import { CoverageTable } from "../components/coverage-table";
import { Timeline } from "../components/timeline";

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
      listAssignmentsForCandidate(context.db, access.id, { limit: ASSIGNMENTS_OFFERED }),
      getTimeline(context.db, { candidateId: access.id, filters }),
      listCandidatePlans(context.db, { candidateId: access.id, today }),
    ]);
  if (!candidate) throw notFound();
  return json({
    // What the page shows of the candidate: no ids of the people named, no version, no timestamps.
    candidate: {
      id: candidate.id,
      name: candidate.name,
      title: candidate.title,
      team: candidate.team,
      track: candidate.track,
      stage: candidate.stage,
      revisit_on: candidate.revisit_on,
      archived_at: candidate.archived_at,
      nominated_reason: candidate.nominated_reason,
      nominated_on: candidate.nominated_on,
      manager: { name: candidate.manager.name },
      nominated_by: { name: candidate.nominated_by.name },
      mentors: candidate.mentors.map((m) => ({ name: m.name })),
    },
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
    // The latest few, goals shortened (the plan page has them whole); the rest are in the timeline.
    plans: plans
      .slice(0, PLANS_SHOWN)
      .map(({ nudges: _, ...p }) => ({ ...p, goal: shorten(p.goal, 90).text })),
    plansTotal: plans.length,
    // The oldest first, and only the first few: the rest are one click away in the timeline.
    openFlags: openFlags.slice(0, OPEN_FLAGS_SHOWN),
    openFlagsTotal: openFlags.length,
    assignments: assignments.map((a) => ({
      id: a.id,
      title: `${a.title} (offered ${formatDate(a.offered_on)})`,
    })),
    // The sort key stays on the server: each entry shows its day.
    timeline: { ...timeline, entries: timeline.entries.map(({ at: _, ...entry }) => entry) },
    filters,
    idempotencyKey: newIdempotencyKey(),
  });
}

const OPEN_FLAGS_SHOWN = 10;
const PLANS_SHOWN = 5;
// Quick capture offers the sniff tests offered last; the full form (observations/new) lists every one.
const ASSIGNMENTS_OFFERED = 10;

export default function CandidateRoute() {
  const data = useLoaderData<typeof loader>();
  return <Profile data={data} />;
}

type ProfileData = ReturnType<typeof useLoaderData<typeof loader>>;

const linkClass = "text-brand-700 underline";
const buttonLinkClass =
  "inline-flex items-center rounded border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100";

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
            {`What did you see ${candidate.name} do? One concrete behaviour is enough. `}
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
          <CoachingPlans plans={data.plans} total={data.plansTotal} base={base} />
        </div>

        <Timeline
          timeline={data.timeline}
          filters={data.filters}
          dimensions={data.coverage}
          base={base}
        />
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
        {`${STAGE_LABELS[candidate.stage] ?? candidate.stage} for ${daysInStage} ${
          daysInStage === 1 ? "day" : "days"
        }${
          candidate.stage === "paused" && candidate.revisit_on
            ? `, revisit on ${formatDate(candidate.revisit_on)}`
            : ""
        }`}
      </>,
    ],
    ["Track", TRACK_LABELS[candidate.track] ?? candidate.track],
    ["Team", candidate.team || "—"],
    ["Manager", candidate.manager.name],
    [
      "Mentors",
      candidate.mentors.length ? candidate.mentors.map((m) => m.name).join(", ") : "None yet",
    ],
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
      <section
        aria-labelledby="nomination"
        className="mt-4 rounded-lg border border-stone-200 bg-white px-4 py-3"
      >
        <h2 id="nomination" className="text-sm text-stone-600">
          {`Nominated by ${candidate.nominated_by.name} on `}
          <time dateTime={candidate.nominated_on}>{formatDate(candidate.nominated_on)}</time>
        </h2>
        <p className="mt-1 whitespace-pre-wrap text-stone-900">{candidate.nominated_reason}</p>
      </section>
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

function CoachingPlans({
  plans,
  total,
  base,
}: {
  plans: ProfileData["plans"];
  total: number;
  base: string;
}) {
  return (
    <SidePanel id="plans" title="Coaching plans">
      {plans.length ? (
        <ul className="mt-2 space-y-3">
          {plans.map((p) => (
            <li key={p.id} className="text-sm">
              <Link to={`/coaching/${p.id}`} className="font-medium text-brand-700 underline">
                {p.goal}
              </Link>
              <span className="block text-stone-600">
                {`${PLAN_STATUS_LABELS[p.status] ?? p.status} · with ${p.mentorName} · since ${formatDate(
                  p.startedOn,
                )}${p.targetOn ? ` · target ${formatDate(p.targetOn)}` : ""}`}
              </span>
              <span className="block text-stone-600">
                {`${p.openActions} open ${p.openActions === 1 ? "action" : "actions"} · ${
                  p.lastCheckinOn
                    ? `last check-in ${formatDate(p.lastCheckinOn)}`
                    : "no check-in yet"
                }`}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {total > plans.length ? (
        <p className="mt-2 text-sm text-stone-600">
          {`Showing the ${plans.length} latest of ${total}. `}
          <Link to={`${base}?kind=coaching#timeline`} className={linkClass}>
            All coaching in the timeline
          </Link>
        </p>
      ) : null}
      {plans.length ? null : (
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
                {`Observed ${formatDate(f.observed_on)}${
                  f.status === "addressing" ? " · being addressed" : ""
                } · ${
                  f.discussed_with_candidate_on
                    ? `discussed with them on ${formatDate(f.discussed_with_candidate_on)}`
                    : "not yet discussed with them"
                }`}
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
