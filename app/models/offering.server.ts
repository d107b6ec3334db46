/**
 * Sniff tests offered to a group (decision 0017): a team, or people picked from the directory. One
 * `sniff_test_offerings` row groups one assignment per person, each with its own status, events and
 * version. The figures of an offering are about the test and the group, never about one person; the
 * responses are listed only for the people in the viewer's circle.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/client";
import type { AssignmentStatus } from "../../db/schema";
import { candidateVisibleTo, personInCircleOf, type Viewer } from "../auth/policy.server";
import type { AppContext } from "../context";
import { addDays, formatDate } from "../utils/dates";
import { isUuid, optionalText, text, version } from "../utils/fields";
import { badRequest, type Values } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { saveOnce } from "../utils/idempotency.server";
import { ASSIGNMENT_STATUSES } from "../../db/schema";
import { assignmentTransitions, NEEDS_DEBRIEF } from "../utils/lifecycle";
import { dueMessage, offerFields, refineDue } from "./assignment.server";
import { audit } from "./audit.server";
import { escapeLike } from "./candidate.server";

/** The audience of an offering to people picked one by one. */
export const PICKED_AUDIENCE = "People picked from the directory";

/** At most this many people picked at once (a team has no limit). */
export const MAX_PICKED = 500;

// ---- Who can be offered it ----------------------------------------------------------------------

/** Active people whose name or work address matches the search, by name (directory facts only). */
export function searchDirectory(db: DB, { q, limit }: { q: string; limit: number }) {
  const pattern = `%${escapeLike(q.toLowerCase())}%`;
  return db
    .selectFrom("people")
    .select(["id", "name", "title", "team"])
    .where("left_on", "is", null)
    .where((eb) =>
      eb.or([eb(sql`lower(name)`, "like", pattern), eb(sql`coalesce(email, '')`, "like", pattern)]),
    )
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** The directory facts of the people picked so far (ids that are not people are dropped). */
export function listPicked(db: DB, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("people")
    .select(["id", "name", "title", "team"])
    .where("id", "in", [...ids])
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .execute();
}

// ---- Offering it ----------------------------------------------------------------------------------

export function OfferToGroupSchema(today: string) {
  return z
    .discriminatedUnion(
      "intent",
      [
        z.object({
          intent: z.literal("team"),
          team: text("Choose a team.", 200),
          ...offerFields(today),
        }),
        z.object({
          intent: z.literal("people"),
          personIds: z.preprocess(
            (v) =>
              v === undefined || v === ""
                ? []
                : Array.isArray(v)
                  ? [...new Set(v.filter((x) => x !== ""))]
                  : [v],
            z
              .array(z.string().refine(isUuid, "Pick people from the directory."))
              .min(1, "Pick at least one person from the directory.")
              .max(MAX_PICKED, `Pick at most ${MAX_PICKED} people at once, or offer it to a team.`),
          ),
          ...offerFields(today),
        }),
      ],
      { error: "Choose a team or people from the directory." },
    )
    .refine(refineDue, dueMessage);
}
export type OfferToGroupInput = z.infer<ReturnType<typeof OfferToGroupSchema>>;

export interface OfferingSaved {
  id: string;
  sniff_test_id: string;
  offered_by: string;
  audience: string;
  offered: number;
  /** Only known to the submission that made it (a repeat reads the offering back). */
  skippedLeft?: number;
  skippedOpen?: number;
}

export async function findOfferingByIdempotencyKey(
  db: DB,
  idempotencyKey: string,
): Promise<OfferingSaved | undefined> {
  const row = await db
    .selectFrom("sniff_test_offerings as o")
    .select((eb) => [
      "o.id",
      "o.sniff_test_id",
      "o.offered_by",
      "o.audience",
      eb
        .selectFrom("sniff_test_assignments as a")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("a.offering_id", "=", "o.id")
        .as("offered"),
    ])
    .where("o.idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
  return row ? { ...row, offered: Number(row.offered ?? 0) } : undefined;
}

type Refusal = { formError?: string; fieldErrors?: Record<string, string[]> };

/**
 * Offers the template's current revision to everyone active in the team, or to the people picked:
 * one offering, one assignment (and its first event) per person, skipping those who left and those
 * with this test already open; the audit rows. Call inside a transaction (saveOnce).
 */
export async function offerToGroup(
  trx: DB,
  input: {
    viewer: Viewer;
    sniffTestId: string;
    group: { team: string } | { personIds: string[] };
    offeredOn: string;
    dueOn: string | null;
    idempotencyKey: string;
    now: Date;
    requestId: string;
  },
): Promise<(OfferingSaved & { created: true }) | Refusal> {
  const test = await trx
    .selectFrom("sniff_tests as t")
    .innerJoin("sniff_test_revisions as r", (join) =>
      join.onRef("r.sniff_test_id", "=", "t.id").onRef("r.version", "=", "t.version"),
    )
    .select(["t.id", "t.archived_at", "t.timebox_days", "r.id as revision_id"])
    .where("t.id", "=", input.sniffTestId)
    .executeTakeFirst();
  if (!test) return { formError: "This sniff test no longer exists." };
  if (test.archived_at)
    return { formError: "This sniff test is archived: restore it before offering it to anyone." };
  const dueOn = input.dueOn ?? addDays(input.offeredOn, test.timebox_days);
  if (dueOn < input.offeredOn)
    return { fieldErrors: { dueOn: ["The due date cannot be before the day it is offered."] } };

  const byTeam = "team" in input.group;
  const field = byTeam ? "team" : "personIds";
  // Lock the people first, then look for open offers in a new statement: a second offer of the same
  // test to the same people at the same moment waits here, then sees the first one's assignments.
  let query = trx.selectFrom("people as p").select(["p.id", "p.left_on"]);
  query =
    "team" in input.group
      ? query.where("p.team", "=", input.group.team)
      : query.where("p.id", "in", input.group.personIds);
  const found = await query.orderBy("p.id").forUpdate().execute();
  const open = new Set<string>();
  if (found.length) {
    const rows = await trx
      .selectFrom("sniff_test_assignments")
      .select("person_id")
      .where("sniff_test_id", "=", test.id)
      .where("status", "in", ["offered", "accepted"])
      .where(
        "person_id",
        "in",
        found.map((p) => p.id),
      )
      .execute();
    for (const r of rows) open.add(r.person_id);
  }
  const people = found.map((p) => ({ ...p, has_open: open.has(p.id) }));
  if (people.length === 0)
    return {
      fieldErrors: {
        [field]: [
          byTeam
            ? "Nobody in the directory is in this team: choose another."
            : "None of the people picked is in the directory: search and pick again.",
        ],
      },
    };
  const skippedLeft = people.filter((p) => p.left_on !== null).length;
  const skippedOpen = people.filter((p) => p.left_on === null && p.has_open).length;
  const offeredTo = people.filter((p) => p.left_on === null && !p.has_open);
  if (offeredTo.length === 0)
    return {
      fieldErrors: {
        [field]: [
          `Nobody to offer it to: of the ${people.length} ${byTeam ? "in this team" : "picked"}, ${skippedText(skippedLeft, skippedOpen)}.`,
        ],
      },
    };

  const audience = "team" in input.group ? input.group.team : PICKED_AUDIENCE;
  const offering = await trx
    .insertInto("sniff_test_offerings")
    .values({
      sniff_test_id: test.id,
      sniff_test_revision_id: test.revision_id,
      offered_by: input.viewer.id,
      audience,
      offered_on: input.offeredOn,
      due_on: dueOn,
      idempotency_key: input.idempotencyKey,
      created_at: input.now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  // One statement each, whatever the size of the group; the database names the candidates among them.
  const assignments = await trx
    .insertInto("sniff_test_assignments")
    .values(
      offeredTo.map((p) => ({
        sniff_test_id: test.id,
        sniff_test_revision_id: test.revision_id,
        person_id: p.id,
        offering_id: offering.id,
        assigned_by: input.viewer.id,
        offered_on: input.offeredOn,
        due_on: dueOn,
        status: "offered" as const,
        created_at: input.now,
        updated_at: input.now,
      })),
    )
    .returning(["id", "person_id", "candidate_id"])
    .execute();
  await trx
    .insertInto("sniff_test_assignment_events")
    .values(
      assignments.map((a) => ({
        assignment_id: a.id,
        from_status: null,
        to_status: "offered" as const,
        changed_by: input.viewer.id,
        created_at: input.now,
      })),
    )
    .execute();
  await audit(trx, {
    actorId: input.viewer.id,
    action: "offering.create",
    entity: "offering",
    entityId: offering.id,
    requestId: input.requestId,
    details: {
      sniffTestId: test.id,
      revisionId: test.revision_id,
      byTeam,
      offered: assignments.length,
      skippedLeft,
      skippedOpen,
      offeredOn: input.offeredOn,
      dueOn,
    },
  });
  await trx
    .insertInto("audit_events")
    .values(
      assignments.map((a) => ({
        actor_id: input.viewer.id,
        action: "assignment.create",
        entity: "assignment",
        entity_id: a.id,
        outcome: "ok" as const,
        request_id: input.requestId,
        details: JSON.stringify({
          candidateId: a.candidate_id,
          personId: a.person_id,
          offeringId: offering.id,
          sniffTestId: test.id,
          revisionId: test.revision_id,
          offeredOn: input.offeredOn,
          dueOn,
        }),
      })),
    )
    .execute();
  return {
    id: offering.id,
    sniff_test_id: test.id,
    offered_by: input.viewer.id,
    audience,
    offered: assignments.length,
    skippedLeft,
    skippedOpen,
    created: true,
  };
}

function skippedText(left: number, open: number): string {
  const parts: string[] = [];
  if (left) parts.push(`${left} ${left === 1 ? "has" : "have"} left`);
  if (open) parts.push(`${open} already ${open === 1 ? "has" : "have"} this sniff test open`);
  return parts.join(" and ");
}

/** The confirmation: how many it went to, and how many were skipped and why (figures about the group). */
export function describeOffered(o: OfferingSaved): string {
  const to = `Sniff test offered to ${o.offered} ${o.offered === 1 ? "person" : "people"}${
    o.audience === PICKED_AUDIENCE ? " picked from the directory" : ` in ${o.audience}`
  }.`;
  const skipped = (o.skippedLeft ?? 0) + (o.skippedOpen ?? 0);
  return skipped
    ? `${to} ${skipped} skipped: ${skippedText(o.skippedLeft ?? 0, o.skippedOpen ?? 0)}.`
    : to;
}

/** Offers once per idempotency key and answers the form: the offering's page, or the refusal. */
export function saveGroupOffer(
  context: AppContext,
  viewer: Viewer,
  sniffTestId: string,
  input: OfferToGroupInput,
  values: Values,
) {
  return saveOnce(context.db, {
    find: (db) => findOfferingByIdempotencyKey(db, input.idempotencyKey),
    isRepeat: (o) => o.sniff_test_id === sniffTestId && o.offered_by === viewer.id,
    create: async (trx) => {
      const result = await offerToGroup(trx, {
        viewer,
        sniffTestId,
        group: input.intent === "team" ? { team: input.team } : { personIds: input.personIds },
        offeredOn: input.offeredOn,
        dueOn: input.dueOn,
        idempotencyKey: input.idempotencyKey,
        now: context.now(),
        requestId: context.requestId,
      });
      return "created" in result
        ? result
        : badRequest(result.formError ?? "", values, result.fieldErrors);
    },
    answer: (o) =>
      redirectWithFlash(`/sniff-tests/${o.sniff_test_id}/offerings/${o.id}`, describeOffered(o)),
    values,
  });
}

// ---- One offering ---------------------------------------------------------------------------------

export async function getOffering(
  db: DB,
  { sniffTestId, offeringId }: { sniffTestId: string; offeringId: string },
) {
  return db
    .selectFrom("sniff_test_offerings as o")
    .innerJoin("sniff_tests as t", "t.id", "o.sniff_test_id")
    .innerJoin("sniff_test_revisions as r", "r.id", "o.sniff_test_revision_id")
    .innerJoin("users as offerer", "offerer.id", "o.offered_by")
    .select([
      "o.id",
      "o.sniff_test_id",
      "o.audience",
      "o.offered_on",
      "o.due_on",
      "o.offered_by",
      "offerer.name as offered_by_name",
      "t.title",
      "t.needs_acceptance",
      "r.version as revision_version",
      "r.dimension_id",
    ])
    .where("o.id", "=", offeringId)
    .where("o.sniff_test_id", "=", sniffTestId)
    .executeTakeFirst();
}
export type Offering = NonNullable<Awaited<ReturnType<typeof getOffering>>>;

/** Responses by status (`offered`: still unanswered), `total` offered and `open` (offered or accepted). */
export type OfferingFigures = Record<AssignmentStatus, number> & { total: number; open: number };

const EMPTY_COUNTS = () =>
  Object.fromEntries(ASSIGNMENT_STATUSES.map((s) => [s, 0])) as Record<AssignmentStatus, number>;

/** How the offerings of a test fared, by status, in one statement (every response counts). */
export async function getOfferingFigures(
  db: DB,
  offeringIds: readonly string[],
): Promise<Map<string, OfferingFigures>> {
  const figures = new Map<string, OfferingFigures>();
  for (const id of offeringIds) figures.set(id, { ...EMPTY_COUNTS(), total: 0, open: 0 });
  if (offeringIds.length === 0) return figures;
  const rows = await db
    .selectFrom("sniff_test_assignments")
    .select(["offering_id", "status", sql<number>`count(*)::int`.as("n")])
    .where("offering_id", "in", [...offeringIds])
    .groupBy(["offering_id", "status"])
    .execute();
  for (const r of rows) {
    const f = r.offering_id ? figures.get(r.offering_id) : undefined;
    if (!f) continue;
    const n = Number(r.n);
    f[r.status] += n;
    f.total += n;
    if (r.status === "offered" || r.status === "accepted") f.open += n;
  }
  return figures;
}

/**
 * The figures in words: "Offered to 12 in Platform on 3 Nov 2026: 4 completed, 2 not completed,
 * 1 declined, 5 still open."
 */
export function describeOfferingFigures(
  o: { audience: string; offered_on: string },
  f: OfferingFigures,
): string {
  const to =
    o.audience === PICKED_AUDIENCE
      ? `${f.total} ${f.total === 1 ? "person" : "people"} picked from the directory`
      : `${f.total} in ${o.audience}`;
  const parts = [
    `${f.completed} completed`,
    `${f.not_completed} not completed`,
    `${f.declined} declined`,
  ];
  if (f.withdrawn) parts.push(`${f.withdrawn} withdrawn`);
  parts.push(`${f.open} still open`);
  return `Offered to ${to} on ${formatDate(o.offered_on)}: ${parts.join(", ")}.`;
}

/** The offerings of a test, newest first, each with its figures in words. */
export async function listOfferingsOfSniffTest(db: DB, { sniffTestId }: { sniffTestId: string }) {
  const offerings = await db
    .selectFrom("sniff_test_offerings as o")
    .innerJoin("users as offerer", "offerer.id", "o.offered_by")
    .select(["o.id", "o.audience", "o.offered_on", "o.due_on", "offerer.name as offered_by_name"])
    .where("o.sniff_test_id", "=", sniffTestId)
    .orderBy("o.offered_on", "desc")
    .orderBy("o.created_at", "desc")
    .orderBy("o.id", "desc")
    .execute();
  const figures = await getOfferingFigures(
    db,
    offerings.map((o) => o.id),
  );
  return offerings.map((o) => {
    const f = figures.get(o.id)!;
    return { ...o, figures: f, summary: describeOfferingFigures(o, f) };
  });
}

/**
 * The responses of the people in the viewer's circle (personInCircleOf), by name; the others are only
 * counted in the figures. `candidateVisible`: the viewer may open the candidate's assignment page.
 */
export async function listOfferingResponses(
  db: DB,
  { offeringId, viewer, limit }: { offeringId: string; viewer: Viewer; limit: number },
) {
  const rows = await db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("people", "people.id", "a.person_id")
    .leftJoin("candidates", "candidates.id", "a.candidate_id")
    .select([
      "a.id",
      "a.status",
      "a.version",
      "a.closed_on",
      "a.person_id",
      "a.candidate_id",
      "people.name",
      "people.title",
      "people.team",
      sql<boolean>`coalesce(a.candidate_id is not null and ${candidateVisibleTo(viewer)}, false)`.as(
        "candidate_visible",
      ),
    ])
    .where("a.offering_id", "=", offeringId)
    .where(personInCircleOf(viewer))
    .orderBy(sql`lower(people.name)`)
    .orderBy("a.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, candidate_visible: Boolean(r.candidate_visible) }));
}
export type OfferingResponse = Awaited<ReturnType<typeof listOfferingResponses>>[number];

/**
 * The moves the offering's page records for a response: every move for a person not nominated (they
 * close without a debrief); for a candidate, the answers only (completed and not completed close with
 * a debrief on their assignment page).
 */
export function offeringMoves(
  response: { status: AssignmentStatus; candidate_id: string | null },
  needsAcceptance: boolean,
): readonly AssignmentStatus[] {
  const moves = assignmentTransitions(response.status, needsAcceptance);
  return response.candidate_id ? moves.filter((s) => !NEEDS_DEBRIEF.includes(s)) : moves;
}

/** One response of the offering, when its person is in the viewer's circle (for the move forms). */
export function getOfferingResponse(
  db: DB,
  {
    offeringId,
    assignmentId,
    viewer,
  }: { offeringId: string; assignmentId: string; viewer: Viewer },
) {
  return db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("people", "people.id", "a.person_id")
    .leftJoin("candidates", "candidates.id", "a.candidate_id")
    .select([
      "a.id",
      "a.status",
      "a.version",
      "a.person_id",
      "a.candidate_id",
      "a.sniff_test_id",
      sql<boolean>`coalesce(a.candidate_id is not null and ${candidateVisibleTo(viewer)}, false)`.as(
        "candidate_visible",
      ),
    ])
    .where("a.id", "=", assignmentId)
    .where("a.offering_id", "=", offeringId)
    .where(personInCircleOf(viewer))
    .executeTakeFirst();
}

/** A move recorded on the offering's page: which response, what happened, the version it was shown at. */
export const OfferingMoveSchema = z.object({
  assignmentId: z
    .string({ error: "Choose a response from the list." })
    .refine(isUuid, "Choose a response from the list."),
  intent: z.enum(ASSIGNMENT_STATUSES, { error: "Choose what happened." }),
  version,
  note: optionalText(2000),
});
