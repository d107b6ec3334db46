import type { DB } from "../../db/client";

export const FRAMEWORK_KINDS = ["dimension", "anti_pattern"] as const;
export type FrameworkKind = (typeof FRAMEWORK_KINDS)[number];

// A fixed map, never a table name from the request.
const TABLES = {
  dimension: "dimensions",
  anti_pattern: "anti_patterns",
} as const satisfies Record<FrameworkKind, string>;

const COLUMNS = ["id", "key", "name", "description", "position", "archived_at"] as const;

/** Lowercase snake_case key from a name: '"Not my job" mentality' → 'not_my_job_mentality'. Empty when no letter. */
export function keyFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .slice(0, 60)
    .replace(/_+$/, "");
}

export async function listFrameworkItems(
  db: DB,
  { kind, includeArchived = false }: { kind: FrameworkKind; includeArchived?: boolean },
) {
  let query = db
    .selectFrom(TABLES[kind])
    .select(COLUMNS)
    .orderBy("position")
    .orderBy("name")
    .orderBy("id");
  if (!includeArchived) query = query.where("archived_at", "is", null);
  return query.execute();
}

export function listDimensions(
  db: DB,
  { includeArchived = false }: { includeArchived?: boolean } = {},
) {
  return listFrameworkItems(db, { kind: "dimension", includeArchived });
}

export function listAntiPatterns(
  db: DB,
  { includeArchived = false }: { includeArchived?: boolean } = {},
) {
  return listFrameworkItems(db, { kind: "anti_pattern", includeArchived });
}

export async function getFrameworkItem(db: DB, { kind, id }: { kind: FrameworkKind; id: string }) {
  return db.selectFrom(TABLES[kind]).select(COLUMNS).where("id", "=", id).executeTakeFirst();
}

export async function getFrameworkItemByKey(
  db: DB,
  { kind, key }: { kind: FrameworkKind; key: string },
) {
  return db.selectFrom(TABLES[kind]).select(COLUMNS).where("key", "=", key).executeTakeFirst();
}

/** Adds the item at the end of the list. Undefined when the key is taken (a duplicate never aborts the transaction). */
export async function createFrameworkItem(
  db: DB,
  { kind, name, description }: { kind: FrameworkKind; name: string; description: string },
) {
  const table = TABLES[kind];
  const last = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("position").as("max"))
    .executeTakeFirst();
  return db
    .insertInto(table)
    .values({
      key: keyFromName(name),
      name: name.trim(),
      description: description.trim(),
      position: (last?.max ?? 0) + 1,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning(["id", "key"])
    .executeTakeFirst();
}

/** Renames or re-describes; the key stays, so anything that refers to it keeps working. */
export async function updateFrameworkItem(
  db: DB,
  {
    kind,
    id,
    name,
    description,
  }: { kind: FrameworkKind; id: string; name: string; description: string },
) {
  return db
    .updateTable(TABLES[kind])
    .set({ name: name.trim(), description: description.trim() })
    .where("id", "=", id)
    .returning(["id", "key"])
    .executeTakeFirst();
}

/**
 * Swaps an active item with its neighbour, then numbers the active list 1..n so that duplicate or
 * gapped positions (from seeds or restores) never make a move silently do nothing. Call inside a transaction.
 */
export async function moveFrameworkItem(
  db: DB,
  { kind, id, direction }: { kind: FrameworkKind; id: string; direction: "up" | "down" },
): Promise<"moved" | "edge" | "not_found"> {
  const table = TABLES[kind];
  const items = await db
    .selectFrom(table)
    .select(["id", "position"])
    .where("archived_at", "is", null)
    .orderBy("position")
    .orderBy("name")
    .orderBy("id")
    .forUpdate()
    .execute();
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) return "not_found";
  const other = direction === "up" ? index - 1 : index + 1;
  if (other < 0 || other >= items.length) return "edge";
  [items[index], items[other]] = [items[other], items[index]];
  for (const [i, item] of items.entries()) {
    if (item.position !== i + 1)
      await db
        .updateTable(table)
        .set({ position: i + 1 })
        .where("id", "=", item.id)
        .execute();
  }
  return "moved";
}

/** Archives (never deletes: items may be in use) or restores to the end of the active list. Idempotent. */
export async function setFrameworkItemArchived(
  db: DB,
  { kind, id, archived, now }: { kind: FrameworkKind; id: string; archived: boolean; now: Date },
) {
  const table = TABLES[kind];
  const item = await db
    .selectFrom(table)
    .select(["id", "key", "archived_at"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!item || Boolean(item.archived_at) === archived) return item;
  if (archived) {
    return db
      .updateTable(table)
      .set({ archived_at: now })
      .where("id", "=", id)
      .returning(["id", "key", "archived_at"])
      .executeTakeFirst();
  }
  const last = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max("position").as("max"))
    .where("archived_at", "is", null)
    .executeTakeFirst();
  return db
    .updateTable(table)
    .set({ archived_at: null, position: (last?.max ?? 0) + 1 })
    .where("id", "=", id)
    .returning(["id", "key", "archived_at"])
    .executeTakeFirst();
}
