/**
 * The meeting's rounds (docs/calibration.md): sealed pre-reads revealed together, the unique-evidence
 * round, final leanings after discussion, the meeting timer, and "revisit the early cases".
 *
 * Every function that changes something runs inside the caller's transaction after the meeting row is
 * locked (requireOpenMeeting / lockMeeting), so a close, a reveal and a save cannot cross.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { DB } from "../../db/client";
import { type Leaning, LEANINGS } from "../../db/schema";
import type { Viewer } from "../auth/policy.server";
import { optionalText, version } from "../utils/fields";
import { MeetingRefusal, requireOpenMeeting } from "./calibration.server";

// ---- Reveal ----------------------------------------------------------------------------------------

/** Who attends the meeting (the facilitator among them). */
async function attendeeIds(db: DB, meetingId: string) {
  const rows = await db
    .selectFrom("calibration_attendees")
    .select("user_id")
    .where("meeting_id", "=", meetingId)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Whether every attendee of the meeting has a row in `table` for the item. */
async function everyAttendeeHas(
  db: DB,
  {
    meetingId,
    itemId,
    table,
  }: {
    meetingId: string;
    itemId: string;
    table: "calibration_prereads" | "calibration_final_leanings";
  },
) {
  const [attendees, rows] = await Promise.all([
    attendeeIds(db, meetingId),
    db.selectFrom(table).select("user_id").where("item_id", "=", itemId).execute(),
  ]);
  const written = new Set(rows.map((r) => r.user_id));
  return {
    all: attendees.length > 0 && attendees.every((a) => written.has(a)),
    written: attendees.filter((a) => written.has(a)).length,
    attendees: attendees.length,
  };
}

/**
 * Reveals the item's pre-reads when every attendee has written one. Returns true when this call
 * revealed them. Call after saving a pre-read, under the meeting's lock.
 */
export async function revealIfAllIn(
  trx: DB,
  { meetingId, itemId, now }: { meetingId: string; itemId: string; now: Date },
) {
  const { all } = await everyAttendeeHas(trx, {
    meetingId,
    itemId,
    table: "calibration_prereads",
  });
  if (!all) return false;
  const row = await trx
    .updateTable("calibration_items")
    .set({ revealed_at: now })
    .where("id", "=", itemId)
    .where("revealed_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Reveals the item's pre-reads because the facilitator opened it. When some attendee has not written
 * one, the facilitator is recorded as having opened it early. Returns "early", "all" or null (already
 * revealed).
 */
export async function revealOnOpen(
  trx: DB,
  {
    meetingId,
    itemId,
    facilitatorId,
    now,
  }: { meetingId: string; itemId: string; facilitatorId: string; now: Date },
): Promise<"early" | "all" | null> {
  const item = await trx
    .selectFrom("calibration_items")
    .select("revealed_at")
    .where("id", "=", itemId)
    .executeTakeFirstOrThrow();
  if (item.revealed_at) return null;
  const { all } = await everyAttendeeHas(trx, {
    meetingId,
    itemId,
    table: "calibration_prereads",
  });
  await trx
    .updateTable("calibration_items")
    .set({ revealed_at: now, revealed_early_by: all ? null : facilitatorId })
    .where("id", "=", itemId)
    .execute();
  return all ? "all" : "early";
}

// ---- The meeting timer -----------------------------------------------------------------------------

/** Stops the timer on whichever item of the meeting it runs, adding the elapsed whole seconds. */
export async function stopTimer(trx: DB, { meetingId, now }: { meetingId: string; now: Date }) {
  const running = await trx
    .selectFrom("calibration_items")
    .select(["id", "discussion_started_at"])
    .where("meeting_id", "=", meetingId)
    .where("discussion_started_at", "is not", null)
    .execute();
  for (const item of running) {
    const elapsed = Math.max(
      0,
      Math.round((now.getTime() - new Date(item.discussion_started_at!).getTime()) / 1000),
    );
    await trx
      .updateTable("calibration_items")
      .set({
        discussion_seconds: sql<number>`discussion_seconds + ${elapsed}::int`,
        discussion_started_at: null,
      })
      .where("id", "=", item.id)
      .execute();
  }
  return running.length > 0;
}

/** Starts the timer on the item (stopping it on any other first). */
export async function startTimer(
  trx: DB,
  { meetingId, itemId, now }: { meetingId: string; itemId: string; now: Date },
) {
  await stopTimer(trx, { meetingId, now });
  await trx
    .updateTable("calibration_items")
    .set({ discussion_started_at: now })
    .where("id", "=", itemId)
    .execute();
}

/** The measured discussion time so far, counting a running timer up to `now`. */
export function discussedSeconds(
  item: { discussion_seconds: number; discussion_started_at: Date | string | null },
  now: Date,
) {
  const running = item.discussion_started_at
    ? Math.max(
        0,
        Math.round((now.getTime() - new Date(item.discussion_started_at).getTime()) / 1000),
      )
    : 0;
  return item.discussion_seconds + running;
}

// ---- Final leanings ----------------------------------------------------------------------------------

export const FinalLeaningSchema = z.object({
  leaning: z.enum(LEANINGS, { error: "Choose your final leaning." }),
  note: optionalText(2_000).transform((v) => v || null),
  version: z.preprocess((v) => (v === "" ? undefined : v), version.optional()),
});

/** Whether the item has a revisit still open (reopened at the end of the meeting, not yet closed). */
async function openRevisit(db: DB, itemId: string) {
  return db
    .selectFrom("calibration_revisits")
    .select(["id", "decision_before"])
    .where("item_id", "=", itemId)
    .where("closed_at", "is", null)
    .executeTakeFirst();
}

async function currentDecisionId(db: DB, itemId: string) {
  const row = await db
    .selectFrom("calibration_decisions")
    .select("id")
    .where("item_id", "=", itemId)
    .where("superseded_at", "is", null)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Records the attendee's final leaning (the second round, after discussion) or updates it at the
 * version they saw. Only while the meeting is in progress, after the item was opened, and before its
 * decision (or while it is being revisited).
 */
export async function saveFinalLeaning(
  trx: DB,
  {
    meetingId,
    itemId,
    userId,
    leaning,
    note,
    version,
  }: {
    meetingId: string;
    itemId: string;
    userId: string;
    leaning: Leaning;
    note: string | null;
    version: number | null;
  },
): Promise<"created" | "updated" | "stale"> {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "in_progress")
    throw new MeetingRefusal(409, "Final leanings are recorded during the meeting.");
  const item = await trx
    .selectFrom("calibration_items")
    .select("opened_at")
    .where("id", "=", itemId)
    .where("meeting_id", "=", meetingId)
    .executeTakeFirst();
  if (!item) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  if (!item.opened_at)
    throw new MeetingRefusal(
      409,
      "Final leanings come after the discussion: wait until the facilitator opens this candidate.",
    );
  if ((await currentDecisionId(trx, itemId)) && !(await openRevisit(trx, itemId)))
    throw new MeetingRefusal(
      409,
      "The decision on this candidate is recorded, so final leanings are locked.",
    );
  if (version === null) {
    const row = await trx
      .insertInto("calibration_final_leanings")
      .values({ item_id: itemId, user_id: userId, leaning, note })
      .onConflict((oc) => oc.columns(["item_id", "user_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return row ? "created" : "stale";
  }
  const row = await trx
    .updateTable("calibration_final_leanings")
    .set({ leaning, note, version: sql<number>`version + 1` })
    .where("item_id", "=", itemId)
    .where("user_id", "=", userId)
    .where("version", "=", version)
    .returning("id")
    .executeTakeFirst();
  return row ? "updated" : "stale";
}

export const FINAL_LEANINGS_MISSING = (written: number, attendees: number) =>
  `${written} of ${attendees} attendees have recorded a final leaning. Wait for the rest, or tick “Decide without every final leaning” to record the decision now; that is recorded and shown with the decision.`;

/**
 * Refuses a decision while some attendee's final leaning is missing, unless the decider chose to
 * proceed; returns whether it proceeded without them. Call under the meeting's lock.
 */
export async function requireFinalLeanings(
  trx: DB,
  {
    meetingId,
    itemId,
    proceedAnyway,
  }: { meetingId: string; itemId: string; proceedAnyway: boolean },
) {
  const { all, written, attendees } = await everyAttendeeHas(trx, {
    meetingId,
    itemId,
    table: "calibration_final_leanings",
  });
  if (all) return false;
  if (!proceedAnyway) throw new MeetingRefusal(409, FINAL_LEANINGS_MISSING(written, attendees));
  return true;
}

// ---- The unique-evidence round -------------------------------------------------------------------

/** Records that the observation was added to the item's packet by its author in the meeting. */
export async function recordAddition(
  trx: DB,
  { itemId, observationId, addedBy }: { itemId: string; observationId: string; addedBy: string },
) {
  await trx
    .insertInto("calibration_item_additions")
    .values({ item_id: itemId, observation_id: observationId, added_by: addedBy })
    .onConflict((oc) => oc.columns(["item_id", "observation_id"]).doNothing())
    .execute();
}

export const EVIDENCE_ROUND_OVER =
  "The evidence round for this candidate is over: it ends when the facilitator opens the candidate for discussion. Add the observation from the profile if you can reach it.";

/** The unique-evidence round is open until the item is opened for discussion, while the meeting is not closed. */
export async function requireEvidenceRoundOpen(
  trx: DB,
  { meetingId, itemId }: { meetingId: string; itemId: string },
) {
  await requireOpenMeeting(trx, meetingId);
  const item = await trx
    .selectFrom("calibration_items")
    .select("opened_at")
    .where("id", "=", itemId)
    .where("meeting_id", "=", meetingId)
    .executeTakeFirst();
  if (!item) throw new MeetingRefusal(400, "That candidate is not on this agenda.");
  if (item.opened_at) throw new MeetingRefusal(409, EVIDENCE_ROUND_OVER);
}

// ---- Revisit the early cases ---------------------------------------------------------------------

/** How many of the first items a revisit reopens: the first third, at least one. */
export function earlyCount(items: number) {
  return items === 0 ? 0 : Math.max(1, Math.floor(items / 3));
}

/**
 * Reopens the first third of the agenda (at least one item) at the end of the meeting: each gets a
 * revisit row naming the decision that stood. Refused once the meeting is closed, before every item
 * has been discussed, and a second time.
 */
export async function revisitEarlyItems(
  trx: DB,
  { meetingId, userId, now }: { meetingId: string; userId: string; now: Date },
) {
  const meeting = await requireOpenMeeting(trx, meetingId);
  if (meeting.status !== "in_progress")
    throw new MeetingRefusal(409, "Start the meeting before revisiting its early cases.");
  const items = await trx
    .selectFrom("calibration_items as i")
    .select((eb) => [
      "i.id",
      "i.position",
      "i.opened_at",
      eb
        .selectFrom("calibration_decisions as d")
        .select("d.id")
        .whereRef("d.item_id", "=", "i.id")
        .where("d.superseded_at", "is", null)
        .as("decision_id"),
      eb
        .exists(
          eb
            .selectFrom("calibration_revisits as r")
            .select("r.id")
            .whereRef("r.item_id", "=", "i.id"),
        )
        .as("revisited"),
    ])
    .where("i.meeting_id", "=", meetingId)
    .orderBy("i.position")
    .execute();
  if (!items.length) throw new MeetingRefusal(409, "This meeting has no candidates to revisit.");
  if (items.some((i) => i.revisited))
    throw new MeetingRefusal(409, "The early cases of this meeting have already been revisited.");
  if (items.some((i) => !i.opened_at))
    throw new MeetingRefusal(
      409,
      "Revisit the early cases at the end of the meeting, once every candidate on the agenda has been opened.",
    );
  const early = items.slice(0, earlyCount(items.length));
  await stopTimer(trx, { meetingId, now });
  await trx
    .insertInto("calibration_revisits")
    .values(
      early.map((i) => ({
        item_id: i.id,
        opened_by: userId,
        opened_at: now,
        decision_before: i.decision_id ?? null,
      })),
    )
    .execute();
  return early.map((i) => ({ id: i.id, position: i.position }));
}

/** Closes the meeting's open revisits (when the meeting closes). */
export async function closeRevisits(trx: DB, { meetingId, now }: { meetingId: string; now: Date }) {
  await trx
    .updateTable("calibration_revisits")
    .set({ closed_at: now })
    .where("closed_at", "is", null)
    .where("item_id", "in", (eb) =>
      eb.selectFrom("calibration_items").select("id").where("meeting_id", "=", meetingId),
    )
    .execute();
}

/** The open revisit of the item, if any: a decision recorded now supersedes the one that stood. */
export { openRevisit };

// ---- Reading the rounds --------------------------------------------------------------------------

/**
 * The rounds of the meeting's items as the viewer may see them:
 * - final leanings: another attendee's only once every attendee has recorded one or the item has a
 *   decision (the second round is sealed like the first); the viewer's own always;
 * - the evidence added in the unique-evidence round, with who added it;
 * - revisits, with the outcome that stood before and the current one.
 */
export async function getRounds(
  db: DB,
  { meetingId, viewer, itemIds }: { meetingId: string; viewer: Viewer; itemIds?: string[] },
) {
  if (itemIds && !itemIds.length) return new Map<string, ItemRounds>();
  const leaningsQuery = db
    .selectFrom("calibration_final_leanings as f")
    .innerJoin("calibration_items as i", "i.id", "f.item_id")
    .innerJoin("users as u", "u.id", "f.user_id")
    .select([
      "f.id",
      "f.item_id",
      "f.user_id",
      "u.name as user_name",
      "f.leaning",
      "f.note",
      "f.version",
      "f.updated_at",
    ])
    .where("i.meeting_id", "=", meetingId)
    .$if(Boolean(itemIds), (q) => q.where("f.item_id", "in", itemIds!))
    .orderBy("u.name")
    .orderBy("f.id");
  const additionsQuery = db
    .selectFrom("calibration_item_additions as a")
    .innerJoin("calibration_items as i", "i.id", "a.item_id")
    .innerJoin("users as u", "u.id", "a.added_by")
    .innerJoin("observations as o", "o.id", "a.observation_id")
    .select([
      "a.id",
      "a.item_id",
      "a.observation_id",
      "a.added_by",
      "u.name as added_by_name",
      "a.created_at",
      "o.observed_on",
      "o.situation",
      "o.behavior",
      "o.impact",
      "o.retracted_at",
    ])
    .where("i.meeting_id", "=", meetingId)
    .$if(Boolean(itemIds), (q) => q.where("a.item_id", "in", itemIds!))
    .orderBy("a.created_at")
    .orderBy("a.id");
  const revisitsQuery = db
    .selectFrom("calibration_revisits as r")
    .innerJoin("calibration_items as i", "i.id", "r.item_id")
    .leftJoin("calibration_decisions as before", "before.id", "r.decision_before")
    .select((eb) => [
      "r.id",
      "r.item_id",
      "r.opened_at",
      "r.closed_at",
      "before.outcome as outcome_before",
      eb
        .selectFrom("calibration_decisions as d")
        .select("d.outcome")
        .whereRef("d.item_id", "=", "r.item_id")
        .where("d.superseded_at", "is", null)
        .as("outcome_now"),
    ])
    .where("i.meeting_id", "=", meetingId)
    .$if(Boolean(itemIds), (q) => q.where("r.item_id", "in", itemIds!))
    .orderBy("r.opened_at");
  const decidedQuery = db
    .selectFrom("calibration_decisions as d")
    .innerJoin("calibration_items as i", "i.id", "d.item_id")
    .select("d.item_id")
    .distinct()
    .where("i.meeting_id", "=", meetingId);
  // One statement for the page (its JSON carries timestamps as text: made Dates again below).
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom("calibration_attendees")
          .select("user_id")
          .where("meeting_id", "=", meetingId),
      ).as("attendees"),
      jsonArrayFrom(leaningsQuery).as("leanings"),
      jsonArrayFrom(additionsQuery).as("additions"),
      jsonArrayFrom(revisitsQuery).as("revisits"),
      jsonArrayFrom(decidedQuery).as("decided"),
    ])
    .executeTakeFirstOrThrow();
  const attendees = row.attendees.map((a) => a.user_id);
  const leanings = row.leanings.map((l) => ({ ...l, updated_at: new Date(l.updated_at) }));
  const additions = row.additions.map((a) => ({ ...a, created_at: new Date(a.created_at) }));
  const revisits = row.revisits.map((r) => ({
    ...r,
    opened_at: new Date(r.opened_at),
    closed_at: r.closed_at === null ? null : new Date(r.closed_at),
  }));
  const decided = row.decided;
  const hasDecision = new Set(decided.map((d) => d.item_id));
  const rounds = new Map<string, ItemRounds>();
  const of = (itemId: string) => {
    let r = rounds.get(itemId);
    if (!r) {
      r = {
        finalLeanings: [],
        finalLeaningsBy: [],
        finalLeaningsOpen: false,
        additions: [],
        revisits: [],
      };
      rounds.set(itemId, r);
    }
    return r;
  };
  const byItem = new Map<string, typeof leanings>();
  for (const l of leanings) byItem.set(l.item_id, [...(byItem.get(l.item_id) ?? []), l]);
  for (const [itemId, list] of byItem) {
    const by = new Set(list.map((l) => l.user_id));
    const open =
      hasDecision.has(itemId) || (attendees.length > 0 && attendees.every((a) => by.has(a)));
    const r = of(itemId);
    r.finalLeaningsOpen = open;
    r.finalLeaningsBy = list.map((l) => l.user_id);
    r.finalLeanings = list
      .filter((l) => open || l.user_id === viewer.id)
      .map(({ item_id: _i, ...l }) => l);
  }
  for (const a of additions) {
    const { item_id, retracted_at, ...rest } = a;
    // A note taken back by its author stays listed as added, without its text.
    of(item_id).additions.push(
      retracted_at
        ? { ...rest, situation: "", behavior: "", impact: "", withdrawn: true }
        : { ...rest, withdrawn: false },
    );
  }
  for (const r of revisits) {
    const { item_id, ...rest } = r;
    of(item_id).revisits.push({
      ...rest,
      changed: r.outcome_before !== r.outcome_now,
    });
  }
  return rounds;
}

export interface ItemRounds {
  finalLeanings: {
    id: string;
    user_id: string;
    user_name: string;
    leaning: Leaning;
    note: string | null;
    version: number;
    updated_at: Date;
  }[];
  /** Who has recorded a final leaning (names only, never what). */
  finalLeaningsBy: string[];
  /** Whether the final leanings are open to the room (all in, or decided). */
  finalLeaningsOpen: boolean;
  additions: {
    id: string;
    observation_id: string;
    added_by: string;
    added_by_name: string;
    created_at: Date;
    observed_on: string;
    situation: string;
    behavior: string;
    impact: string;
    withdrawn: boolean;
  }[];
  revisits: {
    id: string;
    opened_at: Date;
    closed_at: Date | null;
    outcome_before: Leaning | null;
    outcome_now: Leaning | null;
    changed: boolean;
  }[];
}

export const NO_ROUNDS: ItemRounds = {
  finalLeanings: [],
  finalLeaningsBy: [],
  finalLeaningsOpen: false,
  additions: [],
  revisits: [],
};
