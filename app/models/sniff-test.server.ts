/**
 * Sniff-test templates: the library, each template's revisions (the text as it was at every version)
 * and figures about the test itself. Figures are aggregates about a test, never about a person.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/client";
import { candidateVisibleTo, personInCircleOf, type Viewer } from "../auth/policy.server";
import { IdempotencyKeySchema } from "../utils/idempotency.server";
import { id, optionalText, text, version } from "../utils/fields";
import { escapeLike } from "./candidate.server";

export interface SniffTestText {
  title: string;
  dimensionId: string;
  assignment: string;
  rationale: string;
  signals: string;
  redFlags: string;
  timeboxDays: number;
  /** Whether the person first says yes (accepted) before it can be completed; false: one step. */
  needsAcceptance: boolean;
}

// ---- Library ---------------------------------------------------------------------------------------

/** Templates with their dimension and how often each was offered and completed, in dimension order. */
export async function listSniffTests(
  db: DB,
  { q, showArchived }: { q?: string; showArchived: boolean },
) {
  let query = db
    .selectFrom("sniff_tests as t")
    .innerJoin("dimensions as d", "d.id", "t.dimension_id")
    .select((eb) => [
      "t.id",
      "t.title",
      "t.timebox_days",
      "t.archived_at",
      "d.id as dimension_id",
      "d.name as dimension_name",
      eb
        .selectFrom("sniff_test_assignments as a")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("a.sniff_test_id", "=", "t.id")
        .as("offered"),
      eb
        .selectFrom("sniff_test_assignments as a")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("a.sniff_test_id", "=", "t.id")
        .where("a.status", "=", "completed")
        .as("completed"),
    ]);
  if (!showArchived) query = query.where("t.archived_at", "is", null);
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    query = query.where((eb) =>
      eb.or([eb("t.title", "ilike", pattern), eb("t.assignment", "ilike", pattern)]),
    );
  }
  const rows = await query
    .orderBy("d.position")
    .orderBy("d.name")
    .orderBy(sql`lower(t.title)`)
    .orderBy("t.id")
    .execute();
  return rows.map((r) => ({
    ...r,
    offered: Number(r.offered ?? 0),
    completed: Number(r.completed ?? 0),
  }));
}

export async function hasAnySniffTest(db: DB): Promise<boolean> {
  const row = await db.selectFrom("sniff_tests").select("id").limit(1).executeTakeFirst();
  return Boolean(row);
}

/** Dimensions a template may be filed under: the live ones, plus `keepId` (a template's current, maybe archived, one). */
export function listDimensionsForTemplates(db: DB, { keepId }: { keepId?: string } = {}) {
  return db
    .selectFrom("dimensions")
    .select(["id", "name"])
    .where((eb) =>
      keepId
        ? eb.or([eb("archived_at", "is", null), eb("id", "=", keepId)])
        : eb("archived_at", "is", null),
    )
    .orderBy("position")
    .orderBy("name")
    .execute();
}

// ---- One template ----------------------------------------------------------------------------------

export async function getSniffTest(db: DB, id: string) {
  return db
    .selectFrom("sniff_tests as t")
    .innerJoin("dimensions as d", "d.id", "t.dimension_id")
    .innerJoin("users as author", "author.id", "t.created_by")
    .select([
      "t.id",
      "t.title",
      "t.dimension_id",
      "d.name as dimension_name",
      "t.assignment",
      "t.rationale",
      "t.signals",
      "t.red_flags",
      "t.timebox_days",
      "t.needs_acceptance",
      "t.archived_at",
      "t.version",
      "t.created_at",
      "t.updated_at",
      "author.name as created_by_name",
    ])
    .where("t.id", "=", id)
    .executeTakeFirst();
}
export type SniffTest = NonNullable<Awaited<ReturnType<typeof getSniffTest>>>;

/** A sniff test's text as one revision (`sniff_test_revisions as r`) holds it: what a person was given. */
export const REVISION_TEXT = [
  "r.title",
  "r.assignment",
  "r.rationale",
  "r.signals",
  "r.red_flags",
  "r.timebox_days",
] as const;

/** Every version of the template as it was, newest first, with who saved it and when. */
export async function listSniffTestRevisions(db: DB, { sniffTestId }: { sniffTestId: string }) {
  return db
    .selectFrom("sniff_test_revisions as r")
    .innerJoin("dimensions as d", "d.id", "r.dimension_id")
    .innerJoin("users as editor", "editor.id", "r.edited_by")
    .select([
      "r.id",
      "r.version",
      ...REVISION_TEXT,
      "d.name as dimension_name",
      "r.created_at",
      "editor.name as edited_by_name",
    ])
    .where("r.sniff_test_id", "=", sniffTestId)
    .orderBy("r.version", "desc")
    .execute();
}

export async function findSniffTestByIdempotencyKey(db: DB, idempotencyKey: string) {
  return db
    .selectFrom("sniff_tests")
    .select(["id", "created_by"])
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

function revisionValues(
  sniffTestId: string,
  version: number,
  text: SniffTestText,
  editorId: string,
  now: Date,
) {
  return {
    sniff_test_id: sniffTestId,
    version,
    title: text.title,
    dimension_id: text.dimensionId,
    assignment: text.assignment,
    rationale: text.rationale,
    signals: text.signals,
    red_flags: text.redFlags,
    timebox_days: text.timeboxDays,
    edited_by: editorId,
    created_at: now,
  };
}

/** The template and its revision 1 with the same text. Call inside a transaction. */
export async function createSniffTest(
  trx: DB,
  {
    text,
    createdBy,
    idempotencyKey,
    now,
  }: {
    text: SniffTestText;
    createdBy: string;
    idempotencyKey: string;
    now: Date;
  },
) {
  const row = await trx
    .insertInto("sniff_tests")
    .values({
      title: text.title,
      dimension_id: text.dimensionId,
      assignment: text.assignment,
      rationale: text.rationale,
      signals: text.signals,
      red_flags: text.redFlags,
      timebox_days: text.timeboxDays,
      needs_acceptance: text.needsAcceptance,
      created_by: createdBy,
      idempotency_key: idempotencyKey,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const revision = await trx
    .insertInto("sniff_test_revisions")
    .values(revisionValues(row.id, 1, text, createdBy, now))
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, created_by: createdBy, created: true, revisionId: revision.id };
}

/**
 * Writes the new text as version+1 and keeps it as a revision row. 'stale' when someone saved
 * first (the version moved on); nothing is written then.
 */
export async function updateSniffTest(
  trx: DB,
  {
    id,
    version,
    text,
    editorId,
    now,
  }: {
    id: string;
    version: number;
    text: SniffTestText;
    editorId: string;
    now: Date;
  },
): Promise<"stale" | { id: string; version: number; revisionId: string }> {
  const updated = await trx
    .updateTable("sniff_tests")
    .set({
      title: text.title,
      dimension_id: text.dimensionId,
      assignment: text.assignment,
      rationale: text.rationale,
      signals: text.signals,
      red_flags: text.redFlags,
      timebox_days: text.timeboxDays,
      needs_acceptance: text.needsAcceptance,
      version: version + 1,
    })
    .where("id", "=", id)
    .where("version", "=", version)
    .returning(["id", "version"])
    .executeTakeFirst();
  if (!updated) return "stale";
  const revision = await trx
    .insertInto("sniff_test_revisions")
    .values(revisionValues(id, updated.version, text, editorId, now))
    .returning("id")
    .executeTakeFirstOrThrow();
  return { ...updated, revisionId: revision.id };
}

/** Archives or restores; false when it already was in that state. Templates are never deleted. */
export async function setSniffTestArchived(
  trx: DB,
  { id, archived, now }: { id: string; archived: boolean; now: Date },
) {
  const row = await trx
    .updateTable("sniff_tests")
    .set({ archived_at: archived ? now : null })
    .where("id", "=", id)
    .where("archived_at", archived ? "is" : "is not", null)
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

// ---- Figures about the test ------------------------------------------------------------------------

export interface SniffTestFigures {
  offered: number;
  accepted: number;
  declined: number;
  completed: number;
  not_completed: number;
  withdrawn: number;
  open: number;
  median_days_to_complete: number | null;
}

/** One aggregate over the test's assignments: how the test fares, never how a person does. */
export async function getSniffTestFigures(
  db: DB,
  { sniffTestId }: { sniffTestId: string },
): Promise<SniffTestFigures> {
  const row = await db
    .selectFrom("sniff_test_assignments as a")
    .select([
      sql<number>`count(*)::int`.as("offered"),
      // Ever accepted: closed after acceptance, or an 'accepted' event before a later withdrawal.
      sql<number>`(count(*) filter (where a.status in ('accepted', 'completed', 'not_completed') or exists (
        select 1 from sniff_test_assignment_events e where e.assignment_id = a.id and e.to_status = 'accepted')))::int`.as(
        "accepted",
      ),
      sql<number>`(count(*) filter (where a.status = 'declined'))::int`.as("declined"),
      sql<number>`(count(*) filter (where a.status = 'completed'))::int`.as("completed"),
      sql<number>`(count(*) filter (where a.status = 'not_completed'))::int`.as("not_completed"),
      sql<number>`(count(*) filter (where a.status = 'withdrawn'))::int`.as("withdrawn"),
      sql<number>`(count(*) filter (where a.status in ('offered', 'accepted')))::int`.as("open"),
      // The median of a duration about the test (offered → completed), not a value about anyone.
      sql<number | null>`(percentile_cont(0.5) within group (order by (a.closed_on - a.offered_on))
        filter (where a.status = 'completed'))::float8`.as("median_days_to_complete"),
    ])
    .where("a.sniff_test_id", "=", sniffTestId)
    .executeTakeFirstOrThrow();
  return {
    offered: Number(row.offered),
    accepted: Number(row.accepted),
    declined: Number(row.declined),
    completed: Number(row.completed),
    not_completed: Number(row.not_completed),
    withdrawn: Number(row.withdrawn),
    open: Number(row.open),
    median_days_to_complete:
      row.median_days_to_complete === null ? null : Number(row.median_days_to_complete),
  };
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100);
}

const times = (n: number) => (n === 1 ? "once" : `${n} times`);

/** The figures in plain words, e.g. "Offered 9 times; 2 completed (22%)." */
export function describeSniffTestFigures(f: SniffTestFigures): string {
  if (f.offered === 0) return "Not offered to anyone yet.";
  const parts = [
    `Offered ${times(f.offered)}; ${f.completed} completed (${percent(f.completed, f.offered)}%).`,
  ];
  const closed = f.offered - f.open;
  const withoutCompletion = f.not_completed + f.declined + f.withdrawn;
  if (closed > 0 && withoutCompletion > 0) {
    parts.push(
      `Of the ${closed} closed, ${withoutCompletion} ended without completion (${percent(
        withoutCompletion,
        closed,
      )}%): ` +
        `${f.not_completed} not completed, ${f.declined} declined, ${f.withdrawn} withdrawn.`,
    );
  }
  if (f.open > 0) parts.push(`${f.open} still open.`);
  return parts.join(" ");
}

/**
 * The test's assignments. Every one is listed so the figures add up, but the person's name and the
 * links only for those the viewer may see: a candidate's through the candidate's circle (their
 * assignment page), a person not nominated through the person's circle (the offering's page).
 */
export async function listAssignmentsOfSniffTest(
  db: DB,
  {
    sniffTestId,
    viewer,
    limit,
    offset = 0,
  }: { sniffTestId: string; viewer: Viewer; limit?: number; offset?: number },
) {
  let query = db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("people", "people.id", "a.person_id")
    .leftJoin("candidates", "candidates.id", "a.candidate_id")
    .innerJoin("sniff_test_revisions as r", "r.id", "a.sniff_test_revision_id")
    .select((eb) => [
      "a.offered_on",
      "a.due_on",
      "a.closed_on",
      "a.status",
      "r.version as revision_version",
      eb
        .case()
        .when(sql<boolean>`a.candidate_id is not null and ${candidateVisibleTo(viewer)}`)
        .then(sql<string>`candidates.id::text`)
        .else(null)
        .end()
        .as("candidate_id"),
      eb
        .case()
        .when(
          sql<boolean>`a.candidate_id is null and a.offering_id is not null and ${personInCircleOf(viewer)}`,
        )
        .then(sql<string>`a.offering_id::text`)
        .else(null)
        .end()
        .as("offering_id"),
      // The name is read only for a row the viewer may see.
      sql<string | null>`case when (a.candidate_id is not null and ${candidateVisibleTo(viewer)})
        or (a.candidate_id is null and a.offering_id is not null and ${personInCircleOf(viewer)})
        then people.name end`.as("person_name"),
      sql<string>`a.id::text`.as("assignment_id"),
    ])
    .where("a.sniff_test_id", "=", sniffTestId)
    .orderBy("a.offered_on", "desc")
    .orderBy("a.created_at", "desc")
    .orderBy("a.id", "desc")
    .offset(offset);
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  return rows.map((r) => {
    const facts = {
      offered_on: r.offered_on,
      due_on: r.due_on,
      closed_on: r.closed_on,
      status: r.status,
      revision_version: r.revision_version,
    };
    if (r.candidate_id)
      return {
        visible: true as const,
        ...facts,
        name: r.person_name ?? "",
        href: `/candidates/${r.candidate_id}/assignments/${r.assignment_id}`,
      };
    if (r.offering_id)
      return {
        visible: true as const,
        ...facts,
        name: r.person_name ?? "",
        href: `/sniff-tests/${sniffTestId}/offerings/${r.offering_id}`,
      };
    return { visible: false as const, ...facts };
  });
}

// ---- Form input ------------------------------------------------------------------------------------

const TimeboxSchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v === "" ? undefined : v),
  z
    .number({ error: "Enter the suggested timebox in days (1 to 365)." })
    .int("Enter a whole number of days.")
    .min(1, "The timebox is at least 1 day.")
    .max(365, "The timebox is at most 365 days."),
);

const sniffTestFields = {
  title: text("Give the sniff test a title.", 200),
  dimensionId: id("Choose the dimension it reveals."),
  assignment: text("Write the assignment as it will be given to the person."),
  rationale: optionalText(),
  signals: optionalText(),
  redFlags: optionalText(),
  timeboxDays: TimeboxSchema,
  // A checkbox: ticked sends "1" (browsers send "on" without a value), unticked sends nothing.
  needsAcceptance: z
    .string({ error: "Tick the box or leave it empty." })
    .optional()
    .transform((v) => v === "1" || v === "on"),
};

export const NewSniffTestSchema = z.object({
  ...sniffTestFields,
  idempotencyKey: IdempotencyKeySchema,
});
export const EditSniffTestSchema = z.object({
  ...sniffTestFields,
  version,
});

export function toSniffTestText(
  input: z.infer<typeof NewSniffTestSchema> | z.infer<typeof EditSniffTestSchema>,
): SniffTestText {
  return {
    title: input.title,
    dimensionId: input.dimensionId,
    assignment: input.assignment,
    rationale: input.rationale,
    signals: input.signals,
    redFlags: input.redFlags,
    timeboxDays: input.timeboxDays,
    needsAcceptance: input.needsAcceptance,
  };
}

/** Checks that need the database: the dimension exists and is live (or is the one the template already has). */
export async function sniffTestInputErrors(
  db: DB,
  { dimensionId, currentDimensionId }: { dimensionId: string; currentDimensionId?: string },
) {
  const fieldErrors: Record<string, string[]> = {};
  const row = await db
    .selectFrom("dimensions")
    .select(["id", "archived_at"])
    .where("id", "=", dimensionId)
    .executeTakeFirst();
  if (!row || (row.archived_at && row.id !== currentDimensionId))
    fieldErrors.dimensionId = ["Choose the dimension it reveals."];
  return fieldErrors;
}

export const LibraryQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  archived: z
    .string()
    .optional()
    .catch(undefined)
    .transform((v) => v === "1"),
});
