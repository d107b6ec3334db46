/**
 * SCIM 2.0 provisioning (RFC 7643, RFC 7644) for Users, as Okta and Entra ID send it; decision 0018
 * says why the resource mapping is written here rather than taken from a library. The filter is parsed
 * by scim2-parse-filter; only `userName eq "…"` and `externalId eq "…"` are answered.
 *
 * A SCIM User is an account (users) and its person in the directory (people, linked by user_id):
 * userName is the work email, name/displayName the account's and the person's name, title the
 * person's title, the enterprise extension's department the person's team and its manager the
 * manager's account id (the person's manager_id points at the manager's person). `active: false`
 * disables the account and ends its sessions at once; DELETE does the same and keeps the account.
 */
import { randomBytes } from "node:crypto";
import { parse as parseFilter, type Filter } from "scim2-parse-filter";
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { AppContext } from "../context";
import { describeWait, reserveLoginAttempt } from "../auth/rate-limit.server";
import { audit } from "../models/audit.server";
import { isUuid } from "../utils/fields";
import { hashToken } from "../utils/security.server";
import { enqueueAccountLink } from "../models/account-token.server";

export const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_TYPE = "application/scim+json";
/** The most Users one list answer holds (ServiceProviderConfig filter.maxResults). */
export const MAX_RESULTS = 200;
/** The password hash of an account made by SCIM: no password verifies against it (sign-in is SSO). */
export const NO_PASSWORD = "!scim-provisioned-no-password";

type Ctx = Pick<AppContext, "db" | "requestId" | "now" | "clientIp">;

export type ScimErrorType =
  | "invalidFilter"
  | "invalidValue"
  | "invalidSyntax"
  | "invalidPath"
  | "uniqueness"
  | "tooMany"
  | "mutability"
  | "noTarget";

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": SCIM_TYPE, "Cache-Control": "no-store", ...headers },
  });
}

export function scimError(status: number, detail: string, scimType?: ScimErrorType): Response {
  return scimJson(
    { schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail },
    status,
    status === 401 ? { "WWW-Authenticate": 'Bearer realm="SCIM"' } : {},
  );
}

// --- Tokens -------------------------------------------------------------------------------------

/** A new token: returns the token (shown once) and its row id. Only the hash is stored. */
export async function createScimToken(
  db: DB,
  { name, createdBy }: { name: string; createdBy: string | null },
) {
  const token = `nwscim_${randomBytes(32).toString("base64url")}`;
  const row = await db
    .insertInto("scim_tokens")
    .values({ name: name.trim(), token_hash: hashToken(token), created_by: createdBy })
    .returning(["id"])
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

export async function listScimTokens(db: DB) {
  return db
    .selectFrom("scim_tokens")
    .leftJoin("users", "users.id", "scim_tokens.created_by")
    .select([
      "scim_tokens.id",
      "scim_tokens.name",
      "scim_tokens.created_at",
      "scim_tokens.last_used_at",
      "scim_tokens.revoked_at",
      "scim_tokens.version",
      "users.name as created_by_name",
    ])
    .orderBy("scim_tokens.revoked_at", (ob) => ob.desc().nullsFirst())
    .orderBy("scim_tokens.created_at", "desc")
    .orderBy("scim_tokens.id")
    .execute();
}

/** Revokes a token at the version shown; undefined when it moved on or was already revoked. */
export async function revokeScimToken(
  db: DB,
  { id, version, now }: { id: string; version: number; now: Date },
) {
  return db
    .updateTable("scim_tokens")
    .set((eb) => ({ revoked_at: now, version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .where("version", "=", version)
    .where("revoked_at", "is", null)
    .returning(["id"])
    .executeTakeFirst();
}

/** The throttle's account key for wrong SCIM tokens (never an address: it has no "@"). */
export const SCIM_THROTTLE_KEY = "scim bearer token";

export interface ScimClient {
  tokenId: string;
}

/**
 * The token of the request's `Authorization: Bearer …`, or a thrown 401 SCIM error. Every use is
 * audited (scim.request, with the method and resource) and stamps last_used_at; a refusal is audited
 * as denied with its reason, never with the token.
 */
export async function requireScimToken(ctx: Ctx, request: Request): Promise<ScimClient> {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer[ ]+([\x21-\x7e]{1,200})$/i.exec(header.trim());
  const resource = new URL(request.url).pathname.split("/").slice(3, 4).join("") || "-";
  let reason = "missing";
  if (match) {
    const row = await ctx.db
      .updateTable("scim_tokens")
      .set({ last_used_at: ctx.now() })
      .where("token_hash", "=", hashToken(match[1]))
      .where("revoked_at", "is", null)
      .returning(["id"])
      .executeTakeFirst();
    if (row) {
      await audit(ctx.db, {
        actorId: null,
        action: "scim.request",
        entity: "scim_token",
        entityId: row.id,
        requestId: ctx.requestId,
        details: { method: request.method, resource: resource.slice(0, 40) },
      });
      return { tokenId: row.id };
    }
    reason = "unknown or revoked";
    // Wrong tokens are throttled per client address like password failures (a token is 256 random
    // bits, so this bounds the load and the audit rows, not guessing). A valid token is checked first
    // and always answered, so nobody's provisioning is held up by someone else's failures.
    const reservation = await reserveLoginAttempt(ctx.db, {
      email: SCIM_THROTTLE_KEY,
      ip: ctx.clientIp,
      now: ctx.now(),
    });
    if (!reservation.ok) {
      await audit(ctx.db, {
        actorId: null,
        action: "scim.request",
        entity: "scim_token",
        outcome: "denied",
        requestId: ctx.requestId,
        details: { method: request.method, reason: "rate_limited" },
      });
      throw scimJson(
        {
          schemas: [ERROR],
          status: "429",
          detail: `Too many requests with a wrong token from here. Try again in ${describeWait(reservation.retryAfterSeconds)}.`,
        },
        429,
        { "Retry-After": String(reservation.retryAfterSeconds) },
      );
    }
  }
  await audit(ctx.db, {
    actorId: null,
    action: "scim.request",
    entity: "scim_token",
    outcome: "denied",
    requestId: ctx.requestId,
    details: { method: request.method, reason },
  });
  throw scimError(401, "A valid bearer token is required (Authorization: Bearer <token>).");
}

// --- The User resource --------------------------------------------------------------------------

/** What this product keeps of a SCIM User. */
export interface UserState {
  userName: string;
  externalId: string | null;
  name: string;
  title: string;
  active: boolean;
  department: string | null;
  /** The manager's account id (SCIM id), null for none. */
  managerId: string | null;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  external_id: string | null;
  disabled_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  person_title: string | null;
  person_team: string | null;
  manager_user_id: string | null;
}

function userQuery(db: DB) {
  return db
    .selectFrom("users")
    .leftJoin("people", "people.user_id", "users.id")
    .leftJoin("people as mp", "mp.id", "people.manager_id")
    .select([
      "users.id",
      "users.email",
      "users.name",
      "users.external_id",
      "users.disabled_at",
      "users.version",
      "users.created_at",
      "users.updated_at",
      "people.title as person_title",
      "people.team as person_team",
      "mp.user_id as manager_user_id",
    ]);
}

export async function getScimUserRow(db: DB, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  return userQuery(db).where("users.id", "=", id).executeTakeFirst() as Promise<
    UserRow | undefined
  >;
}

function splitName(name: string): { givenName: string; familyName: string } {
  const at = name.indexOf(" ");
  return at < 0
    ? { givenName: name, familyName: "" }
    : { givenName: name.slice(0, at), familyName: name.slice(at + 1) };
}

function iso(value: Date | string) {
  return new Date(value).toISOString();
}

export function toScimUser(row: UserRow, baseUrl: string) {
  const { givenName, familyName } = splitName(row.name);
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.email,
    name: { formatted: row.name, givenName, familyName },
    displayName: row.name,
    ...(row.person_title ? { title: row.person_title } : {}),
    emails: [{ value: row.email, type: "work", primary: true }],
    active: row.disabled_at === null,
    [ENTERPRISE_USER]: {
      ...(row.person_team ? { department: row.person_team } : {}),
      ...(row.manager_user_id ? { manager: { value: row.manager_user_id } } : {}),
    },
    meta: {
      resourceType: "User",
      created: iso(row.created_at),
      lastModified: iso(row.updated_at),
      location: `${baseUrl}/scim/v2/Users/${row.id}`,
      version: `W/"${row.version}"`,
    },
  };
}

export function stateOf(row: UserRow): UserState {
  return {
    userName: row.email,
    externalId: row.external_id,
    name: row.name,
    title: row.person_title ?? "",
    active: row.disabled_at === null,
    department: row.person_team ?? "",
    managerId: row.manager_user_id,
  };
}

export function baseUrlOf(request: Request): string {
  return new URL(request.url).origin;
}

/** A client's mistake, answered with the SCIM error it names. */
export class ScimInputError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimErrorType,
  ) {
    super(message);
  }
}

const invalid = (detail: string) => new ScimInputError(400, detail, "invalidValue");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON body, or a 400 invalidSyntax. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await request.text());
  } catch {
    throw new ScimInputError(400, "The body is not valid JSON.", "invalidSyntax");
  }
  if (!isObject(value))
    throw new ScimInputError(400, "The body must be a JSON object.", "invalidSyntax");
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string.`);
  // PostgreSQL text cannot hold U+0000: refused, never silently changed.
  if (value.includes("\u0000")) throw invalid(`${field} holds a NUL character (U+0000).`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw invalid(`${field} is longer than ${max} characters.`);
  return trimmed;
}

/** Entra ID sends booleans as "True"/"False" in some PATCH requests. */
function bool(value: unknown, field: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value))
    return value.toLowerCase() === "true";
  throw invalid(`${field} must be true or false.`);
}

function managerValue(value: unknown): string | null {
  if (value === null || value === "") return null;
  if (typeof value === "string") return value;
  if (isObject(value)) {
    if (value.value === null || value.value === undefined || value.value === "") return null;
    if (typeof value.value === "string") return value.value;
  }
  throw invalid("manager must be an object with the manager's id as value.");
}

function nameFrom(given: string, family: string) {
  return [given.trim(), family.trim()].filter(Boolean).join(" ");
}

/** The state a full resource (POST, PUT) describes. */
export function stateFromResource(body: Record<string, unknown>): UserState {
  if (body.userName === undefined) throw invalid("userName is required.");
  const name = isObject(body.name) ? body.name : {};
  const enterprise = isObject(body[ENTERPRISE_USER]) ? body[ENTERPRISE_USER] : {};
  const fullName =
    (typeof name.formatted === "string" && name.formatted.trim()) ||
    nameFrom(
      typeof name.givenName === "string" ? name.givenName : "",
      typeof name.familyName === "string" ? name.familyName : "",
    ) ||
    (typeof body.displayName === "string" && body.displayName.trim()) ||
    "";
  return {
    userName: text(body.userName, "userName", 320),
    externalId:
      body.externalId === undefined || body.externalId === null
        ? null
        : text(body.externalId, "externalId", 500) || null,
    name: fullName || text(body.userName, "userName", 320),
    title: body.title === undefined || body.title === null ? "" : text(body.title, "title", 200),
    active: body.active === undefined ? true : bool(body.active, "active"),
    department:
      enterprise.department === undefined || enterprise.department === null
        ? ""
        : text(enterprise.department, "department", 200),
    managerId: enterprise.manager === undefined ? null : managerValue(enterprise.manager),
  };
}

const ENTERPRISE_PREFIX = `${ENTERPRISE_USER.toLowerCase()}:`;
const CORE_PREFIX = `${CORE_USER.toLowerCase()}:`;

/** Sets one attribute of the state by its SCIM path (lower case, without the core schema's URN). */
function setPath(state: UserState, path: string, value: unknown, remove: boolean) {
  let p = path.trim().toLowerCase();
  if (p.startsWith(CORE_PREFIX)) p = p.slice(CORE_PREFIX.length);
  const split = splitName(state.name);
  switch (p) {
    case "active":
      if (remove) throw invalid("active cannot be removed.");
      state.active = bool(value, "active");
      return;
    case "username":
      if (remove) throw invalid("userName cannot be removed.");
      state.userName = text(value, "userName", 320);
      return;
    case "externalid":
      state.externalId = remove || value === null ? null : text(value, "externalId", 500) || null;
      return;
    case "displayname":
    case "name.formatted":
      if (!remove) state.name = text(value, path, 200) || state.name;
      return;
    case "name.givenname":
      state.name = nameFrom(remove ? "" : text(value, path, 200), split.familyName) || state.name;
      return;
    case "name.familyname":
      state.name = nameFrom(split.givenName, remove ? "" : text(value, path, 200)) || state.name;
      return;
    case "name":
      if (remove) return;
      if (!isObject(value)) throw invalid("name must be an object.");
      for (const [key, v] of Object.entries(value)) setPath(state, `name.${key}`, v, false);
      return;
    case "title":
      state.title = remove || value === null ? "" : text(value, "title", 200);
      return;
    case `${ENTERPRISE_PREFIX}department`:
      state.department = remove || value === null ? "" : text(value, "department", 200);
      return;
    case `${ENTERPRISE_PREFIX}manager`:
    case `${ENTERPRISE_PREFIX}manager.value`:
      state.managerId = remove ? null : managerValue(value);
      return;
    case ENTERPRISE_USER.toLowerCase():
      if (remove) {
        state.department = "";
        state.managerId = null;
        return;
      }
      if (!isObject(value)) throw invalid("The enterprise extension must be an object.");
      for (const [key, v] of Object.entries(value))
        setPath(state, `${ENTERPRISE_PREFIX}${key}`, v, false);
      return;
    default:
      // Attributes this product does not keep (phone numbers, addresses, emails beyond userName…)
      // are accepted and ignored, as RFC 7643 allows a service provider to do.
      return;
  }
}

/** Applies the Operations of a PatchOp request (Okta's and Entra ID's forms) to the state. */
export function applyPatch(state: UserState, body: Record<string, unknown>): UserState {
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0)
    throw new ScimInputError(400, "Operations must be a non-empty list.", "invalidSyntax");
  if (operations.length > 100) throw new ScimInputError(400, "At most 100 operations.", "tooMany");
  const next = { ...state };
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== "string")
      throw new ScimInputError(400, "Every operation needs an op.", "invalidSyntax");
    const op = operation.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw new ScimInputError(400, `Unknown op "${operation.op.slice(0, 20)}".`, "invalidSyntax");
    const path = operation.path;
    if (path !== undefined && (typeof path !== "string" || path.length > 200))
      throw new ScimInputError(400, "path must be a string.", "invalidPath");
    if (op === "remove") {
      if (!path) throw new ScimInputError(400, "remove needs a path.", "noTarget");
      setPath(next, path, undefined, true);
    } else if (path) {
      setPath(next, path, operation.value, false);
    } else {
      if (!isObject(operation.value))
        throw invalid("An operation without a path needs an object as value.");
      for (const [key, value] of Object.entries(operation.value)) setPath(next, key, value, false);
    }
  }
  return next;
}

// --- Writing ------------------------------------------------------------------------------------

function checkState(state: UserState): UserState {
  const userName = state.userName.trim().toLowerCase();
  if (!EMAIL.test(userName)) throw invalid("userName must be the work email address.");
  if (!state.name.trim()) throw invalid("A name is required.");
  return { ...state, userName, name: state.name.trim().slice(0, 200) };
}

/** A database refusal caused by the request: a taken userName or externalId, a looping manager chain. */
function inputErrorFor(error: unknown): ScimInputError | null {
  const code = (error as { code?: string })?.code;
  if (code === "23505")
    return new ScimInputError(409, "A User with this userName already exists.", "uniqueness");
  // people_no_manager_cycle (migration 0010) raises a check violation.
  if (code === "23514" && /manager chain/.test((error as Error).message))
    return invalid("This manager would make a manager chain loop back to the same person.");
  return null;
}

/** The manager's person, from their account id; a 400 when there is no such account. */
async function managerPersonId(db: DB, managerId: string | null, selfId: string | null) {
  if (managerId === null) return null;
  if (!isUuid(managerId) || managerId === selfId)
    throw invalid("manager.value must be the id of another User.");
  const row = await db
    .selectFrom("people")
    .select("id")
    .where("user_id", "=", managerId)
    .executeTakeFirst();
  if (!row) throw invalid("manager.value is not the id of a User here.");
  return row.id;
}

async function writePerson(db: DB, userId: string, state: UserState, managerPerson: string | null) {
  await db
    .updateTable("people")
    .set((eb) => ({
      name: state.name,
      email: state.userName,
      title: state.title,
      team: state.department ?? "",
      manager_id: managerPerson,
      version: eb("version", "+", 1),
    }))
    .where("user_id", "=", userId)
    .execute();
}

async function conflictCheck(db: DB, state: UserState, selfId: string | null) {
  let query = db
    .selectFrom("users")
    .select(["id", "email", "external_id"])
    .where((eb) =>
      eb.or([
        eb("email", "=", state.userName),
        ...(state.externalId ? [eb("external_id", "=", state.externalId)] : []),
      ]),
    );
  if (selfId) query = query.where("id", "<>", selfId);
  const clash = await query.executeTakeFirst();
  if (clash)
    throw new ScimInputError(
      409,
      clash.email === state.userName
        ? "A User with this userName already exists."
        : "A User with this externalId already exists.",
      "uniqueness",
    );
  // A person of the directory with this address but another account cannot be taken over.
  const person = await db
    .selectFrom("people")
    .select(["user_id"])
    .where("email", "=", state.userName)
    .executeTakeFirst();
  if (person && person.user_id !== null && person.user_id !== selfId)
    throw new ScimInputError(409, "A User with this userName already exists.", "uniqueness");
}

/** Creates the account (no roles) and links or creates its person in the directory. */
export async function createScimUser(ctx: Ctx, client: ScimClient, input: UserState) {
  const state = checkState(input);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await conflictCheck(trx, state, null);
      const managerPerson = await managerPersonId(trx, state.managerId, null);
      const user = await trx
        .insertInto("users")
        .values({
          email: state.userName,
          name: state.name,
          roles: [],
          password_hash: NO_PASSWORD,
          external_id: state.externalId,
          disabled_at: state.active ? null : ctx.now(),
        })
        .returning(["id"])
        .executeTakeFirstOrThrow();
      // The users_join_directory trigger linked the person with this address, or made one.
      await writePerson(trx, user.id, state, managerPerson);
      // The person hears of their account by mail (issue 21): a link that offers single sign-on.
      if (state.active)
        await enqueueAccountLink(trx, {
          userId: user.id,
          purpose: "invitation",
          createdBy: null,
          sso: true,
          now: ctx.now(),
        });
      await audit(trx, {
        actorId: null,
        action: "user.scim_create",
        entity: "user",
        entityId: user.id,
        requestId: ctx.requestId,
        details: { token: client.tokenId, active: state.active },
      });
      return user.id;
    });
  } catch (error) {
    throw inputErrorFor(error) ?? error;
  }
}

/** Writes the whole state of an existing User (PUT, PATCH); deactivation ends its sessions. */
export async function updateScimUser(
  ctx: Ctx,
  client: ScimClient,
  id: string,
  input: UserState,
  action: "user.scim_replace" | "user.scim_patch" | "user.scim_delete",
) {
  const state = checkState(input);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom("users")
        .select(["id", "disabled_at"])
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw new ScimInputError(404, "No such User.");
      await conflictCheck(trx, state, id);
      const managerPerson = await managerPersonId(trx, state.managerId, id);
      const wasActive = current.disabled_at === null;
      await trx
        .updateTable("users")
        .set((eb) => ({
          email: state.userName,
          name: state.name,
          external_id: state.externalId,
          disabled_at: state.active ? null : (current.disabled_at ?? ctx.now()),
          version: eb("version", "+", 1),
        }))
        .where("id", "=", id)
        .execute();
      await writePerson(trx, id, state, managerPerson);
      // Deactivation ends every session at once, not at the next expiry.
      if (!state.active) await trx.deleteFrom("sessions").where("user_id", "=", id).execute();
      await audit(trx, {
        actorId: null,
        action,
        entity: "user",
        entityId: id,
        requestId: ctx.requestId,
        details: {
          token: client.tokenId,
          ...(wasActive !== state.active ? { active: state.active } : {}),
        },
      });
    });
  } catch (error) {
    throw inputErrorFor(error) ?? error;
  }
}

// --- Listing ------------------------------------------------------------------------------------

/** The one comparison a list may filter by, or a 400 invalidFilter. */
export function parseUserFilter(
  filter: string | null,
): { attribute: "userName" | "externalId"; value: string } | null {
  if (filter === null || filter.trim() === "") return null;
  let ast: Filter;
  try {
    ast = parseFilter(filter);
  } catch {
    throw new ScimInputError(400, "The filter is not a valid SCIM filter.", "invalidFilter");
  }
  if (ast.op === "eq" && "attrPath" in ast && typeof ast.compValue === "string") {
    let attr = ast.attrPath.toLowerCase();
    if (attr.startsWith(CORE_PREFIX)) attr = attr.slice(CORE_PREFIX.length);
    if (attr === "username") return { attribute: "userName", value: ast.compValue };
    if (attr === "externalid") return { attribute: "externalId", value: ast.compValue };
  }
  throw new ScimInputError(
    400,
    'Only filter=userName eq "…" and filter=externalId eq "…" are supported.',
    "invalidFilter",
  );
}

function positiveInt(value: string | null, fallback: number, field: string): number {
  if (value === null || value === "") return fallback;
  if (!/^-?\d{1,9}$/.test(value)) throw invalid(`${field} must be an integer.`);
  return Number(value);
}

export async function listScimUsers(db: DB, url: URL) {
  const filter = parseUserFilter(url.searchParams.get("filter"));
  // RFC 7644 §3.4.2.4: startIndex below 1 is taken as 1, a negative count as 0.
  const startIndex = Math.max(1, positiveInt(url.searchParams.get("startIndex"), 1, "startIndex"));
  const count = Math.min(
    MAX_RESULTS,
    Math.max(0, positiveInt(url.searchParams.get("count"), 100, "count")),
  );
  let query = userQuery(db);
  if (filter?.attribute === "userName")
    query = query.where("users.email", "=", filter.value.trim().toLowerCase());
  if (filter?.attribute === "externalId")
    query = query.where("users.external_id", "=", filter.value);
  const total = await db
    .selectFrom(query.as("q"))
    .select(sql<number>`count(*)::int`.as("n"))
    .executeTakeFirstOrThrow();
  const rows =
    count === 0
      ? []
      : await query
          .orderBy("users.created_at")
          .orderBy("users.id")
          .offset(startIndex - 1)
          .limit(count)
          .execute();
  return { total: Number(total.n), startIndex, rows: rows as UserRow[] };
}

/** Turns a client's mistake into its SCIM error; anything else is thrown on. */
export function scimErrorFor(error: unknown): Response {
  if (error instanceof Response) return error;
  if (error instanceof ScimInputError)
    return scimError(error.status, error.message, error.scimType);
  throw error;
}
