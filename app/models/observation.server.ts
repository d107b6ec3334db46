import { type ExpressionBuilder, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import { SIGNALS, type Database, type Signal } from "../../db/schema";
import { z } from "zod";
import { withdrawFromPackets } from "./calibration.server";
import { IdempotencyKeySchema, type Saved } from "../utils/idempotency.server";
import { day, idList, isUuid, optionalText, text, version } from "../utils/fields";

export interface ObservationText {
  observedOn: string;
  situation: string;
  behavior: string;
  impact: string;
  signal: Signal;
  dimensionIds: string[];
}

const dimensionsForForm = (db: DB) =>
  db
    .selectFrom("dimensions")
    .select(["id", "name", "description"])
    .where("archived_at", "is", null)
    .orderBy("position")
    .orderBy("name");

export function listDimensionsForForm(db: DB) {
  return dimensionsForForm(db).execute();
}

/** The subset of `ids` that are non-archived dimensions. */
export async function findActiveDimensionIds(db: DB, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom("dimensions")
    .select("id")
    .where("id", "in", ids)
    .where("archived_at", "is", null)
    .execute();
  return rows.map((r) => r.id);
}

const assignmentsOf = (db: DB, candidateId: string) =>
  db
    .selectFrom("sniff_test_assignments")
    .innerJoin("sniff_tests", "sniff_tests.id", "sniff_test_assignments.sniff_test_id")
    .select([
      "sniff_test_assignments.id",
      "sniff_tests.title",
      "sniff_test_assignments.offered_on",
      "sniff_test_assignments.status",
    ])
    .where("sniff_test_assignments.candidate_id", "=", candidateId)
    .orderBy("sniff_test_assignments.offered_on", "desc")
    .orderBy("sniff_test_assignments.id");

/** The person's sniff tests, offered last first; `limit` keeps only the latest few. */
export async function listAssignmentsForCandidate(
  db: DB,
  candidateId: string,
  { limit }: { limit?: number } = {},
) {
  const query = assignmentsOf(db, candidateId);
  return (limit === undefined ? query : query.limit(limit)).execute();
}

/**
 * listDimensionsForForm and listAssignmentsForCandidate in one statement, for a page that shows the
 * note form beside much else (a calibration packet). Their columns are ids, texts and dates, which JSON
 * carries as they are.
 */
export async function getObservationFormChoices(db: DB, candidateId: string) {
  return db
    .selectNoFrom([
      jsonArrayFrom(dimensionsForForm(db)).as("dimensions"),
      jsonArrayFrom(assignmentsOf(db, candidateId)).as("assignments"),
    ])
    .executeTakeFirstOrThrow();
}

export async function assignmentBelongsToCandidate(
  db: DB,
  { assignmentId, candidateId }: { assignmentId: string; candidateId: string },
) {
  const row = await db
    .selectFrom("sniff_test_assignments")
    .select("id")
    .where("id", "=", assignmentId)
    .where("candidate_id", "=", candidateId)
    .executeTakeFirst();
  return Boolean(row);
}

/** The note stored under a form's key, with what it is about and who wrote it. */
export async function findObservationByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("observations")
    .select(["id", "candidate_id", "author_id", "coaching_plan_id", "assignment_id"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}
export type ObservationKeyRow = NonNullable<
  Awaited<ReturnType<typeof findObservationByIdempotencyKey>>
>;

type NewObservation = ObservationText & {
  candidateId: string;
  authorId: string;
  assignmentId: string | null;
  idempotencyKey: string;
  now: Date;
  /** The new note's id, when the caller needs it before the insert (to audit first). */
  id?: string;
  /** The coaching plan the note was written from, if any. */
  coachingPlanId?: string | null;
};

/** What is said when a check of observationInputErrors or createCheckedObservation fails. */
export const OBSERVATION_INPUT_ERRORS = {
  dimensionIds: "Choose dimensions from the list.",
  assignmentId: "Choose one of this person's sniff tests, or none.",
} as const;

/**
 * One statement: the note and its dimensions. A key already used (a re-sent form) inserts nothing and
 * answers no row. `checked`: only live dimensions and a sniff test of this person are stored, and the
 * row says how many dimensions and which sniff test were, for the caller to compare with what was asked.
 */
function insertObservation(trx: DB, input: NewObservation, { checked }: { checked: boolean }) {
  const dimensionIds = [...new Set(input.dimensionIds)];
  return trx
    .with("o", (db) =>
      db
        .insertInto("observations")
        .values({
          ...(input.id ? { id: input.id } : {}),
          candidate_id: input.candidateId,
          author_id: input.authorId,
          observed_on: input.observedOn,
          situation: input.situation,
          behavior: input.behavior,
          impact: input.impact,
          signal: input.signal,
          assignment_id:
            checked && input.assignmentId !== null
              ? sql<string>`(select a.id from sniff_test_assignments a
                  where a.id = ${input.assignmentId}::uuid and a.candidate_id = ${input.candidateId}::uuid)`
              : input.assignmentId,
          coaching_plan_id: input.coachingPlanId ?? null,
          idempotency_key: input.idempotencyKey,
          // The app's clock, not the database's: the 24-hour delete window is measured against it.
          created_at: input.now,
        })
        .onConflict((oc) => oc.column("idempotency_key").doNothing())
        .returning(["id", "assignment_id"]),
    )
    .with("d", (db) =>
      db
        .insertInto("observation_dimensions")
        .columns(["observation_id", "dimension_id"])
        .expression(
          checked
            ? db
                .selectFrom(["o", "dimensions as dm"])
                .select(["o.id", "dm.id as dimension_id"])
                .where(sql<boolean>`dm.id = any(${dimensionIds}::uuid[])`)
                .where("dm.archived_at", "is", null)
            : db
                .selectFrom("o")
                .select(["o.id", sql<string>`unnest(${dimensionIds}::uuid[])`.as("dimension_id")]),
        )
        .returning("dimension_id"),
    )
    .selectFrom("o")
    .select([
      "o.id",
      "o.assignment_id",
      sql<number>`(select count(*) from d)::int`.as("dimensions"),
    ])
    .executeTakeFirst();
}

/** The note an earlier submit of the same form made (the insert found its key taken). */
async function earlierObservation(trx: DB, idempotencyKey: string) {
  const existing = await findObservationByIdempotencyKey(trx, idempotencyKey);
  if (!existing)
    throw new Error("An observation with this idempotency key exists but cannot be read.");
  return { ...existing, created: false };
}

function created(input: NewObservation, id: string): Saved<ObservationKeyRow> {
  return {
    id,
    candidate_id: input.candidateId,
    author_id: input.authorId,
    coaching_plan_id: input.coachingPlanId ?? null,
    assignment_id: input.assignmentId,
    created: true,
  };
}

/**
 * Inserts the observation and its dimensions, or finds the row an earlier submit of the same form
 * made. Call inside a transaction.
 */
export async function createObservation(
  trx: DB,
  input: NewObservation,
): Promise<Saved<ObservationKeyRow>> {
  const row = await insertObservation(trx, input, { checked: false });
  return row ? created(input, row.id) : earlierObservation(trx, input.idempotencyKey);
}

/**
 * createObservation with the checks of observationInputErrors and assignmentBelongsToCandidate made by
 * the insert itself (no statement of their own: the create-observation action is measured at eight,
 * BEGIN and COMMIT counted). When one fails, the field errors are answered and something was written:
 * the caller must roll the transaction back (saveOnce does, when `create` answers a Response).
 */
export async function createCheckedObservation(
  trx: DB,
  input: NewObservation,
): Promise<Saved<ObservationKeyRow> | { fieldErrors: Record<string, string[]> }> {
  const row = await insertObservation(trx, input, { checked: true });
  if (!row) return earlierObservation(trx, input.idempotencyKey);
  const fieldErrors: Record<string, string[]> = {};
  if (row.dimensions !== new Set(input.dimensionIds).size)
    fieldErrors.dimensionIds = [OBSERVATION_INPUT_ERRORS.dimensionIds];
  if (input.assignmentId !== null && row.assignment_id === null)
    fieldErrors.assignmentId = [OBSERVATION_INPUT_ERRORS.assignmentId];
  return Object.keys(fieldErrors).length ? { fieldErrors } : created(input, row.id);
}

async function insertDimensions(trx: DB, observationId: string, dimensionIds: string[]) {
  const unique = [...new Set(dimensionIds)];
  if (!unique.length) return;
  await trx
    .insertInto("observation_dimensions")
    .values(unique.map((dimension_id) => ({ observation_id: observationId, dimension_id })))
    .execute();
}

type WithObservation = Database & { o: Database["observations"] };

/** The observation `o`'s dimensions, in the framework's order. */
export const observationDimensions = (eb: ExpressionBuilder<WithObservation, "o">) =>
  jsonArrayFrom(
    eb
      .selectFrom("observation_dimensions as od")
      .innerJoin("dimensions as d", "d.id", "od.dimension_id")
      .select(["d.id", "d.name"])
      .whereRef("od.observation_id", "=", "o.id")
      .orderBy("d.position")
      .orderBy("d.name"),
  );

/** An observation as a list of linked notes (a sniff test's, a plan's) shows it, on `observations as o`. */
export const OBSERVATION_LINE = [
  "o.id",
  "o.observed_on",
  "o.behavior",
  "o.signal",
  "o.retracted_at",
] as const;

/** The note as its author wrote it (on `observations as o`): the day, situation, behaviour, impact, signal. */
export const OBSERVATION_TEXT = [
  "o.observed_on",
  "o.situation",
  "o.behavior",
  "o.impact",
  "o.signal",
] as const;

/** One observation of this candidate with its dimensions, author and linked assignment; undefined otherwise. */
export async function getObservation(
  db: DB,
  { candidateId, observationId }: { candidateId: string; observationId: string },
) {
  return db
    .selectFrom("observations as o")
    .innerJoin("users as author", "author.id", "o.author_id")
    .leftJoin("users as retractor", "retractor.id", "o.retracted_by")
    .leftJoin("sniff_test_assignments as a", "a.id", "o.assignment_id")
    .leftJoin("sniff_tests as t", "t.id", "a.sniff_test_id")
    .select((eb) => [
      "o.id",
      "o.candidate_id",
      "o.author_id",
      "author.name as author_name",
      ...OBSERVATION_TEXT,
      "o.assignment_id",
      "t.title as assignment_title",
      "a.offered_on as assignment_offered_on",
      "o.retracted_at",
      "o.retracted_by",
      "retractor.name as retracted_by_name",
      "o.retraction_reason",
      "o.version",
      "o.created_at",
      "o.updated_at",
      observationDimensions(eb).as("dimensions"),
    ])
    .where("o.id", "=", observationId)
    .where("o.candidate_id", "=", candidateId)
    .executeTakeFirst();
}

/** Every earlier text of the observation, newest first, with who replaced it and when. */
export async function listObservationRevisions(
  db: DB,
  { observationId }: { observationId: string },
) {
  return db
    .selectFrom("observation_revisions as r")
    .innerJoin("users as editor", "editor.id", "r.edited_by")
    .select([
      "r.id",
      "r.version",
      "r.observed_on",
      "r.situation",
      "r.behavior",
      "r.impact",
      "r.signal",
      "r.created_at",
      "editor.name as edited_by_name",
      sql<
        string[]
      >`array(select d.name from dimensions d where d.id = any(r.dimension_ids) order by d.position, d.name)`.as(
        "dimension_names",
      ),
    ])
    .where("r.observation_id", "=", observationId)
    .orderBy("r.version", "desc")
    .execute();
}

/**
 * Keeps the current text in observation_revisions, then writes the new one. 'stale' when someone
 * else saved first (the version moved on); nothing is written then.
 */
export async function updateObservation(
  trx: DB,
  input: ObservationText & { observationId: string; version: number; editorId: string; now: Date },
): Promise<"stale" | { id: string; version: number }> {
  const current = await trx
    .selectFrom("observations")
    .select(["id", "version", "observed_on", "situation", "behavior", "impact", "signal"])
    .where("id", "=", input.observationId)
    .where("version", "=", input.version)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return "stale";
  const dims = await trx
    .selectFrom("observation_dimensions")
    .select("dimension_id")
    .where("observation_id", "=", input.observationId)
    .execute();
  await trx
    .insertInto("observation_revisions")
    .values({
      observation_id: current.id,
      version: current.version,
      observed_on: current.observed_on,
      situation: current.situation,
      behavior: current.behavior,
      impact: current.impact,
      signal: current.signal,
      dimension_ids: sql<string[]>`${sql.val(dims.map((d) => d.dimension_id))}::uuid[]`,
      edited_by: input.editorId,
      created_at: input.now,
    })
    .execute();
  const updated = await trx
    .updateTable("observations")
    .set({
      observed_on: input.observedOn,
      situation: input.situation,
      behavior: input.behavior,
      impact: input.impact,
      signal: input.signal,
      version: current.version + 1,
    })
    .where("id", "=", input.observationId)
    .where("version", "=", input.version)
    .returning(["id", "version"])
    .executeTakeFirst();
  if (!updated) return "stale";
  await trx
    .deleteFrom("observation_dimensions")
    .where("observation_id", "=", input.observationId)
    .execute();
  await insertDimensions(trx, input.observationId, input.dimensionIds);
  return updated;
}

/** True when a calibration decision cites the observation: deleting it would silently remove that evidence. */
export async function observationIsCited(db: DB, observationId: string): Promise<boolean> {
  const row = await db
    .selectFrom("calibration_decision_evidence")
    .select("id")
    .where("observation_id", "=", observationId)
    .executeTakeFirst();
  return Boolean(row);
}

/** Deletes the note, and its text from every closed meeting's stored packet. */
export async function deleteObservation(
  trx: DB,
  { observationId }: { observationId: string },
): Promise<boolean> {
  const result = await trx
    .deleteFrom("observations")
    .where("id", "=", observationId)
    .executeTakeFirst();
  const deleted = Number(result.numDeletedRows) > 0;
  if (deleted) await withdrawFromPackets(trx, { observationId });
  return deleted;
}

/**
 * Marks the observation retracted; it stays in the record, but its text leaves every closed meeting's
 * stored packet (decision 0006). False when it was already retracted.
 */
export async function retractObservation(
  trx: DB,
  {
    observationId,
    actorId,
    reason,
    now,
  }: { observationId: string; actorId: string; reason: string; now: Date },
): Promise<boolean> {
  const row = await trx
    .updateTable("observations")
    .set((eb) => ({
      retracted_at: now,
      retracted_by: actorId,
      retraction_reason: reason,
      version: eb("version", "+", 1),
    }))
    .where("id", "=", observationId)
    .where("retracted_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (row) await withdrawFromPackets(trx, { observationId });
  return Boolean(row);
}

// ---- Form input: the same rules for the create and edit forms -------------------------------------

/** A 'YYYY-MM-DD' day between 2000-01-01 and `today` (both included). */
export function pastDaySchema(today: string, what = "the date") {
  return day(what, { max: today, tooLate: "The date cannot be in the future." });
}

export { optionalText, text as requiredText };

const DimensionIdsSchema = idList("Choose dimensions from the list.", 50).refine(
  (ids) => ids.length > 0,
  "Choose at least one dimension.",
);

function observationFields(today: string) {
  return {
    observedOn: pastDaySchema(today, "the day you saw it"),
    situation: optionalText(),
    behavior: text("Describe what the person did: a concrete, observable behaviour."),
    impact: optionalText(),
    dimensionIds: DimensionIdsSchema,
    signal: z.enum(SIGNALS, { error: "Choose strength, concern or context." }),
  };
}

export function NewObservationSchema(today: string) {
  return z.object({
    ...observationFields(today),
    assignmentId: z
      .string()
      .optional()
      .transform((v) => (v ? v : null))
      .refine((v) => v === null || isUuid(v), "Choose one of this person's sniff tests, or none."),
    idempotencyKey: IdempotencyKeySchema,
  });
}

export function EditObservationFieldsSchema(today: string) {
  return z.object({
    ...observationFields(today),
    version,
  });
}

/** Checks that need the database: every chosen dimension exists and is not archived. */
export async function observationInputErrors(db: DB, input: { dimensionIds: string[] }) {
  const fieldErrors: Record<string, string[]> = {};
  const active = new Set(await findActiveDimensionIds(db, input.dimensionIds));
  if (input.dimensionIds.some((id) => !active.has(id)))
    fieldErrors.dimensionIds = [OBSERVATION_INPUT_ERRORS.dimensionIds];
  return fieldErrors;
}
