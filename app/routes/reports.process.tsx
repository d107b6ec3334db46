/**
 * /reports/process: how calibration meetings ran, per quarter and per meeting (issue 22, mechanism 6).
 * Leaders only (anyone else: an audited 403). About the process only: no figure about a person, no
 * ordering by person; items appear by agenda position, never by name.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Link } from "../components/ui/link";
import { getProcessReport, type ProcessFigures } from "../models/process-report.server";
import { formatDate } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "Process report · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["leader"]);
  return json(await getProcessReport(context.db));
}

function minutes(seconds: number | null): string {
  if (seconds === null) return "—";
  const m = Math.round(seconds / 60);
  return m < 1 && seconds > 0 ? "under a minute" : `${m} min`;
}

function share(part: number, whole: number): string {
  if (whole === 0) return "none yet";
  return `${part} of ${whole} (${Math.round((part / whole) * 100)}%)`;
}

function Figures({ f }: { f: ProcessFigures }) {
  const rows: [string, string][] = [
    [
      "Decisions resting on evidence from two or more observers",
      share(f.twoOrMoreObservers, f.decisions),
    ],
    [
      "Discussion time per item",
      f.timedItems
        ? `median ${minutes(f.medianSeconds)}, longest ${minutes(f.longestSeconds)}${
            f.itemsWithTimebox
              ? `; over the timebox: ${share(f.overTimebox, f.itemsWithTimebox)}`
              : ""
          }`
        : "not recorded",
    ],
    ["Early items revisited whose decision changed", share(f.revisitChanged, f.revisited)],
    [
      "Decisions that differed from the majority of final leanings",
      share(f.differedFromMajority, f.withMajority),
    ],
    [
      "Items whose pre-reads were revealed early by the facilitator",
      share(f.revealedEarly, f.items),
    ],
    ["Decisions recorded before every final leaning was in", share(f.decidedEarly, f.decisions)],
  ];
  return (
    <dl className="mt-2 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-stone-700">{label}</dt>
          <dd className="font-medium">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export default function ProcessReport() {
  const { perMeeting, perQuarter } = useLoaderData<typeof loader>();
  return (
    <div className="max-w-4xl">
      <h1 className="text-2xl font-semibold">Process report</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        How the calibration meetings ran: whether decisions rest on more than one person&apos;s
        evidence, how evenly time was shared, whether revisiting the early cases changed anything,
        and how often a decision departed from the room&apos;s final leanings. It is about the
        process only — no figure here is about a person.
      </p>
      {perMeeting.length === 0 ? (
        <p className="mt-6 text-stone-600">
          No meeting has started yet. The report fills in as meetings are held.
        </p>
      ) : (
        <>
          <section aria-labelledby="quarters-heading" className="mt-8">
            <h2 id="quarters-heading" className="text-lg font-semibold">
              By quarter
            </h2>
            <ul className="mt-2 space-y-4">
              {perQuarter.map((q) => (
                <li key={q.quarter} className="rounded-lg border border-stone-200 bg-white p-4">
                  <h3 className="font-medium">
                    {q.quarter.replace("-", " ")} · {q.figures.meetings}{" "}
                    {q.figures.meetings === 1 ? "meeting" : "meetings"}, {q.figures.items} items
                  </h3>
                  <Figures f={q.figures} />
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="meetings-heading" className="mt-8">
            <h2 id="meetings-heading" className="text-lg font-semibold">
              By meeting
            </h2>
            <ul className="mt-2 space-y-4">
              {perMeeting.map((m) => (
                <li key={m.id} className="rounded-lg border border-stone-200 bg-white p-4">
                  <h3 className="font-medium">
                    <Link to={`/calibrations/${m.id}`} className="text-brand-700 underline">
                      {m.title}
                    </Link>{" "}
                    <span className="font-normal text-stone-600">
                      · {formatDate(m.scheduledFor)}
                      {m.status === "in_progress" ? " · in progress" : ""}
                      {m.timeboxMinutes ? ` · timebox ${m.timeboxMinutes} min an item` : ""}
                    </span>
                  </h3>
                  <Figures f={m.figures} />
                  {m.times.some((t) => t.seconds > 0) ? (
                    <>
                      <h4 className="mt-3 text-sm font-medium text-stone-700">
                        Discussion time by agenda position
                      </h4>
                      <ol className="mt-1 flex flex-wrap gap-2 text-sm">
                        {m.times.map((t) => {
                          const over =
                            m.timeboxMinutes !== null && t.seconds > m.timeboxMinutes * 60;
                          return (
                            <li
                              key={t.position}
                              className={`rounded border px-2 py-1 ${over ? "border-amber-400 bg-amber-50" : "border-stone-200"}`}
                            >
                              {t.position}: {minutes(t.seconds)}
                              {over ? " (over)" : ""}
                            </li>
                          );
                        })}
                      </ol>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
