/**
 * Readiness for a named role (issue 22, mechanism 4; docs/decisions and docs/writing-check.md): a
 * calibration decision may say what it is about — a role or stretch, its team and when — instead of a
 * free-floating "potential" label. A role is archived, never deleted, because decisions cite it.
 */
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { DB } from "../../db/client";
import type { Leaning } from "../../db/schema";
import { candidateVisibleTo, type Viewer } from "../auth/policy.server";
import { idempotencyKey, isUuid, version } from "../utils/fields";
import type { Saved } from "../utils/idempotency.server";

/** The outcomes that mean "judged ready" for the role's page. */
export const READY_OUTCOMES: readonly Leaning[] = ["ready_now", "ready_with_development"];

export interface ReadinessRoleChoice {
  id: string;
  title: string;
  team: string;
  needed_by: string | null;
}

const optional = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((v) => (v ? v : null));

export const ReadinessRoleFieldsSchema = z.object({
  title: z
    .string({ error: "Name the role or stretch, e.g. Engineering manager." })
    .trim()
    .min(1, "Name the role or stretch, e.g. Engineering manager.")
    .max(120, "Use at most 120 characters."),
  team: z
    .string({ error: "Name the team it is in." })
    .trim()
    .min(1, "Name the team it is in.")
    .max(120, "Use at most 120 characters."),
  neededBy: optional(60, "Use at most 60 characters, e.g. Q2 2027."),
  description: optional(2000, "Use at most 2,000 characters."),
});
export type ReadinessRoleFields = z.infer<typeof ReadinessRoleFieldsSchema>;

export const NewReadinessRoleSchema = ReadinessRoleFieldsSchema.extend({ idempotencyKey });

export const RoleStateSchema = z.object({
  intent: z.enum(["archive", "restore"]),
  version,
});

/** The roles a decision may name: not archived, by team then title. */
export async function listReadinessRoles(db: DB): Promise<ReadinessRoleChoice[]> {
  return db
    .selectFrom("readiness_roles")
    .select(["id", "title", "team", "needed_by"])
    .where("archived_at", "is", null)
    .orderBy("team")
    .orderBy("title")
    .orderBy("id")
    .execute();
}

/** Every role for the roles page, the archived ones last. No count of people: a role is not a ranking. */
export async function listAllReadinessRoles(db: DB) {
  return db
    .selectFrom("readiness_roles")
    .select(["id", "title", "team", "needed_by", "archived_at"])
    .orderBy((eb) => eb("archived_at", "is not", null))
    .orderBy("team")
    .orderBy("title")
    .orderBy("id")
    .execute();
}

/** The role if it exists and is not archived: what a decision may name (anything else is a 400). */
export async function findOpenReadinessRole(
  db: DB,
  id: string | null | undefined,
): Promise<ReadinessRoleChoice | undefined> {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("readiness_roles")
    .select(["id", "title", "team", "needed_by"])
    .where("id", "=", id)
    .where("archived_at", "is", null)
    .executeTakeFirst();
}

export async function getReadinessRole(db: DB, id: string) {
  return db
    .selectFrom("readiness_roles as r")
    .innerJoin("users as u", "u.id", "r.created_by")
    .select([
      "r.id",
      "r.title",
      "r.team",
      "r.needed_by",
      "r.description",
      "r.archived_at",
      "r.version",
      "r.created_at",
      "u.name as created_by_name",
    ])
    .where("r.id", "=", id)
    .executeTakeFirst();
}

export async function findReadinessRoleByIdempotencyKey(db: DB, key: string) {
  return db
    .selectFrom("readiness_roles")
    .select(["id", "created_by"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

export interface NewReadinessRole {
  title: string;
  team: string;
  neededBy?: string | null;
  description?: string | null;
  createdBy: string;
  idempotencyKey?: string | null;
}

/**
 * Stores a role. With an idempotency key already used, nothing is stored and the earlier row comes
 * back with `created: false` (decision 0014).
 */
export async function createReadinessRole(
  db: DB,
  input: NewReadinessRole,
): Promise<Saved<{ id: string; created_by: string }>> {
  const row = await db
    .insertInto("readiness_roles")
    .values({
      title: input.title,
      team: input.team,
      needed_by: input.neededBy ?? null,
      description: input.description ?? null,
      created_by: input.createdBy,
      idempotency_key: input.idempotencyKey ?? null,
    })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .returning(["id", "created_by"])
    .executeTakeFirst();
  if (row) return { ...row, created: true };
  const earlier = await findReadinessRoleByIdempotencyKey(db, input.idempotencyKey ?? "");
  if (!earlier) throw new Error("readiness role not stored and no earlier row under its key");
  return { ...earlier, created: false };
}

/** Archives or restores a role at the version shown; false when the version is stale. */
export async function setReadinessRoleArchived(
  db: DB,
  {
    id,
    archived,
    version: shown,
    now,
  }: { id: string; archived: boolean; version: number; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable("readiness_roles")
    .set((eb) => ({
      archived_at: archived ? now : null,
      version: eb("version", "+", 1),
      updated_at: now,
    }))
    .where("id", "=", id)
    .where("version", "=", shown)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Who was judged ready for the role: each current (not superseded) decision naming it with a ready
 * outcome, with its rationale and cited evidence, oldest decision first — never ranked. Only the
 * candidates the viewer may see are listed (leaders: all); a withdrawn note shows without its text.
 */
export async function listJudgedReady(
  db: DB,
  { roleId, viewer }: { roleId: string; viewer: Viewer },
) {
  const rows = await db
    .selectFrom("calibration_decisions as d")
    .innerJoin("calibration_items as i", "i.id", "d.item_id")
    .innerJoin("calibration_meetings as m", "m.id", "i.meeting_id")
    .innerJoin("candidates", "candidates.id", "i.candidate_id")
    .innerJoin("users as du", "du.id", "d.decided_by")
    .select((eb) => [
      "d.id",
      "d.outcome",
      "d.rationale",
      "d.next_steps",
      "d.decided_at",
      "candidates.id as candidate_id",
      "candidates.name as candidate_name",
      "m.id as meeting_id",
      "m.title as meeting_title",
      "du.name as decided_by_name",
      jsonArrayFrom(
        eb
          .selectFrom("calibration_decision_evidence as e")
          .leftJoin("observations as o", "o.id", "e.observation_id")
          .leftJoin("users as ou", "ou.id", "o.author_id")
          .leftJoin("flags as f", "f.id", "e.flag_id")
          .leftJoin("anti_patterns as ap", "ap.id", "f.anti_pattern_id")
          .leftJoin("sniff_test_assignments as sa", "sa.id", "e.assignment_id")
          .leftJoin("sniff_test_revisions as r", "r.id", "sa.sniff_test_revision_id")
          .select([
            "e.id",
            "e.observation_id",
            "e.flag_id",
            "e.assignment_id",
            "o.observed_on",
            "o.behavior",
            "o.impact",
            "o.retracted_at",
            "ou.name as observer_name",
            "f.observed_on as flag_observed_on",
            "ap.name as anti_pattern",
            "r.title as assignment_title",
            "sa.status as assignment_status",
          ])
          .whereRef("e.decision_id", "=", "d.id")
          .orderBy("o.observed_on")
          .orderBy("e.id"),
      ).as("evidence"),
    ])
    .where("d.readiness_role_id", "=", roleId)
    .where("d.superseded_at", "is", null)
    .where("d.outcome", "in", READY_OUTCOMES)
    .where(candidateVisibleTo(viewer))
    .orderBy("d.decided_at")
    .orderBy("d.id")
    .execute();
  return rows.map(({ evidence, ...row }) => ({
    ...row,
    evidence: evidence.map(({ retracted_at, behavior, impact, ...e }) =>
      retracted_at
        ? { ...e, withdrawn: true, behavior: null, impact: null }
        : { ...e, withdrawn: false, behavior, impact },
    ),
  }));
}

/** The demo's roles (db/seed calls this); idempotent by title and team. Returns them by title. */
export async function seedReadinessRoles(
  db: DB,
  leaderId: string,
): Promise<Record<string, { id: string; title: string; team: string }>> {
  const roles = [
    {
      title: "Engineering manager",
      team: "Payments",
      neededBy: "Q2 2027",
      description:
        "Leads the six engineers of the payments platform: hiring, one-to-ones, delivery planning with product.",
    },
    {
      title: "Tech lead",
      team: "Search",
      neededBy: "Q3 2027",
      description:
        "Owns the search service's technical direction and its design reviews; no direct reports.",
    },
    {
      title: "Incident commander rotation (stretch)",
      team: "Platform",
      neededBy: "Next quarter",
      description: "Runs major incidents one week in six, with a seasoned commander as back-up.",
    },
  ];
  const out: Record<string, { id: string; title: string; team: string }> = {};
  for (const role of roles) {
    const existing = await db
      .selectFrom("readiness_roles")
      .select(["id", "title", "team"])
      .where("title", "=", role.title)
      .where("team", "=", role.team)
      .executeTakeFirst();
    const row =
      existing ??
      (await db
        .insertInto("readiness_roles")
        .values({
          title: role.title,
          team: role.team,
          needed_by: role.neededBy,
          description: role.description,
          created_by: leaderId,
        })
        .returning(["id", "title", "team"])
        .executeTakeFirstOrThrow());
    out[row.title] = row;
  }
  return out;
}
