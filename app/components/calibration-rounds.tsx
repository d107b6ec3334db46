import { Form } from "@remix-run/react";
import type { FormResult } from "../utils/form-result";
import { OUTCOME_LABELS } from "../utils/labels";
import { LeaningRadios } from "./calibration-ui";
import { Button, FormError, TextArea } from "./ui/forms";

/** Whole minutes, rounded, for the measured discussion time ("under a minute" below 30 s). */
export function minutesOf(seconds: number): string {
  if (seconds < 30) return seconds === 0 ? "not discussed" : "under a minute";
  const minutes = Math.round(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

/** The measured discussion time beside the timebox, the same text for everyone. */
export function DiscussionTime({
  seconds,
  running,
  timeboxMinutes,
}: {
  seconds: number;
  running: boolean;
  timeboxMinutes: number | null;
}) {
  const over = timeboxMinutes !== null && seconds > timeboxMinutes * 60;
  return (
    <span className={over ? "font-medium text-amber-900" : undefined}>
      Discussed: {minutesOf(seconds)}
      {running ? " (timer running)" : ""}
      {timeboxMinutes ? ` · timebox ${timeboxMinutes} minutes${over ? " (over)" : ""}` : ""}
    </span>
  );
}

/** How the pre-reads were revealed, or that they are still sealed. */
export function RevealNote({
  revealedAt,
  revealedEarlyByName,
  recorded,
  attendees,
}: {
  revealedAt: string | null;
  revealedEarlyByName: string | null;
  recorded: number;
  attendees: number;
}) {
  if (!revealedAt)
    return (
      <>
        Sealed: each pre-read stays with its author until every attendee has written one, or the
        facilitator opens this candidate. {recorded} of {attendees} recorded so far.
      </>
    );
  if (revealedEarlyByName)
    return (
      <>
        Revealed early: {revealedEarlyByName} opened this candidate before every attendee had
        written a pre-read ({recorded} of {attendees}). The pre-reads are locked.
      </>
    );
  return <>Revealed together once every attendee had written one. The pre-reads are locked.</>;
}

export interface FinalLeaningData {
  id: string;
  user_id: string;
  user_name: string;
  leaning: string;
  note: string | null;
  version: number;
}

export function FinalLeaningList({
  leanings,
  viewerId,
}: {
  leanings: FinalLeaningData[];
  viewerId: string;
}) {
  return (
    <ul className="space-y-2">
      {leanings.map((l) => (
        <li
          key={l.id}
          className="rounded border border-stone-200 bg-white p-3 text-sm break-inside-avoid"
        >
          <p className="font-medium">
            {l.user_id === viewerId ? "You" : l.user_name}: {OUTCOME_LABELS[l.leaning] ?? l.leaning}
          </p>
          {l.note ? <p className="mt-1 whitespace-pre-wrap">{l.note}</p> : null}
        </li>
      ))}
    </ul>
  );
}

/** The attendee's final leaning, after the discussion (posted with intent "final"). */
export function FinalLeaningForm({
  itemId,
  own,
  result,
}: {
  itemId: string;
  own?: FinalLeaningData;
  result: FormResult;
}) {
  return (
    <Form method="post" className="no-print mt-3 space-y-3" noValidate key={own?.version ?? 0}>
      <input type="hidden" name="intent" value="final" />
      <input type="hidden" name="itemId" value={itemId} />
      <input type="hidden" name="version" value={own?.version ?? ""} />
      <FormError message={result.formError} />
      <LeaningRadios
        name="leaning"
        legend={
          own ? "Your final leaning (you can change it until the decision)" : "Your final leaning"
        }
        checked={result.value("leaning", own?.leaning)}
        errors={result.errors.leaning}
      />
      <TextArea
        label="What changed your mind, if anything (optional)"
        name="note"
        rows={2}
        maxLength={2_000}
        defaultValue={result.value("note", own?.note ?? "")}
        errors={result.errors.note}
      />
      <Button variant="secondary">{own ? "Update final leaning" : "Record final leaning"}</Button>
    </Form>
  );
}

export interface AdditionData {
  id: string;
  observation_id: string;
  added_by: string;
  added_by_name: string;
  observed_on: string;
  situation: string;
  behavior: string;
  impact: string;
  withdrawn: boolean;
}

/** The evidence attendees added in the unique-evidence round, and who added what. */
export function AdditionList({ additions }: { additions: AdditionData[] }) {
  return (
    <ul className="space-y-2">
      {additions.map((a) => (
        <li
          key={a.id}
          className="rounded border border-stone-200 bg-white p-3 text-sm break-inside-avoid"
        >
          <p className="font-medium">
            Added by {a.added_by_name} · seen on {a.observed_on}
          </p>
          {a.withdrawn ? (
            <p className="mt-1 text-stone-600">
              Withdrawn by its author since; its text is left out.
            </p>
          ) : (
            <dl className="mt-1 space-y-1">
              {a.situation ? (
                <div>
                  <dt className="inline font-medium">Situation: </dt>
                  <dd className="inline whitespace-pre-wrap">{a.situation}</dd>
                </div>
              ) : null}
              <div>
                <dt className="inline font-medium">Behaviour: </dt>
                <dd className="inline whitespace-pre-wrap">{a.behavior}</dd>
              </div>
              {a.impact ? (
                <div>
                  <dt className="inline font-medium">Impact: </dt>
                  <dd className="inline whitespace-pre-wrap">{a.impact}</dd>
                </div>
              ) : null}
            </dl>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Whether an item was revisited at the end of the meeting, and whether its decision changed. */
export function RevisitNote({
  revisits,
}: {
  revisits: {
    outcome_before: string | null;
    outcome_now: string | null;
    changed: boolean;
    closed_at: string | null;
  }[];
}) {
  if (!revisits.length) return null;
  const r = revisits[revisits.length - 1];
  const before = r.outcome_before ? OUTCOME_LABELS[r.outcome_before] : "no decision";
  const now = r.outcome_now ? OUTCOME_LABELS[r.outcome_now] : "no decision";
  return (
    <p className="text-sm">
      <span className="font-medium">Revisited at the end of the meeting</span>
      {r.closed_at === null ? " (being revisited now)" : ""}:{" "}
      {r.changed ? `the decision changed from ${before} to ${now}.` : `the decision stayed ${now}.`}
    </p>
  );
}
