import { isIPv4, isIPv6 } from "node:net";
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
 * attack: each of its pairs has one failure free instead of ten, except a pair that logged in within
 * KNOWN_FOR_MS (the owner's usual address), which keeps ten. A new pair's first attempt is still
 * checked, so nobody is locked out by someone else's failures.
 */
export const BUSY_FAILURES = 50;
/** A pair that has not tried for this long starts afresh. */
export const FORGET_AFTER_MS = 24 * 3_600_000;
/** A pair that logged in this recently is the owner's usual address. */
export const KNOWN_FOR_MS = 30 * 86_400_000;

// Advisory lock classes (two-key form) for the reservations of one account and of one address.
const ACCOUNT_LOCK = 4801;
const ADDRESS_LOCK = 4802;

export type LoginReservation = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Reserves one password check for this (account, address) pair, counted as a failure until the login
 * succeeds (clearLoginFailures). Reservations against the account and from the address take turns
 * (advisory locks), so the busy counts include every reservation before this one, and the pair's row
 * lock serialises concurrent attempts of the pair: together they cannot exceed the allowance. Refused
 * attempts change nothing: a stranger cannot extend anyone's delay, and other pairs are not affected.
 */
export async function reserveLoginAttempt(
  db: DB,
  { email, ip: clientIp, now }: { email: string; ip: string; now: Date },
): Promise<LoginReservation> {
  const ip = throttleAddress(clientIp);
  const since = new Date(now.getTime() - FORGET_AFTER_MS);
  const knownSince = new Date(now.getTime() - KNOWN_FOR_MS);
  // Quiet pairs forget their failures; a usual address is remembered for KNOWN_FOR_MS.
  await db
    .with("forgotten", (qb) =>
      qb
        .deleteFrom("login_throttle")
        .where("last_at", "<=", since)
        .where((eb) =>
          eb.or([eb("succeeded_at", "is", null), eb("succeeded_at", "<=", knownSince)]),
        ),
    )
    .updateTable("login_throttle")
    .set({ failures: 0 })
    .where("last_at", "<=", since)
    .where("failures", ">", 0)
    .where("succeeded_at", ">", knownSince)
    .execute();
  return db.transaction().execute(async (trx) => {
    // Always the account's lock first, then the address's: two reservations cannot wait on each other.
    await sql`SELECT pg_advisory_xact_lock(k, h) FROM (VALUES (${sql.lit(ACCOUNT_LOCK)}, hashtext(${email})), (${sql.lit(ADDRESS_LOCK)}, hashtext(${ip}))) AS l(k, h) ORDER BY k`.execute(
      trx,
    );
    const load = await trx
      .selectFrom("login_throttle")
      .select((eb) => [
        eb.fn
          .coalesce(eb.fn.sum<number>("failures").filterWhere("email", "=", email), sql<number>`0`)
          .as("account"),
        eb.fn
          .coalesce(eb.fn.sum<number>("failures").filterWhere("ip", "=", ip), sql<number>`0`)
          .as("address"),
        eb.fn
          .coalesce(
            eb.fn
              .countAll<number>()
              .filterWhere((f) =>
                f.and([
                  f("email", "=", email),
                  f("ip", "=", ip),
                  f("succeeded_at", ">", knownSince),
                ]),
              ),
            sql<number>`0`,
          )
          .as("known"),
      ])
      .where((eb) => eb.or([eb("email", "=", email), eb("ip", "=", ip)]))
      .executeTakeFirstOrThrow();
    const busy = Number(load.account) >= BUSY_FAILURES || Number(load.address) >= BUSY_FAILURES;
    const free = busy && Number(load.known) === 0 ? 1 : FREE_FAILURES;
    // Seconds the pair must wait after its last failure; the exponent is bounded so the power cannot overflow.
    const waitSeconds = sql<number>`least(${FIRST_DELAY_MS / 1000}::float8 * power(2, least(login_throttle.failures - ${free}, 30)), ${MAX_DELAY_MS / 1000})`;
    const reserved = await trx
      .insertInto("login_throttle")
      .values({ email, ip, failures: 1, last_at: now })
      .onConflict((oc) =>
        oc
          .columns(["email", "ip"])
          .doUpdateSet((eb) => ({
            failures: eb("login_throttle.failures", "+", 1),
            last_at: eb.ref("excluded.last_at"),
          }))
          .where((eb) =>
            eb.or([
              eb("login_throttle.failures", "<", free),
              eb(
                sql`login_throttle.last_at + make_interval(secs => ${waitSeconds})`,
                "<=",
                eb.ref("excluded.last_at"),
              ),
            ]),
          ),
      )
      .returning("failures")
      .executeTakeFirst();
    if (reserved) return { ok: true as const };
    const pair = await trx
      .selectFrom("login_throttle")
      .select(sql<Date>`login_throttle.last_at + make_interval(secs => ${waitSeconds})`.as("until"))
      .where("email", "=", email)
      .where("ip", "=", ip)
      .executeTakeFirst();
    const until = pair ? new Date(pair.until).getTime() : now.getTime() + FIRST_DELAY_MS;
    return {
      ok: false as const,
      retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)),
    };
  });
}

/**
 * The right password: the pair starts afresh and is remembered as the owner's usual address. Other
 * addresses' failures against the account stay.
 */
export async function clearLoginFailures(
  db: DB,
  { email, ip: clientIp, now }: { email: string; ip: string; now: Date },
) {
  await db
    .insertInto("login_throttle")
    .values({ email, ip: throttleAddress(clientIp), failures: 0, last_at: now, succeeded_at: now })
    .onConflict((oc) =>
      oc.columns(["email", "ip"]).doUpdateSet({ failures: 0, last_at: now, succeeded_at: now }),
    )
    .execute();
}

/**
 * The address a client is counted by: an IPv4 address whole (also written IPv4-mapped, ::ffff:a.b.c.d),
 * an IPv6 address by its /64 prefix, since one client is given a whole /64 and can rotate through it.
 * Anything else (no address known) is kept as it is.
 */
export function throttleAddress(address: string): string {
  const ip = address.replace(/%.*$/, "");
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return address;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (checked by isIPv6), with "::" and a dotted IPv4 tail expanded. */
function ipv6Groups(ip: string): number[] {
  const parse = (part: string) =>
    part
      ? part.split(":").flatMap((g) => {
          if (!g.includes(".")) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split(".").map(Number);
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const [head, tail] = ip.split("::");
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** "59 seconds", "1 minute", "15 minutes": how long to wait, for the refusal message. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
