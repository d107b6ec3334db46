import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { verifyPassword } from "../auth/password.server";
import { PEOPLE_ROLES } from "../auth/policy.server";

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function getUserForLogin(db: DB, email: string) {
  return db
    .selectFrom("users")
    .select(["id", "password_hash", "disabled_at"])
    .where("email", "=", normaliseEmail(email))
    .executeTakeFirst();
}

export async function listUsers(db: DB) {
  return db
    .selectFrom("users")
    .select(["id", "email", "name", "roles", "disabled_at", "version", "created_at"])
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** Active people who can hold a role: for pickers (manager, mentor, observer, attendee). */
export async function listActiveUsers(
  db: DB,
  { withRole, limit }: { withRole?: Role; limit?: number } = {},
) {
  let query = db
    .selectFrom("users")
    .select(["id", "name", "email", "roles"])
    .where("disabled_at", "is", null)
    .orderBy("name")
    .orderBy("id");
  if (withRole) query = query.where((eb) => eb(eb.val(withRole), "=", eb.fn.any("roles")));
  if (limit !== undefined) query = query.limit(limit);
  return query.execute();
}

/** A select of managers stays usable up to this many; past it, the filters ask for part of a name. */
export const MANAGER_SELECT_MAX = 40;

/**
 * Active managers for a filter select, or null when there are more than `max`: a list that grows with
 * the organisation would make every list page grow with it (it did: 20 KB of a 76 KB page at 10,000
 * candidates, docs/performance.md).
 */
export async function listManagersForFilter(
  db: DB,
  max = MANAGER_SELECT_MAX,
): Promise<{ id: string; name: string }[] | null> {
  const rows = await listActiveUsers(db, { withRole: "manager", limit: max + 1 });
  return rows.length > max ? null : rows.map(({ id, name }) => ({ id, name }));
}

export async function getUserById(db: DB, id: string) {
  return db
    .selectFrom("users")
    .select(["id", "email", "name", "roles", "disabled_at", "version", "created_at"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function createUser(
  db: DB,
  {
    email,
    name,
    roles,
    passwordHash,
  }: { email: string; name: string; roles: Role[]; passwordHash: string },
) {
  return db
    .insertInto("users")
    .values({ email: normaliseEmail(email), name: name.trim(), roles, password_hash: passwordHash })
    .returning(["id"])
    .executeTakeFirstOrThrow();
}

/** Optimistic update: returns undefined when the version moved on (someone else edited first). */
export async function updateUser(
  db: DB,
  { id, version, name, roles }: { id: string; version: number; name: string; roles: Role[] },
) {
  return db
    .updateTable("users")
    .set((eb) => ({ name: name.trim(), roles, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("version", "=", version)
    .returning(["id", "version"])
    .executeTakeFirst();
}

export async function setUserDisabled(
  db: DB,
  { id, disabled, now }: { id: string; disabled: boolean; now: Date },
) {
  const row = await db
    .updateTable("users")
    .set((eb) => ({ disabled_at: disabled ? now : null, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .returning(["id"])
    .executeTakeFirst();
  // Disabling ends every session at once, not at the next expiry.
  if (row && disabled) await db.deleteFrom("sessions").where("user_id", "=", id).execute();
  return row;
}

export async function setUserPassword(
  db: DB,
  { id, passwordHash }: { id: string; passwordHash: string },
) {
  const row = await db
    .updateTable("users")
    .set((eb) => ({ password_hash: passwordHash, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .returning(["id"])
    .executeTakeFirst();
  if (row) await db.deleteFrom("sessions").where("user_id", "=", id).execute();
  return row;
}

export async function emailTaken(db: DB, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", normaliseEmail(email))
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Ids of the active admins, with their rows locked until the transaction ends: two admins demoting
 * each other at the same moment cannot both pass the "not the last admin" check. Call inside a transaction.
 */
export async function lockActiveAdminIds(db: DB): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("disabled_at", "is", null)
    .where((eb) => eb(eb.val("admin"), "=", eb.fn.any("roles")))
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

/** Re-authentication: whether `password` is this user's current password. */
export async function passwordMatches(
  db: DB,
  { userId, password }: { userId: string; password: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", userId)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  return Boolean(row && password && (await verifyPassword(row.password_hash, password)));
}

export interface RoleChange {
  id: string;
  at: Date | string;
  action: string;
  actorName: string;
  targetName: string;
  /** People roles granted (user.update) or given at creation (user.create). */
  added: Role[];
  removed: Role[];
  /** People roles of an account whose password was reset or that was enabled. */
  held: Role[];
}

const people = (value: unknown): Role[] =>
  Array.isArray(value) ? PEOPLE_ROLES.filter((r) => value.includes(r)) : [];

/**
 * Account changes that give or take access to people data, newest first, since `since`: what leaders
 * see on My week, read from the audit log (leaders have no access to the admin's audit page).
 */
export async function listRoleChanges(
  db: DB,
  { since, limit = 20 }: { since: Date; limit?: number },
): Promise<RoleChange[]> {
  const anyPeople = (key: string) =>
    sql<boolean>`jsonb_exists_any(audit_events.details -> ${key}, ${sql.val([...PEOPLE_ROLES])}::text[])`;
  const rows = await db
    .selectFrom("audit_events")
    .leftJoin("users as actor", "actor.id", "audit_events.actor_id")
    .leftJoin("users as target", (join) =>
      join.on(sql<boolean>`target.id::text = audit_events.entity_id`),
    )
    .select([
      "audit_events.id",
      "audit_events.at",
      "audit_events.action",
      "audit_events.details",
      "actor.name as actor_name",
      "target.name as target_name",
    ])
    .where("audit_events.entity", "=", "user")
    .where("audit_events.outcome", "=", "ok")
    .where("audit_events.at", ">=", since)
    .where((eb) =>
      eb.or([
        eb.and([eb("audit_events.action", "=", "user.create"), anyPeople("roles")]),
        eb.and([
          eb("audit_events.action", "=", "user.update"),
          eb.or([anyPeople("rolesAdded"), anyPeople("rolesRemoved")]),
        ]),
        eb.and([
          eb("audit_events.action", "in", ["user.password_reset", "user.enable"]),
          anyPeople("peopleRoles"),
        ]),
      ]),
    )
    .orderBy("audit_events.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const d = r.details as Record<string, unknown>;
    return {
      id: String(r.id),
      at: r.at,
      action: r.action,
      actorName: r.actor_name ?? "someone no longer known",
      targetName: r.target_name ?? "an account no longer known",
      added: people(r.action === "user.create" ? d.roles : d.rolesAdded),
      removed: people(d.rolesRemoved),
      held: people(d.peopleRoles),
    };
  });
}

/** A UNIQUE constraint refused the row (PostgreSQL and PGlite both report SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error as { code: unknown }).code === "23505"
  );
}
