import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import {
  denyAsForbidden,
  isFacilitator,
  requireCandidateAccess,
  requireRole,
} from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { audit } from "../models/audit.server";
import {
  addAgendaItem,
  ARCHIVED_MESSAGE,
  listUpcomingMeetings,
} from "../models/calibration-agenda.server";
import { getVisibleMeeting, MeetingRefusal } from "../models/calibration.server";
import { formatDate } from "../utils/dates";
import { id } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Add ${data?.candidate.name ?? "a candidate"} to a calibration · Noseworthy` },
];

/** The candidate, if on the board (archived people are not put on an agenda). */
async function activeCandidate(db: Parameters<typeof getVisibleMeeting>[0], candidateId: string) {
  return db
    .selectFrom("candidates")
    .select(["id", "name", "team", "archived_at"])
    .where("id", "=", candidateId)
    .executeTakeFirst();
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const access = await requireCandidateAccess(context, viewer, params.candidateId);
  const [candidate, meetings] = await Promise.all([
    activeCandidate(context.db, access.id),
    listUpcomingMeetings(context.db, { candidateId: access.id, facilitatorId: viewer.id }),
  ]);
  if (!candidate || candidate.archived_at) throw notFound();
  return json({
    candidate: { id: candidate.id, name: candidate.name, team: candidate.team },
    meetings: meetings.map((m) => ({
      id: m.id,
      title: m.title,
      scheduled_for: new Date(m.scheduled_for).toISOString(),
      facilitator_name: m.facilitator_name,
      on_agenda: m.on_agenda,
      items: m.items,
    })),
  });
}

const AddSchema = z.object({
  intent: z.literal("add"),
  meetingId: id("Choose a meeting from the list."),
});

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const access = await requireCandidateAccess(context, viewer, params.candidateId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(AddSchema, formData);
  if (!parsed.ok) return parsed.response;
  const candidate = await activeCandidate(context.db, access.id);
  if (!candidate || candidate.archived_at) return invalid(values, {}, ARCHIVED_MESSAGE);
  const meeting = await getVisibleMeeting(context.db, {
    meetingId: parsed.data.meetingId,
    viewer,
  });
  if (!meeting) return invalid(values, { meetingId: ["Choose a meeting from the list."] });
  // Only the facilitator changes a meeting's agenda, as on the meeting page (audited 403).
  if (!isFacilitator(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.item.add",
      "calibration_meeting",
      meeting.id,
    );
  try {
    const result = await context.db.transaction().execute(async (trx) => {
      const added = await addAgendaItem(trx, { meetingId: meeting.id, candidateId: candidate.id });
      if (added.added) {
        await audit(trx, {
          actorId: viewer.id,
          action: "calibration.item.add",
          entity: "calibration_meeting",
          entityId: meeting.id,
          requestId: context.requestId,
          details: { candidateId: candidate.id, itemId: added.itemId, via: "pipeline" },
        });
      }
      return added;
    });
    if (!result.added) {
      return invalid(
        values,
        {},
        `${candidate.name} is already on the agenda of “${meeting.title}”. Nothing was changed.`,
        409,
      );
    }
  } catch (error) {
    if (error instanceof MeetingRefusal) return invalid(values, {}, error.message, error.status);
    throw error;
  }
  return redirectWithFlash(
    `/pipeline/${candidate.id}/add-to-calibration`,
    `Added ${candidate.name} to “${meeting.title}” (${formatDate(meeting.scheduled_for)}).`,
  );
}

export default function AddToCalibration() {
  const { candidate, meetings } = useLoaderData<typeof loader>();
  const result = useFormResult("add");
  const navigation = useNavigation();
  const busyWith = navigation.state === "submitting" ? navigation.formData?.get("meetingId") : null;
  return (
    <div className="max-w-2xl">
      <p className="text-sm">
        <Link to={`/pipeline#card-${candidate.id}`} className="text-brand-700 underline">
          Back to the pipeline
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">Add {candidate.name} to a calibration</h1>
      <p className="mt-1 text-stone-600">
        Meetings you facilitate that have not started yet. {candidate.name} goes last on the agenda
        you choose; once a meeting has started, its agenda stays as it is.
      </p>
      <FormError message={result.formError} />
      {result.errors.meetingId ? (
        <p className="mt-2 text-sm text-red-800">{result.errors.meetingId.join(" ")}</p>
      ) : null}
      {meetings.length ? (
        <ul className="mt-4 space-y-3">
          {meetings.map((m) => (
            <li
              key={m.id}
              className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-stone-200 bg-white p-3"
            >
              <div>
                <Link
                  to={`/calibrations/${m.id}`}
                  className="font-semibold text-brand-700 underline"
                >
                  {m.title}
                </Link>
                <p className="text-sm text-stone-600">
                  {`${formatDate(m.scheduled_for)} · facilitated by ${m.facilitator_name} · ${m.items} ${m.items === 1 ? "person" : "people"} on the agenda`}
                </p>
              </div>
              {m.on_agenda ? (
                <p className="text-sm font-medium">Already on this agenda</p>
              ) : (
                <Form method="post" aria-label={`Add ${candidate.name} to ${m.title}`}>
                  <input type="hidden" name="intent" value="add" />
                  <input type="hidden" name="meetingId" value={m.id} />
                  <Button variant="secondary" disabled={busyWith === m.id}>
                    {busyWith === m.id ? "Adding…" : "Add to this meeting"}
                  </Button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-4 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          You facilitate no meeting that has not started.{" "}
          <Link to="/calibrations/new" className="text-brand-700 underline">
            Plan a calibration meeting
          </Link>{" "}
          and choose {candidate.name} there.
        </p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
