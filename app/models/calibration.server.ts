/**
 * Calibration meetings: an agenda in random order, packets and independent
 * pre-reads, then decisions that rest on cited evidence and move the stage in the same transaction.
 *
 * Who may see a meeting: leaders, its facilitator and its attendees. An attendee reads the packets of
 * the meeting's candidates through the meeting even when a candidate is outside their circle — that
 * is what a packet is for — but only on the meeting's pages, which never link onward for them, and
 * only until it closes. My week lists the same names, each linking to its packet, as the pre-reads of
 * a meeting the person attends, until it starts. A closed meeting's packets are frozen as they were at
 * close (decision 0006).
 */
import { randomInt } from "node:crypto";
import { type ExpressionBuilder, type InferResult, sql } from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import { z } from "zod";
import { type Database, type Leaning, LEANINGS, type Stage } from "../../db/schema";
import { candidateVisibleTo, isUuid, meetingVisibleTo, type Viewer } from "../auth/policy.server";
import { moveStage } from "./candidate.server";
import {
  closeRevisits,
  openRevisit,
  requireFinalLeanings,
  revealIfAllIn,
  revealOnOpen,
  startTimer,
  stopTimer,
} from "./calibration-rounds.server";
import { FLAG_TEXT } from "./flag.server";
import { OBSERVATION_TEXT, observationDimensions } from "./observation.server";
import { compiledOnce, Slot } from "../../db/compiled-once";
import {
  type DimensionCoverage,
  getEvidenceCoverage,
  RECENT_EVIDENCE_DAYS,
} from "./evidence.server";
import { addDays, isoDate } from "../utils/dates";
import { id, idempotencyKey, optionalDay, optionalText, text, version } from "../utils/fields";
import type { Saved } from "../utils/idempotency.server";
import { OUTCOME_LABELS } from "../utils/labels";

/** Where a decision moves the candidate; null: the stage stays. */
export const OUTCOME_STAGE: Record<Leaning, Stage | null> = {
  ready_now: "ready",
  ready_with_development: "coaching",
  not_yet: "paused",
  insufficient_evidence: null,
};

/** A refusal the route turns into a response: the meeting's state or the user's role does not allow the change. */
export class MeetingRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 409,
    message: string,
  ) {
    super(message);
  }
}

export const CLOSED_MESSAGE =
  "This meeting is closed: its agenda, pre-reads and decisions are locked. A leader can amend a decision from its packet.";

export const CANCELLED_MESSAGE =
  "This meeting was cancelled: it cannot be started, and its agenda and pre-reads are kept as they were.";

// ---- Access ----------------------------------------------------------------------------------------

/** A meeting as its page and the list show it, on `calibration_meetings` joined to `users as f` (facilitator). */
const MEETING_COLUMNS = [
  "calibration_meetings.id",
  "calibration_meetings.title",
  "calibration_meetings.scheduled_for",
  "calibration_meetings.status",
  "f.name as facilitator_name",
] as const;

/** The meeting `meetingId` as getVisibleMeeting reads it, if the viewer may see it. */
function visibleMeetingQuery(db: DB, { meetingId, viewer }: { meetingId: string; viewer: Viewer }) {
  return db
    .selectFrom("calibration_meetings")
    .innerJoin("users as f", "f.id", "calibration_meetings.facilitator_id")
    .select((eb) => [
      ...MEETING_COLUMNS,
      "calibration_meetings.timebox_minutes",
      "calibration_meetings.closed_at",
      "calibration_meetings.version",
      "calibration_meetings.facilitator_id",
      jsonArrayFrom(
        eb
          .selectFrom("calibration_attendees as a")
          .innerJoin("users as u", "u.id", "a.user_id")
          .select(["u.id", "u.name", "u.roles"])
          .whereRef("a.meeting_id", "=", "calibration_meetings.id")
          .orderBy("u.name")
          .orderBy("u.id"),
      ).as("attendees"),
    ])
    .where("calibration_meetings.id", "=", meetingId)
    .where(meetingVisibleTo(viewer));
}

/** The meeting if the viewer may see it; undefined otherwise (the route answers 404 either way). */
export async function getVisibleMeeting(
  db: DB,
  { meetingId, viewer }: { meetingId: string | undefined; viewer: Viewer },
) {
  if (!isUuid(meetingId)) return undefined;
  return visibleMeetingQuery(db, { meetingId, viewer }).executeTakeFirst();
}

/**
 * getVisibleMeeting and getItem in one statement (a packet page reads both on every request): the
 * meeting, or undefined, and its item `itemId`, or undefined.
 */
export async function getVisibleMeetingItem(
  db: DB,
  {
    meetingId,
    itemId,
    viewer,
  }: { meetingId: string | undefined; itemId: string | undefined; viewer: Viewer },
) {
  if (!isUuid(meetingId)) return { meeting: undefined, item: undefined };
  const validItem = isUuid(itemId) ? itemId : null;
  const row = await visibleMeetingQuery(db, { meetingId, viewer })
    .select((eb) =>
      jsonObjectFrom(
        eb
          .selectFrom("calibration_items as i")
          .select([
            "i.id",
            "i.meeting_id",
            "i.candidate_id",
            "i.position",
            "i.opened_at",
            "i.revealed_at",
          ])
          .where("i.id", "=", validItem)
          .whereRef("i.meeting_id", "=", "calibration_meetings.id"),
      ).as("item"),
    )
    .executeTakeFirst();
  if (!row) return { meeting: undefined, item: undefined };
  const { item, ...meeting } = row;
  return {
    meeting,
    // JSON carries the times as text: Dates again, as getItem answers them.
    item: item
      ? {
          ...item,
          opened_at: item.opened_at === null ? null : new Date(item.opened_at),
          revealed_at: item.revealed_at === null ? null : new Date(item.revealed_at),
        }
      : undefined,
  };
}
export type VisibleMeeting = NonNullable<Awaited<ReturnType<typeof getVisibleMeeting>>>;

// ---- Lists and choices -----------------------------------------------------------------------------

export async function listMeetings(db: DB, { viewer }: { viewer: Viewer }) {
  return db
    .selectFrom("calibration_meetings")
    .innerJoin("users as f", "f.id", "calibration_meetings.facilitator_id")
    .select((eb) => [
      ...MEETING_COLUMNS,
      eb
        .selectFrom("calibration_items as i")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("i.meeting_id", "=", "calibration_meetings.id")
        .as("items"),
    ])
    .where(meetingVisibleTo(viewer))
    .orderBy("calibration_meetings.scheduled_for", "desc")
    .orderBy("calibration_meetings.id")
    .limit(200)
    .execute();
}

/** Non-archived candidates, by name: what a leader may put on an agenda. */
export async function listCandidateChoices(db: DB) {
  return db
    .selectFrom("candidates")
    .select(["id", "name", "team", "stage"])
    .where("archived_at", "is", null)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
}

/** How many of the ids are non-archived candidates. */
export async function countActiveCandidates(db: DB, ids: readonly string[]) {
  if (!ids.length) return 0;
  const row = await db
    .selectFrom("candidates")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("id", "in", [...ids])
    .where("archived_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many of the ids are active users holding one of the roles. */
export async function countActiveUsersWithRoles(
  db: DB,
  { ids, roles }: { ids: readonly string[]; roles: readonly string[] },
) {
  if (!ids.length) return 0;
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("id", "in", [...ids])
    .where("disabled_at", "is", null)
    .where(sql<boolean>`roles && ${sql.val([...roles])}::text[]`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- Creating a meeting ----------------------------------------------------------------------------

/** Fisher–Yates with crypto randomness (node:crypto randomInt): the agenda order carries no one's preference. */
export function shuffle<T>(items: readonly T[], random: (max: number) => number = randomInt): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export async function findMeetingByIdempotencyKey(db: DB, key: string) {
  return db
    .selectFrom("calibration_meetings")
    .select(["id", "created_by"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

export interface NewMeeting {
  title: string;
  scheduledFor: Date;
  facilitatorId: string;
  attendeeIds: readonly string[];
  candidateIds: readonly string[];
  timeboxMinutes: number | null;
  createdBy: string;
  idempotencyKey: string;
}

/** The meeting, its attendees (the facilitator among them) and its agenda in shuffled order. Run inside a transaction. */
export async function createMeeting(trx: DB, input: NewMeeting) {
  const { id } = await trx
    .insertInto("calibration_meetings")
    .values({
      title: input.title,
      scheduled_for: input.scheduledFor,
      facilitator_id: input.facilitatorId,
      timebox_minutes: input.timeboxMinutes,
      created_by: input.createdBy,
      idempotency_key: input.idempotencyKey,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const attendees = [...new Set([input.facilitatorId, ...input.attendeeIds])];
  await trx
    .insertInto("calibration_attendees")
    .values(attendees.map((user_id) => ({ meeting_id: id, user_id })))
    .execute();
  const order = shuffle([...new Set(input.candidateIds)]);
  if (order.length) {
    await trx
      .insertInto("calibration_items")
      .values(
        order.map((candidate_id, index) => ({ meeting_id: id, candidate_id, position: index + 1 })),
      )
      .execute();
  }
  return {
    id,
    created_by: input.createdBy,
    created: true,
    attendees: attendees.length,
    items: order.length,
  };
}

// ---- State changes (each runs inside a transaction that first locks the meeting row) ---------------

/** Locks the meeting for the rest of the transaction, so a close and a change cannot cross. */
export async function lockMeeting(trx: DB, meetingId: string) {
  return trx
    .selectFrom("calibration_meetings")
    .select(["id", "status", "facilitator_id", "version"])
    .where("id", "=", meetingId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function requireOpenMeeting(trx: DB, meetingId: string) {
  const meeting = await lockMeeting(trx, meetingId);
  if (meeting.status === "closed") throw new MeetingRefusal(409, CLOSED_MESSAGE);
  if (meeting.status === "cancelled") throw new MeetingRefusal(409, CANCELLED_MESSAGE);
  return meeting;
}

async function bumpMeeting(
  trx: DB,
  meetingId: string,
  set: { status?: "in_progress" | "closed"; closed_at?: Date } = {},
) {
  await trx
    .updateTable("calibration_meetings")
    .set({ ...set, version: sql<number>`version + 1` })
    .where("id", "=", meetingId)
    .execute();
}

export async function startMeeting(trx: DB, { meetingId }: { meetingId: string }) {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "planned")
    throw new MeetingRefusal(409, "The meeting has already started.");
  await bumpMeeting(trx, meetingId, { status: "in_progress" });
}

export async function closeMeeting(trx: DB, { meetingId, now }: { meetingId: string; now: Date }) {
  await requireOpenMeeting(trx, meetingId);
  await stopTimer(trx, { meetingId, now });
  await closeRevisits(trx, { meetingId, now });
  await bumpMeeting(trx, meetingId, { status: "closed", closed_at: now });
  await freezePackets(trx, { meetingId, now });
}

/**
 * Puts one item on screen: sets its opened_at to now, reveals its pre-reads if they were still sealed
 * (recording the facilitator as opening it early when some attendee had not written one), and moves
 * the meeting timer to it. Returns how the pre-reads were revealed ("early", "all"), or null when they
 * already were.
 */
export async function openItem(
  trx: DB,
  {
    meetingId,
    itemId,
    now,
    facilitatorId,
  }: { meetingId: string; itemId: string; now: Date; facilitatorId: string },
) {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "in_progress")
    throw new MeetingRefusal(409, "Start the meeting before opening a candidate.");
  const row = await trx
    .updateTable("calibration_items")
    .set({ opened_at: now })
    .where("id", "=", itemId)
    .where("meeting_id", "=", meetingId)
    .returning("id")
    .executeTakeFirst();
  if (!row) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  const revealed = await revealOnOpen(trx, { meetingId, itemId, facilitatorId, now });
  await startTimer(trx, { meetingId, itemId, now });
  await bumpMeeting(trx, meetingId);
  return revealed;
}

/** Stops the meeting timer (the facilitator closes the discussion of the item on screen). */
export async function stopDiscussion(
  trx: DB,
  { meetingId, now }: { meetingId: string; now: Date },
) {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "in_progress")
    throw new MeetingRefusal(409, "The meeting is not running.");
  const stopped = await stopTimer(trx, { meetingId, now });
  if (stopped) await bumpMeeting(trx, meetingId);
  return stopped;
}

/** Swaps the item with its neighbour. The position constraint is checked at the end of the statement, so one UPDATE swaps both. */
export async function moveItem(
  trx: DB,
  { meetingId, itemId, direction }: { meetingId: string; itemId: string; direction: "up" | "down" },
) {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "planned")
    throw new MeetingRefusal(409, "The agenda can only be reordered before the meeting starts.");
  const items = await trx
    .selectFrom("calibration_items")
    .select(["id", "position"])
    .where("meeting_id", "=", meetingId)
    .orderBy("position")
    .execute();
  const index = items.findIndex((i) => i.id === itemId);
  if (index < 0) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  const other = items[direction === "up" ? index - 1 : index + 1];
  if (!other) return false;
  const item = items[index];
  await trx
    .updateTable("calibration_items")
    .set({
      position: sql<number>`case when id = ${item.id} then ${other.position}::int else ${item.position}::int end`,
    })
    .where("id", "in", [item.id, other.id])
    .execute();
  await bumpMeeting(trx, meetingId);
  return true;
}

// ---- Agenda --------------------------------------------------------------------------------------

type WithD = Database & { d: Database["calibration_decisions"] };
type WithI = Database & { i: Database["calibration_items"] };

const decisionEvidence = (eb: ExpressionBuilder<WithD, "d">) =>
  jsonArrayFrom(
    eb
      .selectFrom("calibration_decision_evidence as e")
      .leftJoin("observations as o", "o.id", "e.observation_id")
      .leftJoin("flags as f", "f.id", "e.flag_id")
      .leftJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
      .leftJoin("sniff_test_assignments as sa", "sa.id", "e.assignment_id")
      .leftJoin("sniff_test_revisions as r", "r.id", "sa.sniff_test_revision_id")
      .select([
        "e.observation_id",
        "e.flag_id",
        "e.assignment_id",
        "o.observed_on",
        "o.behavior",
        "f.observed_on as flag_observed_on",
        "ap.name as anti_pattern",
        "r.title as assignment_title",
        "sa.status as assignment_status",
      ])
      .whereRef("e.decision_id", "=", "d.id")
      .orderBy("o.observed_on")
      .orderBy("e.id"),
  );

/** Every decision of the items, newest first, with what each cites. */
function decisionsOf(eb: ExpressionBuilder<WithI, "i">) {
  return jsonArrayFrom(
    eb
      .selectFrom("calibration_decisions as d")
      .innerJoin("users as du", "du.id", "d.decided_by")
      .select((e) => [
        "d.id",
        "d.outcome",
        "d.rationale",
        "d.dissent",
        "d.next_steps",
        "d.revisit_on",
        "d.decided_at",
        "d.superseded_at",
        "d.superseded_by",
        "d.amendment_reason",
        "du.name as decided_by_name",
        "d.readiness_role_id",
        e
          .selectFrom("readiness_roles as rr")
          .select(
            sql<string>`rr.title || ' — ' || rr.team || coalesce(' (' || rr.needed_by || ')', '')`.as(
              "l",
            ),
          )
          .whereRef("rr.id", "=", "d.readiness_role_id")
          .as("readiness_role"),
        decisionEvidence(e as unknown as ExpressionBuilder<WithD, "d">).as("evidence"),
      ])
      .whereRef("d.item_id", "=", "i.id")
      // The current decision first, then the superseded ones, most recently replaced first.
      .orderBy(sql`d.superseded_at desc nulls first`)
      .orderBy("d.decided_at", "desc")
      .orderBy("d.id", "desc"),
  );
}

/**
 * The agenda as the viewer may see it. Pre-reads of other people are left out in SQL until the item's
 * pre-reads are revealed (revealed_at), so they never reach the browser early; the viewer's own
 * pre-read is always there.
 */
export async function getAgenda(
  db: DB,
  { meetingId, viewer, itemId }: { meetingId: string; viewer: Viewer; itemId?: string },
) {
  // Compiled once per shape (compiledOnce): the circle rule's text as the policy writes it for this
  // viewer, with their id left as a slot, and whether one item is asked for.
  const rule = candidateVisibleTo({
    ...viewer,
    id: new Slot("viewerId") as unknown as string,
  }).compile(db);
  return compiledOnce(
    db,
    `agenda:${itemId ? "item" : "all"}:${rule.sql}:${JSON.stringify(rule.parameters)}`,
    { meetingId, viewerId: viewer.id, itemId: itemId ?? null },
    (slots) =>
      agendaStatement(db, {
        meetingId: slots.meetingId,
        viewer: { ...viewer, id: slots.viewerId },
        itemId: itemId ? (slots.itemId as string) : undefined,
      }),
  );
}

function agendaStatement(
  db: DB,
  { meetingId, viewer, itemId }: { meetingId: string; viewer: Viewer; itemId?: string },
) {
  let query = db
    .selectFrom("calibration_items as i")
    .innerJoin("candidates", "candidates.id", "i.candidate_id")
    .select((eb) => [
      "i.id",
      "i.position",
      "i.opened_at",
      "i.revealed_at",
      "i.discussion_seconds",
      "i.discussion_started_at",
      eb
        .selectFrom("users as ru")
        .select("ru.name")
        .whereRef("ru.id", "=", "i.revealed_early_by")
        .as("revealed_early_by_name"),
      eb
        .selectFrom("users as eu")
        .select("eu.name")
        .whereRef("eu.id", "=", "i.decided_early_by")
        .as("decided_early_by_name"),
      "candidates.id as candidate_id",
      "candidates.name as candidate_name",
      "candidates.team as candidate_team",
      "candidates.stage as candidate_stage",
      "candidates.nominated_reason",
      "candidates.created_at as nominated_at",
      eb
        .selectFrom("users as nu")
        .select("nu.name")
        .whereRef("nu.id", "=", "candidates.nominated_by")
        .as("nominated_by_name"),
      candidateVisibleTo(viewer).as("can_view_candidate"),
      jsonArrayFrom(
        eb
          .selectFrom("calibration_packet_reads as r")
          .select(["r.user_id", "r.read_at"])
          .whereRef("r.item_id", "=", "i.id"),
      ).as("reads"),
      jsonArrayFrom(
        eb
          .selectFrom("calibration_prereads as p")
          .select("p.user_id")
          .whereRef("p.item_id", "=", "i.id"),
      ).as("prereads_by"),
      jsonArrayFrom(
        eb
          .selectFrom("calibration_prereads as p")
          .innerJoin("users as pu", "pu.id", "p.user_id")
          .select([
            "p.id",
            "p.user_id",
            "pu.name as user_name",
            "p.view",
            "p.leaning",
            "p.version",
            "p.updated_at",
          ])
          .whereRef("p.item_id", "=", "i.id")
          // Sealed: another attendee's pre-read is left out until revealed_at, for every viewer.
          .where((w) => w.or([w("i.revealed_at", "is not", null), w("p.user_id", "=", viewer.id)]))
          .orderBy("pu.name")
          .orderBy("p.id"),
      ).as("prereads"),
      decisionsOf(eb as unknown as ExpressionBuilder<WithI, "i">).as("decisions"),
    ])
    .where("i.meeting_id", "=", meetingId);
  if (itemId) query = query.where("i.id", "=", itemId);
  return query.orderBy("i.position");
}
export type AgendaItem = Awaited<ReturnType<typeof getAgenda>>[number];

/** The item on screen: the one opened most recently. */
export function currentItem<T extends { opened_at: Date | string | null }>(
  items: readonly T[],
): T | undefined {
  let current: T | undefined;
  for (const item of items) {
    if (item.opened_at && (!current || new Date(item.opened_at) > new Date(current.opened_at!)))
      current = item;
  }
  return current;
}

export async function getItem(
  db: DB,
  { meetingId, itemId }: { meetingId: string; itemId: string | undefined },
) {
  if (!isUuid(itemId)) return undefined;
  return db
    .selectFrom("calibration_items")
    .select(["id", "meeting_id", "candidate_id", "position", "opened_at", "revealed_at"])
    .where("id", "=", itemId)
    .where("meeting_id", "=", meetingId)
    .executeTakeFirst();
}

/** "The agenda shows who has read which packet": the first "mark as read" counts. True when this one was the first. */
export async function recordPacketRead(
  db: DB,
  { itemId, userId, now }: { itemId: string; userId: string; now: Date },
) {
  const row = await db
    .insertInto("calibration_packet_reads")
    .values({ item_id: itemId, user_id: userId, read_at: now })
    .onConflict((oc) => oc.columns(["item_id", "user_id"]).doNothing())
    .returning("item_id")
    .executeTakeFirst();
  return Boolean(row);
}

// ---- Packet ----------------------------------------------------------------------------------------

/**
 * Everything the room reads about one candidate: evidence, flags, sniff tests and coaching. Retracted
 * notes are not evidence. With `asOf`, only what existed then (and notes not yet retracted then).
 */
export async function getPacketEvidence(
  db: DB,
  { candidateId, asOf }: { candidateId: string; asOf?: Date },
): Promise<PacketEvidence> {
  // Compiled once per shape (live or as of a date): Kysely would rebuild its four lists on every request.
  const [row] = await compiledOnce(
    db,
    asOf ? "packet-evidence:as-of" : "packet-evidence",
    { candidateId, asOf: asOf ?? null },
    (slots) =>
      packetEvidenceStatement(db, {
        candidateId: slots.candidateId,
        asOf: asOf ? (slots.asOf as Date) : undefined,
      }),
  );
  if (!row) throw new Error("The packet's evidence statement returned no row.");
  return row;
}

function packetEvidenceStatement(
  db: DB,
  { candidateId, asOf }: { candidateId: string; asOf?: Date },
) {
  // One statement: the four lists as JSON arrays (their columns are texts, ids and dates, which JSON
  // carries as they are), so the packet page stays within its statements (at most eight a request).
  const observations = db
    .selectFrom("observations as o")
    .innerJoin("users as u", "u.id", "o.author_id")
    .leftJoin("sniff_test_assignments as sa", "sa.id", "o.assignment_id")
    .leftJoin("sniff_test_revisions as r", "r.id", "sa.sniff_test_revision_id")
    .select((eb) => [
      "o.id",
      ...OBSERVATION_TEXT,
      "o.author_id",
      "u.name as author_name",
      "r.title as assignment_title",
      observationDimensions(eb).as("dimensions"),
    ])
    .where("o.candidate_id", "=", candidateId)
    .$if(!asOf, (q) => q.where("o.retracted_at", "is", null))
    .$if(Boolean(asOf), (q) =>
      q
        .where("o.created_at", "<=", asOf!)
        .where((w) => w.or([w("o.retracted_at", "is", null), w("o.retracted_at", ">", asOf!)])),
    )
    .orderBy("o.observed_on", "desc")
    .orderBy("o.id");
  const flags = db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
    .innerJoin("users as u", "u.id", "f.raised_by")
    .select([
      "f.id",
      "ap.name as anti_pattern",
      ...FLAG_TEXT,
      "f.status",
      "f.discussed_with_candidate_on",
      "f.resolution",
      "u.name as raised_by_name",
    ])
    .where("f.candidate_id", "=", candidateId)
    .$if(Boolean(asOf), (q) => q.where("f.created_at", "<=", asOf!))
    .orderBy("f.observed_on", "desc")
    .orderBy("f.id");
  const assignments = db
    .selectFrom("sniff_test_assignments as sa")
    .innerJoin("sniff_test_revisions as r", "r.id", "sa.sniff_test_revision_id")
    .innerJoin("dimensions as d", "d.id", "r.dimension_id")
    .select((eb) => [
      "sa.id",
      "r.title",
      "d.name as dimension_name",
      "sa.status",
      "sa.offered_on",
      "sa.due_on",
      "sa.closed_on",
      eb
        .selectFrom("sniff_test_assignment_events as ev")
        .select("ev.note")
        .whereRef("ev.assignment_id", "=", "sa.id")
        .where("ev.note", "<>", "")
        .orderBy("ev.created_at", "desc")
        .limit(1)
        .as("last_note"),
    ])
    .where("sa.candidate_id", "=", candidateId)
    .$if(Boolean(asOf), (q) => q.where("sa.created_at", "<=", asOf!))
    .orderBy("sa.offered_on", "desc")
    .orderBy("sa.id");
  const plans = db
    .selectFrom("coaching_plans as p")
    .innerJoin("users as m", "m.id", "p.mentor_id")
    .select((eb) => [
      "p.id",
      "p.goal",
      "p.status",
      "p.started_on",
      "p.target_on",
      "m.name as mentor_name",
      eb
        .selectFrom("coaching_checkins as k")
        .select((e) => e.fn.max("k.held_on").as("d"))
        .whereRef("k.plan_id", "=", "p.id")
        .as("last_checkin_on"),
    ])
    .where("p.candidate_id", "=", candidateId)
    .$if(Boolean(asOf), (q) => q.where("p.created_at", "<=", asOf!))
    .orderBy("p.started_on", "desc")
    .orderBy("p.id");
  return db.selectNoFrom([
    jsonArrayFrom(observations).as("observations"),
    jsonArrayFrom(flags).as("flags"),
    jsonArrayFrom(assignments).as("assignments"),
    jsonArrayFrom(plans).as("plans"),
  ]);
}
export type PacketEvidence = InferResult<ReturnType<typeof packetEvidenceStatement>>[number];

// ---- What the deciders read beside the evidence ---------------------------------------------------

/** The nominator's first-hand account: why, by whom, and when the person was nominated. */
export interface Nomination {
  reason: string;
  nominated_by_name: string;
  nominated_at: string;
}

export function nominationOf(row: {
  nominated_reason: string;
  nominated_by_name: string | null;
  nominated_at: Date | string;
}): Nomination {
  return {
    reason: row.nominated_reason,
    nominated_by_name: row.nominated_by_name ?? "",
    nominated_at: new Date(row.nominated_at).toISOString(),
  };
}

/**
 * Facts about the evidence, never about the person: how many people wrote the notes, and how recent
 * the latest one is. `stale`: the latest note is older than RECENT_EVIDENCE_DAYS before `today` (or
 * there is none) — the same rule as the profile's nudge (computeNudges).
 */
export interface EvidenceFacts {
  observers: number;
  last_observed_on: string | null;
  stale: boolean;
}

export function evidenceFacts(
  observations: readonly { observed_on: string; author_id?: string; author_name: string }[],
  today: string,
): EvidenceFacts {
  // Packets frozen before author ids were kept tell authors apart by name.
  const observers = new Set(observations.map((o) => o.author_id ?? `name:${o.author_name}`)).size;
  const last = observations.reduce<string | null>(
    (max, o) => (max === null || o.observed_on > max ? o.observed_on : max),
    null,
  );
  return {
    observers,
    last_observed_on: last,
    stale: last === null || last < addDays(today, -RECENT_EVIDENCE_DAYS),
  };
}

/** The packet of an open meeting, as it is now; the nomination comes from the agenda row (nominationOf). */
export async function getLivePacket(
  db: DB,
  { candidateId, today }: { candidateId: string; today: string },
) {
  const [coverage, evidence] = await Promise.all([
    getEvidenceCoverage(db, { candidateId }),
    getPacketEvidence(db, { candidateId }),
  ]);
  return { coverage, ...evidence, facts: evidenceFacts(evidence.observations, today) };
}

// ---- Frozen packets (decision 0006) --------------------------------------------------------------

/** Keeps each item's packet as it is now: called in the transaction that closes the meeting. */
async function freezePackets(trx: DB, { meetingId, now }: { meetingId: string; now: Date }) {
  const items = await trx
    .selectFrom("calibration_items as i")
    .innerJoin("candidates as c", "c.id", "i.candidate_id")
    .innerJoin("users as nu", "nu.id", "c.nominated_by")
    .select([
      "i.id",
      "i.candidate_id",
      "c.nominated_reason",
      "c.created_at as nominated_at",
      "nu.name as nominated_by_name",
    ])
    .where("i.meeting_id", "=", meetingId)
    .execute();
  for (const item of items) {
    const [coverage, evidence] = await Promise.all([
      getEvidenceCoverage(trx, { candidateId: item.candidate_id }),
      getPacketEvidence(trx, { candidateId: item.candidate_id }),
    ]);
    const snapshot: FrozenPacket = {
      coverage,
      ...evidence,
      nomination: nominationOf(item),
      facts: evidenceFacts(evidence.observations, isoDate(now)),
    };
    await trx
      .updateTable("calibration_items")
      .set({ packet_snapshot: JSON.stringify(snapshot) })
      .where("id", "=", item.id)
      .execute();
  }
}

/** Coverage per dimension from the notes that existed (and were not retracted) at `asOf`. */
async function getCoverageAsOf(
  db: DB,
  { candidateId, asOf }: { candidateId: string; asOf: Date },
): Promise<DimensionCoverage[]> {
  const rows = await db
    .selectFrom("dimensions as d")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("observation_dimensions as od")
          .innerJoin("observations as o", "o.id", "od.observation_id")
          .select(["od.dimension_id", "o.author_id", "o.observed_on"])
          .where("o.candidate_id", "=", candidateId)
          .where("o.created_at", "<=", asOf)
          .where((w) => w.or([w("o.retracted_at", "is", null), w("o.retracted_at", ">", asOf)]))
          .as("e"),
      (join) => join.onRef("e.dimension_id", "=", "d.id"),
    )
    .select((eb) => [
      "d.id",
      "d.name",
      eb.fn.count<number>("e.author_id").as("observations"),
      eb.fn.count<number>("e.author_id").distinct().as("observers"),
      eb.fn.max("e.observed_on").as("last_observed_on"),
    ])
    .where("d.archived_at", "is", null)
    .groupBy(["d.id", "d.name", "d.position"])
    .orderBy("d.position")
    .orderBy("d.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    observations: Number(r.observations),
    observers: Number(r.observers),
    last_observed_on: r.last_observed_on ?? null,
  }));
}

type FrozenPacket = {
  coverage: DimensionCoverage[];
  /** Absent from packets frozen before nominations were kept (null there). */
  nomination?: Nomination | null;
  /** Absent from packets frozen before the facts were kept: computed from their notes then. */
  facts?: EvidenceFacts;
} & PacketEvidence;

/**
 * A closed meeting's packet: the snapshot taken at close. Meetings closed before snapshots were kept
 * get the evidence created before the close instead (later edits show; nothing added later does).
 * Either way, a note retracted or deleted since is marked withdrawn and shown without its text: its
 * author or manager took it back, and the packet must not keep saying it.
 */
export async function getFrozenPacket(
  db: DB,
  {
    itemId,
    candidateId,
    closedAt,
  }: { itemId: string; candidateId: string; closedAt: Date | string },
) {
  const item = await db
    .selectFrom("calibration_items")
    .select("packet_snapshot")
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
  const asOf = new Date(closedAt);
  const packet: FrozenPacket = item.packet_snapshot
    ? (item.packet_snapshot as FrozenPacket)
    : {
        coverage: await getCoverageAsOf(db, { candidateId, asOf }),
        ...(await getPacketEvidence(db, { candidateId, asOf })),
      };
  const complete = {
    ...packet,
    nomination: packet.nomination ?? null,
    facts: packet.facts ?? evidenceFacts(packet.observations, isoDate(asOf)),
  };
  return withoutWithdrawnText(db, complete);
}

const WITHDRAWN_NOTE = { situation: "", behavior: "", impact: "", withdrawn: true };

/**
 * A stored packet as it may be shown or exported: each note retracted or deleted since is marked
 * withdrawn, without its text. Withdrawing a note already blanks it in the stored packets
 * (`withdrawFromPackets`); this also covers a note withdrawn by any other means.
 */
export async function withoutWithdrawnText<P extends { observations: { id: string }[] }>(
  db: DB,
  packet: P,
) {
  const ids = packet.observations.map((o) => o.id);
  const live = ids.length
    ? new Set(
        (
          await db
            .selectFrom("observations")
            .select("id")
            .where("id", "in", ids)
            .where("retracted_at", "is", null)
            .execute()
        ).map((r) => r.id),
      )
    : new Set<string>();
  const observations = packet.observations.map((o) =>
    live.has(o.id) ? { ...o, withdrawn: false } : { ...o, ...WITHDRAWN_NOTE },
  );
  return { ...packet, observations };
}

/**
 * Takes a deleted or retracted note's text out of every stored packet that holds it, whichever
 * candidate it is now filed under. Call it in the transaction that deletes or retracts the note, so
 * the text never outlives the withdrawal anywhere.
 */
export async function withdrawFromPackets(trx: DB, { observationId }: { observationId: string }) {
  await sql`
    update calibration_items set packet_snapshot = jsonb_set(packet_snapshot, '{observations}', (
      select jsonb_agg(case when e.note ->> 'id' = ${observationId} then e.note || ${JSON.stringify(WITHDRAWN_NOTE)}::jsonb else e.note end order by e.n)
      from jsonb_array_elements(packet_snapshot -> 'observations') with ordinality as e(note, n)))
    where packet_snapshot -> 'observations' @> ${JSON.stringify([{ id: observationId }])}::jsonb`.execute(
    trx,
  );
}

/** Whether the viewer's circle (or leadership) covers the candidate, whatever the meeting says. */
export async function candidateIsVisible(
  db: DB,
  { candidateId, viewer }: { candidateId: string; viewer: Viewer },
) {
  const row = await db
    .selectFrom("candidates")
    .select("id")
    .where("id", "=", candidateId)
    .where(candidateVisibleTo(viewer))
    .executeTakeFirst();
  return Boolean(row);
}

// ---- Pre-reads -----------------------------------------------------------------------------------

/**
 * Creates the attendee's pre-read or updates it at the version they saw. "stale" when someone (they,
 * in another tab) saved first. A pre-read is locked once revealed: after the reveal it would no longer
 * be independent. The last attendee's pre-read reveals them all (`revealed`).
 */
export async function savePreread(
  trx: DB,
  {
    meetingId,
    itemId,
    userId,
    view,
    leaning,
    version,
    now,
  }: {
    meetingId: string;
    itemId: string;
    userId: string;
    view: string;
    leaning: Leaning;
    version: number | null;
    now: Date;
  },
): Promise<{ saved: "created" | "updated" | "stale"; revealed: boolean }> {
  await requireOpenMeeting(trx, meetingId);
  const item = await trx
    .selectFrom("calibration_items")
    .select(["opened_at", "revealed_at"])
    .where("id", "=", itemId)
    .where("meeting_id", "=", meetingId)
    .executeTakeFirst();
  if (!item) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  if (item.opened_at || item.revealed_at) throw new MeetingRefusal(409, PREREADS_LOCKED);
  let saved: "created" | "updated" | "stale";
  if (version === null) {
    const row = await trx
      .insertInto("calibration_prereads")
      .values({ item_id: itemId, user_id: userId, view, leaning })
      .onConflict((oc) => oc.columns(["item_id", "user_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    saved = row ? "created" : "stale";
  } else {
    const row = await trx
      .updateTable("calibration_prereads")
      .set({ view, leaning, version: sql<number>`version + 1` })
      .where("item_id", "=", itemId)
      .where("user_id", "=", userId)
      .where("version", "=", version)
      .returning("id")
      .executeTakeFirst();
    saved = row ? "updated" : "stale";
  }
  const revealed =
    saved === "created" ? await revealIfAllIn(trx, { meetingId, itemId, now }) : false;
  return { saved, revealed };
}

export const PREREADS_LOCKED =
  "The pre-reads of this candidate have been revealed, so they are locked: a pre-read written after seeing the others would no longer be independent.";

export async function getOwnPreread(
  db: DB,
  { itemId, userId }: { itemId: string; userId: string },
) {
  return db
    .selectFrom("calibration_prereads")
    .select(["id", "view", "leaning", "version"])
    .where("item_id", "=", itemId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export const PrereadSchema = z.object({
  view: text("Write your view in a few sentences.", 5_000),
  leaning: z.enum(LEANINGS, { error: "Choose your leaning." }),
  version: z.preprocess((v) => (v === "" ? undefined : v), version.optional()),
});

// ---- Decisions -----------------------------------------------------------------------------------

export type EvidenceRef = { kind: "observation" | "flag" | "assignment"; id: string };

export function parseEvidenceRef(value: string): EvidenceRef | null {
  const [kind, id] = value.split(":");
  if ((kind === "observation" || kind === "flag" || kind === "assignment") && isUuid(id))
    return { kind, id: id.toLowerCase() };
  return null;
}

/** The refs that are really this candidate's live observations, flags and sniff-test assignments. */
export async function filterCandidateEvidence(
  db: DB,
  { candidateId, refs }: { candidateId: string; refs: readonly EvidenceRef[] },
) {
  const ids = (kind: EvidenceRef["kind"]) => [
    ...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id)),
  ];
  const [observations, flags, assignments] = await Promise.all([
    ids("observation").length
      ? db
          .selectFrom("observations")
          .select("id")
          .where("candidate_id", "=", candidateId)
          .where("retracted_at", "is", null)
          .where("id", "in", ids("observation"))
          .execute()
      : [],
    ids("flag").length
      ? db
          .selectFrom("flags")
          .select("id")
          .where("candidate_id", "=", candidateId)
          .where("id", "in", ids("flag"))
          .execute()
      : [],
    ids("assignment").length
      ? db
          .selectFrom("sniff_test_assignments")
          .select("id")
          .where("candidate_id", "=", candidateId)
          .where("id", "in", ids("assignment"))
          .execute()
      : [],
  ]);
  return [
    ...observations.map((r) => ({ kind: "observation" as const, id: r.id })),
    ...flags.map((r) => ({ kind: "flag" as const, id: r.id })),
    ...assignments.map((r) => ({ kind: "assignment" as const, id: r.id })),
  ];
}

const optionalLongText = optionalText().transform((v) => v || null);

/** What a decision or an amendment says; `today` bounds the revisit date. */
export function DecisionFieldsSchema(today: string) {
  return z
    .object({
      itemId: id("Choose the candidate."),
      outcome: z.enum(LEANINGS, { error: "Choose the outcome." }),
      rationale: text("Write the rationale: why the group decided this."),
      evidence: z.preprocess(
        (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
        z
          .array(z.string())
          .max(500, "Pick fewer items.")
          .transform((list, ctx) => {
            const refs = list.map(parseEvidenceRef);
            if (refs.some((r) => r === null)) {
              ctx.addIssue({ code: "custom", message: "Pick evidence from the packet." });
              return z.NEVER;
            }
            return refs as EvidenceRef[];
          })
          .refine(
            (refs) => refs.length > 0,
            "Pick at least one observation, flag or sniff test the decision rests on.",
          ),
      ),
      dissent: optionalLongText,
      nextSteps: optionalLongText,
      revisitOn: optionalDay("the revisit date", {
        min: addDays(today, 1),
        tooEarly: "The revisit date must be in the future.",
      }),
      /** The named role or stretch the decision is about (readiness_roles); empty: none. */
      readinessRoleId: z
        .string()
        .optional()
        .transform((v) => (v ? v.toLowerCase() : null))
        .refine((v) => v === null || isUuid(v), "Choose a role from the list, or none."),
      /** "yes": record the decision although some attendee's final leaning is missing (recorded). */
      proceedAnyway: z
        .literal("yes", { error: "Tick the box or leave it." })
        .optional()
        .transform((v) => v === "yes"),
      idempotencyKey,
    })
    .superRefine((value, ctx) => {
      if (value.outcome === "not_yet" && !value.revisitOn) {
        ctx.addIssue({
          code: "custom",
          path: ["revisitOn"],
          message: "Choose when to revisit: “not yet” needs a date.",
        });
      }
    });
}

export interface DecisionInput {
  meetingId: string;
  itemId: string;
  candidateId: string;
  outcome: Leaning;
  rationale: string;
  dissent: string | null;
  nextSteps: string | null;
  revisitOn: string | null;
  evidence: readonly EvidenceRef[];
  decidedBy: string;
  idempotencyKey: string;
  now: Date;
  /** Record the decision although some attendee's final leaning is missing. */
  proceedAnyway?: boolean;
  /** The named role or stretch the decision is about. */
  readinessRoleId?: string | null;
}

export function isOneCurrentDecisionViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  return (
    e?.code === "23505" &&
    (e.constraint ?? e.message ?? "").includes("calibration_decisions_one_current")
  );
}

async function insertDecision(trx: DB, input: DecisionInput & { amendmentReason?: string | null }) {
  const { id } = await trx
    .insertInto("calibration_decisions")
    .values({
      item_id: input.itemId,
      outcome: input.outcome,
      rationale: input.rationale,
      dissent: input.dissent,
      next_steps: input.nextSteps,
      revisit_on: input.revisitOn,
      decided_by: input.decidedBy,
      decided_at: input.now,
      amendment_reason: input.amendmentReason ?? null,
      readiness_role_id: input.readinessRoleId ?? null,
      idempotency_key: input.idempotencyKey,
      created_at: input.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("calibration_decision_evidence")
    .values(
      input.evidence.map((r) => ({
        decision_id: id,
        observation_id: r.kind === "observation" ? r.id : null,
        flag_id: r.kind === "flag" ? r.id : null,
        assignment_id: r.kind === "assignment" ? r.id : null,
      })),
    )
    .execute();
  return id;
}

/**
 * Moves the candidate as the outcome says, citing the decision. The candidate row is locked so a
 * concurrent hand move cannot interleave. Archived and promoted people are not moved by a decision:
 * archiving and promotion are later, deliberate steps that a calibration outcome must not undo.
 */
async function applyOutcome(
  trx: DB,
  {
    candidateId,
    outcome,
    revisitOn,
    decisionId,
    changedBy,
    now,
    amended,
  }: {
    candidateId: string;
    outcome: Leaning;
    revisitOn: string | null;
    decisionId: string;
    changedBy: string;
    now: Date;
    amended: boolean;
  },
): Promise<{ from: Stage; to: Stage } | null> {
  const to = OUTCOME_STAGE[outcome];
  if (!to) return null;
  const candidate = await trx
    .selectFrom("candidates")
    .select(["stage", "version", "revisit_on"])
    .where("id", "=", candidateId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (candidate.stage === "archived" || candidate.stage === "promoted") return null;
  if (candidate.stage === to && (to !== "paused" || candidate.revisit_on === revisitOn))
    return null;
  const reason = `Calibration decision${amended ? " (amended)" : ""}: ${OUTCOME_LABELS[outcome].toLowerCase()}.`;
  const moved = await moveStage(trx, {
    id: candidateId,
    version: candidate.version,
    from: candidate.stage,
    to,
    changedBy,
    reason,
    revisitOn: to === "paused" ? revisitOn : null,
    calibrationDecisionId: decisionId,
    now,
  });
  if (!moved) throw new Error("The candidate row changed while locked.");
  return { from: candidate.stage, to };
}

/**
 * Records the item's decision and moves the stage, all in the caller's transaction. Refuses when the
 * meeting is not in progress, the item is not open, some attendee's final leaning is missing (unless
 * the decider proceeds anyway, which is recorded on the item), or a current decision exists and the
 * item is not being revisited. While it is, the new decision supersedes the one that stood. A resubmit
 * of the same form (same idempotency key) returns the decision it made.
 */
export async function recordDecision(trx: DB, input: DecisionInput) {
  const meeting = await requireOpenMeeting(trx, input.meetingId);
  if (meeting.status !== "in_progress")
    throw new MeetingRefusal(409, "Start the meeting before recording decisions.");
  // Checked again under the meeting's lock: a concurrent submit of the same form then finds the first's decision.
  const repeat = await findDecisionByIdempotencyKey(trx, input.idempotencyKey);
  if (repeat) return { ...repeat, created: false, move: null };
  const item = await trx
    .selectFrom("calibration_items")
    .select(["opened_at"])
    .where("id", "=", input.itemId)
    .where("meeting_id", "=", input.meetingId)
    .executeTakeFirst();
  if (!item) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  if (!item.opened_at)
    throw new MeetingRefusal(
      409,
      "Open this candidate in the meeting before recording a decision.",
    );
  const current = await trx
    .selectFrom("calibration_decisions")
    .select("id")
    .where("item_id", "=", input.itemId)
    .where("superseded_at", "is", null)
    .executeTakeFirst();
  const revisit = current ? await openRevisit(trx, input.itemId) : undefined;
  if (current && !revisit) throw new MeetingRefusal(409, DECISION_EXISTS);
  const early = await requireFinalLeanings(trx, {
    meetingId: input.meetingId,
    itemId: input.itemId,
    proceedAnyway: input.proceedAnyway ?? false,
  });
  await trx
    .updateTable("calibration_items")
    .set({ decided_early_by: early ? input.decidedBy : null })
    .where("id", "=", input.itemId)
    .execute();
  // A revisit's decision retires the one that stood (the partial unique index allows one current).
  if (current)
    await trx
      .updateTable("calibration_decisions")
      .set({ superseded_at: input.now })
      .where("id", "=", current.id)
      .execute();
  const decisionId = await insertDecision(trx, input);
  if (current)
    await trx
      .updateTable("calibration_decisions")
      .set({ superseded_by: decisionId })
      .where("id", "=", current.id)
      .execute();
  const move = await applyOutcome(trx, {
    candidateId: input.candidateId,
    outcome: input.outcome,
    revisitOn: input.revisitOn,
    decisionId,
    changedBy: input.decidedBy,
    now: input.now,
    amended: false,
  });
  return { ...savedDecision(decisionId, input, null), move };
}

export const DECISION_EXISTS =
  "A decision was already recorded for this candidate in this meeting. Reload to see it; a leader can amend it.";

/**
 * Supersedes the current decision with a new one (never overwrites it) and moves the stage as the new
 * outcome says. `supersedes` is the decision the leader saw: if another amendment came first, 409.
 */
export async function amendDecision(
  trx: DB,
  input: DecisionInput & { supersedes: string; amendmentReason: string },
) {
  await lockMeeting(trx, input.meetingId);
  const repeat = await findDecisionByIdempotencyKey(trx, input.idempotencyKey);
  if (repeat) return { ...repeat, created: false, move: null };
  const current = await trx
    .selectFrom("calibration_decisions")
    .select("id")
    .where("item_id", "=", input.itemId)
    .where("superseded_at", "is", null)
    .forUpdate()
    .executeTakeFirst();
  if (!current)
    throw new MeetingRefusal(409, "There is no decision to amend for this candidate yet.");
  if (current.id !== input.supersedes) {
    throw new MeetingRefusal(
      409,
      "Someone amended this decision while you were writing. Reload to see the current decision; your text is kept below.",
    );
  }
  // The partial unique index allows one current decision: retire the old one before inserting the new.
  await trx
    .updateTable("calibration_decisions")
    .set({ superseded_at: input.now })
    .where("id", "=", current.id)
    .execute();
  const decisionId = await insertDecision(trx, input);
  await trx
    .updateTable("calibration_decisions")
    .set({ superseded_by: decisionId })
    .where("id", "=", current.id)
    .execute();
  const move = await applyOutcome(trx, {
    candidateId: input.candidateId,
    outcome: input.outcome,
    revisitOn: input.revisitOn,
    decisionId,
    changedBy: input.decidedBy,
    now: input.now,
    amended: true,
  });
  return { ...savedDecision(decisionId, input, input.amendmentReason), move };
}

/** The decision stored under a form's key: which item, by whom, and whether it amends another. */
export async function findDecisionByIdempotencyKey(db: DB, key: string) {
  return db
    .selectFrom("calibration_decisions")
    .select(["id", "item_id", "decided_by", "outcome", "amendment_reason"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}
type DecisionKeyRow = NonNullable<Awaited<ReturnType<typeof findDecisionByIdempotencyKey>>>;

function savedDecision(
  id: string,
  input: DecisionInput,
  amendmentReason: string | null,
): Saved<DecisionKeyRow> {
  return {
    id,
    item_id: input.itemId,
    decided_by: input.decidedBy,
    outcome: input.outcome,
    amendment_reason: amendmentReason,
    created: true,
  };
}
