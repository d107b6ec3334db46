import { useLocation, useRevalidator } from "@remix-run/react";
import { Link } from "./ui/link";
import { type ReactNode, useEffect, useState } from "react";
import { LEANINGS } from "../../db/schema";
import { formatDate } from "../utils/dates";
import type { FormResult } from "../utils/form-result";
import { OUTCOME_LABELS, SIGNAL_LABELS, STATUS_LABELS } from "../utils/labels";
import { FormError, TextArea, TextField } from "./ui/forms";
import { CoverageTable, type CoverageRow } from "./coverage-table";

const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});
/** Meeting times are entered and shown in UTC, like every date in the app. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : `${dateTime.format(d)} UTC`;
}

export function excerpt(text: string | null | undefined, max = 160): string {
  if (!text) return "";
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

// ---- Packet ----------------------------------------------------------------------------------------

export interface PacketObservation {
  id: string;
  observed_on: string;
  situation: string;
  behavior: string;
  impact: string;
  signal: string;
  author_name: string;
  assignment_title: string | null;
  dimensions: { id: string; name: string }[];
  /** In a closed meeting's packet: retracted or deleted since the close; its text is left out. */
  withdrawn?: boolean;
}
export interface PacketFlag {
  id: string;
  anti_pattern: string;
  observed_on: string;
  situation: string;
  behavior: string;
  impact: string;
  status: string;
  discussed_with_candidate_on: string | null;
  resolution: string | null;
  raised_by_name: string;
}
export interface PacketAssignment {
  id: string;
  title: string;
  dimension_name: string;
  status: string;
  offered_on: string;
  due_on: string;
  closed_on: string | null;
  last_note: string | null;
}
export interface PacketPlan {
  id: string;
  goal: string;
  status: string;
  started_on: string;
  target_on: string | null;
  mentor_name: string;
  last_checkin_on: string | null;
}
export interface PacketNomination {
  reason: string;
  nominated_by_name: string;
  nominated_at: string;
}
/** Facts about the evidence (never about the person); `stale`: the latest note is older than the profile's recent window. */
export interface PacketFacts {
  observers: number;
  last_observed_on: string | null;
  stale: boolean;
}
export interface PacketData {
  /** Null in packets frozen before nominations were kept. */
  nomination?: PacketNomination | null;
  facts?: PacketFacts;
  coverage: CoverageRow[];
  observations: PacketObservation[];
  flags: PacketFlag[];
  assignments: PacketAssignment[];
  plans: PacketPlan[];
}

const sectionClass =
  "mt-6 rounded-lg border border-stone-200 bg-white p-4 print:border-0 print:p-0";

/** The candidate's evidence as the room reads it. Sections start on a new printed page where they run long. */
export function Packet({ packet }: { packet: PacketData }) {
  return (
    <>
      <section aria-labelledby="packet-nomination" className={sectionClass}>
        <h2 id="packet-nomination" className="text-lg font-semibold">
          Nomination
        </h2>
        {packet.nomination ? (
          <>
            <p className="text-sm text-stone-600">
              Nominated by {packet.nomination.nominated_by_name} on{" "}
              {formatDate(packet.nomination.nominated_at)}, in their words:
            </p>
            <blockquote className="mt-1 border-l-4 border-stone-300 pl-3 whitespace-pre-wrap text-stone-800">
              {packet.nomination.reason}
            </blockquote>
          </>
        ) : (
          <p className="mt-1 text-sm text-stone-700">
            This packet was frozen before nominations were kept in packets. The nomination is on the
            candidate’s profile.
          </p>
        )}
      </section>

      {packet.facts ? (
        <section aria-labelledby="packet-facts" className={sectionClass}>
          <h2 id="packet-facts" className="text-lg font-semibold">
            About this evidence
          </h2>
          <EvidenceFactList facts={packet.facts} />
        </section>
      ) : null}

      <section aria-labelledby="packet-coverage" className={sectionClass}>
        <h2 id="packet-coverage" className="text-lg font-semibold">
          Evidence coverage
        </h2>
        <CoverageTable coverage={packet.coverage} />
      </section>

      <section aria-labelledby="packet-observations" className={sectionClass}>
        <h2 id="packet-observations" className="text-lg font-semibold">
          Observations ({packet.observations.length})
        </h2>
        {packet.observations.length ? (
          <ol className="mt-2 divide-y divide-stone-100">
            {packet.observations.map((o) => (
              <li key={o.id} className="py-3 break-inside-avoid">
                <p className="text-sm text-stone-600">
                  {`${formatDate(o.observed_on)} · ${o.author_name} · ${
                    SIGNAL_LABELS[o.signal] ?? o.signal
                  }${o.assignment_title ? ` · sniff test: ${o.assignment_title}` : ""}`}
                </p>
                {o.dimensions.length ? (
                  <p className="text-xs text-brand-800">
                    {o.dimensions.map((d) => d.name).join(", ")}
                  </p>
                ) : null}
                {o.withdrawn ? (
                  <p className="mt-1 text-sm text-stone-700 italic">
                    Withdrawn since the meeting closed: its text is no longer shown.
                  </p>
                ) : (
                  <Sbi situation={o.situation} behavior={o.behavior} impact={o.impact} />
                )}
              </li>
            ))}
          </ol>
        ) : (
          <p className="mt-2 text-stone-700">No observations yet.</p>
        )}
      </section>

      <section aria-labelledby="packet-flags" className={`${sectionClass} print:break-before-page`}>
        <h2 id="packet-flags" className="text-lg font-semibold">
          Anti-pattern flags ({packet.flags.length})
        </h2>
        {packet.flags.length ? (
          <ol className="mt-2 divide-y divide-stone-100">
            {packet.flags.map((f) => (
              <li key={f.id} className="py-3 break-inside-avoid">
                <p className="font-medium">{f.anti_pattern}</p>
                <p className="text-sm text-stone-600">
                  {`Observed ${formatDate(f.observed_on)} · raised by ${f.raised_by_name} · ${
                    STATUS_LABELS[f.status] ?? f.status
                  } · ${
                    f.discussed_with_candidate_on
                      ? `discussed with them on ${formatDate(f.discussed_with_candidate_on)}`
                      : "not yet discussed with them"
                  }`}
                </p>
                <Sbi situation={f.situation} behavior={f.behavior} impact={f.impact} />
                {f.resolution ? <p className="mt-1 text-sm">Resolution: {f.resolution}</p> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="mt-2 text-stone-700">No flags.</p>
        )}
      </section>

      <section aria-labelledby="packet-sniff-tests" className={sectionClass}>
        <h2 id="packet-sniff-tests" className="text-lg font-semibold">
          Sniff tests ({packet.assignments.length})
        </h2>
        {packet.assignments.length ? (
          <ul className="mt-2 divide-y divide-stone-100">
            {packet.assignments.map((a) => (
              <li key={a.id} className="py-3 break-inside-avoid">
                <p className="font-medium">
                  {a.title} <span className="font-normal text-stone-600">({a.dimension_name})</span>
                </p>
                <p className="text-sm text-stone-600">
                  {STATUS_LABELS[a.status] ?? a.status} · offered {formatDate(a.offered_on)} · due{" "}
                  {formatDate(a.due_on)}
                  {a.closed_on ? ` · closed ${formatDate(a.closed_on)}` : ""}
                </p>
                {a.last_note ? <p className="mt-1 text-sm">{a.last_note}</p> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-stone-700">No sniff tests offered yet.</p>
        )}
      </section>

      <section aria-labelledby="packet-coaching" className={sectionClass}>
        <h2 id="packet-coaching" className="text-lg font-semibold">
          Coaching ({packet.plans.length})
        </h2>
        {packet.plans.length ? (
          <ul className="mt-2 divide-y divide-stone-100">
            {packet.plans.map((p) => (
              <li key={p.id} className="py-3 break-inside-avoid">
                <p className="font-medium">{p.goal}</p>
                <p className="text-sm text-stone-600">
                  {STATUS_LABELS[p.status] ?? p.status} · mentor {p.mentor_name} · started{" "}
                  {formatDate(p.started_on)}
                  {p.target_on ? ` · target ${formatDate(p.target_on)}` : ""} ·{" "}
                  {p.last_checkin_on
                    ? `last check-in ${formatDate(p.last_checkin_on)}`
                    : "no check-in yet"}
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-stone-700">No coaching plans.</p>
        )}
      </section>
    </>
  );
}

/** What the evidence is made of, as facts: who wrote it and how recent it is. Never a verdict, never blocking. */
export function evidenceFactTexts(facts: PacketFacts): string[] {
  const texts: string[] = [];
  if (facts.observers === 0) texts.push("There are no observations in this packet.");
  else if (facts.observers === 1) texts.push("All observations come from one person.");
  else texts.push(`The observations come from ${facts.observers} different people.`);
  if (facts.last_observed_on)
    texts.push(
      `The most recent observation is from ${formatDate(facts.last_observed_on)}${facts.stale ? " (more than 90 days old)" : ""}.`,
    );
  return texts;
}

export function EvidenceFactList({ facts }: { facts: PacketFacts }) {
  return (
    <ul className="mt-1 list-disc pl-5 text-sm text-stone-800">
      {evidenceFactTexts(facts).map((t) => (
        <li key={t}>{t}</li>
      ))}
    </ul>
  );
}

function Sbi({
  situation,
  behavior,
  impact,
}: {
  situation: string;
  behavior: string;
  impact: string;
}) {
  const parts: [string, string][] = [
    ["Situation", situation],
    ["Behaviour", behavior],
    ["Impact", impact],
  ];
  return (
    <dl className="sbi whitespace-pre-wrap text-stone-800">
      {parts
        .filter(([, text]) => text)
        .map(([term, text]) => (
          <div key={term}>
            <dt>{`${term}: `}</dt>
            <dd>{text}</dd>
          </div>
        ))}
    </dl>
  );
}

// ---- Decisions -----------------------------------------------------------------------------------

export interface DecisionEvidence {
  observation_id: string | null;
  flag_id: string | null;
  assignment_id: string | null;
  observed_on: string | null;
  behavior: string | null;
  flag_observed_on: string | null;
  anti_pattern: string | null;
  assignment_title: string | null;
  assignment_status: string | null;
}
export interface DecisionData {
  id: string;
  outcome: string;
  rationale: string;
  dissent: string | null;
  next_steps: string | null;
  revisit_on: string | null;
  decided_at: string;
  superseded_at: string | null;
  amendment_reason: string | null;
  decided_by_name: string;
  evidence: DecisionEvidence[];
}

export function evidenceLabel(e: DecisionEvidence): string {
  if (e.observation_id)
    return `Observation of ${formatDate(e.observed_on)}: ${excerpt(e.behavior, 140)}`;
  if (e.flag_id) return `Flag: ${e.anti_pattern} (observed ${formatDate(e.flag_observed_on)})`;
  return `Sniff test: ${e.assignment_title} (${STATUS_LABELS[e.assignment_status ?? ""] ?? e.assignment_status})`;
}

/** Every decision on an item, the current one first; superseded ones stay visible, marked. */
export function DecisionHistory({ decisions }: { decisions: DecisionData[] }) {
  if (!decisions.length) return null;
  return (
    <ol className="space-y-3">
      {decisions.map((d) => (
        <li
          key={d.id}
          className={`rounded border p-3 break-inside-avoid ${d.superseded_at ? "border-stone-200 bg-stone-50 text-stone-600" : "border-brand-600 bg-white"}`}
        >
          <p className="font-semibold">
            {OUTCOME_LABELS[d.outcome] ?? d.outcome}
            {d.superseded_at ? (
              <span className="ml-2 rounded border border-amber-300 bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-900">
                superseded {formatDate(d.superseded_at)}
              </span>
            ) : (
              <span className="ml-2 rounded border border-brand-600 bg-brand-50 px-1.5 py-0.5 text-xs font-medium text-brand-800">
                current
              </span>
            )}
          </p>
          <p className="text-sm">
            Decided {formatDateTime(d.decided_at)} · recorded by {d.decided_by_name}
          </p>
          <dl className="mt-2 space-y-1 text-sm">
            {d.amendment_reason ? <Fact term="Why amended">{d.amendment_reason}</Fact> : null}
            <Fact term="Rationale">{d.rationale}</Fact>
            <Fact term="Evidence it rests on">
              <ul className="list-disc pl-5">
                {d.evidence.map((e, i) => (
                  <li key={e.observation_id ?? e.flag_id ?? e.assignment_id ?? i}>
                    {evidenceLabel(e)}
                  </li>
                ))}
              </ul>
            </Fact>
            {d.dissent ? <Fact term="Dissent">{d.dissent}</Fact> : null}
            {d.next_steps ? <Fact term="Next steps">{d.next_steps}</Fact> : null}
            {d.revisit_on ? <Fact term="Revisit on">{formatDate(d.revisit_on)}</Fact> : null}
          </dl>
        </li>
      ))}
    </ol>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="font-medium">{term}</dt>
      <dd className="whitespace-pre-wrap">{children}</dd>
    </div>
  );
}

/**
 * The four leanings as radio buttons (a decision's outcome, a pre-read's leaning), with the field's
 * errors below; works without JavaScript.
 */
export function LeaningRadios({
  name,
  legend,
  checked,
  errors,
}: {
  name: string;
  legend: string;
  checked?: string;
  errors?: string[];
}) {
  const errorId = `${name}-error`;
  return (
    <fieldset aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="block text-sm font-medium text-stone-800">{legend}</legend>
      <div className="mt-1 grid gap-1 sm:grid-cols-2">
        {LEANINGS.map((o) => (
          <label key={o} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={name}
              value={o}
              defaultChecked={checked === o}
              className="h-4 w-4 accent-brand-700"
            />
            {OUTCOME_LABELS[o]}
          </label>
        ))}
      </div>
      {errors?.length ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * The fields of a decision (and of an amendment): outcome, rationale, the specific evidence it rests
 * on, dissent, next steps and revisit date. Goes inside a <Form>; works without JavaScript.
 */
export function DecisionFields({
  packet,
  result,
  minRevisit,
}: {
  packet: PacketData;
  result: FormResult;
  minRevisit: string;
}) {
  const { errors } = result;
  const chosen = new Set(result.list("evidence"));
  const outcome = result.value("outcome");
  return (
    <div className="space-y-4">
      <FormError message={result.summary} />
      {packet.facts ? (
        <div className="rounded border border-stone-300 bg-stone-50 p-3">
          <p className="text-sm font-medium text-stone-800">Before deciding, about the evidence:</p>
          <EvidenceFactList facts={packet.facts} />
        </div>
      ) : null}
      <LeaningRadios name="outcome" legend="Outcome" checked={outcome} errors={errors.outcome} />
      <TextArea
        label="Rationale"
        name="rationale"
        rows={4}
        maxLength={10_000}
        hint="Why the group decided this, in words someone can read in a year."
        defaultValue={result.value("rationale")}
        errors={errors.rationale}
      />
      <fieldset aria-describedby={errors.evidence?.length ? "evidence-error" : undefined}>
        <legend className="block text-sm font-medium text-stone-800">Evidence it rests on</legend>
        <p className="text-sm text-stone-600">
          Pick the specific observations, flags or sniff tests from the packet (at least one).
        </p>
        {errors.evidence?.length ? (
          <p id="evidence-error" className="mt-1 text-sm text-red-700">
            {errors.evidence.join(" ")}
          </p>
        ) : null}
        <div className="mt-2 max-h-80 space-y-1 overflow-y-auto rounded border border-stone-200 p-2">
          {packet.observations
            .filter((o) => !o.withdrawn)
            .map((o) => (
              <EvidenceBox
                key={o.id}
                value={`observation:${o.id}`}
                checked={chosen.has(`observation:${o.id}`)}
                label={`Observation of ${formatDate(o.observed_on)}: ${excerpt(o.behavior, 140)}`}
              />
            ))}
          {packet.flags.map((f) => (
            <EvidenceBox
              key={f.id}
              value={`flag:${f.id}`}
              checked={chosen.has(`flag:${f.id}`)}
              label={`Flag: ${f.anti_pattern} (observed ${formatDate(f.observed_on)})`}
            />
          ))}
          {packet.assignments.map((a) => (
            <EvidenceBox
              key={a.id}
              value={`assignment:${a.id}`}
              checked={chosen.has(`assignment:${a.id}`)}
              label={`Sniff test: ${a.title} (${STATUS_LABELS[a.status] ?? a.status})`}
            />
          ))}
          {packet.observations.length + packet.flags.length + packet.assignments.length === 0 ? (
            <p className="text-sm text-stone-700">
              There is no evidence to cite yet: the fitting outcome is “insufficient evidence” once
              some exists.
            </p>
          ) : null}
        </div>
      </fieldset>
      <TextArea
        label="Dissent (optional)"
        name="dissent"
        rows={2}
        maxLength={10_000}
        hint="Who disagreed and why, by name when they want it recorded."
        defaultValue={result.value("dissent")}
        errors={errors.dissent}
      />
      <TextArea
        label="Next steps (optional)"
        name="nextSteps"
        rows={2}
        maxLength={10_000}
        defaultValue={result.value("nextSteps")}
        errors={errors.nextSteps}
      />
      <TextField
        label="Revisit on"
        name="revisitOn"
        type="date"
        min={minRevisit}
        hint="Required for “not yet”."
        defaultValue={result.value("revisitOn")}
        errors={errors.revisitOn}
      />
    </div>
  );
}

function EvidenceBox({
  value,
  label,
  checked,
}: {
  value: string;
  label: string;
  checked: boolean;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        name="evidence"
        value={value}
        defaultChecked={checked}
        className="mt-0.5 h-4 w-4 shrink-0 accent-brand-700"
      />
      <span>{label}</span>
    </label>
  );
}

// ---- Pre-reads -----------------------------------------------------------------------------------

export interface PrereadData {
  id: string;
  user_id: string;
  user_name: string;
  view: string;
  leaning: string;
}

export function PrereadList({ prereads, viewerId }: { prereads: PrereadData[]; viewerId: string }) {
  return (
    <ul className="space-y-2">
      {prereads.map((p) => (
        <li
          key={p.id}
          className="rounded border border-stone-200 bg-white p-3 text-sm break-inside-avoid"
        >
          <p className="font-medium">
            {p.user_id === viewerId ? "You" : p.user_name}: {OUTCOME_LABELS[p.leaning] ?? p.leaning}
          </p>
          <p className="mt-1 whitespace-pre-wrap">{p.view}</p>
        </li>
      ))}
    </ul>
  );
}

// ---- Meeting mode ----------------------------------------------------------------------------------

function minutesText(seconds: number): string {
  if (seconds <= 0) return "Time is up";
  const minutes = Math.ceil(seconds / 60);
  return `About ${minutes} ${minutes === 1 ? "minute" : "minutes"} left`;
}

function clockText(seconds: number): string {
  if (seconds <= 0) return "Time is up";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")} left`;
}

/**
 * The equal timebox per candidate. The server renders the minutes left; with JavaScript the text
 * counts down every second from that figure (measured from the server's clock, not the browser's).
 */
export function Countdown({
  remainingSeconds,
  timeboxMinutes,
}: {
  remainingSeconds: number;
  timeboxMinutes: number;
}) {
  const [left, setLeft] = useState<number | null>(null);
  useEffect(() => {
    const started = Date.now();
    const tick = () =>
      setLeft(Math.max(0, Math.round(remainingSeconds - (Date.now() - started) / 1000)));
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [remainingSeconds]);
  const over = (left ?? remainingSeconds) <= 0;
  return (
    <p
      role="timer"
      aria-live="off"
      className={`rounded px-2 py-1 text-sm font-medium ${over ? "bg-amber-100 text-amber-900" : "bg-stone-100 text-stone-800"}`}
    >
      Timebox {timeboxMinutes} min:{" "}
      {left === null ? minutesText(remainingSeconds) : clockText(left)}
    </p>
  );
}

/** Whether any form on the page holds input that differs from what the server rendered into it. */
function formsHoldInput(): boolean {
  for (const form of Array.from(document.forms)) {
    for (const el of Array.from(form.elements)) {
      if (el instanceof HTMLInputElement) {
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked !== el.defaultChecked) return true;
        } else if (el.type !== "hidden" && el.value !== el.defaultValue) return true;
      } else if (el instanceof HTMLTextAreaElement) {
        if (el.value !== el.defaultValue) return true;
      } else if (el instanceof HTMLSelectElement) {
        if (Array.from(el.options).some((o) => o.selected !== o.defaultSelected)) return true;
      }
    }
  }
  return false;
}

/**
 * A plain refresh link for everyone, and with JavaScript an opt-out 10-second update while the meeting
 * runs. The update pauses while a form on the page holds unsaved input or `hold` is set (the page shows
 * a refusal): a refresh would wipe the message, or leave typed text behind a page that looks saved.
 */
export function LiveRefresh({ live, hold = false }: { live: boolean; hold?: boolean }) {
  const location = useLocation();
  const revalidator = useRevalidator();
  const [hydrated, setHydrated] = useState(false);
  const [follow, setFollow] = useState(true);
  const [editing, setEditing] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    const check = () => setEditing(formsHoldInput());
    const afterReset = () => window.setTimeout(check);
    check();
    document.addEventListener("input", check);
    document.addEventListener("change", check);
    document.addEventListener("reset", afterReset);
    return () => {
      document.removeEventListener("input", check);
      document.removeEventListener("change", check);
      document.removeEventListener("reset", afterReset);
    };
  }, [location.key, revalidator.state]);
  const paused = hold || editing;
  useEffect(() => {
    if (!live || !follow || paused) return;
    const timer = window.setInterval(() => {
      if (
        document.visibilityState === "visible" &&
        revalidator.state === "idle" &&
        !formsHoldInput()
      )
        revalidator.revalidate();
    }, 10_000);
    return () => window.clearInterval(timer);
  }, [live, follow, paused, revalidator]);
  return (
    <div className="no-print flex flex-wrap items-center gap-4 text-sm">
      <Link
        to={`${location.pathname}${location.search}`}
        className="text-brand-700 underline"
        preventScrollReset
      >
        Refresh
      </Link>
      {hydrated && live ? (
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
            className="h-4 w-4 accent-brand-700"
          />
          Update every 10 seconds
        </label>
      ) : null}
      {hydrated && live && follow && paused ? (
        <p aria-live="polite" className="rounded bg-amber-50 px-2 py-0.5 text-amber-900">
          {hold
            ? "Live updates paused while a message about your last submission is shown."
            : "Live updates paused while you edit: your unsaved input stays."}{" "}
          Use Refresh to see the latest by hand; anything not saved is then lost.
        </p>
      ) : null}
    </div>
  );
}

/** The heading of a page under a meeting: the way back to it, the title and what `children` say, and Print. */
export function MeetingPageHeader({
  meeting,
  title,
  children,
}: {
  meeting: { id: string; title: string };
  title: string;
  children: ReactNode;
}) {
  return (
    <>
      <p className="no-print text-sm">
        <Link to={`/calibrations/${meeting.id}`} className="text-brand-700 underline">
          ← {meeting.title}
        </Link>
      </p>
      <div className="mt-1 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">{title}</h1>
          {children}
        </div>
        <PrintButton />
      </div>
    </>
  );
}

/** Opens the browser's print dialog; the print stylesheet hides navigation and forms. */
export function PrintButton() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated) return null;
  return (
    <button
      type="button"
      onClick={() => window.print()}
      className="no-print inline-flex items-center rounded border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100"
    >
      Print
    </button>
  );
}
