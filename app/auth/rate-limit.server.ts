import type { DB } from "../../db/client";

export const LOGIN_WINDOW_MS = 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 10;
export const MAX_FAILURES_PER_IP = 50;

/**
 * Failed logins are limited per account and, higher, per IP. Only the account under attack (or the
 * attacking address) is refused: other people keep logging in.
 */
export async function isLoginThrottled(db: DB, { email, ip, now }: { email: string; ip: string; now: Date }) {
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const row = await db
    .selectFrom("login_attempts")
    .select((eb) => [
      eb.fn
        .count<number>("id")
        .filterWhere("email", "=", email)
        .as("by_email"),
      eb.fn.count<number>("id").filterWhere("ip", "=", ip).as("by_ip"),
    ])
    .where("succeeded", "=", false)
    .where("at", ">", since)
    .where((eb) => eb.or([eb("email", "=", email), eb("ip", "=", ip)]))
    .executeTakeFirstOrThrow();
  return Number(row.by_email) >= MAX_FAILURES_PER_ACCOUNT || Number(row.by_ip) >= MAX_FAILURES_PER_IP;
}

export async function recordLoginAttempt(
  db: DB,
  { email, ip, succeeded, now }: { email: string; ip: string; succeeded: boolean; now: Date },
) {
  await db.insertInto("login_attempts").values({ email, ip, succeeded, at: now }).execute();
}
