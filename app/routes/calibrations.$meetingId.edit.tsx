/**
 * Moving or cancelling a planned calibration meeting: its facilitator, or a leader. The date and time
 * are typed in the editor's own time zone (their settings) and stored as an instant. Each change is
 * made at the version shown (409 when stale), audited, and enqueues the calendar update or
 * cancellation for the attendees in the same transaction.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { denyAsForbidden, denyAsNotFound } from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import { queueMeetingInvitations } from "../calendar/invitations.server";
import { formatDateTime } from "../components/calibration-ui";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { ConfirmButton } from "../components/ui/confirm";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { getVisibleMeeting } from "../models/calibration.server";
import {
  cancelMeeting,
  canManageMeeting,
  moveMeeting,
  NOT_PLANNED,
  type ScheduleChange,
  timeZoneOf,
} from "../models/meeting-schedule.server";
import { dateTime, version } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { formatInZone, instantToLocal, localToInstant } from "../utils/time-zones";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Change ${data?.meeting.title ?? "the meeting"} · Noseworthy` },
];

async function requireManagedMeeting(
  context: AppContext,
  viewer: SessionUser,
  meetingId: string | undefined,
) {
  const meeting = await getVisibleMeeting(context.db, { meetingId, viewer });
  if (!meeting) throw await denyAsNotFound(context, viewer, "calibration_meeting", meetingId);
  if (!canManageMeeting(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.edit",
      "calibration_meeting",
      meeting.id,
    );
  return meeting;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const meeting = await requireManagedMeeting(context, viewer, params.meetingId);
  const timeZone = await timeZoneOf(context.db, viewer.id);
  return json({
    meeting: {
      id: meeting.id,
      title: meeting.title,
      status: meeting.status,
      version: meeting.version,
      scheduledFor: meeting.scheduled_for,
      scheduledLocal: instantToLocal(meeting.scheduled_for, timeZone),
      scheduledText: formatInZone(meeting.scheduled_for, timeZone),
      timeboxMinutes: meeting.timebox_minutes,
    },
    timeZone,
    notPlanned: meeting.status === "planned" ? null : NOT_PLANNED[meeting.status],
  });
}

const TimeboxSchema = z.preprocess(
  (v) => (v === "" || v === undefined ? undefined : v),
  z.coerce
    .number({ error: "Enter a number of minutes." })
    .int("Enter whole minutes.")
    .min(1, "Use 1 to 120 minutes.")
    .max(120, "Use 1 to 120 minutes.")
    .optional(),
);
const EditSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("move"),
      scheduledFor: dateTime("the new date and time"),
      timeboxMinutes: TimeboxSchema,
      version,
    }),
    z.object({ intent: z.literal("cancel"), version }),
  ],
  { error: "Unknown action." },
);

const STALE =
  "Someone changed this meeting since you opened this page, so nothing was saved. Reload to see it as it is now.";

function refused(
  change: Exclude<ScheduleChange, { ok: true }>,
  values: Record<string, string | string[]>,
) {
  return invalid(values, {}, change.reason === "stale" ? STALE : NOT_PLANNED[change.status], 409);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const meeting = await requireManagedMeeting(context, viewer, params.meetingId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(EditSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  if (meeting.status !== "planned") return invalid(values, {}, NOT_PLANNED[meeting.status], 409);
  const now = context.now();
  const here = `/calibrations/${meeting.id}`;
  const base = {
    actorId: viewer.id,
    entity: "calibration_meeting",
    entityId: meeting.id,
    requestId: context.requestId,
  };
  // The change, its audit row (details, then the version it made) and the attendees' invitations, in one transaction.
  const changeMeeting = (
    method: "REQUEST" | "CANCEL",
    action: string,
    details: Record<string, unknown>,
    apply: (trx: Parameters<typeof cancelMeeting>[0]) => Promise<ScheduleChange>,
  ) =>
    context.db.transaction().execute(async (trx) => {
      const done = await apply(trx);
      if (done.ok) {
        await audit(trx, { ...base, action, details: { ...details, toVersion: done.version } });
        await queueMeetingInvitations(trx, {
          meetingId: meeting.id,
          version: done.version,
          method,
          runAt: now,
        });
      }
      return done;
    });

  if (input.intent === "cancel") {
    const change = await changeMeeting(
      "CANCEL",
      "calibration.cancel",
      { fromVersion: input.version },
      (trx) => cancelMeeting(trx, { meetingId: meeting.id, version: input.version, now }),
    );
    return change.ok ? redirectWithFlash(here, "Meeting cancelled.") : refused(change, values);
  }

  const timeZone = await timeZoneOf(context.db, viewer.id);
  const scheduledFor = localToInstant(input.scheduledFor, timeZone);
  if (scheduledFor.getTime() <= now.getTime())
    return invalid(values, { scheduledFor: ["Choose a date and time in the future."] });
  const timeboxMinutes = input.timeboxMinutes ?? null;
  if (
    input.version === meeting.version &&
    scheduledFor.getTime() === new Date(meeting.scheduled_for).getTime() &&
    timeboxMinutes === meeting.timebox_minutes
  )
    return redirectWithFlash(here, "Nothing changed: the meeting keeps its date and time.");
  const change = await changeMeeting(
    "REQUEST",
    "calibration.move",
    { fields: ["scheduled_for", "timebox_minutes"], fromVersion: input.version },
    (trx) =>
      moveMeeting(trx, {
        meetingId: meeting.id,
        version: input.version,
        scheduledFor,
        timeboxMinutes,
      }),
  );
  return change.ok ? redirectWithFlash(here, "Meeting moved.") : refused(change, values);
}

export default function EditMeeting() {
  const { meeting, timeZone, notPlanned } = useLoaderData<typeof loader>();
  const move = useFormResult("move");
  const cancel = useFormResult("cancel");
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const back = `/calibrations/${meeting.id}`;

  return (
    <div className="max-w-2xl">
      <p className="text-sm">
        <Link to={back} className="text-brand-700 underline">
          ← {meeting.title}
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Move or cancel the meeting</h1>
      <p className="mt-1 text-stone-600">
        Now: {meeting.scheduledText}
        {meeting.scheduledText.endsWith("(UTC)")
          ? ""
          : ` (${formatDateTime(meeting.scheduledFor)})`}
        .{meeting.timeboxMinutes ? ` ${meeting.timeboxMinutes} minutes per candidate.` : ""}
      </p>

      {notPlanned ? (
        <p className="mt-4 rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          {notPlanned}{" "}
          <Link to={back} className="text-brand-700 underline">
            Back to the meeting
          </Link>
        </p>
      ) : (
        <>
          <Form
            method="post"
            className="mt-6 space-y-5 rounded-lg border border-stone-200 bg-white p-4"
            noValidate
          >
            <h2 className="text-lg font-semibold">Move it</h2>
            <input type="hidden" name="intent" value="move" />
            <input type="hidden" name="version" value={meeting.version} />
            <FormError message={move.summary} />
            <div className="grid gap-4 sm:grid-cols-2">
              <TextField
                label={`New date and time (${timeZone})`}
                name="scheduledFor"
                type="datetime-local"
                required
                defaultValue={move.value("scheduledFor", meeting.scheduledLocal)}
                errors={move.errors.scheduledFor}
                hint="In your time zone, which you can change in your mail settings."
              />
              <TextField
                label="Timebox per candidate, minutes (optional)"
                name="timeboxMinutes"
                type="number"
                min={1}
                max={120}
                inputMode="numeric"
                defaultValue={move.value(
                  "timeboxMinutes",
                  meeting.timeboxMinutes ? String(meeting.timeboxMinutes) : "",
                )}
                errors={move.errors.timeboxMinutes}
              />
            </div>
            <p className="text-sm text-stone-600">
              Each attendee who takes invitations gets the update for their calendar.
            </p>
            <Button disabled={busy}>{busy ? "Saving…" : "Move the meeting"}</Button>
          </Form>

          <Form
            method="post"
            className="mt-6 space-y-3 rounded-lg border border-red-200 bg-white p-4"
          >
            <h2 className="text-lg font-semibold">Cancel it</h2>
            <input type="hidden" name="intent" value="cancel" />
            <input type="hidden" name="version" value={meeting.version} />
            <FormError message={cancel.summary} />
            <ConfirmButton
              label="Cancel the meeting"
              confirmLabel="Yes, cancel the meeting"
              question="The meeting cannot be started once cancelled, and its attendees get a cancellation for their calendars. Its agenda and pre-reads stay readable on its page."
            />
          </Form>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
