/**
 * A person's calendar feed: a secret link their calendar program subscribes to, with what is due to
 * them. Only the token's SHA-256 is stored; it is shown once, when made. One link is live at a time:
 * making a new one revokes the old. Revoked or unknown tokens get the same answer (404).
 */
import { randomBytes } from "node:crypto";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { candidateVisibleTo, seesPeopleData } from "../auth/policy.server";
import type { FeedItem } from "../calendar/ics.server";
import { addDays } from "../utils/dates";
import { hashToken } from "../utils/security.server";

/** How far back the feed keeps things that were due (a calendar shows the recent past too). */
export const FEED_PAST_DAYS = 30;
/** The most entries of each kind a feed carries. */
const FEED_LIMIT = 200;

export async function listFeeds(db: DB, userId: string) {
  return db
    .selectFrom("calendar_feeds")
    .select(["id", "created_at", "last_used_at", "revoked_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(10)
    .execute();
}

/** A new link (the old one revoked). Returns the token: it exists nowhere else. Run inside a transaction. */
export async function createFeed(trx: DB, { userId, now }: { userId: string; now: Date }) {
  const revoked = await trx
    .updateTable("calendar_feeds")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returning("id")
    .execute();
  const token = randomBytes(32).toString("base64url");
  const row = await trx
    .insertInto("calendar_feeds")
    .values({ user_id: userId, token_hash: hashToken(token) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, token, revokedIds: revoked.map((r) => r.id) };
}

/** Revokes the person's own link; null when it was not theirs or was already revoked. */
export async function revokeFeed(
  trx: DB,
  { userId, feedId, now }: { userId: string; feedId: string; now: Date },
) {
  return trx
    .updateTable("calendar_feeds")
    .set({ revoked_at: now })
    .where("id", "=", feedId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returning("id")
    .executeTakeFirst();
}

export async function feedBelongsTo(
  db: DB,
  { userId, feedId }: { userId: string; feedId: string },
) {
  const row = await db
    .selectFrom("calendar_feeds")
    .select("id")
    .where("id", "=", feedId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * The live feed behind a token and its owner (an active account), stamping its last use; undefined
 * for an unknown or revoked token, or a disabled account.
 */
export async function openFeed(db: DB, { token, now }: { token: string; now: Date }) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await db
    .updateTable("calendar_feeds")
    .set({ last_used_at: now })
    .from("users")
    .whereRef("users.id", "=", "calendar_feeds.user_id")
    .where("calendar_feeds.token_hash", "=", hashToken(token))
    .where("calendar_feeds.revoked_at", "is", null)
    .where("users.disabled_at", "is", null)
    .returning(["calendar_feeds.id", "users.id as user_id", "users.roles"])
    .executeTakeFirst();
  return row ? { feedId: row.id, userId: row.user_id, roles: row.roles as Role[] } : undefined;
}

/**
 * What is due to the person, as neutral entries with links (never a title someone wrote, a
 * candidate's name or a judgement): the meetings they run or attend, the sniff tests they offered
 * (one entry per offering, or per test offered to one candidate, while an answer is still open), and
 * as mentor of an active plan its next check-in and its open actions' due dates.
 */
export async function listFeedItems(
  db: DB,
  {
    user,
    today,
    url,
  }: { user: { id: string; roles: readonly Role[] }; today: string; url: (path: string) => string },
): Promise<FeedItem[]> {
  if (!seesPeopleData(user)) return [];
  const since = addDays(today, -FEED_PAST_DAYS);
  const [meetings, offerings, assignments, checkins, actions] = await Promise.all([
    db
      .selectFrom("calibration_meetings as m")
      .select(["m.id", "m.version", "m.scheduled_for", "m.timebox_minutes"])
      .where("m.status", "!=", "cancelled")
      .where("m.scheduled_for", ">=", new Date(`${since}T00:00:00Z`))
      .where((eb) =>
        eb.or([
          eb("m.facilitator_id", "=", user.id),
          eb.exists(
            eb
              .selectFrom("calibration_attendees as a")
              .select("a.user_id")
              .whereRef("a.meeting_id", "=", "m.id")
              .where("a.user_id", "=", user.id),
          ),
        ]),
      )
      .orderBy("m.scheduled_for")
      .limit(FEED_LIMIT)
      .execute(),
    db
      .selectFrom("sniff_test_offerings as o")
      .select(["o.id", "o.sniff_test_id", "o.due_on"])
      .where("o.offered_by", "=", user.id)
      .where("o.due_on", ">=", since)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("sniff_test_assignments as a")
            .select("a.id")
            .whereRef("a.offering_id", "=", "o.id")
            .where("a.status", "in", ["offered", "accepted"]),
        ),
      )
      .orderBy("o.due_on")
      .limit(FEED_LIMIT)
      .execute(),
    db
      .selectFrom("sniff_test_assignments as a")
      .innerJoin("candidates", "candidates.id", "a.candidate_id")
      .select(["a.id", "a.candidate_id", "a.due_on"])
      .where("a.assigned_by", "=", user.id)
      .where("a.offering_id", "is", null)
      .where("a.status", "in", ["offered", "accepted"])
      .where("a.due_on", ">=", since)
      .where("candidates.archived_at", "is", null)
      .where(candidateVisibleTo(user))
      .orderBy("a.due_on")
      .limit(FEED_LIMIT)
      .execute(),
    db
      .selectFrom("coaching_plans as p")
      .select((eb) => [
        "p.id",
        eb
          .selectFrom("coaching_checkins as k")
          .select((e) => e.fn.max("k.next_on").as("d"))
          .whereRef("k.plan_id", "=", "p.id")
          .$asScalar()
          .$castTo<string | null>()
          .as("next_on"),
      ])
      .where("p.mentor_id", "=", user.id)
      .where("p.status", "=", "active")
      .limit(FEED_LIMIT)
      .execute(),
    db
      .selectFrom("coaching_actions as ca")
      .innerJoin("coaching_plans as p", "p.id", "ca.plan_id")
      .select(["ca.id", "ca.plan_id", "ca.due_on"])
      .where("p.mentor_id", "=", user.id)
      .where("p.status", "=", "active")
      .where("ca.done_on", "is", null)
      .where("ca.due_on", ">=", since)
      .orderBy("ca.due_on")
      .limit(FEED_LIMIT)
      .execute(),
  ]);
  const day = (d: string | Date) => (typeof d === "string" ? d.slice(0, 10) : sqlDay(d));
  return [
    ...meetings.map((m): FeedItem => ({
      kind: "meeting",
      id: m.id,
      version: m.version,
      scheduledFor: new Date(m.scheduled_for),
      timeboxMinutes: m.timebox_minutes,
      url: url(`/calibrations/${m.id}`),
    })),
    ...offerings.map((o): FeedItem => ({
      kind: "day",
      uid: `sniff-test-offering-${o.id}`,
      day: day(o.due_on),
      summary: "Sniff test due",
      url: url(`/sniff-tests/${o.sniff_test_id}/offerings/${o.id}`),
    })),
    ...assignments.map((a): FeedItem => ({
      kind: "day",
      uid: `sniff-test-${a.id}`,
      day: day(a.due_on),
      summary: "Sniff test due",
      url: url(`/candidates/${a.candidate_id}/assignments/${a.id}`),
    })),
    ...checkins
      .filter((p) => p.next_on !== null && day(p.next_on) >= since)
      .map((p): FeedItem => ({
        kind: "day",
        uid: `coaching-checkin-${p.id}`,
        day: day(p.next_on as string),
        summary: "Coaching check-in",
        url: url(`/coaching/${p.id}`),
      })),
    ...actions.map((a): FeedItem => ({
      kind: "day",
      uid: `coaching-action-${a.id}`,
      day: day(a.due_on as string),
      summary: "Coaching action due",
      url: url(`/coaching/${a.plan_id}`),
    })),
  ];
}

function sqlDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
