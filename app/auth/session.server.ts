import { createHmac, randomBytes } from "node:crypto";
import { redirect } from "@remix-run/node";
import type { AppContext } from "../context";
import type { LoginMethod, LoginStage, Role } from "../../db/schema";

/**
 * `__Host-nw_session` in production, where the cookie is Secure: the browser then takes it only from
 * HTTPS, for this host, on path /, so no subdomain or plain-HTTP page can set or shadow it. Elsewhere
 * (development over http, tests) it cannot be Secure and keeps the plain name.
 */
export function sessionCookieName(env: Pick<AppContext["env"], "NODE_ENV">): string {
  return env.NODE_ENV === "production" ? "__Host-nw_session" : "nw_session";
}

export const IDLE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
const TOUCH_AFTER_MS = 60 * 1000;

/** A login half done lives at most this long. */
export const STAGED_TIMEOUT_MS = 15 * 60 * 1000;

/** Where a session in each stage is sent: the only page it opens (app/auth/login-stages.server.ts). */
export const STAGE_PATHS: Record<LoginStage, string> = {
  second_factor: "/login/second-factor",
  change_password: "/login/new-password",
  set_up_mfa: "/login/set-up-mfa",
};

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  sessionId: string;
  /** When the person last proved who they are in this session (login, second factor, confirmation). */
  authenticatedAt: Date;
  method: LoginMethod;
}

/** A session that may still be a login half done (stage not null). */
export interface AnySession extends SessionUser {
  stage: LoginStage | null;
}

type Ctx = Pick<AppContext, "db" | "env" | "now">;

// The database stores only an HMAC of the token: a copy of the sessions table logs nobody in.
function sessionKey(ctx: Ctx, token: string): string {
  return createHmac("sha256", ctx.env.SESSION_SECRET).update(token).digest("hex");
}

function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=") || null;
  }
  return null;
}

function cookieHeader(ctx: Ctx, value: string, maxAgeSeconds: number): string {
  const secure = ctx.env.NODE_ENV === "production" ? "; Secure" : "";
  return `${sessionCookieName(ctx.env)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * A new session id at every login; returns the Set-Cookie header. Use `startLogin`
 * (app/auth/login-stages.server.ts), which decides the stage; a staged session lasts
 * STAGED_TIMEOUT_MS until its stages are done.
 */
export async function createSession(
  ctx: Ctx,
  {
    userId,
    userAgent,
    method = "password",
    stage = null,
  }: { userId: string; userAgent: string | null; method?: LoginMethod; stage?: LoginStage | null },
) {
  const token = randomBytes(32).toString("base64url");
  const now = ctx.now();
  await ctx.db
    .insertInto("sessions")
    .values({
      id: sessionKey(ctx, token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      authenticated_at: now,
      method,
      stage,
      expires_at: new Date(now.getTime() + (stage ? STAGED_TIMEOUT_MS : ABSOLUTE_TIMEOUT_MS)),
      user_agent: userAgent?.slice(0, 200) ?? null,
    })
    .execute();
  return cookieHeader(ctx, token, ABSOLUTE_TIMEOUT_MS / 1000);
}

/**
 * A new token for the session (ASVS 7.2.4): whenever the session proves more (a stage done, a
 * confirmation), the token it had before stops working, so a token seen earlier (a half-done login
 * on a shared machine, say) cannot ride on the proof. Returns the Set-Cookie header to send.
 */
async function rotate(
  ctx: Ctx,
  sessionId: string,
  set: { stage?: LoginStage | null; authenticated_at?: Date; expires_at?: Date },
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await ctx.db
    .updateTable("sessions")
    .set({ ...set, id: sessionKey(ctx, token) })
    .where("id", "=", sessionId)
    .execute();
  return cookieHeader(ctx, token, ABSOLUTE_TIMEOUT_MS / 1000);
}

/**
 * Moves a session to its next stage (null: the login is complete, and the session gets its full
 * life), under a new token; returns the Set-Cookie header.
 */
export async function setSessionStage(
  ctx: Ctx,
  {
    sessionId,
    stage,
    authenticated,
  }: { sessionId: string; stage: LoginStage | null; authenticated?: boolean },
): Promise<string> {
  const now = ctx.now();
  return rotate(ctx, sessionId, {
    stage,
    ...(authenticated ? { authenticated_at: now } : {}),
    ...(stage === null ? { expires_at: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS) } : {}),
  });
}

/**
 * The person proved who they are again (password, second factor): sensitive actions open for a
 * while. The session gets a new token; returns the Set-Cookie header.
 */
export async function markAuthenticated(ctx: Ctx, sessionId: string): Promise<string> {
  return rotate(ctx, sessionId, { authenticated_at: ctx.now() });
}

/** Ends every session of the account but `keep` (the one making the change), or all of them. */
export async function endSessions(ctx: Pick<Ctx, "db">, userId: string, keep?: string) {
  let query = ctx.db.deleteFrom("sessions").where("user_id", "=", userId);
  if (keep) query = query.where("id", "!=", keep);
  const rows = await query.returning("id").execute();
  return rows.length;
}

export function clearSessionCookie(ctx: Ctx): string {
  return cookieHeader(ctx, "", 0);
}

export async function destroySession(ctx: Ctx, request: Request): Promise<string | null> {
  const token = readCookie(request, sessionCookieName(ctx.env));
  if (!token) return null;
  const row = await ctx.db
    .deleteFrom("sessions")
    .where("id", "=", sessionKey(ctx, token))
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id ?? null;
}

// Lookups in flight, per request context and token: the root loader and the route loader of one
// request run in parallel and share a single session query. Only while it is in flight, so every
// later call (a test reusing its context, a session just revoked) reads the database again.
const inFlight = new WeakMap<object, Map<string, Promise<AnySession | null>>>();

/** The signed-in user, or null when there is no live session (expired, revoked, account disabled, or a login half done). */
export async function getUser(ctx: Ctx, request: Request): Promise<SessionUser | null> {
  const session = await getAnySession(ctx, request);
  if (!session || session.stage) return null;
  return session;
}

/** The live session, including a login half done (its `stage` says which page it may open). */
export async function getAnySession(ctx: Ctx, request: Request): Promise<AnySession | null> {
  const token = readCookie(request, sessionCookieName(ctx.env));
  if (!token) return null;
  let pending = inFlight.get(ctx);
  if (!pending) inFlight.set(ctx, (pending = new Map()));
  const shared = pending.get(token);
  if (shared) return shared;
  const lookup = lookUpSession(ctx, token).finally(() => pending.delete(token));
  pending.set(token, lookup);
  return lookup;
}

async function lookUpSession(ctx: Ctx, token: string): Promise<AnySession | null> {
  const id = sessionKey(ctx, token);
  const now = ctx.now();
  const row = await ctx.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id as session_id",
      "sessions.expires_at",
      "sessions.last_seen_at",
      "sessions.authenticated_at",
      "sessions.method",
      "sessions.stage",
      "users.id",
      "users.email",
      "users.name",
      "users.roles",
      "users.disabled_at",
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const idle = now.getTime() - new Date(row.last_seen_at).getTime() > IDLE_TIMEOUT_MS;
  const expired = new Date(row.expires_at).getTime() <= now.getTime();
  if (row.disabled_at || idle || expired) {
    await ctx.db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_AFTER_MS) {
    await ctx.db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", id).execute();
  }
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    sessionId: id,
    authenticatedAt: new Date(row.authenticated_at),
    method: row.method,
    stage: row.stage,
  };
}

function returnPath(request: Request): string {
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  return redirectTo === "/" ? "" : `?${new URLSearchParams({ redirectTo })}`;
}

/** The signed-in user; a login half done is sent to its stage's page, anyone else to /login. */
export async function requireUser(ctx: Ctx, request: Request): Promise<SessionUser> {
  const session = await getAnySession(ctx, request);
  if (session?.stage) throw redirect(`${STAGE_PATHS[session.stage]}${returnPath(request)}`);
  if (!session) {
    throw redirect(`/login${returnPath(request)}`, {
      headers: { "Set-Cookie": clearSessionCookie(ctx) },
    });
  }
  return session;
}

/**
 * The session of a login at `stage`, for that stage's page: a complete session goes on to where it
 * was going, one at another stage to that stage's page, none to /login.
 */
export async function requireStage(
  ctx: Ctx,
  request: Request,
  stage: LoginStage,
): Promise<AnySession> {
  const session = await getAnySession(ctx, request);
  if (session?.stage === stage) return session;
  if (!session) throw redirect("/login");
  if (session.stage) throw redirect(`${STAGE_PATHS[session.stage]}${new URL(request.url).search}`);
  throw redirect("/");
}

export function hasRole(user: Pick<SessionUser, "roles">, ...roles: Role[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}
