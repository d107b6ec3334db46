import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { z } from "zod";
import {
  denyAsForbidden,
  denyAsNotFound,
  isAttendee,
  isLeader,
  meetingOpensPackets,
} from "../auth/policy.server";
import { requireUser, type SessionUser } from "../auth/session.server";
import {
  DecisionFields,
  DecisionHistory,
  formatDateTime,
  LeaningRadios,
  MeetingPageHeader,
  Packet,
  PrereadList,
} from "../components/calibration-ui";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError, TextArea } from "../components/ui/forms";
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
import { checkSbi } from "../utils/writing-check.server";
import {
  amendDecision,
  candidateIsVisible,
  CLOSED_MESSAGE,
  DecisionFieldsSchema,
  getAgenda,
  getFrozenPacket,
  getItem,
  getLivePacket,
  getOwnPreread,
  getVisibleMeetingItem,
  MeetingRefusal,
  type Nomination,
  nominationOf,
  PrereadSchema,
  recordPacketRead,
  savePreread,
  type VisibleMeeting,
} from "../models/calibration.server";
import { getCandidateHeader } from "../models/candidate.server";
import {
  discussedSeconds,
  getRounds,
  NO_ROUNDS,
  recordAddition,
  requireEvidenceRoundOpen,
} from "../models/calibration-rounds.server";
import {
  assignmentBelongsToCandidate,
  createObservation,
  findObservationByIdempotencyKey,
  getObservationFormChoices,
  NewObservationSchema,
  observationInputErrors,
} from "../models/observation.server";
import {
  AdditionList,
  DiscussionTime,
  FinalLeaningList,
  RevealNote,
  RevisitNote,
} from "../components/calibration-rounds";
import { ObservationForm } from "../components/observation-form";
import { invalid } from "../utils/forms.server";
import { saveOnce } from "../utils/idempotency.server";
import { addDays, formatDate, isoDate } from "../utils/dates";
import {
  badRequest,
  type FormFailure,
  formValues,
  parseForm,
  invalidWith,
} from "../utils/forms.server";
import { text } from "../utils/fields";
import { CHECK_FIELDS, type FormResult, useFormResult, detailOf } from "../utils/form-result";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey } from "../utils/idempotency.server";
import { OUTCOME_LABELS, STAGE_LABELS, TRACK_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data
      ? `Packet: ${data.candidate.name} · ${data.meeting.title} · Noseworthy`
      : "Packet · Noseworthy",
  },
];

/**
 * The meeting decides access here, not the candidate's circle: until it closes, an attendee reads the
 * packet of every candidate on the agenda. After that only leaders and the candidate's circle do.
 * Anyone else gets the same 404 as for a meeting that does not exist.
 */
async function requireItem(
  context: AppContext,
  viewer: SessionUser,
  params: LoaderFunctionArgs["params"],
) {
  const { meeting, item } = await getVisibleMeetingItem(context.db, {
    meetingId: params.meetingId,
    itemId: params.itemId,
    viewer,
  });
  if (!meeting)
    throw await denyAsNotFound(context, viewer, "calibration_meeting", params.meetingId);
  if (!item) throw await denyAsNotFound(context, viewer, "calibration_item", params.itemId);
  if (
    !meetingOpensPackets(viewer, meeting) &&
    !(await candidateIsVisible(context.db, { candidateId: item.candidate_id, viewer }))
  ) {
    throw await denyAsNotFound(context, viewer, "calibration_item", item.id);
  }
  return { meeting, item };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const { meeting, item } = await requireItem(context, viewer, params);
  const attendee = isAttendee(viewer, meeting);
  const closedAt = meeting.status === "closed" ? meeting.closed_at : null;
  const today = isoDate(context.now());
  // The unique-evidence round: an attendee adds what only they hold, until the item is opened.
  const evidenceRound =
    attendee && !item.opened_at && meeting.status !== "closed" && meeting.status !== "cancelled";
  const [candidate, stored, agenda, rounds, { dimensions, assignments }] = await Promise.all([
    getCandidateHeader(context.db, item.candidate_id),
    closedAt
      ? getFrozenPacket(context.db, { itemId: item.id, candidateId: item.candidate_id, closedAt })
      : getLivePacket(context.db, { candidateId: item.candidate_id, today }),
    getAgenda(context.db, { meetingId: meeting.id, viewer, itemId: item.id }),
    getRounds(context.db, { meetingId: meeting.id, viewer, itemIds: [item.id] }),
    evidenceRound
      ? getObservationFormChoices(context.db, item.candidate_id)
      : Promise.resolve({ dimensions: [], assignments: [] }),
  ]);
  const entry = agenda[0];
  if (!candidate || !entry) throw notFound();
  // A frozen packet carries the nomination as it was at close; a live one takes it from the agenda row.
  const frozenNomination: Nomination | null | undefined =
    "nomination" in stored ? (stored.nomination as Nomination | null) : undefined;
  const packet = {
    ...stored,
    // The authors' ids were needed for the facts (computed above); the page shows their names.
    observations: stored.observations.map(({ author_id: _, ...o }) => o),
    nomination: frozenNomination === undefined ? nominationOf(entry) : frozenNomination,
  };
  const current = entry.decisions.find((d) => !d.superseded_at) ?? null;
  const roles = isLeader(viewer) && current ? await listReadinessRoles(context.db) : [];
  return json({
    roles,
    currentRoleId: current?.readiness_role_id ?? null,
    meeting: {
      id: meeting.id,
      title: meeting.title,
      status: meeting.status,
      scheduled_for: meeting.scheduled_for,
    },
    item: {
      id: item.id,
      position: item.position,
      opened_at: entry.opened_at,
      revealed_at: entry.revealed_at,
      revealed_early_by_name: entry.revealed_early_by_name,
      decided_early_by_name: entry.decided_early_by_name,
      discussed: discussedSeconds(entry, context.now()),
      running: Boolean(entry.discussion_started_at),
    },
    timeboxMinutes: meeting.timebox_minutes,
    attendeeCount: meeting.attendees.length,
    rounds: rounds.get(item.id) ?? NO_ROUNDS,
    evidenceRound: evidenceRound
      ? {
          dimensions: dimensions.map((d) => ({ id: d.id, name: d.name })),
          assignments: assignments.map((a) => ({
            id: a.id,
            title: `${a.title} (offered ${formatDate(a.offered_on)})`,
          })),
        }
      : null,
    candidate: {
      id: candidate.id,
      name: candidate.name,
      title: candidate.title,
      team: candidate.team,
      track: candidate.track,
      stage: candidate.stage,
      revisit_on: candidate.revisit_on,
      manager: candidate.manager.name,
    },
    canViewCandidate: Boolean(entry.can_view_candidate),
    packet,
    frozenAt: closedAt,
    readAt: entry.reads.find((r) => r.user_id === viewer.id)?.read_at ?? null,
    prereads: entry.prereads,
    prereadCount: entry.prereads_by.length,
    decisions: entry.decisions,
    currentDecisionId: current?.id ?? null,
    viewerId: viewer.id,
    isAttendee: attendee,
    canAmend: isLeader(viewer) && Boolean(current),
    today,
    idempotencyKey: newIdempotencyKey(),
  });
}

const AmendSchema = (today: string) =>
  z.intersection(
    DecisionFieldsSchema(today),
    z.object({
      supersedes: z.uuid({ message: "Reload the page: the decision to amend is missing." }),
      amendmentReason: text("Say why the decision is being amended."),
    }),
  );

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const { meeting, item } = await requireItem(context, viewer, params);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "read") return markRead(context, { viewer, meeting, item });
  if (intent === "preread") return preread(context, { viewer, meeting, item, formData });
  if (intent === "amend") return amend(context, { viewer, meeting, item, formData });
  if (intent === "evidence") return addEvidence(context, { viewer, meeting, item, formData });
  return badRequest("Unknown action.", formValues(formData));
}

type Args = {
  viewer: SessionUser;
  meeting: VisibleMeeting;
  item: NonNullable<Awaited<ReturnType<typeof getItem>>>;
  formData: FormData;
};

/** "Read" is the attendee's own statement, posted from the packet: opening a page (which any link can do) records nothing. */
async function markRead(context: AppContext, { viewer, meeting, item }: Omit<Args, "formData">) {
  if (!isAttendee(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.packet_read",
      "calibration_item",
      item.id,
    );
  if (meeting.status === "closed")
    return meetingRefusal(new MeetingRefusal(409, CLOSED_MESSAGE), { intent: "read" });
  await context.db.transaction().execute(async (trx) => {
    const recorded = await recordPacketRead(trx, {
      itemId: item.id,
      userId: viewer.id,
      now: context.now(),
    });
    if (recorded)
      await audit(trx, {
        actorId: viewer.id,
        action: "calibration.packet_read",
        entity: "calibration_item",
        entityId: item.id,
        requestId: context.requestId,
        details: { meetingId: meeting.id },
      });
  });
  return redirectWithFlash(`/calibrations/${meeting.id}/items/${item.id}`, "Marked as read.");
}

async function preread(context: AppContext, { viewer, meeting, item, formData }: Args) {
  if (!isAttendee(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.preread",
      "calibration_item",
      item.id,
    );
  const values = formValues(formData);
  const parsed = parseForm(PrereadSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const writing = await checkDraft(
    context.db,
    values,
    [{ name: "view", label: "Your view" }],
    "view",
  );
  if (writing) return writing;
  try {
    const outcome = await context.db.transaction().execute(async (trx) => {
      const { saved, revealed } = await savePreread(trx, {
        meetingId: meeting.id,
        itemId: item.id,
        userId: viewer.id,
        view: input.view,
        leaning: input.leaning,
        version: input.version ?? null,
        now: context.now(),
      });
      // Not the leaning: the audit log is readable by admins, and a pre-read is sealed until revealed.
      if (saved !== "stale") {
        await audit(trx, {
          actorId: viewer.id,
          action: saved === "created" ? "calibration.preread_create" : "calibration.preread_update",
          entity: "calibration_item",
          entityId: item.id,
          requestId: context.requestId,
          details: { meetingId: meeting.id, ...(revealed ? { revealed: "all" } : {}) },
        });
      }
      return { saved, revealed };
    });
    if (outcome.saved === "stale") {
      const saved = await getOwnPreread(context.db, { itemId: item.id, userId: viewer.id });
      const failure: FormFailure = {
        ok: false,
        formError:
          "Your pre-read was saved from another window meanwhile. Yours is below next to the saved one: copy what you want to keep and save again.",
        fieldErrors: {},
        values,
      };
      // The saved pre-read goes beside the form, so nothing either window wrote is lost.
      return invalidWith(failure, {
        saved: saved ? { view: saved.view, leaning: saved.leaning } : null,
      });
    }
    return redirectWithFlash(
      `/calibrations/${meeting.id}/items/${item.id}`,
      outcome.revealed
        ? "Pre-read saved. Yours was the last one, so every pre-read is now revealed to the attendees."
        : "Pre-read saved. Nobody else sees it until every attendee has written one or the facilitator opens this candidate.",
    );
  } catch (error) {
    if (error instanceof MeetingRefusal) return meetingRefusal(error, values);
    throw error;
  }
}

/**
 * The unique-evidence round: the attendee writes an observation of their own (with its SBI fields,
 * through the observation model) into the packet before the item is discussed; the item records who
 * added it. An attendee outside the candidate's circle may add one here: the meeting opens the packet
 * to them, and what they hold is exactly what the room is missing.
 */
async function addEvidence(context: AppContext, { viewer, meeting, item, formData }: Args) {
  if (!isAttendee(viewer, meeting))
    throw await denyAsForbidden(
      context,
      viewer,
      "calibration.evidence_add",
      "calibration_item",
      item.id,
    );
  const values = formValues(formData);
  const today = isoDate(context.now());
  const parsed = parseForm(NewObservationSchema(today), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const writing = await checkSbi(context.db, values);
  if (writing) return writing;
  const here = `/calibrations/${meeting.id}/items/${item.id}`;
  try {
    return await saveOnce(context.db, {
      find: (db) => findObservationByIdempotencyKey(db, input.idempotencyKey),
      isRepeat: (row) =>
        row.candidate_id === item.candidate_id &&
        row.author_id === viewer.id &&
        row.coaching_plan_id === null,
      check: async () => {
        const fieldErrors = await observationInputErrors(context.db, input);
        if (
          input.assignmentId &&
          !(await assignmentBelongsToCandidate(context.db, {
            assignmentId: input.assignmentId,
            candidateId: item.candidate_id,
          }))
        )
          fieldErrors.assignmentId = ["Choose one of this person's sniff tests, or none."];
        return Object.keys(fieldErrors).length ? invalid(values, fieldErrors) : null;
      },
      create: async (trx) => {
        await requireEvidenceRoundOpen(trx, { meetingId: meeting.id, itemId: item.id });
        const id = crypto.randomUUID();
        await audit(trx, {
          actorId: viewer.id,
          action: "observation.create",
          entity: "observation",
          entityId: id,
          requestId: context.requestId,
          details: {
            candidateId: item.candidate_id,
            dimensionIds: input.dimensionIds,
            signal: input.signal,
            assignmentId: input.assignmentId,
            calibrationItemId: item.id,
          },
        });
        const saved = await createObservation(trx, {
          ...input,
          id,
          candidateId: item.candidate_id,
          authorId: viewer.id,
          now: context.now(),
        });
        if (saved.created) {
          await recordAddition(trx, {
            itemId: item.id,
            observationId: saved.id,
            addedBy: viewer.id,
          });
          await audit(trx, {
            actorId: viewer.id,
            action: "calibration.evidence_add",
            entity: "calibration_item",
            entityId: item.id,
            requestId: context.requestId,
            details: { meetingId: meeting.id, observationId: saved.id },
          });
        }
        return saved;
      },
      answer: () =>
        redirectWithFlash(here, "Observation added to the packet, shown as added by you."),
      values,
    });
  } catch (error) {
    if (error instanceof MeetingRefusal) return meetingRefusal(error, values);
    throw error;
  }
}

async function amend(context: AppContext, { viewer, meeting, item, formData }: Args) {
  if (!isLeader(viewer))
    throw await denyAsForbidden(context, viewer, "calibration.amend", "calibration_item", item.id);
  const values = formValues(formData);
  const parsed = parseForm(AmendSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  if (input.itemId.toLowerCase() !== item.id)
    return badRequest("That decision belongs to another candidate.", values);
  const writing = await checkDraft(
    context.db,
    values,
    [{ name: "amendmentReason", label: "Why amend" }, ...DECISION_TEXT],
    "rationale",
  );
  if (writing) return writing;
  const supersedes = input.supersedes.toLowerCase();
  return saveDecision(context, {
    viewer,
    meeting,
    item,
    input,
    values,
    amends: true,
    write: (trx, fields) =>
      amendDecision(trx, { ...fields, supersedes, amendmentReason: input.amendmentReason }),
    audit: { action: "calibration.amend", details: { supersedes: input.supersedes } },
    // The flash cookie says what happened, never the outcome or the stage: those are facts about a person.
    answer: (moved) =>
      redirectWithFlash(
        `/calibrations/${meeting.id}/items/${item.id}`,
        moved ? "Decision amended. Stage changed." : "Decision amended.",
      ),
    raced: "Someone amended this decision at the same moment. Reload to see it.",
  });
}

export default function PacketPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const prereadResult = useFormResult("preread");
  const amendResult = useFormResult("amend");
  const evidenceResult = useFormResult("evidence");
  const amendNotes = useWritingNotes("amend");
  const evidenceNotes = useWritingNotes("evidence");
  // A stale pre-read is refused with the one saved meanwhile, shown beside the form.
  const savedMeanwhile = (prereadResult.failed && detailOf(actionData, "saved")) || null;
  const { candidate, meeting } = data;
  const own = data.prereads.find((p) => p.user_id === data.viewerId);
  const others = data.prereads.filter((p) => p.user_id !== data.viewerId);
  return (
    <div>
      <MeetingPageHeader meeting={meeting} title={`Packet: ${candidate.name}`}>
        <p className="text-stone-600">
          {[candidate.title, candidate.team, TRACK_LABELS[candidate.track]]
            .filter(Boolean)
            .join(" · ")}{" "}
          · managed by {candidate.manager}
        </p>
        <p className="text-stone-600">
          Stage: {STAGE_LABELS[candidate.stage]}
          {candidate.stage === "paused" && candidate.revisit_on
            ? ` (revisit ${candidate.revisit_on})`
            : ""}{" "}
          · item {data.item.position} of {meeting.title}, {formatDateTime(meeting.scheduled_for)}
        </p>
        {data.canViewCandidate ? (
          <p className="no-print text-sm">
            <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
              Open the full profile
            </Link>
          </p>
        ) : null}
      </MeetingPageHeader>

      {data.frozenAt ? (
        <p className="mt-4 rounded border border-stone-300 bg-stone-100 px-3 py-2 text-stone-800">
          The evidence below is as it was when the meeting closed on {formatDateTime(data.frozenAt)}
          . Notes added or edited since are on the profile; a note withdrawn since is marked and its
          text left out.
        </p>
      ) : data.isAttendee ? (
        <div className="no-print mt-4 flex flex-wrap items-center gap-3">
          {data.readAt ? (
            <p className="text-sm text-stone-700">
              You marked this packet as read on {formatDate(data.readAt)}.
            </p>
          ) : (
            <Form method="post">
              <input type="hidden" name="intent" value="read" />
              <Button variant="secondary">Mark as read</Button>
            </Form>
          )}
        </div>
      ) : null}

      <p className="mt-4 text-sm text-stone-700">
        <DiscussionTime
          seconds={data.item.discussed}
          running={data.item.running}
          timeboxMinutes={data.timeboxMinutes}
        />
      </p>
      <RevisitNote revisits={data.rounds.revisits} />

      <Packet packet={data.packet} />

      <section
        aria-labelledby="added-evidence"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="added-evidence" className="text-lg font-semibold">
          Evidence added by attendees
        </h2>
        <p className="text-sm text-stone-600">
          Before the discussion, each attendee may add what only they saw: an observation of their
          own that is not in the packet yet. It joins the packet and is listed here with who added
          it.
        </p>
        {data.rounds.additions.length ? (
          <div className="mt-3">
            <AdditionList additions={data.rounds.additions} />
          </div>
        ) : (
          <p className="mt-2 text-stone-700">Nobody has added evidence for this candidate.</p>
        )}
        {data.evidenceRound ? (
          <details className="no-print mt-4" open={evidenceResult.failed}>
            <summary className="cursor-pointer font-medium text-brand-700 underline">
              Add evidence only you hold
            </summary>
            <div className="mt-3 space-y-3">
              <WritingNotes notes={evidenceNotes.notes} />
              {evidenceResult.failed && !evidenceNotes.notes.length ? (
                <FormError message={evidenceResult.formError ?? CHECK_FIELDS} />
              ) : null}
              <ObservationForm
                action={`/calibrations/${meeting.id}/items/${data.item.id}`}
                idempotencyKey={evidenceResult.key(data.idempotencyKey)}
                dimensions={data.evidenceRound.dimensions}
                assignments={data.evidenceRound.assignments}
                today={data.today}
                result={evidenceResult}
                hidden={{ intent: "evidence" }}
                submitLabel="Add to the packet"
              />
            </div>
          </details>
        ) : null}
      </section>

      <section
        aria-labelledby="final-leanings"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="final-leanings" className="text-lg font-semibold">
          Final leanings
        </h2>
        <p className="text-sm text-stone-600">
          {data.rounds.finalLeaningsOpen
            ? "Recorded by each attendee after the discussion, beside their pre-read above."
            : `Recorded in the meeting after the discussion; each stays with its author until every attendee has recorded one. ${data.rounds.finalLeaningsBy.length} of ${data.attendeeCount} recorded.`}
        </p>
        {data.rounds.finalLeanings.length ? (
          <div className="mt-3">
            <FinalLeaningList leanings={data.rounds.finalLeanings} viewerId={data.viewerId} />
          </div>
        ) : null}
        {data.item.decided_early_by_name ? (
          <p className="mt-2 text-sm text-amber-900">
            {data.item.decided_early_by_name} recorded the decision before every final leaning was
            in.
          </p>
        ) : null}
      </section>

      <section
        aria-labelledby="prereads"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4 print:break-before-page"
      >
        <h2 id="prereads" className="text-lg font-semibold">
          Pre-reads
        </h2>
        <p className="text-sm text-stone-600">
          <RevealNote
            revealedAt={data.item.revealed_at}
            revealedEarlyByName={data.item.revealed_early_by_name}
            recorded={data.prereadCount}
            attendees={data.attendeeCount}
          />
        </p>
        {data.item.revealed_at && others.length ? (
          <div className="mt-3">
            <PrereadList prereads={others} viewerId={data.viewerId} />
          </div>
        ) : null}
        {data.isAttendee &&
        !data.item.opened_at &&
        !data.item.revealed_at &&
        meeting.status !== "closed" &&
        meeting.status !== "cancelled" ? (
          <PrereadForm own={own} result={prereadResult} saved={savedMeanwhile} />
        ) : own ? (
          <div className="mt-3">
            <PrereadList prereads={[own]} viewerId={data.viewerId} />
          </div>
        ) : null}
      </section>

      <section
        aria-labelledby="decisions"
        className="mt-6 rounded-lg border border-stone-200 bg-white p-4 print:break-before-page"
      >
        <h2 id="decisions" className="text-lg font-semibold">
          Decisions
        </h2>
        {data.decisions.length ? (
          <div className="mt-2">
            <DecisionHistory decisions={data.decisions} />
          </div>
        ) : (
          <p className="mt-1 text-stone-700">No decision yet: it is recorded in the meeting.</p>
        )}
        {data.canAmend && data.currentDecisionId ? (
          <details className="no-print mt-4" open={amendResult.failed}>
            <summary className="cursor-pointer font-medium text-brand-700 underline">
              Amend the current decision
            </summary>
            <p className="mt-2 text-sm text-stone-600">
              The new decision supersedes the current one; the current one stays in the history,
              marked as superseded.
            </p>
            {amendNotes.notes.length ? (
              <div className="mt-3">
                <WritingNotes notes={amendNotes.notes} />
              </div>
            ) : null}
            <Form method="post" className="mt-3 space-y-4" noValidate>
              <input type="hidden" name="intent" value="amend" />
              <input type="hidden" name="itemId" value={data.item.id} />
              <input type="hidden" name="supersedes" value={data.currentDecisionId} />
              <IdempotencyKeyField value={amendResult.key(data.idempotencyKey)} />
              <TextArea
                label="Why amend"
                name="amendmentReason"
                rows={2}
                maxLength={10_000}
                defaultValue={amendResult.value("amendmentReason")}
                errors={amendResult.errors.amendmentReason}
              />
              <DecisionFields
                packet={data.packet}
                result={amendResult}
                minRevisit={addDays(data.today, 1)}
              />
              <ReadinessRoleField
                roles={data.roles}
                defaultValue={amendResult.value("readinessRoleId", data.currentRoleId ?? "")}
                errors={amendResult.errors.readinessRoleId}
              />
              <Button>Record amended decision</Button>
            </Form>
          </details>
        ) : null}
      </section>
    </div>
  );
}

function PrereadForm({
  own,
  result,
  saved,
}: {
  own?: { view: string; leaning: string; version: number };
  result: FormResult;
  saved: { view: string; leaning: string } | null;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "preread";
  const view = result.value("view", own?.view);
  const notes = useWritingNotes("preread");
  const leaning = result.value("leaning", own?.leaning);
  return (
    <>
      {/* Outside the form: the notes carry their own "Save anyway" form. */}
      {notes.notes.length ? (
        <div className="no-print mt-4">
          <WritingNotes notes={notes.notes} />
        </div>
      ) : null}
      <Form method="post" className="no-print mt-4 space-y-4" noValidate key={own?.version ?? 0}>
        <h3 className="font-semibold">{own ? "Your pre-read" : "Record your pre-read"}</h3>
        <input type="hidden" name="intent" value="preread" />
        <input type="hidden" name="version" value={own?.version ?? ""} />
        {notes.notes.length ? null : <FormError message={result.summary} />}
        {saved ? (
          <div className="rounded border border-stone-300 p-3 text-sm">
            <p className="font-medium">Saved now: {OUTCOME_LABELS[saved.leaning]}</p>
            <p className="mt-1 whitespace-pre-wrap">{saved.view}</p>
          </div>
        ) : null}
        <TextArea
          label="Your view"
          name="view"
          rows={4}
          maxLength={5_000}
          hint="A few sentences, from the evidence. Nobody sees it before the facilitator opens this candidate."
          defaultValue={view}
          errors={result.errors.view}
        />
        <LeaningRadios
          name="leaning"
          legend="Your leaning"
          checked={leaning}
          errors={result.errors.leaning}
        />
        <Button disabled={busy}>
          {busy ? "Saving…" : own ? "Update pre-read" : "Save pre-read"}
        </Button>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
