import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { z } from "zod";
import {
  canDecide,
  denyAsForbidden,
  denyAsNotFound,
  isAttendee,
  isFacilitator,
  meetingOpensPackets,
} from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import {
  Countdown,
  DecisionFields,
  DecisionHistory,
  formatDateTime,
  LiveRefresh,
  Packet,
  PrereadList,
} from "../components/calibration-ui";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { MEETING_STATUS_LABELS } from "../utils/labels";
import { Button } from "../components/ui/forms";
import { ConfirmButton } from "../components/ui/confirm";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  checkDraft,
  DECISION_TEXT,
  meetingRefusal,
  saveDecision,
} from "../models/calibration-actions.server";
import { listReadinessRoles } from "../models/readiness-role.server";
import { ReadinessRoleField } from "../components/readiness-role-field";
import { useWritingNotes, WritingNotes } from "../components/writing-notes";
import {
  closeMeeting,
  currentItem,
  DECISION_EXISTS,
  DecisionFieldsSchema,
  getAgenda,
  getItem,
  getLivePacket,
  getVisibleMeeting,
  MeetingRefusal,
  moveItem,
  nominationOf,
  openItem,
  recordDecision,
  stopDiscussion,
  startMeeting,
  type VisibleMeeting,
} from "../models/calibration.server";
import { canManageMeeting } from "../models/meeting-schedule.server";
import {
  discussedSeconds,
  earlyCount,
  FinalLeaningSchema,
  getRounds,
  NO_ROUNDS,
  revisitEarlyItems,
  saveFinalLeaning,
} from "../models/calibration-rounds.server";
import {
  DiscussionTime,
  FinalLeaningForm,
  FinalLeaningList,
  RevealNote,
  RevisitNote,
} from "../components/calibration-rounds";
import { addDays, formatDate, isoDate } from "../utils/dates";
import { badRequest, formValues, invalidWith, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey } from "../utils/idempotency.server";
import { id } from "../utils/fields";
import { detailOf, type FormResult, readFormResult, useFormResult } from "../utils/form-result";
import { OUTCOME_LABELS, STAGE_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.meeting.title ?? "Calibration"} · Noseworthy` },
];

async function requireMeeting(
  context: AppContext,
  viewer: SessionUser,
  meetingId: string | undefined,
) {
  const meeting = await getVisibleMeeting(context.db, { meetingId, viewer });
  if (!meeting) throw await denyAsNotFound(context, viewer, "calibration_meeting", meetingId);
  return meeting;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const meeting = await requireMeeting(context, viewer, params.meetingId);
  const fullAgenda = await getAgenda(context.db, { meetingId: meeting.id, viewer });
  // Once closed, the meeting no longer shows an attendee the candidates outside their circle.
  const agenda = meetingOpensPackets(viewer, meeting)
    ? fullAgenda
    : fullAgenda.filter((i) => i.can_view_candidate);
  const current = meeting.status === "closed" ? undefined : currentItem(agenda);
  const now = context.now();
  const [rounds, roles] = await Promise.all([
    getRounds(context.db, { meetingId: meeting.id, viewer, itemIds: agenda.map((i) => i.id) }),
    canDecide(viewer, meeting) && meeting.status === "in_progress"
      ? listReadinessRoles(context.db)
      : Promise.resolve([]),
  ]);
  const packet = current
    ? {
        ...(await getLivePacket(context.db, {
          candidateId: current.candidate_id,
          today: isoDate(now),
        })),
        nomination: nominationOf(current),
      }
    : null;
  const remainingSeconds =
    current?.opened_at && meeting.timebox_minutes && meeting.status === "in_progress"
      ? Math.round(
          meeting.timebox_minutes * 60 -
            (now.getTime() - new Date(current.opened_at).getTime()) / 1000,
        )
      : null;
  return json({
    meeting: {
      id: meeting.id,
      title: meeting.title,
      scheduled_for: meeting.scheduled_for,
      status: meeting.status,
      timebox_minutes: meeting.timebox_minutes,
      closed_at: meeting.closed_at,
      facilitator: { id: meeting.facilitator_id, name: meeting.facilitator_name },
      attendees: meeting.attendees.map((a) => ({ id: a.id, name: a.name })),
    },
    // The nomination travels in the packet of the candidate on screen only.
    items: agenda.map(
      ({ nominated_reason: _r, nominated_at: _a, nominated_by_name: _b, ...item }) => ({
        ...item,
        discussed: discussedSeconds(item, now),
        rounds: rounds.get(item.id) ?? NO_ROUNDS,
      }),
    ),
    // "Revisit the early cases": offered once every item has been opened and none was revisited yet.
    mayRevisit:
      meeting.status === "in_progress" &&
      fullAgenda.length > 0 &&
      fullAgenda.every((i) => i.opened_at) &&
      ![...rounds.values()].some((r) => r.revisits.length > 0),
    earlyCount: earlyCount(fullAgenda.length),
    roles,
    hiddenItems: fullAgenda.length - agenda.length,
    currentItemId: current?.id ?? null,
    packet,
    remainingSeconds,
    viewerId: viewer.id,
    isFacilitator: isFacilitator(viewer, meeting),
    mayReschedule: meeting.status === "planned" && canManageMeeting(viewer, meeting),
    canDecide: canDecide(viewer, meeting),
    isAttendee: isAttendee(viewer, meeting),
    today: isoDate(now),
    idempotencyKey: newIdempotencyKey(),
  });
}

const ItemId = id("Choose a candidate on the agenda.");
const ControlSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start"), anyway: z.literal("yes").optional() }),
  z.object({ intent: z.literal("close") }),
  z.object({ intent: z.literal("stop") }),
  z.object({ intent: z.literal("revisit") }),
  z.object({ intent: z.literal("open"), itemId: ItemId }),
  z.object({ intent: z.literal("up"), itemId: ItemId }),
  z.object({ intent: z.literal("down"), itemId: ItemId }),
]);
const IntentSchema = z.object({
  intent: z.enum(["start", "close", "open", "stop", "revisit", "up", "down", "decide", "final"], {
    error: "Unknown action.",
  }),
});

/**
 * Why starting now asks first: the meeting is scheduled more than a day from today (UTC days), so it
 * may be the wrong meeting. Starting on the day, or the day before or after, needs nothing extra.
 */
function startIsAwayFromDate(scheduledFor: Date | string, now: Date): string | null {
  const scheduledDay = isoDate(new Date(scheduledFor));
  const today = isoDate(now);
  const days = Math.round(
    (Date.parse(`${scheduledDay}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000,
  );
  if (Math.abs(days) <= 1) return null;
  const when = formatDateTime(scheduledFor);
  return days > 0
    ? `This meeting is scheduled for ${when}, ${days} days from today (${formatDate(today)}). Starting it now locks the agenda order and lets the facilitator open candidates. Start it anyway?`
    : `This meeting was scheduled for ${when}, ${-days} days ago. Check it is the meeting you mean before starting it. Start it anyway?`;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const meeting = await requireMeeting(context, viewer, params.meetingId);
  const formData = await request.formData();
  const intent = parseForm(IntentSchema, formData);
  if (!intent.ok) return intent.response;
  if (intent.data.intent === "decide") return decide(context, { viewer, meeting, formData });
  if (intent.data.intent === "final") return finalLeaning(context, { viewer, meeting, formData });

  if (!isFacilitator(viewer, meeting)) {
    throw await denyAsForbidden(
      context,
      viewer,
      `calibration.${intent.data.intent}`,
      "calibration_meeting",
      meeting.id,
    );
  }
  const parsed = parseForm(ControlSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const here = `/calibrations/${meeting.id}`;
  const base = {
    actorId: viewer.id,
    entity: "calibration_meeting",
    entityId: meeting.id,
    requestId: context.requestId,
  };
  const now = context.now();
  if (input.intent === "start" && !input.anyway && meeting.status === "planned") {
    const away = startIsAwayFromDate(meeting.scheduled_for, now);
    if (away)
      return invalidWith(
        { ok: false, formError: away, fieldErrors: {}, values: formValues(formData) },
        { startQuestion: away },
      );
  }
  try {
    const message = await context.db.transaction().execute(async (trx) => {
      switch (input.intent) {
        case "start":
          await startMeeting(trx, { meetingId: meeting.id });
          await audit(trx, { ...base, action: "calibration.start" });
          return "Meeting started. Open the first candidate when the room is ready.";
        case "close":
          await closeMeeting(trx, { meetingId: meeting.id, now });
          await audit(trx, { ...base, action: "calibration.close" });
          return "Meeting closed. Its decisions are now locked.";
        case "open": {
          const revealed = await openItem(trx, {
            meetingId: meeting.id,
            itemId: input.itemId,
            now,
            facilitatorId: viewer.id,
          });
          await audit(trx, {
            ...base,
            action: "calibration.open_item",
            details: { itemId: input.itemId, ...(revealed ? { revealed } : {}) },
          });
          if (revealed === "early")
            return "Candidate opened before every pre-read was in: the pre-reads are now visible to everyone, and that you opened it early is shown on the item. The timer runs.";
          return "Candidate opened: the pre-reads are visible to everyone and the timer runs.";
        }
        case "stop": {
          const stopped = await stopDiscussion(trx, { meetingId: meeting.id, now });
          if (stopped) await audit(trx, { ...base, action: "calibration.stop_timer" });
          return stopped ? "Timer stopped." : "The timer was not running.";
        }
        case "revisit": {
          const items = await revisitEarlyItems(trx, {
            meetingId: meeting.id,
            userId: viewer.id,
            now,
          });
          await audit(trx, {
            ...base,
            action: "calibration.revisit",
            details: { itemIds: items.map((i) => i.id) },
          });
          return `${items.length === 1 ? "The first candidate is" : `The first ${items.length} candidates are`} reopened: bring each back, record final leanings again if minds changed, and record a new decision if the group changes it.`;
        }
        case "up":
        case "down": {
          const moved = await moveItem(trx, {
            meetingId: meeting.id,
            itemId: input.itemId,
            direction: input.intent,
          });
          if (moved)
            await audit(trx, {
              ...base,
              action: "calibration.reorder",
              details: { itemId: input.itemId, direction: input.intent },
            });
          return moved
            ? "Agenda reordered."
            : "That candidate is already at the end of the agenda.";
        }
      }
    });
    return redirectWithFlash(here, message);
  } catch (error) {
    if (error instanceof MeetingRefusal) return meetingRefusal(error, formValues(formData));
    throw error;
  }
}

async function decide(
  context: AppContext,
  {
    viewer,
    meeting,
    formData,
  }: { viewer: SessionUser; meeting: VisibleMeeting; formData: FormData },
) {
  if (!canDecide(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.decision",
      "calibration_meeting",
      meeting.id,
    );
  const values = formValues(formData);
  const parsed = parseForm(DecisionFieldsSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const writing = await checkDraft(context.db, values, DECISION_TEXT, "rationale");
  if (writing) return writing;
  const item = await getItem(context.db, { meetingId: meeting.id, itemId: input.itemId });
  if (!item) return badRequest("That candidate is not on this agenda.", values);
  return saveDecision(context, {
    viewer,
    meeting,
    item,
    input,
    values,
    amends: false,
    write: recordDecision,
    audit: { action: "calibration.decision" },
    // The flash cookie says what happened, never the outcome or the stage: those are facts about a person.
    answer: (moved) =>
      redirectWithFlash(
        `/calibrations/${meeting.id}`,
        moved ? "Decision recorded. Stage changed." : "Decision recorded.",
      ),
    raced: DECISION_EXISTS,
  });
}

const FinalFormSchema = FinalLeaningSchema.extend({ itemId: ItemId });

/** An attendee's final leaning on the item, after the discussion and before the decision. */
async function finalLeaning(
  context: AppContext,
  {
    viewer,
    meeting,
    formData,
  }: { viewer: SessionUser; meeting: VisibleMeeting; formData: FormData },
) {
  if (!isAttendee(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.final_leaning",
      "calibration_meeting",
      meeting.id,
    );
  const values = formValues(formData);
  const parsed = parseForm(FinalFormSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const item = await getItem(context.db, { meetingId: meeting.id, itemId: input.itemId });
  if (!item) return badRequest("That candidate is not on this agenda.", values);
  try {
    const saved = await context.db.transaction().execute(async (trx) => {
      const outcome = await saveFinalLeaning(trx, {
        meetingId: meeting.id,
        itemId: item.id,
        userId: viewer.id,
        leaning: input.leaning,
        note: input.note,
        version: input.version ?? null,
      });
      // Not the leaning itself: until every attendee's is in, it is its author's alone.
      if (outcome !== "stale")
        await audit(trx, {
          actorId: viewer.id,
          action:
            outcome === "created"
              ? "calibration.final_leaning_create"
              : "calibration.final_leaning_update",
          entity: "calibration_item",
          entityId: item.id,
          requestId: context.requestId,
          details: { meetingId: meeting.id },
        });
      return outcome;
    });
    if (saved === "stale")
      return meetingRefusal(
        new MeetingRefusal(
          409,
          "Your final leaning was saved from another window meanwhile. Reload to see it, then change it if you want.",
        ),
        values,
      );
    return redirectWithFlash(`/calibrations/${meeting.id}`, "Final leaning recorded.");
  } catch (error) {
    if (error instanceof MeetingRefusal) return meetingRefusal(error, values);
    throw error;
  }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Item = Data["items"][number];

export default function Meeting() {
  const data = useLoaderData<typeof loader>();
  const anyForm = useFormResult();
  const decision = useFormResult("decide");
  const { meeting } = data;
  const current = data.items.find((i) => i.id === data.currentItemId);
  const names = new Map(meeting.attendees.map((a) => [a.id, a.name]));
  const base = `/calibrations/${meeting.id}`;
  // A refused decision whose form is gone (someone else decided first) is reported here, with the text kept.
  const decidedMeanwhile =
    decision.failed && Boolean(current?.decisions.some((d) => !d.superseded_at));
  // Starting away from the scheduled date is answered with a question and a "Start anyway" button.
  // Only the date question: any other refusal of a start (already started, closed) is an error below.
  const startQuestion = detailOf(useActionData<typeof action>(), "startQuestion");
  const controlError =
    (!decision.failed || decidedMeanwhile) && !startQuestion ? anyForm.formError : undefined;
  const yourRationale = decidedMeanwhile ? decision.value("rationale") : "";

  return (
    <div>
      <p className="no-print text-sm">
        <Link to="/calibrations" className="text-brand-700 underline">
          Calibrations
        </Link>
      </p>
      <div className="mt-1 flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">{meeting.title}</h1>
        <span className="rounded border border-stone-300 bg-stone-100 px-2 py-0.5 text-sm font-medium text-stone-700">
          {MEETING_STATUS_LABELS[meeting.status]}
        </span>
      </div>
      <p className="mt-1 text-stone-600">
        {formatDateTime(meeting.scheduled_for)} · facilitated by {meeting.facilitator.name}
        {meeting.timebox_minutes ? ` · ${meeting.timebox_minutes} minutes per candidate` : ""}
      </p>
      <p className="mt-1 text-sm text-stone-600">
        Attending: {meeting.attendees.map((a) => a.name).join(", ")}
      </p>

      <div className="no-print mt-3 flex flex-wrap items-center gap-4">
        <LiveRefresh live={meeting.status === "in_progress"} hold={anyForm.failed} />
        <Link to={`${base}/summary`} className="text-sm text-brand-700 underline">
          Summary of decisions
        </Link>
        {data.mayReschedule ? (
          <Link to={`${base}/edit`} className="text-sm text-brand-700 underline">
            Edit: move or cancel the meeting
          </Link>
        ) : null}
      </div>

      {controlError ? (
        <p
          role="alert"
          className="mt-4 rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800"
        >
          {controlError}
        </p>
      ) : null}
      {yourRationale ? (
        <div className="mt-2 rounded border border-stone-300 bg-white p-3 text-sm">
          <p className="font-medium">The rationale you wrote (not saved):</p>
          <p className="mt-1 whitespace-pre-wrap">{yourRationale}</p>
        </div>
      ) : null}

      {meeting.status === "closed" ? (
        <p className="mt-4 rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          Closed on {formatDateTime(meeting.closed_at)}. The agenda, pre-reads and decisions are
          locked; a leader can amend a decision from the candidate’s packet, and the old decision
          stays in the history.
        </p>
      ) : null}

      {meeting.status === "cancelled" ? (
        <p className="mt-4 rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          This meeting was cancelled. It cannot be started; its agenda and pre-reads are kept as
          they were.
        </p>
      ) : null}

      {data.isFacilitator && meeting.status !== "closed" && meeting.status !== "cancelled" ? (
        <div className="no-print mt-4 flex flex-wrap gap-3">
          {meeting.status === "planned" && !startQuestion ? (
            <Form method="post">
              <input type="hidden" name="intent" value="start" />
              <Button>Start the meeting</Button>
            </Form>
          ) : null}
          {meeting.status === "planned" && startQuestion ? (
            <Form
              method="post"
              className="w-full rounded border border-amber-300 bg-amber-50 px-3 py-2"
            >
              <p role="alert" className="text-amber-900">
                {startQuestion}
              </p>
              <input type="hidden" name="intent" value="start" />
              <input type="hidden" name="anyway" value="yes" />
              <div className="mt-2 flex flex-wrap items-center gap-3">
                <Button>Start anyway</Button>
                <Link to={base} className="text-sm text-brand-700 underline">
                  Not now
                </Link>
              </div>
            </Form>
          ) : null}
          {meeting.status === "in_progress" && data.items.some((i) => i.discussion_started_at) ? (
            <Form method="post">
              <input type="hidden" name="intent" value="stop" />
              <Button variant="secondary">Stop the timer</Button>
            </Form>
          ) : null}
          {data.mayRevisit ? (
            <Form method="post">
              <input type="hidden" name="intent" value="revisit" />
              <ConfirmButton
                variant="secondary"
                label="Revisit the early cases"
                confirmLabel="Yes, reopen them"
                question={`Reopens the first ${data.earlyCount === 1 ? "candidate" : `${data.earlyCount} candidates`} on the agenda: early cases tend to be judged more harshly. Bring each back, and record a new decision if the group changes it. Only once per meeting.`}
              />
            </Form>
          ) : null}
          <Form method="post">
            <input type="hidden" name="intent" value="close" />
            <ConfirmButton
              variant="secondary"
              label="Close and lock the meeting"
              confirmLabel="Yes, close and lock it"
              question="Closing locks the agenda and the pre-reads; decisions can then only be amended from each packet."
            />
          </Form>
        </div>
      ) : null}

      {current && data.packet ? (
        <CurrentItem data={data} item={current} names={names} decision={decision} />
      ) : null}

      <section
        aria-labelledby="agenda"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="agenda" className="text-lg font-semibold">
          Agenda
        </h2>
        <p className="text-sm text-stone-600">
          The order was shuffled when the meeting was planned; each candidate’s position is kept.
          Discussion time is measured by the meeting timer from when the facilitator opens a
          candidate until they stop the timer or open the next.
          {meeting.status === "planned" && data.isFacilitator
            ? " You can move candidates up or down until the meeting starts."
            : ""}
        </p>
        {data.items.length ? (
          <ol className="mt-3 divide-y divide-stone-100">
            {data.items.map((item, index) => (
              <AgendaRow
                key={item.id}
                data={data}
                item={item}
                first={index === 0}
                last={index === data.items.length - 1}
                names={names}
              />
            ))}
          </ol>
        ) : (
          <p className="mt-2 text-stone-700">
            {data.hiddenItems
              ? "No candidates in your circle on this agenda."
              : "No candidates on this agenda."}
          </p>
        )}
        {data.hiddenItems ? (
          <p className="mt-2 text-sm text-stone-600">
            {data.hiddenItems === 1
              ? "One other candidate was"
              : `${data.hiddenItems} other candidates were`}{" "}
            on this agenda. Now that the meeting is closed, you see only the candidates in your
            circle.
          </p>
        ) : null}
      </section>
    </div>
  );
}

function AgendaRow({
  data,
  item,
  first,
  last,
  names,
}: {
  data: Data;
  item: Item;
  first: boolean;
  last: boolean;
  names: Map<string, string>;
}) {
  const { meeting } = data;
  const readers = new Set(item.reads.map((r) => r.user_id));
  const prereaders = new Set(item.prereads_by.map((p) => p.user_id));
  const decision = item.decisions.find((d) => !d.superseded_at);
  const isCurrent = item.id === data.currentItemId;
  return (
    <li className={`py-3 ${isCurrent ? "bg-brand-50" : ""}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="font-medium">
            {item.position}.{" "}
            <Link
              to={`/calibrations/${meeting.id}/items/${item.id}`}
              className="text-brand-700 underline"
            >
              {item.candidate_name}
            </Link>
            <span className="font-normal text-stone-600">
              {" "}
              · {STAGE_LABELS[item.candidate_stage]}
              {item.candidate_team ? ` · ${item.candidate_team}` : ""}
            </span>
            {isCurrent ? (
              <span className="ml-2 text-sm font-semibold text-brand-800">on screen</span>
            ) : null}
          </p>
          <p className="text-sm text-stone-600">
            {decision
              ? `Decision: ${OUTCOME_LABELS[decision.outcome]}`
              : item.opened_at
                ? "Opened, no decision yet"
                : "Not opened yet"}
            {" · "}
            <DiscussionTime
              seconds={item.discussed}
              running={Boolean(item.discussion_started_at)}
              timeboxMinutes={meeting.timebox_minutes}
            />
            {item.revealed_early_by_name
              ? ` · opened early by ${item.revealed_early_by_name}`
              : item.revealed_at
                ? " · pre-reads revealed"
                : " · pre-reads sealed"}
          </p>
          <RevisitNote revisits={item.rounds.revisits} />
          <ul
            aria-label={`Who has read the packet of ${item.candidate_name}`}
            className="mt-1 flex flex-wrap gap-1 text-xs"
          >
            {meeting.attendees.map((a) => (
              <li
                key={a.id}
                className={`rounded border px-1.5 py-0.5 ${readers.has(a.id) ? "border-brand-600 bg-brand-50 text-brand-800" : "border-stone-300 text-stone-600"}`}
              >
                {names.get(a.id)}: {readers.has(a.id) ? "read" : "not read"}
                {prereaders.has(a.id) ? ", pre-read recorded" : ""}
              </li>
            ))}
          </ul>
        </div>
        {data.isFacilitator && meeting.status === "planned" ? (
          <div className="no-print flex gap-2">
            <Form method="post">
              <input type="hidden" name="intent" value="up" />
              <input type="hidden" name="itemId" value={item.id} />
              <Button variant="secondary" className="px-2 py-1" disabled={first}>
                Up<span className="sr-only"> {item.candidate_name}</span>
              </Button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="down" />
              <input type="hidden" name="itemId" value={item.id} />
              <Button variant="secondary" className="px-2 py-1" disabled={last}>
                Down<span className="sr-only"> {item.candidate_name}</span>
              </Button>
            </Form>
          </div>
        ) : null}
        {data.isFacilitator && meeting.status === "in_progress" && !isCurrent ? (
          <Form method="post" className="no-print">
            <input type="hidden" name="intent" value="open" />
            <input type="hidden" name="itemId" value={item.id} />
            <Button variant="secondary" className="px-2 py-1">
              {item.opened_at ? "Bring back" : "Open"}
              <span className="sr-only"> {item.candidate_name}</span>
            </Button>
          </Form>
        ) : null}
      </div>
    </li>
  );
}

function CurrentItem({
  data,
  item,
  names,
  decision,
}: {
  data: Data;
  item: Item;
  names: Map<string, string>;
  decision: FormResult;
}) {
  // A refusal of the decision on another candidate (the facilitator moved on meanwhile) is not this form's.
  const result = decision.value("itemId") === item.id ? decision : readFormResult(undefined);
  const finalForm = useFormResult("final");
  const writing = useWritingNotes("decide");
  const finalResult = finalForm.value("itemId") === item.id ? finalForm : readFormResult(undefined);
  const current = item.decisions.find((d) => !d.superseded_at);
  const rounds = item.rounds;
  const revisiting = rounds.revisits.some((r) => r.closed_at === null);
  const finalOpen = rounds.finalLeaningsOpen;
  const ownFinal = rounds.finalLeanings.find((l) => l.user_id === data.viewerId);
  const mayLean = !current || revisiting;
  const finalMissing = data.meeting.attendees.some((a) => !rounds.finalLeaningsBy.includes(a.id));
  const packet = data.packet!;
  return (
    <section
      aria-labelledby="on-screen"
      className="mt-6 rounded-lg border-2 border-brand-600 bg-white p-4"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="on-screen" className="text-xl font-semibold">
          On screen: {item.candidate_name}
        </h2>
        {data.remainingSeconds !== null && data.meeting.timebox_minutes ? (
          <Countdown
            remainingSeconds={data.remainingSeconds}
            timeboxMinutes={data.meeting.timebox_minutes}
          />
        ) : null}
      </div>
      <p className="text-sm">
        <Link
          to={`/calibrations/${data.meeting.id}/items/${item.id}`}
          className="text-brand-700 underline"
        >
          Open the full packet
        </Link>
      </p>

      <p className="mt-1 text-sm text-stone-700">
        <DiscussionTime
          seconds={item.discussed}
          running={Boolean(item.discussion_started_at)}
          timeboxMinutes={data.meeting.timebox_minutes}
        />
      </p>
      <RevisitNote revisits={item.rounds.revisits} />

      <h3 className="mt-4 font-semibold">Pre-reads (first round)</h3>
      <p className="text-sm text-stone-600">
        <RevealNote
          revealedAt={item.revealed_at}
          revealedEarlyByName={item.revealed_early_by_name}
          recorded={item.prereads_by.length}
          attendees={data.meeting.attendees.length}
        />
      </p>
      {item.prereads.length ? (
        <div className="mt-2">
          <PrereadList prereads={item.prereads} viewerId={data.viewerId} />
        </div>
      ) : (
        <p className="mt-1 text-sm text-stone-700">
          Nobody recorded a pre-read for this candidate.
        </p>
      )}
      <p className="mt-1 text-xs text-stone-600">
        Recorded by:{" "}
        {item.prereads_by
          .map((p) => names.get(p.user_id) ?? "someone no longer attending")
          .join(", ") || "nobody"}
      </p>

      <Packet packet={packet} />

      <div className="mt-6">
        <h3 className="font-semibold">Final leanings (second round, after the discussion)</h3>
        <p className="text-sm text-stone-600">
          {finalOpen
            ? "Every attendee’s final leaning, now that all are in or the decision is recorded."
            : `Each stays with its author until every attendee has recorded one. ${rounds.finalLeaningsBy.length} of ${data.meeting.attendees.length} recorded${
                rounds.finalLeaningsBy.length
                  ? `: ${rounds.finalLeaningsBy.map((id) => names.get(id) ?? "someone").join(", ")}`
                  : ""
              }.`}
        </p>
        {rounds.finalLeanings.length ? (
          <div className="mt-2">
            <FinalLeaningList leanings={rounds.finalLeanings} viewerId={data.viewerId} />
          </div>
        ) : null}
        {data.isAttendee && data.meeting.status === "in_progress" && mayLean ? (
          <FinalLeaningForm itemId={item.id} own={ownFinal} result={finalResult} />
        ) : null}
      </div>

      <div className="mt-6">
        <h3 className="font-semibold">Decision</h3>
        {current && !revisiting ? (
          <div className="mt-2">
            {current.readiness_role ? (
              <p className="text-sm">About readiness for: {current.readiness_role}</p>
            ) : null}
            <DecisionHistory decisions={item.decisions} />
          </div>
        ) : data.canDecide && data.meeting.status === "in_progress" ? (
          <>
            {current ? (
              <div className="mt-2">
                <p className="text-sm text-stone-700">
                  The decision that stands (record a new one only if the group changes it):
                </p>
                <DecisionHistory decisions={item.decisions} />
              </div>
            ) : null}
            {writing.notes.length && writing.values.itemId === item.id ? (
              <div className="mt-2">
                <WritingNotes notes={writing.notes} />
              </div>
            ) : null}
            <Form method="post" className="no-print mt-2 space-y-4" noValidate>
              <input type="hidden" name="intent" value="decide" />
              <input type="hidden" name="itemId" value={item.id} />
              <IdempotencyKeyField value={result.key(data.idempotencyKey)} />
              <DecisionFields packet={packet} result={result} minRevisit={addDays(data.today, 1)} />
              <ReadinessRoleField
                roles={data.roles}
                defaultValue={result.value("readinessRoleId")}
                errors={result.errors.readinessRoleId}
              />
              {finalMissing ? (
                <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
                  <p>
                    {rounds.finalLeaningsBy.length} of {data.meeting.attendees.length} attendees
                    have recorded a final leaning.
                  </p>
                  <label className="mt-2 flex items-start gap-2">
                    <input
                      type="checkbox"
                      name="proceedAnyway"
                      value="yes"
                      defaultChecked={result.value("proceedAnyway") === "yes"}
                      className="mt-1"
                    />
                    <span>
                      Decide without every final leaning (recorded and shown with the decision)
                    </span>
                  </label>
                </div>
              ) : null}
              <Button>{current ? "Record the revisited decision" : "Record decision"}</Button>
            </Form>
          </>
        ) : (
          <p className="mt-1 text-sm text-stone-700">
            No decision yet. The facilitator or a leader attending records it.
          </p>
        )}
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
