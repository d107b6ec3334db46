import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import type { ReactNode } from "react";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError, SelectField, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { queueMeetingInvitations } from "../calendar/invitations.server";
import { audit } from "../models/audit.server";
import { timeZoneOf } from "../models/meeting-schedule.server";
import {
  countActiveCandidates,
  countActiveUsersWithRoles,
  createMeeting,
  findMeetingByIdempotencyKey,
  listCandidateChoices,
} from "../models/calibration.server";
import { listPeopleUsers } from "../models/candidate.server";
import { listActiveUsers } from "../models/user.server";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { dateTime, id, idList, text } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { STAGE_LABELS } from "../utils/labels";
import { localToInstant } from "../utils/time-zones";

export const meta: MetaFunction = () => [{ title: "Plan a calibration meeting · Noseworthy" }];

const MAX_CANDIDATES = 40;
const NewMeetingSchema = z.object({
  title: text("Give the meeting a title.", 200),
  // <input type="datetime-local">: a wall-clock time in the organiser's own time zone (their settings).
  scheduledFor: dateTime("the date and time"),
  facilitatorId: id("Choose the facilitator."),
  attendeeIds: idList("Choose attendees from the list."),
  candidateIds: idList("Choose candidates from the list.").pipe(
    z
      .array(z.string())
      .min(1, "Choose at least one candidate to discuss.")
      .max(MAX_CANDIDATES, `Choose at most ${MAX_CANDIDATES} candidates.`),
  ),
  timeboxMinutes: z.preprocess(
    (v) => (v === "" || v === undefined ? undefined : v),
    z.coerce
      .number({ error: "Enter a number of minutes." })
      .int("Enter whole minutes.")
      .min(1, "Use 1 to 120 minutes.")
      .max(120, "Use 1 to 120 minutes.")
      .optional(),
  ),
  idempotencyKey: IdempotencyKeySchema,
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const [leaders, people, candidates, timeZone] = await Promise.all([
    listActiveUsers(context.db, { withRole: "leader" }),
    listPeopleUsers(context.db),
    listCandidateChoices(context.db),
    timeZoneOf(context.db, viewer.id),
  ]);
  return json({
    leaders: leaders.map((l) => ({ id: l.id, name: l.name })),
    people: people.map((p) => ({ id: p.id, name: p.name })),
    candidates,
    viewerId: viewer.id,
    timeZone,
    idempotencyKey: newIdempotencyKey(),
  });
}

const created = (id: string) =>
  redirectWithFlash(
    `/calibrations/${id}`,
    "Meeting planned. The agenda order was shuffled to counter order bias.",
  );

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(NewMeetingSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;

  const attendeeIds = [...new Set(input.attendeeIds.map((id) => id.toLowerCase()))];
  const candidateIds = [...new Set(input.candidateIds.map((id) => id.toLowerCase()))];
  const scheduledFor = localToInstant(input.scheduledFor, await timeZoneOf(context.db, viewer.id));
  return saveOnce(context.db, {
    find: (db) => findMeetingByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (meeting) => meeting.created_by === viewer.id,
    check: async () => {
      const [facilitatorOk, attendeesOk, candidatesOk] = await Promise.all([
        countActiveUsersWithRoles(context.db, { ids: [input.facilitatorId], roles: ["leader"] }),
        countActiveUsersWithRoles(context.db, {
          ids: attendeeIds,
          roles: ["leader", "manager", "mentor"],
        }),
        countActiveCandidates(context.db, candidateIds),
      ]);
      const fieldErrors: Record<string, string[]> = {};
      if (facilitatorOk !== 1)
        fieldErrors.facilitatorId = ["Choose an active leader as facilitator."];
      if (attendeesOk !== attendeeIds.length)
        fieldErrors.attendeeIds = [
          "Choose attendees from the list of active leaders, managers and mentors.",
        ];
      if (candidatesOk !== candidateIds.length)
        fieldErrors.candidateIds = [
          "Choose candidates from the list; archived people cannot be discussed.",
        ];
      return Object.keys(fieldErrors).length ? invalid(values, fieldErrors) : null;
    },
    create: async (trx) => {
      const row = await createMeeting(trx, {
        title: input.title,
        scheduledFor,
        facilitatorId: input.facilitatorId,
        attendeeIds,
        candidateIds,
        timeboxMinutes: input.timeboxMinutes ?? null,
        createdBy: viewer.id,
        idempotencyKey: input.idempotencyKey,
      });
      await audit(trx, {
        actorId: viewer.id,
        action: "calibration.create",
        entity: "calibration_meeting",
        entityId: row.id,
        requestId: context.requestId,
        details: {
          facilitatorId: input.facilitatorId,
          attendees: row.attendees,
          items: row.items,
          order: "shuffled",
        },
      });
      // The attendees' calendar invitations, sent by a job enqueued with the meeting (version 1).
      await queueMeetingInvitations(trx, {
        meetingId: row.id,
        version: 1,
        method: "REQUEST",
        runAt: context.now(),
      });
      return row;
    },
    answer: (meeting) => created(meeting.id),
    values,
  });
}

export default function NewCalibration() {
  const { leaders, people, candidates, viewerId, timeZone, idempotencyKey } =
    useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const { errors } = result;
  const busy = navigation.state === "submitting";

  return (
    <div className="max-w-3xl">
      <p className="text-sm">
        <Link to="/calibrations" className="text-brand-700 underline">
          Calibrations
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Plan a calibration meeting</h1>
      <p className="mt-1 text-stone-600">
        The agenda order is shuffled when you save, so nobody’s position depends on who was picked
        first. The facilitator can still reorder it before the meeting starts.
      </p>
      <Form
        method="post"
        className="mt-6 space-y-5 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <IdempotencyKeyField value={result.key(idempotencyKey)} />
        <FormError message={result.summary} />
        <TextField
          label="Title"
          name="title"
          required
          maxLength={200}
          defaultValue={result.value("title")}
          errors={errors.title}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label={`Date and time (${timeZone})`}
            name="scheduledFor"
            type="datetime-local"
            required
            defaultValue={result.value("scheduledFor")}
            errors={errors.scheduledFor}
          />
          <TextField
            label="Timebox per candidate, minutes (optional)"
            name="timeboxMinutes"
            type="number"
            min={1}
            max={120}
            inputMode="numeric"
            defaultValue={result.value("timeboxMinutes")}
            errors={errors.timeboxMinutes}
          />
        </div>
        <SelectField
          label="Facilitator"
          name="facilitatorId"
          defaultValue={result.value("facilitatorId", viewerId)}
          errors={errors.facilitatorId}
        >
          {leaders.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </SelectField>
        <CheckboxGroup
          legend="Attendees"
          hint="Each attendee can read the packets and record an independent pre-read. The facilitator attends anyway."
          name="attendeeIds"
          options={people.map((p) => ({ id: p.id, label: p.name }))}
          chosen={new Set(result.list("attendeeIds"))}
          errors={errors.attendeeIds}
        />
        <CheckboxGroup
          legend="Candidates"
          hint="Pick the people to discuss. Their packets become readable to the attendees through this meeting."
          name="candidateIds"
          options={candidates.map((c) => ({
            id: c.id,
            label: c.name,
            detail: [c.team, STAGE_LABELS[c.stage]].filter(Boolean).join(" · "),
          }))}
          chosen={new Set(result.list("candidateIds"))}
          errors={errors.candidateIds}
          empty={
            <>
              There are no candidates yet.{" "}
              <Link to="/candidates/new" className="text-brand-700 underline">
                Nominate someone
              </Link>{" "}
              first.
            </>
          }
        />
        <Button disabled={busy}>{busy ? "Saving…" : "Plan meeting"}</Button>
      </Form>
    </div>
  );
}

function CheckboxGroup({
  legend,
  hint,
  name,
  options,
  chosen,
  errors,
  empty,
}: {
  legend: string;
  hint: string;
  name: string;
  options: { id: string; label: string; detail?: string }[];
  chosen: Set<string>;
  errors?: string[];
  empty?: ReactNode;
}) {
  const errorId = `${name}-error`;
  return (
    <fieldset aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="block text-sm font-medium text-stone-800">{legend}</legend>
      <p className="text-sm text-stone-600">{hint}</p>
      {errors?.length ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
      {options.length ? (
        <div className="mt-2 grid max-h-72 gap-1 overflow-y-auto rounded border border-stone-200 p-2 sm:grid-cols-2">
          {options.map((o) => (
            <label key={o.id} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                name={name}
                value={o.id}
                defaultChecked={chosen.has(o.id)}
                className="mt-0.5 h-4 w-4 accent-brand-700"
              />
              <span>
                {o.label}
                {o.detail ? <span className="block text-xs text-stone-600">{o.detail}</span> : null}
              </span>
            </label>
          ))}
        </div>
      ) : (
        <p className="mt-2 text-stone-700">{empty}</p>
      )}
    </fieldset>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
