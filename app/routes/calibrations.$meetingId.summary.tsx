import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { denyAsNotFound, meetingOpensPackets } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { DecisionHistory, formatDateTime, MeetingPageHeader } from "../components/calibration-ui";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { getAgenda, getVisibleMeeting } from "../models/calibration.server";
import { discussedSeconds, getRounds, NO_ROUNDS } from "../models/calibration-rounds.server";
import {
  AdditionList,
  DiscussionTime,
  RevealNote,
  RevisitNote,
} from "../components/calibration-rounds";
import { OUTCOME_LABELS } from "../utils/labels";
import { MEETING_STATUS_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Summary: ${data?.meeting.title ?? "Calibration"} · Noseworthy` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const meeting = await getVisibleMeeting(context.db, { meetingId: params.meetingId, viewer });
  if (!meeting)
    throw await denyAsNotFound(context, viewer, "calibration_meeting", params.meetingId);
  const fullAgenda = await getAgenda(context.db, { meetingId: meeting.id, viewer });
  // Once closed, the meeting no longer shows an attendee the candidates outside their circle.
  const agenda = meetingOpensPackets(viewer, meeting)
    ? fullAgenda
    : fullAgenda.filter((i) => i.can_view_candidate);
  const rounds = await getRounds(context.db, {
    meetingId: meeting.id,
    viewer,
    itemIds: agenda.map((i) => i.id),
  });
  const now = context.now();
  return json({
    meeting: {
      id: meeting.id,
      title: meeting.title,
      status: meeting.status,
      scheduled_for: meeting.scheduled_for,
      closed_at: meeting.closed_at,
      facilitator: meeting.facilitator_name,
      attendees: meeting.attendees.map((a) => a.name),
      timebox_minutes: meeting.timebox_minutes,
    },
    // Both rounds side by side, per attendee: the pre-read (only once revealed; getAgenda leaves the
    // others' out before) and the final leaning (only once all are in or decided; getRounds).
    items: agenda.map((i) => {
      const r = rounds.get(i.id) ?? NO_ROUNDS;
      const rows = meeting.attendees.map((a) => {
        const pre = i.prereads.find((p) => p.user_id === a.id);
        const fin = r.finalLeanings.find((f) => f.user_id === a.id);
        return {
          id: a.id,
          name: a.name,
          preread: pre ? { leaning: pre.leaning, view: pre.view } : null,
          wrotePreread: i.prereads_by.some((p) => p.user_id === a.id),
          final: fin ? { leaning: fin.leaning, note: fin.note } : null,
          recordedFinal: r.finalLeaningsBy.includes(a.id),
        };
      });
      return {
        id: i.id,
        position: i.position,
        candidate_name: i.candidate_name,
        decisions: i.decisions,
        revealed_at: i.revealed_at,
        revealed_early_by_name: i.revealed_early_by_name,
        decided_early_by_name: i.decided_early_by_name,
        prereadCount: i.prereads_by.length,
        discussed: discussedSeconds(i, now),
        running: Boolean(i.discussion_started_at),
        rounds: rows,
        additions: r.additions,
        revisits: r.revisits,
      };
    }),
    hiddenItems: fullAgenda.length - agenda.length,
  });
}

export default function Summary() {
  const { meeting, items, hiddenItems } = useLoaderData<typeof loader>();
  return (
    <div>
      <MeetingPageHeader meeting={meeting} title={`Summary: ${meeting.title}`}>
        <p className="text-stone-600">
          {formatDateTime(meeting.scheduled_for)} · {MEETING_STATUS_LABELS[meeting.status]}
          {meeting.closed_at ? ` on ${formatDateTime(meeting.closed_at)}` : ""} · facilitated by{" "}
          {meeting.facilitator}
        </p>
        <p className="text-sm text-stone-600">Attended by {meeting.attendees.join(", ")}</p>
      </MeetingPageHeader>
      {items.length ? (
        <ol className="mt-6 space-y-6">
          {items.map((item, index) => (
            <li
              key={item.id}
              className={`rounded-lg border border-stone-200 bg-white p-4 break-inside-avoid print:border-0 print:p-0 ${index > 0 ? "print:break-before-page" : ""}`}
            >
              <h2 className="text-lg font-semibold">
                {item.position}. {item.candidate_name}
              </h2>
              <p className="mt-1 text-sm text-stone-700">
                Position {item.position} on the agenda ·{" "}
                <DiscussionTime
                  seconds={item.discussed}
                  running={item.running}
                  timeboxMinutes={meeting.timebox_minutes}
                />
              </p>
              <RevisitNote revisits={item.revisits} />
              <h3 className="mt-3 font-semibold">Pre-read and final leaning, side by side</h3>
              <p className="text-sm text-stone-600">
                <RevealNote
                  revealedAt={item.revealed_at}
                  revealedEarlyByName={item.revealed_early_by_name}
                  recorded={item.prereadCount}
                  attendees={item.rounds.length}
                />
              </p>
              <table className="mt-2 w-full text-left text-sm">
                <caption className="sr-only">
                  Each attendee’s pre-read and final leaning on {item.candidate_name}
                </caption>
                <thead>
                  <tr className="border-b border-stone-200">
                    <th scope="col" className="py-1 pr-3">
                      Attendee
                    </th>
                    <th scope="col" className="py-1 pr-3">
                      Pre-read (before discussion)
                    </th>
                    <th scope="col" className="py-1">
                      Final leaning (after discussion)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {item.rounds.map((r) => (
                    <tr key={r.id} className="border-b border-stone-100 align-top">
                      <th scope="row" className="py-1 pr-3 font-medium">
                        {r.name}
                      </th>
                      <td className="py-1 pr-3">
                        {r.preread ? (
                          <>
                            <span className="font-medium">{OUTCOME_LABELS[r.preread.leaning]}</span>
                            <span className="block whitespace-pre-wrap">{r.preread.view}</span>
                          </>
                        ) : r.wrotePreread ? (
                          "Sealed"
                        ) : (
                          "None written"
                        )}
                      </td>
                      <td className="py-1">
                        {r.final ? (
                          <>
                            <span className="font-medium">{OUTCOME_LABELS[r.final.leaning]}</span>
                            {r.final.note ? (
                              <span className="block whitespace-pre-wrap">{r.final.note}</span>
                            ) : null}
                          </>
                        ) : r.recordedFinal ? (
                          "Sealed"
                        ) : (
                          "None recorded"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {item.decided_early_by_name ? (
                <p className="mt-2 text-sm text-amber-900">
                  {item.decided_early_by_name} recorded the decision before every final leaning was
                  in.
                </p>
              ) : null}
              {item.additions.length ? (
                <>
                  <h3 className="mt-3 font-semibold">Evidence added by attendees</h3>
                  <div className="mt-1">
                    <AdditionList additions={item.additions} />
                  </div>
                </>
              ) : null}
              <h3 className="mt-3 font-semibold">Decision</h3>
              <RoleLine decisions={item.decisions} />
              {item.decisions.length ? (
                <div className="mt-2">
                  <DecisionHistory decisions={item.decisions} />
                </div>
              ) : (
                <p className="mt-1 text-stone-700">No decision was recorded.</p>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p className="mt-6 text-stone-700">
          {hiddenItems
            ? "No candidates in your circle were on this agenda."
            : "This meeting has no candidates on its agenda."}
        </p>
      )}
      {hiddenItems ? (
        <p className="no-print mt-4 text-sm text-stone-600">
          {hiddenItems === 1 ? "One other candidate was" : `${hiddenItems} other candidates were`}{" "}
          on this agenda; the closed meeting shows you only the candidates in your circle.
        </p>
      ) : null}
    </div>
  );
}

/** The named role or stretch the current decision is about, if any. */
function RoleLine({
  decisions,
}: {
  decisions: { superseded_at: string | null; readiness_role: string | null }[];
}) {
  const role = decisions.find((d) => !d.superseded_at)?.readiness_role;
  return role ? <p className="text-sm">About readiness for: {role}</p> : null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
