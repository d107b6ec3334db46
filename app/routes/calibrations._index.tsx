import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { isLeader } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { listMeetings } from "../models/calibration.server";
import { formatDateTime } from "../components/calibration-ui";
import { MEETING_STATUS_LABELS } from "../utils/labels";

export const meta: MetaFunction = () => [{ title: "Calibrations · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  // Leaders see every meeting; anyone else only the meetings they attend (an admin-only account: none).
  const meetings = await listMeetings(context.db, { viewer });
  return json({
    upcoming: meetings
      .filter((m) => m.status === "planned" || m.status === "in_progress")
      .reverse(),
    // A cancelled meeting is not upcoming: it is listed with the past ones, marked "Cancelled".
    past: meetings.filter((m) => m.status === "closed" || m.status === "cancelled"),
    canCreate: isLeader(viewer),
  });
}

type Meeting = ReturnType<typeof useLoaderData<typeof loader>>["past"][number];

export default function Calibrations() {
  const { upcoming, past, canCreate } = useLoaderData<typeof loader>();
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Calibration meetings</h1>
        {canCreate ? (
          <Link
            to="/calibrations/new"
            className="rounded bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
          >
            Plan a meeting
          </Link>
        ) : null}
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        Where a group decides, from the evidence, who is ready to lead. Each attendee reads the
        packets and records an independent view before the meeting.
      </p>
      <MeetingList
        title="Upcoming and in progress"
        meetings={upcoming}
        empty={
          canCreate
            ? "Nothing planned. Plan a meeting and pick the candidates to discuss."
            : "You are not invited to any upcoming meeting."
        }
      />
      <MeetingList
        title="Past"
        meetings={past}
        empty="No meeting has been closed yet. Once a meeting is closed, its summary of decisions is kept here."
      />
    </div>
  );
}

function MeetingList({
  title,
  meetings,
  empty,
}: {
  title: string;
  meetings: Meeting[];
  empty: string;
}) {
  const id = title.toLowerCase().replace(/\W+/g, "-");
  return (
    <section aria-labelledby={id} className="mt-6">
      <h2 id={id} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-stone-600">({meetings.length})</span>
      </h2>
      {meetings.length ? (
        <ul className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
          {meetings.map((m) => (
            <li
              key={m.id}
              className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3"
            >
              <div>
                <Link to={`/calibrations/${m.id}`} className="font-medium text-brand-700 underline">
                  {m.title}
                </Link>
                <p className="text-sm text-stone-600">
                  {formatDateTime(m.scheduled_for)} · facilitated by {m.facilitator_name} ·{" "}
                  {m.items} {Number(m.items) === 1 ? "candidate" : "candidates"}
                </p>
              </div>
              <span className="rounded border border-stone-300 bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-700">
                {MEETING_STATUS_LABELS[m.status]}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 rounded-lg border border-dashed border-stone-300 bg-white p-4 text-stone-700">
          {empty}
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
