import { createHmac, randomBytes } from "node:crypto";
import { redirect } from "@remix-run/node";
import type { AppContext } from "../context";
import type { Role } from "../../db/schema";

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

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  sessionId: string;
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

/** A new session id at every login; returns the Set-Cookie header. */
export async function createSession(
  ctx: Ctx,
  { userId, userAgent }: { userId: string; userAgent: string | null },
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
      expires_at: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
      user_agent: userAgent?.slice(0, 200) ?? null,
    })
    .execute();
  return cookieHeader(ctx, token, ABSOLUTE_TIMEOUT_MS / 1000);
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
const inFlight = new WeakMap<object, Map<string, Promise<SessionUser | null>>>();

/** The signed-in user, or null when there is no live session (expired, revoked, or account disabled). */
export async function getUser(ctx: Ctx, request: Request): Promise<SessionUser | null> {
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

async function lookUpSession(ctx: Ctx, token: string): Promise<SessionUser | null> {
  const id = sessionKey(ctx, token);
  const now = ctx.now();
  const row = await ctx.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id as session_id",
      "sessions.expires_at",
      "sessions.last_seen_at",
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
  };
}

export async function requireUser(ctx: Ctx, request: Request): Promise<SessionUser> {
  const user = await getUser(ctx, request);
  if (!user) {
    const url = new URL(request.url);
    const redirectTo = `${url.pathname}${url.search}`;
    const params = redirectTo === "/" ? "" : `?${new URLSearchParams({ redirectTo })}`;
    throw redirect(`/login${params}`, {
      headers: { "Set-Cookie": clearSessionCookie(ctx) },
    });
  }
  return user;
}

export function hasRole(user: Pick<SessionUser, "roles">, ...roles: Role[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}
