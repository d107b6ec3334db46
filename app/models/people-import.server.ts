/**
 * The directory as a CSV file (decision 0017): read an upload, plan it against the directory
 * (who is created, what changes, who is missing from the file), apply the plan in one transaction with
 * bulk statements, and write the directory back out in the same format, so export → import changes
 * nothing.
 *
 * The format: one header row, columns in any order, names case-insensitive: `email` (required, the
 * key), `name` (required), `title`, `team`, `manager_email` (someone in the file or in the directory),
 * `status` (`active` or `left`; empty is active). A column left out of the file leaves that fact alone.
 */
import { createHash } from "node:crypto";
import { CsvError, parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { sql } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/client";
import { isoDate } from "../utils/dates";
import { audit } from "./audit.server";

/** 5 MB: about 50,000 people at a hundred bytes a line, with room for long titles. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 50_000;
/** Errors listed one by one; the rest are counted ("and N more"). */
export const ERRORS_SHOWN = 100;
/** People listed by name in the created and changed lists of a preview; the rest are counted. */
export const LIST_SHOWN = 200;
/** People missing from the file listed by name before the admin may mark them as left. */
export const MISSING_SHOWN = 1_000;

export const COLUMNS = ["email", "name", "title", "team", "manager_email", "status"] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ["email", "name"];

export type Field = "name" | "title" | "team" | "manager" | "status" | "account";

export interface ImportRow {
  line: number;
  email: string;
  name: string;
  /** undefined: the file has no such column, and the fact is left as it is. */
  title?: string;
  team?: string;
  managerEmail?: string | null;
  status?: "active" | "left";
}

export interface ImportError {
  /** The line the error is on (the first of them for a loop), or null for the file as a whole. */
  line: number | null;
  message: string;
}

export interface ParsedFile {
  rows: ImportRow[];
  errors: ImportError[];
  /** Header names that are not part of the format (shown on the preview, otherwise left out). */
  ignoredColumns: string[];
}

// ---- Reading the upload --------------------------------------------------------------------------

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** The offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function firstBadUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The file's text, or why it cannot be read: not UTF-8 (naming the line of the first bad byte), or
 * holding NUL characters (a UTF-16 file, which PostgreSQL text cannot store). A BOM is dropped.
 */
export function decodeUpload(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; message: string } {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    const bad = firstBadUtf8Byte(bytes);
    return {
      ok: false,
      message: `The file is not UTF-8 text (first bad byte on line ${lineAt(bytes, Math.max(bad, 0))}): save it as CSV UTF-8 and upload it again.`,
    };
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    const line = text.slice(0, nul).split("\n").length;
    return {
      ok: false,
      message: `The file contains NUL characters (first on line ${line}), as a UTF-16 file does: save it as CSV UTF-8 and upload it again.`,
    };
  }
  return { ok: true, text: text.replace(/^\uFEFF/, "") };
}

// ---- Parsing -------------------------------------------------------------------------------------

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
const show = (value: string) => `“${value.length > 60 ? `${value.slice(0, 60)}…` : value}”`;

const RowSchema = z.object({
  email: z
    .string()
    .max(254, "the email is longer than 254 characters")
    .refine((v) => v.length > 0, "the email is empty")
    .refine((v) => v.length === 0 || EMAIL.test(v), {
      error: (i) => `${show(String(i.input))} is not an email address`,
    }),
  name: z.string().min(1, "the name is empty").max(120, "the name is longer than 120 characters"),
  title: z.string().max(120, "the title is longer than 120 characters").optional(),
  team: z.string().max(120, "the team is longer than 120 characters").optional(),
  manager_email: z
    .string()
    .refine((v) => v === "" || EMAIL.test(v), {
      error: (i) => `the manager ${show(String(i.input))} is not an email address`,
    })
    .optional(),
  status: z
    .string()
    .refine((v) => ["", "active", "left"].includes(v), {
      error: (i) => `the status ${show(String(i.input))} is neither “active” nor “left”`,
    })
    .optional(),
});

/** A header name as people write it: "Manager Email", "manager-email" and "MANAGER_EMAIL" are one. */
function headerName(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

// What export prefixes to a value a spreadsheet would run as a formula; taken off again on import.
const FORMULA_START = /^[=+\-@\t\r]/;
const GUARDED = /^'[=+\-@\t\r]/;

function cell(value: string | undefined): string {
  const v = (value ?? "").trim();
  return GUARDED.test(v) ? v.slice(1) : v;
}

function csvProblem(error: CsvError): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quoted value that starts on this line or before it is never closed";
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return 'a quote inside a value must be written twice ("") and the value quoted';
    default:
      return "this line cannot be read as CSV";
  }
}

function joinList(items: readonly (string | number)[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The rows of the file and every error in it that needs no directory, each with its line. */
export function parsePeopleCsv(text: string): ParsedFile {
  let records: { record: string[]; raw: string }[];
  try {
    // One kind of line break, so that each record's raw text counts the lines it spans (csv-parse's
    // own line count costs twice the parse). A break inside a quoted value becomes "\n" too.
    records = parse(text.replace(/\r\n?/g, "\n"), {
      bom: true,
      raw: true,
      record_delimiter: "\n",
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      return {
        rows: [],
        errors: [
          {
            line: Number(error.lines) || null,
            message: `Line ${Number(error.lines) || 1}: ${csvProblem(error)}.`,
          },
        ],
        ignoredColumns: [],
      };
    }
    throw error;
  }
  // Blank lines are skipped, and so is a line of commas (a spreadsheet's empty row).
  const filled: { record: string[]; line: number }[] = [];
  let line = 1;
  for (const { record, raw } of records) {
    if (record.some((c) => c.trim() !== "")) filled.push({ record, line });
    for (let i = raw.indexOf("\n"); i >= 0; i = raw.indexOf("\n", i + 1)) line += 1;
  }
  const [header, ...body] = filled;
  if (!header) {
    return {
      rows: [],
      errors: [
        {
          line: null,
          message: `The file is empty: it needs a header row (${COLUMNS.join(", ")}) and a line for each person.`,
        },
      ],
      ignoredColumns: [],
    };
  }
  const names = header.record.map(headerName);
  const index = new Map<string, number>();
  const errors: ImportError[] = [];
  const ignoredColumns: string[] = [];
  names.forEach((name, i) => {
    if (!name) return;
    if (index.has(name)) {
      errors.push({
        line: header.line,
        message: `The header names the column “${name}” twice.`,
      });
    } else if ((COLUMNS as readonly string[]).includes(name)) index.set(name, i);
    else ignoredColumns.push(header.record[i].trim());
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) {
    errors.push({
      line: header.line,
      message: `The header row has no ${joinList(missing)} column${missing.length > 1 ? "s" : ""} (it has ${joinList(header.record.map((c) => `“${c.trim()}”`)) || "nothing"}); the columns are ${COLUMNS.join(", ")}.`,
    });
  }
  if (errors.length) return { rows: [], errors, ignoredColumns };
  if (body.length > IMPORT_MAX_ROWS) {
    return {
      rows: [],
      errors: [
        {
          line: null,
          message: `The file has ${body.length.toLocaleString("en")} people; an import takes at most ${IMPORT_MAX_ROWS.toLocaleString("en")}: split it.`,
        },
      ],
      ignoredColumns,
    };
  }

  const rows: ImportRow[] = [];
  const firstLine = new Map<string, number>();
  const width = header.record.length;
  for (const { record, line } of body) {
    if (record.length !== width && record.slice(width).some((c) => c.trim() !== "")) {
      errors.push({
        line,
        message: `Line ${line} has ${record.length} values but the header has ${width} columns: check for a comma that is not in quotes.`,
      });
      continue;
    }
    if (record.length < width) {
      errors.push({
        line,
        message: `Line ${line} has ${record.length} value${record.length === 1 ? "" : "s"} but the header has ${width} columns.`,
      });
      continue;
    }
    const get = (c: Column) => (index.has(c) ? cell(record[index.get(c)!]) : undefined);
    const input = {
      email: get("email")!.toLowerCase(),
      name: get("name")!,
      title: get("title"),
      team: get("team"),
      manager_email: get("manager_email")?.toLowerCase(),
      status: get("status")?.toLowerCase(),
    };
    const result = RowSchema.safeParse(input);
    const problems = result.success ? [] : result.error.issues.map((i) => i.message);
    if (input.email && input.email === input.manager_email)
      problems.push("a person cannot be their own manager");
    const earlier = input.email ? firstLine.get(input.email) : undefined;
    if (earlier !== undefined) problems.push(`${show(input.email)} is also on line ${earlier}`);
    else if (input.email) firstLine.set(input.email, line);
    if (problems.length) {
      errors.push({ line, message: `Line ${line}: ${problems.join("; ")}.` });
      continue;
    }
    rows.push({
      line,
      email: input.email,
      name: input.name,
      title: input.title,
      team: input.team,
      managerEmail: input.manager_email === undefined ? undefined : input.manager_email || null,
      status: input.status === undefined ? undefined : input.status === "left" ? "left" : "active",
    });
  }
  return { rows, errors, ignoredColumns };
}

// ---- Planning ------------------------------------------------------------------------------------

interface DirectoryPerson {
  id: string;
  name: string;
  email: string | null;
  title: string;
  team: string;
  manager_id: string | null;
  user_id: string | null;
  left_on: string | Date | null;
}

export interface Change {
  field: Field;
  before: string;
  after: string;
}

export interface PlannedCreate {
  line: number;
  email: string;
  name: string;
  title: string;
  team: string;
  /** For the preview: the manager's address. */
  managerEmail: string | null;
  manager: ManagerRef;
  leftOn: string | null;
  userId: string | null;
}

/** The manager: someone already in the directory (id), someone created by this file (email), or none. */
type ManagerRef = { id: string } | { email: string } | null;

export interface PlannedChange {
  line: number;
  id: string;
  email: string;
  name: string;
  changes: Change[];
  next: {
    name: string;
    title: string;
    team: string;
    manager: ManagerRef;
    leftOn: string | null;
    userId: string | null;
  };
}

export interface ImportPlan {
  creates: PlannedCreate[];
  changes: PlannedChange[];
  unchanged: number;
  /** Active people with an address who are not in the file, by name. */
  missing: { id: string; name: string; email: string }[];
  /** People in the directory with no address: an import cannot name them, and leaves them alone. */
  withoutEmail: number;
  errors: ImportError[];
  ignoredColumns: string[];
  /** Changes when anything the plan would do changes: an Apply of an older preview is refused. */
  fingerprint: string;
}

const day = (v: string | Date | null): string | null =>
  v === null ? null : typeof v === "string" ? v.slice(0, 10) : isoDate(v);

const statusOf = (leftOn: string | null) => (leftOn ? "left" : "active");

/**
 * What importing the rows would do to the directory, and every error that needs the directory to
 * find (a manager nobody knows, a loop in the manager chain), with the parse errors, by line.
 */
export async function planImport(db: DB, parsed: ParsedFile, today: string): Promise<ImportPlan> {
  const directory = (await db
    .selectFrom("people")
    .select(["id", "name", "email", "title", "team", "manager_id", "user_id", "left_on"])
    .execute()) as DirectoryPerson[];
  const byEmail = new Map<string, DirectoryPerson>();
  const byId = new Map<string, DirectoryPerson>();
  let withoutEmail = 0;
  for (const p of directory) {
    byId.set(p.id, p);
    if (p.email) byEmail.set(p.email, p);
    else withoutEmail += 1;
  }
  const rows = parsed.rows;
  const inFile = new Map(rows.map((r) => [r.email, r]));
  const errors = [...parsed.errors];

  // Accounts with a row's address that no person holds yet.
  const unlinked = new Map<string, string>();
  const emails = rows.map((r) => r.email);
  for (let i = 0; i < emails.length; i += 10_000) {
    const chunk = emails.slice(i, i + 10_000);
    const found = await db
      .selectFrom("users")
      .select(["id", "email"])
      .where(sql<boolean>`email = any(${chunk}::text[])`)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom("people").select("id").whereRef("people.user_id", "=", "users.id"))),
      )
      .execute();
    for (const u of found) unlinked.set(u.email, u.id);
  }

  // The manager each row names: a key into the graph below ("e:" an address in the file, "p:" a person
  // in the directory who is not), null for none, or undefined when the name is unknown.
  const keyOf = (p: DirectoryPerson) =>
    p.email && inFile.has(p.email) ? `e:${p.email}` : `p:${p.id}`;
  const managerOf = new Map<string, string | null>();
  const bad = new Set<number>();
  for (const r of rows) {
    const existing = byEmail.get(r.email);
    const current = existing?.manager_id ? byId.get(existing.manager_id) : undefined;
    if (r.managerEmail === undefined || (r.managerEmail === null && current && !current.email)) {
      // No manager column, or an empty one for a manager who has no address to name: kept.
      managerOf.set(`e:${r.email}`, current ? keyOf(current) : null);
    } else if (r.managerEmail === null) {
      managerOf.set(`e:${r.email}`, null);
    } else if (inFile.has(r.managerEmail)) {
      managerOf.set(`e:${r.email}`, `e:${r.managerEmail}`);
    } else if (byEmail.has(r.managerEmail)) {
      managerOf.set(`e:${r.email}`, `p:${byEmail.get(r.managerEmail)!.id}`);
    } else {
      bad.add(r.line);
      errors.push({
        line: r.line,
        message: `Line ${r.line}: the manager ${show(r.managerEmail)} is neither in this file nor in the directory.`,
      });
    }
  }
  const parentOf = (key: string): string | null => {
    if (key.startsWith("e:")) return managerOf.get(key) ?? null;
    const p = byId.get(key.slice(2))!;
    const m = p.manager_id ? byId.get(p.manager_id) : undefined;
    return m ? keyOf(m) : null;
  };
  const lineOf = (key: string) =>
    key.startsWith("e:") ? inFile.get(key.slice(2))?.line : undefined;
  const label = (key: string) =>
    key.startsWith("e:") ? key.slice(2) : byId.get(key.slice(2))!.name;
  // Each row's chain upwards, once: 1 = on the chain being walked, 2 = known to end.
  const state = new Map<string, 1 | 2>();
  for (const r of rows) {
    const path: string[] = [];
    let key: string | null = `e:${r.email}`;
    while (key !== null && !state.has(key)) {
      state.set(key, 1);
      path.push(key);
      key = parentOf(key);
    }
    if (key !== null && state.get(key) === 1) {
      const loop = path.slice(path.indexOf(key));
      const lines = loop
        .map(lineOf)
        .filter((l): l is number => l !== undefined)
        .sort((a, b) => a - b);
      for (const l of lines) bad.add(l);
      errors.push({
        line: lines[0] ?? null,
        message: `${lines.length > 1 ? "Lines" : "Line"} ${joinList(lines)}: the manager chain loops: ${[...loop, key].map(label).join(" → ")}.`,
      });
    }
    for (const k of path) state.set(k, 2);
  }

  const creates: PlannedCreate[] = [];
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  const managerLabel = (p: DirectoryPerson | undefined) => (p ? (p.email ?? p.name) : "");
  const refOf = (parent: string | null): ManagerRef =>
    parent === null
      ? null
      : parent.startsWith("p:")
        ? { id: parent.slice(2) }
        : byEmail.has(parent.slice(2))
          ? { id: byEmail.get(parent.slice(2))!.id }
          : { email: parent.slice(2) };
  for (const r of rows) {
    if (bad.has(r.line)) continue;
    const parent = managerOf.get(`e:${r.email}`) ?? null;
    const existing = byEmail.get(r.email);
    if (!existing) {
      creates.push({
        line: r.line,
        email: r.email,
        name: r.name,
        title: r.title ?? "",
        team: r.team ?? "",
        managerEmail: parent
          ? parent.startsWith("e:")
            ? parent.slice(2)
            : byId.get(parent.slice(2))!.email
          : null,
        manager: refOf(parent),
        leftOn: r.status === "left" ? today : null,
        userId: unlinked.get(r.email) ?? null,
      });
      continue;
    }
    const leftOn = day(existing.left_on);
    const next: PlannedChange["next"] = {
      name: r.name,
      title: r.title ?? existing.title,
      team: r.team ?? existing.team,
      manager: refOf(parent),
      leftOn: r.status === undefined ? leftOn : r.status === "left" ? (leftOn ?? today) : null,
      userId: existing.user_id ?? unlinked.get(r.email) ?? null,
    };
    const list: Change[] = [];
    const note = (field: Field, before: string, after: string) => {
      if (before !== after) list.push({ field, before, after });
    };
    note("name", existing.name, next.name);
    note("title", existing.title, next.title);
    note("team", existing.team, next.team);
    const nextManager =
      next.manager === null
        ? ""
        : "id" in next.manager
          ? managerLabel(byId.get(next.manager.id))
          : next.manager.email;
    if ((next.manager && "id" in next.manager ? next.manager.id : null) !== existing.manager_id)
      list.push({
        field: "manager",
        before: managerLabel(existing.manager_id ? byId.get(existing.manager_id) : undefined),
        after: nextManager,
      });
    note("status", statusOf(leftOn), statusOf(next.leftOn));
    if (next.userId !== existing.user_id)
      list.push({ field: "account", before: "", after: "linked" });
    if (list.length)
      changes.push({
        line: r.line,
        id: existing.id,
        email: r.email,
        name: r.name,
        changes: list,
        next,
      });
    else unchanged += 1;
  }

  const missing = directory
    .filter((p) => p.email && !inFile.has(p.email) && p.left_on === null)
    .map((p) => ({ id: p.id, name: p.name, email: p.email! }))
    .sort((a, b) => a.name.localeCompare(b.name, "en") || a.email.localeCompare(b.email));
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const fingerprint = createHash("sha256")
    .update(
      JSON.stringify([
        creates,
        changes.map((c) => [c.id, c.changes, c.next]),
        missing.map((m) => m.id),
      ]),
    )
    .digest("hex");
  return {
    creates,
    changes,
    unchanged,
    missing,
    withoutEmail,
    errors,
    ignoredColumns: parsed.ignoredColumns,
    fingerprint,
  };
}

// ---- Storing and applying ------------------------------------------------------------------------

export async function storeUpload(
  db: DB,
  {
    text,
    fileName,
    actorId,
    requestId,
  }: { text: string; fileName: string; actorId: string; requestId: string },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    // A preview nobody applied within a day is dropped with its file (personal data kept no longer).
    await trx
      .deleteFrom("people_imports")
      .where("applied_at", "is", null)
      .where("created_at", "<", sql<Date>`now() - interval '1 day'`)
      .execute();
    const { id } = await trx
      .insertInto("people_imports")
      .values({
        uploaded_by: actorId,
        file_name: [...fileName]
          .filter((ch) => ch >= " " && ch !== "\u007f")
          .join("")
          .slice(0, 200),
        content: text,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId,
      action: "people_import.upload",
      entity: "people_import",
      entityId: id,
      requestId,
      details: { bytes: Buffer.byteLength(text) },
    });
    return id;
  });
}

export async function getImport(db: DB, id: string) {
  return db
    .selectFrom("people_imports")
    .leftJoin("users", "users.id", "people_imports.applied_by")
    .select([
      "people_imports.id",
      "people_imports.file_name",
      "people_imports.content",
      "people_imports.applied_at",
      "people_imports.summary",
      "people_imports.created_at",
      "users.name as applied_by_name",
    ])
    .where("people_imports.id", "=", id)
    .executeTakeFirst();
}

export async function listRecentImports(db: DB, limit = 10) {
  return db
    .selectFrom("people_imports")
    .select(["id", "file_name", "applied_at", "created_at"])
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}

export interface AppliedSummary {
  created: number;
  changed: number;
  unchanged: number;
  markedLeft: number;
  missing: number;
}

export type ApplyOutcome =
  | { kind: "not_found" }
  | { kind: "already_applied"; appliedAt: Date | string }
  | { kind: "expired" }
  | { kind: "errors"; plan: ImportPlan }
  | { kind: "plan_changed"; plan: ImportPlan }
  | { kind: "applied"; summary: AppliedSummary };

const CHUNK = 10_000;

/**
 * Re-plans the stored file inside one transaction, with the directory locked against other writes,
 * and applies it: new people first, then every manager, title, name and status in one statement (so
 * managers may come in any order and the database's loop check sees the final chain), then the people
 * missing from the file if asked, then one audit row per person and one for the import.
 */
export async function applyImport(
  db: DB,
  {
    importId,
    actorId,
    requestId,
    today,
    markMissingLeft,
    fingerprint,
  }: {
    importId: string;
    actorId: string;
    requestId: string;
    today: string;
    markMissingLeft: boolean;
    /** The plan the admin saw; null applies whatever the plan now is. */
    fingerprint: string | null;
  },
): Promise<ApplyOutcome> {
  return db.transaction().execute(async (trx): Promise<ApplyOutcome> => {
    const stored = await trx
      .selectFrom("people_imports")
      .select([
        "id",
        "content",
        "applied_at",
        sql<boolean>`created_at < now() - interval '1 day'`.as("expired"),
      ])
      .where("id", "=", importId)
      .forUpdate()
      .executeTakeFirst();
    if (!stored) return { kind: "not_found" };
    if (stored.applied_at || stored.content === null)
      return { kind: "already_applied", appliedAt: stored.applied_at ?? new Date(0) };
    // The file is kept a day at most (storeUpload drops older ones): an older preview is not applied.
    if (stored.expired) return { kind: "expired" };
    // Candidates first, then people: the order a candidate edit takes them in (its trigger writes the
    // person), so an import and an edit wait for each other instead of deadlocking.
    await sql`lock table candidates in share row exclusive mode`.execute(trx);
    await sql`lock table people in share row exclusive mode`.execute(trx);
    const plan = await planImport(trx, parsePeopleCsv(stored.content), today);
    if (plan.errors.length) return { kind: "errors", plan };
    if (fingerprint !== null && fingerprint !== plan.fingerprint)
      return { kind: "plan_changed", plan };

    const idOf = new Map<string, string>();
    for (let i = 0; i < plan.creates.length; i += CHUNK) {
      const c = plan.creates.slice(i, i + CHUNK);
      const inserted = await sql<{ id: string; email: string }>`
        insert into people (name, email, title, team, left_on, user_id)
        select * from unnest(${c.map((r) => r.name)}::text[], ${c.map((r) => r.email)}::text[],
          ${c.map((r) => r.title)}::text[], ${c.map((r) => r.team)}::text[],
          ${c.map((r) => r.leftOn)}::date[], ${c.map((r) => r.userId)}::uuid[])
        returning id, email`.execute(trx);
      for (const row of inserted.rows) idOf.set(row.email, row.id);
    }
    // Second pass, one statement: every change to someone already here, and the managers of the new.
    const resolve = (m: ManagerRef) => (m === null ? null : "id" in m ? m.id : idOf.get(m.email)!);
    const updates = [
      ...plan.changes.map((c) => ({
        id: c.id,
        ...c.next,
        managerId: resolve(c.next.manager),
        bump: true,
      })),
      ...plan.creates
        .filter((c) => c.manager !== null)
        .map((c) => ({ id: idOf.get(c.email)!, ...c, managerId: resolve(c.manager), bump: false })),
    ];
    if (updates.length) {
      await sql`
        update people p set name = v.name, title = v.title, team = v.team, manager_id = v.manager_id,
          left_on = v.left_on, user_id = v.user_id,
          version = p.version + case when v.bump then 1 else 0 end
        from unnest(${updates.map((u) => u.id)}::uuid[], ${updates.map((u) => u.name)}::text[],
          ${updates.map((u) => u.title)}::text[], ${updates.map((u) => u.team)}::text[],
          ${updates.map((u) => u.managerId)}::uuid[], ${updates.map((u) => u.leftOn)}::date[],
          ${updates.map((u) => u.userId)}::uuid[], ${updates.map((u) => u.bump)}::boolean[])
          as v(id, name, title, team, manager_id, left_on, user_id, bump)
        where p.id = v.id`.execute(trx);
    }
    const leaving = markMissingLeft ? plan.missing.map((m) => m.id) : [];
    if (leaving.length) {
      await sql`update people set left_on = ${today}::date, version = version + 1
        where id = any(${leaving}::uuid[]) and left_on is null`.execute(trx);
    }

    const events = [
      ...plan.creates.map((c) => ({
        action: "person.create",
        id: idOf.get(c.email)!,
        details: { importId, fields: createdFields(c) },
      })),
      ...plan.changes.map((c) => ({
        action: "person.update",
        id: c.id,
        details: { importId, fields: c.changes.map((x) => x.field) },
      })),
      ...leaving.map((id) => ({
        action: "person.leave",
        id,
        details: { importId, fields: ["status"] },
      })),
    ];
    for (let i = 0; i < events.length; i += CHUNK) {
      const e = events.slice(i, i + CHUNK);
      await sql`
        insert into audit_events (actor_id, action, entity, entity_id, outcome, request_id, details)
        select ${actorId}::uuid, v.action, 'person', v.entity_id, 'ok', ${requestId}, v.details::jsonb
        from unnest(${e.map((x) => x.action)}::text[], ${e.map((x) => x.id)}::text[],
          ${e.map((x) => JSON.stringify(x.details))}::text[]) as v(action, entity_id, details)`.execute(
        trx,
      );
    }
    const summary: AppliedSummary = {
      created: plan.creates.length,
      changed: plan.changes.length,
      unchanged: plan.unchanged,
      markedLeft: leaving.length,
      missing: plan.missing.length,
    };
    await trx
      .updateTable("people_imports")
      .set({
        applied_at: new Date(),
        applied_by: actorId,
        content: null,
        summary: JSON.stringify(summary),
      })
      .where("id", "=", importId)
      .execute();
    await audit(trx, {
      actorId,
      action: "people_import.apply",
      entity: "people_import",
      entityId: importId,
      requestId,
      details: { ...summary },
    });
    return { kind: "applied", summary };
  });
}

/** The facts a new person was given (names of fields only, never their values). */
function createdFields(c: PlannedCreate): Field[] | string[] {
  return [
    "name",
    "email",
    ...(c.title ? ["title"] : []),
    ...(c.team ? ["team"] : []),
    ...(c.manager ? ["manager"] : []),
    ...(c.leftOn ? ["status"] : []),
    ...(c.userId ? ["account"] : []),
  ];
}

// ---- Export --------------------------------------------------------------------------------------

/** The directory in the import's format, ordered by address; people with no address cannot be written. */
export async function exportPeopleCsv(
  db: DB,
): Promise<{ csv: string; rows: number; withoutEmail: number }> {
  const people = await db
    .selectFrom("people as p")
    .leftJoin("people as m", "m.id", "p.manager_id")
    .select(["p.email", "p.name", "p.title", "p.team", "m.email as manager_email", "p.left_on"])
    .where("p.email", "is not", null)
    .orderBy("p.email")
    .execute();
  const { count } = await db
    .selectFrom("people")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("email", "is", null)
    .executeTakeFirstOrThrow();
  const guard = (v: string | null) => (v && FORMULA_START.test(v) ? `'${v}` : (v ?? ""));
  const csv = stringify(
    people.map((p) => [
      guard(p.email),
      guard(p.name),
      guard(p.title),
      guard(p.team),
      guard(p.manager_email),
      p.left_on ? "left" : "active",
    ]),
    { header: true, columns: [...COLUMNS], record_delimiter: "\r\n" },
  );
  return { csv, rows: people.length, withoutEmail: Number(count) };
}

export async function countPeopleWithoutEmail(db: DB): Promise<number> {
  const { count } = await db
    .selectFrom("people")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("email", "is", null)
    .executeTakeFirstOrThrow();
  return Number(count);
}
