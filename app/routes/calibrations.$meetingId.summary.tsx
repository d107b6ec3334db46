import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { denyAsNotFound, meetingOpensPackets } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { DecisionHistory, formatDateTime, MeetingPageHeader } from "../components/calibration-ui";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { getAgenda, getVisibleMeeting } from "../models/calibration.server";
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
  return json({
    meeting: {
      id: meeting.id,
      title: meeting.title,
      status: meeting.status,
      scheduled_for: meeting.scheduled_for,
      closed_at: meeting.closed_at,
      facilitator: meeting.facilitator_name,
      attendees: meeting.attendees.map((a) => a.name),
    },
    // Pre-reads are working notes for the room; the summary records what was decided and why.
    items: agenda.map((i) => ({
      id: i.id,
      position: i.position,
      candidate_name: i.candidate_name,
      decisions: i.decisions,
    })),
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

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
