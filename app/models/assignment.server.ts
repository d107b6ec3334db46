/**
 * Sniff-test assignments: offering a template to a candidate, the lifecycle
 * (offered → accepted | declined → completed | not_completed, withdrawn at any open point) and the
 * debrief observation that closes a completed or not completed one.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/client";
import { ASSIGNMENT_STATUSES, SIGNALS, type AssignmentStatus } from "../../db/schema";
import { candidateVisibleTo, isUuid, type Viewer } from "../auth/policy.server";
import { addDays } from "../utils/dates";
import { day, idList, optionalDay, optionalText, text, version } from "../utils/fields";
import { IdempotencyKeySchema, type Saved } from "../utils/idempotency.server";
import { ASSIGNMENT_STATUS_WORDS } from "../utils/labels";
import { assignmentIsOpen, assignmentTransitions } from "../utils/lifecycle";
import { audit } from "./audit.server";
import { escapeLike } from "./candidate.server";
import { createObservation, OBSERVATION_LINE, type ObservationKeyRow } from "./observation.server";
import { REVISION_TEXT } from "./sniff-test.server";

/** Why a transition is refused, in words a manager can act on. */
export function transitionRefusal(
  from: AssignmentStatus,
  to: AssignmentStatus,
  needsAcceptance = true,
): string {
  const allowed = assignmentTransitions(from, needsAcceptance);
  const next = allowed.length
    ? `From ${ASSIGNMENT_STATUS_WORDS[from]} it can become ${allowed
        .map((s) => ASSIGNMENT_STATUS_WORDS[s])
        .join(", ")}.`
    : "It is closed, so its status no longer changes.";
  return `This sniff test is ${ASSIGNMENT_STATUS_WORDS[from]}; it cannot be marked ${ASSIGNMENT_STATUS_WORDS[to]}. ${next}`;
}

// ---- What can be offered to whom --------------------------------------------------------------------

/**
 * Candidates the viewer may see and who are not archived, for the "offer to" select: with a sniff test,
 * only those without an open offer of it; a name search and a limit keep the list short at any scale.
 */
export function listAssignableCandidates(
  db: DB,
  {
    viewer,
    sniffTestId,
    search,
    limit,
  }: { viewer: Viewer; sniffTestId?: string; search?: string; limit?: number },
) {
  let query = db
    .selectFrom("candidates")
    .select(["candidates.id", "candidates.name"])
    .where(candidateVisibleTo(viewer))
    .where("candidates.archived_at", "is", null);
  if (sniffTestId) {
    query = query.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("sniff_test_assignments as a")
            .select("a.id")
            .whereRef("a.candidate_id", "=", "candidates.id")
            .where("a.sniff_test_id", "=", sniffTestId)
            .where("a.status", "in", ["offered", "accepted"]),
        ),
      ),
    );
  }
  if (search)
    query = query.where(
      sql<string>`lower(candidates.name)`,
      "like",
      `%${escapeLike(search.toLowerCase())}%`,
    );
  query = query.orderBy(sql`lower(candidates.name)`).orderBy("candidates.id");
  return (limit === undefined ? query : query.limit(limit)).execute();
}

/** Live templates, in library order, for the "pick a sniff test" select. */
export function listAssignableSniffTests(db: DB) {
  return db
    .selectFrom("sniff_tests as t")
    .innerJoin("dimensions as d", "d.id", "t.dimension_id")
    .select(["t.id", "t.title", "t.timebox_days", "d.name as dimension_name"])
    .where("t.archived_at", "is", null)
    .orderBy("d.position")
    .orderBy("d.name")
    .orderBy("t.title")
    .execute();
}

export async function findAssignmentByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("sniff_test_assignments")
    .select(["id", "candidate_id", "sniff_test_id", "assigned_by"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export type OfferRefusal = {
  ok: false;
  formError?: string;
  fieldErrors?: Record<string, string[]>;
};

/**
 * Offers the template's current revision to the candidate (the caller has checked the viewer may see
 * the candidate), with its first event and audit row. Call inside a transaction (the route's saveOnce).
 */
export async function offerSniffTest(
  trx: DB,
  input: {
    viewer: Viewer;
    sniffTestId: string;
    candidateId: string;
    offeredOn: string;
    dueOn: string | null;
    idempotencyKey: string;
    now: Date;
    requestId: string;
  },
): Promise<
  | Saved<{ id: string; candidate_id: string; sniff_test_id: string; assigned_by: string }>
  | OfferRefusal
> {
  const [test, candidate] = await Promise.all([
    trx
      .selectFrom("sniff_tests as t")
      .innerJoin("sniff_test_revisions as r", (join) =>
        join.onRef("r.sniff_test_id", "=", "t.id").onRef("r.version", "=", "t.version"),
      )
      .select(["t.id", "t.archived_at", "t.timebox_days", "r.id as revision_id"])
      .where("t.id", "=", input.sniffTestId)
      .executeTakeFirst(),
    trx
      .selectFrom("candidates")
      .select(["id", "archived_at"])
      .where("id", "=", input.candidateId)
      .executeTakeFirst(),
  ]);
  if (!test)
    return {
      ok: false,
      fieldErrors: { sniffTestId: ["Choose a sniff test from the list."] },
    };
  if (test.archived_at)
    return {
      ok: false,
      formError: "This sniff test is archived: restore it before offering it to anyone.",
    };
  if (!candidate)
    return {
      ok: false,
      fieldErrors: { candidateId: ["Choose a candidate from the list."] },
    };
  if (candidate.archived_at)
    return {
      ok: false,
      formError: "This candidate is archived: sniff tests cannot be offered to them.",
    };
  const dueOn = input.dueOn ?? addDays(input.offeredOn, test.timebox_days);
  if (dueOn < input.offeredOn)
    return {
      ok: false,
      fieldErrors: {
        dueOn: ["The due date cannot be before the day it was offered."],
      },
    };

  const row = await trx
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: test.id,
      sniff_test_revision_id: test.revision_id,
      candidate_id: candidate.id,
      assigned_by: input.viewer.id,
      offered_on: input.offeredOn,
      due_on: dueOn,
      status: "offered",
      idempotency_key: input.idempotencyKey,
      created_at: input.now,
      updated_at: input.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: row.id,
      from_status: null,
      to_status: "offered",
      changed_by: input.viewer.id,
      created_at: input.now,
    })
    .execute();
  await audit(trx, {
    actorId: input.viewer.id,
    action: "assignment.create",
    entity: "assignment",
    entityId: row.id,
    requestId: input.requestId,
    details: {
      candidateId: candidate.id,
      sniffTestId: test.id,
      revisionId: test.revision_id,
      offeredOn: input.offeredOn,
      dueOn,
    },
  });
  return {
    id: row.id,
    candidate_id: candidate.id,
    sniff_test_id: test.id,
    assigned_by: input.viewer.id,
    created: true,
  };
}

// ---- One assignment ---------------------------------------------------------------------------------

/** The assignment with the text as it was given (its revision), or undefined when it is not this candidate's. */
export async function getAssignment(
  db: DB,
  { candidateId, assignmentId }: { candidateId: string; assignmentId: string },
) {
  return db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("sniff_test_revisions as r", "r.id", "a.sniff_test_revision_id")
    .innerJoin("sniff_tests as t", "t.id", "a.sniff_test_id")
    .innerJoin("dimensions as d", "d.id", "r.dimension_id")
    .innerJoin("users as assigner", "assigner.id", "a.assigned_by")
    .select([
      "a.id",
      "a.candidate_id",
      "a.sniff_test_id",
      "a.offered_on",
      "a.due_on",
      "a.closed_on",
      "a.status",
      "a.version",
      "a.person_id",
      "a.offering_id",
      "t.needs_acceptance",
      "assigner.name as assigned_by_name",
      "r.version as revision_version",
      ...REVISION_TEXT,
      "r.dimension_id",
      "d.name as dimension_name",
      "t.version as template_version",
    ])
    .where("a.id", "=", assignmentId)
    .where("a.candidate_id", "=", candidateId)
    .executeTakeFirst();
}
export type Assignment = NonNullable<Awaited<ReturnType<typeof getAssignment>>>;

/** The lifecycle: every status change with who made it, when and their note, oldest first. */
export function listAssignmentEvents(db: DB, { assignmentId }: { assignmentId: string }) {
  return (
    db
      .selectFrom("sniff_test_assignment_events as e")
      .innerJoin("users as u", "u.id", "e.changed_by")
      .select([
        "e.id",
        "e.from_status",
        "e.to_status",
        "e.note",
        "e.created_at",
        "u.name as changed_by_name",
      ])
      .where("e.assignment_id", "=", assignmentId)
      .orderBy("e.created_at")
      // Ties (one clock tick): the first event has no from_status.
      .orderBy(sql`e.from_status is not null`)
      .orderBy("e.id")
      .execute()
  );
}

/** Observations linked to the assignment (its debrief, and any others), oldest first. */
export function listAssignmentObservations(db: DB, { assignmentId }: { assignmentId: string }) {
  return db
    .selectFrom("observations as o")
    .innerJoin("users as author", "author.id", "o.author_id")
    .select([...OBSERVATION_LINE, "author.name as author_name"])
    .where("o.assignment_id", "=", assignmentId)
    .orderBy("o.observed_on")
    .orderBy("o.created_at")
    .execute();
}

export interface Debrief {
  situation: string;
  behavior: string;
  impact: string;
  signal: (typeof SIGNALS)[number];
  dimensionIds: string[];
  idempotencyKey: string;
}

/**
 * Moves the assignment from `from` to `to`: status, version+1, closed_on for a closing status, an event
 * row and the audit row; for completed / not completed also the debrief observation, tagged with the
 * test's dimension. Call inside a transaction (with a debrief, the route's saveOnce, which rolls it all
 * back when the debrief's key was already used). 'stale' when the assignment changed since the form
 * was read; nothing is written then.
 */
export async function transitionAssignment(
  trx: DB,
  input: {
    assignment: Pick<Assignment, "id" | "candidate_id" | "sniff_test_id" | "dimension_id"> & {
      person_id?: string;
    };
    version: number;
    from: AssignmentStatus;
    to: AssignmentStatus;
    changedBy: string;
    note: string;
    debrief: Debrief | null;
    today: string;
    now: Date;
    requestId: string;
  },
): Promise<"stale" | { version: number; debrief: Saved<ObservationKeyRow> | null }> {
  const { assignment } = input;
  const closes = !assignmentIsOpen(input.to);
  // The update goes first: a second submit of the same form waits on its row lock, then finds the version moved on.
  const updated = await trx
    .updateTable("sniff_test_assignments")
    .set({
      status: input.to,
      version: input.version + 1,
      closed_on: closes ? input.today : null,
    })
    .where("id", "=", assignment.id)
    .where("version", "=", input.version)
    .where("status", "=", input.from)
    .returning("version")
    .executeTakeFirst();
  if (!updated) return "stale";
  await trx
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: assignment.id,
      from_status: input.from,
      to_status: input.to,
      changed_by: input.changedBy,
      note: input.note,
      created_at: input.now,
    })
    .execute();

  let debrief: Saved<ObservationKeyRow> | null = null;
  if (input.debrief) {
    // A debrief is an observation, which belongs to a candidate: a person not nominated closes without one.
    if (!assignment.candidate_id) throw new Error("A debrief needs the person to be a candidate.");
    const dimensionIds = [
      assignment.dimension_id,
      ...input.debrief.dimensionIds.filter((id) => id !== assignment.dimension_id),
    ];
    const created = await createObservation(trx, {
      candidateId: assignment.candidate_id,
      authorId: input.changedBy,
      assignmentId: assignment.id,
      observedOn: input.today,
      situation: input.debrief.situation,
      behavior: input.debrief.behavior,
      impact: input.debrief.impact,
      signal: input.debrief.signal,
      dimensionIds,
      idempotencyKey: input.debrief.idempotencyKey,
      now: input.now,
    });
    debrief = created;
    if (created.created) {
      await audit(trx, {
        actorId: input.changedBy,
        action: "observation.create",
        entity: "observation",
        entityId: created.id,
        requestId: input.requestId,
        details: {
          candidateId: assignment.candidate_id,
          dimensionIds,
          signal: input.debrief.signal,
          assignmentId: assignment.id,
        },
      });
    }
  }
  await audit(trx, {
    actorId: input.changedBy,
    action: `assignment.${input.to}`,
    entity: "assignment",
    entityId: assignment.id,
    requestId: input.requestId,
    details: {
      candidateId: assignment.candidate_id,
      personId: assignment.person_id ?? null,
      sniffTestId: assignment.sniff_test_id,
      from: input.from,
      to: input.to,
      fromVersion: input.version,
      toVersion: updated.version,
      observationId: debrief?.id ?? null,
    },
  });
  return { version: updated.version, debrief };
}

// ---- Form input -------------------------------------------------------------------------------------

/** Days from 2000 to two years from today. */
const inTwoYears = (today: string) => ({
  max: addDays(today, 2 * 365),
  tooLate: "Use a date within the next two years.",
});

/** The days of an offer, to one candidate or to a group. */
export function offerFields(today: string) {
  return {
    offeredOn: day("the day it is offered", inTwoYears(today)),
    dueOn: optionalDay("the due date", inTwoYears(today)),
    idempotencyKey: IdempotencyKeySchema,
  };
}

export const refineDue = <T extends { offeredOn: string; dueOn: string | null }>(v: T) =>
  v.dueOn === null || v.dueOn >= v.offeredOn;
export const dueMessage = {
  message: "The due date cannot be before the day it is offered.",
  path: ["dueOn"],
};

/** The form on a template page: which candidate. */
export function OfferToCandidateSchema(today: string) {
  return z
    .object({
      candidateId: z
        .string({ error: "Choose a candidate." })
        .refine(isUuid, "Choose a candidate from the list."),
      ...offerFields(today),
    })
    .refine(refineDue, dueMessage);
}

/** The form on a candidate's page: which sniff test. */
export function OfferSniffTestSchema(today: string) {
  return z
    .object({
      sniffTestId: z
        .string({ error: "Choose a sniff test." })
        .refine(isUuid, "Choose a sniff test from the list."),
      ...offerFields(today),
    })
    .refine(refineDue, dueMessage);
}

const note = optionalText(2000);

const ExtraDimensionsSchema = idList("Choose dimensions from the list.", 50);

const debriefFields = {
  situation: optionalText(),
  behavior: text(
    "Describe what the person did, or did not do, with the assignment: the debrief needs a behaviour.",
  ),
  impact: optionalText(),
  signal: z.enum(SIGNALS, { error: "Choose strength, concern or context." }),
  dimensionIds: ExtraDimensionsSchema,
  idempotencyKey: IdempotencyKeySchema,
};

/** Read first, so a refused transition or a stale version answers before the rest of the form is judged. */
export const TransitionIntentSchema = z.object({
  intent: z.enum(ASSIGNMENT_STATUSES, { error: "Choose what happened." }),
  version,
});

const intent = <T extends AssignmentStatus>(to: T) =>
  z.literal(to, { error: "Choose what happened." });

export const TransitionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: intent("accepted"), version, note }),
    z.object({ intent: intent("declined"), version, note }),
    z.object({ intent: intent("withdrawn"), version, note }),
    z.object({ intent: intent("completed"), version, note, ...debriefFields }),
    z.object({
      intent: intent("not_completed"),
      version,
      note,
      ...debriefFields,
    }),
  ],
  { error: "Choose what happened." },
);
export type TransitionInput = z.infer<typeof TransitionSchema>;

/** The debrief part of a completed / not completed form, or null for the other transitions. */
export function debriefOf(input: TransitionInput): Debrief | null {
  if (input.intent !== "completed" && input.intent !== "not_completed") return null;
  return {
    situation: input.situation,
    behavior: input.behavior,
    impact: input.impact,
    signal: input.signal,
    dimensionIds: input.dimensionIds,
    idempotencyKey: input.idempotencyKey,
  };
}
