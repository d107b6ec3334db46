/**
 * A person's own account: their sessions (seen and ended from /account) and their own password
 * change. Sessions are named to the page by a handle derived from the stored key, so the page never
 * carries the key itself (which is already only an HMAC of the cookie's token).
 */
import { createHash } from "node:crypto";
import type { DB } from "../../db/client";
import type { LoginMethod } from "../../db/schema";
import { describeDevice } from "../utils/user-agent";

export interface AccountSession {
  handle: string;
  device: string;
  method: LoginMethod;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

export function sessionHandle(sessionId: string): string {
  return createHash("sha256")
    .update(`session-handle:${sessionId}`)
    .digest("base64url")
    .slice(0, 22);
}

/** The account's live sessions (logins half done are not listed), the current one first, then newest seen. */
export async function listOwnSessions(
  db: DB,
  { userId, currentSessionId, now }: { userId: string; currentSessionId: string; now: Date },
): Promise<AccountSession[]> {
  const rows = await db
    .selectFrom("sessions")
    .select(["id", "user_agent", "method", "created_at", "last_seen_at"])
    .where("user_id", "=", userId)
    .where("stage", "is", null)
    .where("expires_at", ">", now)
    .orderBy("last_seen_at", "desc")
    .orderBy("created_at", "desc")
    .execute();
  const sessions = rows.map((row) => ({
    handle: sessionHandle(row.id),
    device: describeDevice(row.user_agent),
    method: row.method,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    current: row.id === currentSessionId,
  }));
  return [...sessions.filter((s) => s.current), ...sessions.filter((s) => !s.current)];
}

/** Ends one of the account's own sessions by its handle; the stored key, or null when there is none. */
export async function endOwnSession(
  db: DB,
  { userId, handle }: { userId: string; handle: string },
): Promise<string | null> {
  const rows = await db.selectFrom("sessions").select("id").where("user_id", "=", userId).execute();
  const match = rows.find((row) => sessionHandle(row.id) === handle);
  if (!match) return null;
  const ended = await db
    .deleteFrom("sessions")
    .where("id", "=", match.id)
    .where("user_id", "=", userId)
    .returning("id")
    .executeTakeFirst();
  return ended?.id ?? null;
}

/**
 * The person's own new password: stored, no longer temporary, and every other session ended (whoever
 * knew the old one is out); the session making the change stays and counts as just confirmed.
 */
export async function changeOwnPassword(
  db: DB,
  {
    userId,
    passwordHash,
    keepSessionId,
    now,
  }: { userId: string; passwordHash: string; keepSessionId: string; now: Date },
): Promise<number> {
  await db
    .updateTable("users")
    .set((eb) => ({
      password_hash: passwordHash,
      password_must_change: false,
      version: eb("version", "+", 1),
    }))
    .where("id", "=", userId)
    .execute();
  const ended = await db
    .deleteFrom("sessions")
    .where("user_id", "=", userId)
    .where("id", "!=", keepSessionId)
    .returning("id")
    .execute();
  await db
    .updateTable("sessions")
    .set({ authenticated_at: now })
    .where("id", "=", keepSessionId)
    .execute();
  return ended.length;
}
