import { sql } from "kysely";
import type { DB } from "../../db/client";

/** Failures of one (account, address) pair that are checked without waiting. */
export const FREE_FAILURES = 10;
/** After that, each attempt waits this long after the pair's last failure, doubling per further failure… */
export const FIRST_DELAY_MS = 60_000;
/** …up to this. */
export const MAX_DELAY_MS = 15 * 60_000;
/**
 * An account (from every address) or an address (for every account) with this many failures is under
 * attack: each of its pairs has one failure free instead of ten. A new pair's first attempt is still
 * checked, so nobody is locked out by someone else's failures.
 */
export const BUSY_FAILURES = 50;
/** A pair that has not tried for this long starts afresh. */
export const FORGET_AFTER_MS = 24 * 3_600_000;

export type LoginReservation = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Reserves one password check for this (account, address) pair, counted as a failure until the login
 * succeeds (clearLoginFailures). The reservation is one INSERT … ON CONFLICT DO UPDATE whose row lock
 * serialises concurrent attempts of the pair, so they cannot exceed the allowance. Refused attempts
 * change nothing: a stranger cannot extend anyone's delay, and other pairs are not affected.
 */
export async function reserveLoginAttempt(db: DB, { email, ip, now }: { email: string; ip: string; now: Date }): Promise<LoginReservation> {
  const since = new Date(now.getTime() - FORGET_AFTER_MS);
  await db.deleteFrom("login_throttle").where("last_at", "<=", since).execute();
  const load = await db
    .selectFrom("login_throttle")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("failures").filterWhere("email", "=", email), sql<number>`0`).as("account"),
      eb.fn.coalesce(eb.fn.sum<number>("failures").filterWhere("ip", "=", ip), sql<number>`0`).as("address"),
    ])
    .where((eb) => eb.or([eb("email", "=", email), eb("ip", "=", ip)]))
    .executeTakeFirstOrThrow();
  const free = Number(load.account) >= BUSY_FAILURES || Number(load.address) >= BUSY_FAILURES ? 1 : FREE_FAILURES;
  // Seconds the pair must wait after its last failure; the exponent is bounded so the power cannot overflow.
  const waitSeconds = sql<number>`least(${FIRST_DELAY_MS / 1000}::float8 * power(2, least(login_throttle.failures - ${free}, 30)), ${MAX_DELAY_MS / 1000})`;
  const reserved = await db
    .insertInto("login_throttle")
    .values({ email, ip, failures: 1, last_at: now })
    .onConflict((oc) =>
      oc
        .columns(["email", "ip"])
        .doUpdateSet((eb) => ({ failures: eb("login_throttle.failures", "+", 1), last_at: eb.ref("excluded.last_at") }))
        .where((eb) =>
          eb.or([
            eb("login_throttle.failures", "<", free),
            eb(sql`login_throttle.last_at + make_interval(secs => ${waitSeconds})`, "<=", eb.ref("excluded.last_at")),
          ]),
        ),
    )
    .returning("failures")
    .executeTakeFirst();
  if (reserved) return { ok: true };
  const pair = await db
    .selectFrom("login_throttle")
    .select(sql<Date>`login_throttle.last_at + make_interval(secs => ${waitSeconds})`.as("until"))
    .where("email", "=", email)
    .where("ip", "=", ip)
    .executeTakeFirst();
  const until = pair ? new Date(pair.until).getTime() : now.getTime() + FIRST_DELAY_MS;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
}

/** The right password: the pair starts afresh. Other addresses' failures against the account stay. */
export async function clearLoginFailures(db: DB, { email, ip }: { email: string; ip: string }) {
  await db.deleteFrom("login_throttle").where("email", "=", email).where("ip", "=", ip).execute();
}

/** "59 seconds", "1 minute", "15 minutes": how long to wait, for the refusal message. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
