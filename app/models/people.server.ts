/**
 * The directory (decision 0017): everyone in the organisation, nominated or not. Directory facts (name,
 * work email, title, team, manager, active or left) are for everyone who sees the directory; what is
 * recorded about a person (the sniff tests offered to them) only for their circle (personInCircleOf).
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { DB } from "../../db/client";
import type { AssignmentStatus, Database } from "../../db/schema";
import {
  candidateVisibleTo,
  isLeader,
  personInCircleOf,
  seesDirectory,
  type Viewer,
} from "../auth/policy.server";
import { optionalText, text } from "../utils/fields";
import { escapeLike } from "./candidate.server";

export const PEOPLE_PAGE_SIZE = 25;
export const PERSON_STATUSES = ["active", "left", "all"] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];
/** Up to this many active people the manager is a select; past it, a name or work email typed in. */
export const MANAGER_CHOICES_MAX = 50;

export interface PeopleFilters {
  /** Part of the name or work email. */
  q?: string;
  team?: string;
  status?: PersonStatus;
}

function listWhere(filters: PeopleFilters) {
  return (eb: ExpressionBuilder<Database, "people">) => {
    const conditions: Expression<SqlBool>[] = [];
    const status = filters.status ?? "active";
    if (status === "active") conditions.push(eb("people.left_on", "is", null));
    if (status === "left") conditions.push(eb("people.left_on", "is not", null));
    if (filters.team) conditions.push(eb("people.team", "=", filters.team));
    if (filters.q) {
      const pattern = `%${escapeLike(filters.q)}%`;
      conditions.push(
        eb.or([eb("people.name", "ilike", pattern), eb("people.email", "ilike", pattern)]),
      );
    }
    return eb.and(conditions);
  };
}

/** A person as the directory shows them, on `people` left-joined to `people as manager`. */
const PERSON_COLUMNS = [
  "people.id",
  "people.name",
  "people.email",
  "people.title",
  "people.team",
  "people.left_on",
  "people.manager_id",
  "manager.name as manager_name",
] as const;

/** One page of the directory, ordered by name then id, with the manager's name joined in. */
export async function listPeople(
  db: DB,
  viewer: Viewer,
  { filters = {}, page = 1 }: { filters?: PeopleFilters; page?: number } = {},
) {
  if (!seesDirectory(viewer)) return [];
  return db
    .selectFrom("people")
    .leftJoin("people as manager", "manager.id", "people.manager_id")
    .select(PERSON_COLUMNS)
    .where(listWhere(filters))
    .orderBy(sql`lower(people.name)`)
    .orderBy("people.id")
    .limit(PEOPLE_PAGE_SIZE)
    .offset((Math.max(1, page) - 1) * PEOPLE_PAGE_SIZE)
    .execute();
}

export async function countPeople(db: DB, viewer: Viewer, filters: PeopleFilters = {}) {
  if (!seesDirectory(viewer)) return 0;
  // Without a search, the total is read from the per-team counts the database keeps (migration 0018):
  // counting every person on each request grew with the organisation.
  if (!filters.q) {
    const status = filters.status ?? "active";
    const column =
      status === "active" ? sql`active` : status === "left" ? sql`gone` : sql`active + gone`;
    const row = await sql<{ n: number | string | null }>`
      select coalesce(sum(${column}), 0) as n from people_team_counts
      ${filters.team ? sql`where team = ${filters.team}` : sql``}`.execute(db);
    return Number(row.rows[0]?.n ?? 0);
  }
  const row = await db
    .selectFrom("people")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(listWhere(filters))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the directory has anyone at all (for the empty state's next step). */
export async function hasAnyPerson(db: DB) {
  return Boolean(await db.selectFrom("people").select("id").limit(1).executeTakeFirst());
}

/**
 * The teams named in the directory, by name, with how many active people each has (a figure about the
 * team): the directory's filter and the group offer's choice.
 */
export async function listDirectoryTeams(db: DB) {
  // From the per-team counts the database keeps (migration 0018): grouping every person on each request
  // grew with the organisation. A team whose people all moved elsewhere keeps a row of zeros.
  const { rows } = await sql<{ team: string; active: number }>`
    select team, active from people_team_counts
    where team <> '' and active + gone > 0
    order by lower(team), team`.execute(db);
  return rows.map((r) => ({ team: r.team, active: Number(r.active) }));
}

export interface OfferedTest {
  id: string;
  title: string;
  offered_on: string;
  due_on: string;
  status: AssignmentStatus;
  /** Where to read it: the candidate's record, the offering, or nowhere this viewer may go. */
  href: string | null;
}

/**
 * A person's directory facts, their manager and direct reports; whether the viewer is in their
 * circle; their candidate record's id only when the viewer may see it; and, only for the circle, the
 * sniff tests offered to them. Undefined when there is no such person or the viewer has no directory.
 */
export async function getPerson(db: DB, viewer: Viewer, id: string) {
  if (!seesDirectory(viewer)) return undefined;
  const row = await db
    .selectFrom("people")
    .leftJoin("people as manager", "manager.id", "people.manager_id")
    .leftJoin("candidates", "candidates.person_id", "people.id")
    .select((eb) => [
      ...PERSON_COLUMNS,
      "people.version",
      sql<string | null>`case when ${candidateVisibleTo(viewer)} then candidates.id end`.as(
        "candidate_id",
      ),
      personInCircleOf(viewer).as("in_circle"),
      jsonArrayFrom(
        eb
          .selectFrom("people as r")
          .select(["r.id", "r.name", "r.title", "r.left_on"])
          .whereRef("r.manager_id", "=", "people.id")
          .orderBy(sql`lower(r.name)`)
          .orderBy("r.id"),
      ).as("reports"),
    ])
    .where("people.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const inCircle = Boolean(row.in_circle);
  const tests = inCircle ? await listOfferedTests(db, viewer, row.id, row.candidate_id) : [];
  return {
    ...row,
    in_circle: inCircle,
    reports: row.reports.map((r) => ({ ...r, left: r.left_on !== null })),
    tests,
  };
}
export type Person = NonNullable<Awaited<ReturnType<typeof getPerson>>>;

async function listOfferedTests(
  db: DB,
  viewer: Viewer,
  personId: string,
  visibleCandidateId: string | null,
): Promise<OfferedTest[]> {
  const rows = await db
    .selectFrom("sniff_test_assignments as a")
    .innerJoin("sniff_test_revisions as r", "r.id", "a.sniff_test_revision_id")
    .select([
      "a.id",
      "a.sniff_test_id",
      "a.offering_id",
      "a.candidate_id",
      "r.title",
      "a.offered_on",
      "a.due_on",
      "a.status",
    ])
    .where("a.person_id", "=", personId)
    .orderBy("a.offered_on", "desc")
    .orderBy("a.id")
    .execute();
  const seesTests = isLeader(viewer) || viewer.roles.includes("manager");
  return rows.map((a) => ({
    id: a.id,
    title: a.title,
    offered_on: a.offered_on,
    due_on: a.due_on,
    status: a.status,
    href:
      visibleCandidateId && a.candidate_id === visibleCandidateId
        ? `/candidates/${a.candidate_id}/assignments/${a.id}`
        : a.offering_id && seesTests
          ? `/sniff-tests/${a.sniff_test_id}/offerings/${a.offering_id}`
          : null,
  }));
}

// ---- Keeping the directory (admins) ------------------------------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The directory facts a form sets; the manager is resolved separately (managerId or managerLookup). */
export const PersonDetailsSchema = z.object({
  name: text("Enter the person's name.", 120),
  email: z
    .string()
    .trim()
    .max(254, "Use at most 254 characters.")
    .optional()
    .transform((v) => (v ? v.toLowerCase() : ""))
    .refine((v) => v === "" || EMAIL.test(v), "Enter a work email like name@example.com."),
  title: optionalText(120),
  team: optionalText(120),
  managerId: z
    .string()
    .trim()
    .optional()
    .transform((v) => v ?? ""),
  managerLookup: optionalText(254),
});
export type PersonDetailsInput = z.infer<typeof PersonDetailsSchema>;

export interface PersonDetails {
  name: string;
  email: string | null;
  title: string;
  team: string;
  managerId: string | null;
}

export const PERSON_FIELDS = ["name", "email", "title", "team", "managerId"] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

/** The fields whose value differs, for the audit row (names only, never the values). */
export function changedFields(before: PersonDetails, after: PersonDetails): PersonField[] {
  return PERSON_FIELDS.filter((f) => (before[f] ?? "") !== (after[f] ?? ""));
}

/** Active people to choose a manager from, or null when there are too many for a select. */
export async function listManagerChoices(db: DB, { except }: { except?: string } = {}) {
  let query = db
    .selectFrom("people")
    .select(["id", "name", "team"])
    .where("left_on", "is", null)
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(MANAGER_CHOICES_MAX + 1);
  if (except) query = query.where("id", "<>", except);
  const rows = await query.execute();
  return rows.length > MANAGER_CHOICES_MAX ? null : rows;
}

/**
 * The manager a form names: a chosen id, or a work email or whole name typed in. A field error when
 * no one active or several people match. `keep` is the current manager, accepted even after they left.
 */
export async function resolveManager(
  db: DB,
  input: Pick<PersonDetailsInput, "managerId" | "managerLookup">,
  { keep }: { keep?: string | null } = {},
): Promise<{ id: string | null } | { field: "managerId" | "managerLookup"; message: string }> {
  if (input.managerLookup) {
    const typed = input.managerLookup.trim();
    const rows = await db
      .selectFrom("people")
      .select(["id", "left_on"])
      .where((eb) =>
        eb.or([
          eb("email", "=", typed.toLowerCase()),
          eb(sql`lower(name)`, "=", typed.toLowerCase()),
        ]),
      )
      .limit(3)
      .execute();
    const usable = rows.filter((r) => r.left_on === null || r.id === keep);
    if (usable.length === 1) return { id: usable[0].id };
    return {
      field: "managerLookup",
      message: usable.length
        ? "Several people have this name: enter the manager's work email instead."
        : "No one active in the directory has this name or work email.",
    };
  }
  if (!input.managerId) return { id: null };
  const bad = { field: "managerId" as const, message: "Choose a manager from the list." };
  if (!/^[0-9a-f-]{36}$/i.test(input.managerId)) return bad;
  const row = await db
    .selectFrom("people")
    .select(["id", "left_on"])
    .where("id", "=", input.managerId)
    .executeTakeFirst();
  if (!row || (row.left_on !== null && row.id !== keep)) return bad;
  return { id: row.id };
}

/** What a failed write to `people` means to the form, or null when it is not the form's fault. */
export function personWriteError(
  error: unknown,
): { field: "email" | "managerId"; message: string } | null {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  const where = `${e?.constraint ?? ""} ${e?.message ?? ""}`;
  if (e?.code === "23505" && where.includes("people_email_key"))
    return { field: "email", message: "Someone in the directory already has this work email." };
  if (e?.code === "23514" && where.includes("people_no_manager_cycle"))
    return {
      field: "managerId",
      message: "This manager reports to this person, directly or further down: choose another.",
    };
  if (e?.code === "23514" && where.includes("people_manager_id_check"))
    return { field: "managerId", message: "A person cannot be their own manager." };
  return null;
}

/** The person with this work email, if any (the friendly check before the unique index's). */
export async function findPersonByEmail(db: DB, email: string) {
  return db.selectFrom("people").select("id").where("email", "=", email).executeTakeFirst();
}

/** The person a create form with this key made, with who made it. */
export async function findPersonByIdempotencyKey(db: DB, key: string) {
  return db
    .selectFrom("people")
    .select(["id", "created_by"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

export async function createPerson(
  trx: DB,
  details: PersonDetails,
  { createdBy, idempotencyKey }: { createdBy: string; idempotencyKey: string },
) {
  return trx
    .insertInto("people")
    .values({
      created_by: createdBy,
      idempotency_key: idempotencyKey,
      name: details.name,
      email: details.email,
      title: details.title,
      team: details.team,
      manager_id: details.managerId,
    })
    .returning(["id", "version"])
    .executeTakeFirstOrThrow();
}

/** Saves the details when the version matches; undefined when someone saved first. */
export async function updatePerson(
  trx: DB,
  { id, version, details }: { id: string; version: number; details: PersonDetails },
) {
  return trx
    .updateTable("people")
    .set((eb) => ({
      name: details.name,
      email: details.email,
      title: details.title,
      team: details.team,
      manager_id: details.managerId,
      version: eb("version", "+", 1),
    }))
    .where("id", "=", id)
    .where("version", "=", version)
    .returning(["id", "version"])
    .executeTakeFirst();
}

/** Marks the person as left on a day, or (null) back; undefined when the version is stale. */
export async function setPersonLeft(
  trx: DB,
  { id, version, leftOn }: { id: string; version: number; leftOn: string | null },
) {
  return trx
    .updateTable("people")
    .set((eb) => ({ left_on: leftOn, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("version", "=", version)
    .returning(["id", "version"])
    .executeTakeFirst();
}

/** The person as an edit form shows it. */
export async function getPersonForEdit(db: DB, id: string) {
  return db
    .selectFrom("people")
    .leftJoin("people as manager", "manager.id", "people.manager_id")
    .select([...PERSON_COLUMNS, "manager.email as manager_email", "people.version"])
    .where("people.id", "=", id)
    .executeTakeFirst();
}
export type PersonForEdit = NonNullable<Awaited<ReturnType<typeof getPersonForEdit>>>;
