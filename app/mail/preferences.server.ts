/**
 * Who wants which mail: a person's own choices (mail_preferences; null: the organisation's default)
 * over the organisation's defaults (settings key "mail_defaults"), over the built-in defaults — the
 * digest on, Monday 08:00 in the person's time zone, reminders on, invitations on.
 */
import { z } from "zod";
import type { DB } from "../../db/client";
import { audit } from "../models/audit.server";
import { isTimeZone, knownTimeZone } from "../utils/time-zones";
import type { MailList } from "./mail.server";

export interface MailPreferences {
  digest: boolean;
  /** 0 = Sunday … 6 = Saturday, in the person's time zone. */
  digestDay: number;
  digestHour: number;
  reminders: boolean;
  invitations: boolean;
  /** An IANA zone name (users.time_zone). */
  timeZone: string;
}

export type MailDefaults = Omit<MailPreferences, "timeZone">;

export const MAIL_DEFAULTS_KEY = "mail_defaults";

export const BUILT_IN_MAIL_DEFAULTS: MailDefaults = {
  digest: true,
  digestDay: 1,
  digestHour: 8,
  reminders: true,
  invitations: true,
};

const StoredDefaultsSchema = z.object({
  digest: z.boolean().catch(BUILT_IN_MAIL_DEFAULTS.digest),
  digestDay: z.number().int().min(0).max(6).catch(BUILT_IN_MAIL_DEFAULTS.digestDay),
  digestHour: z.number().int().min(0).max(23).catch(BUILT_IN_MAIL_DEFAULTS.digestHour),
  reminders: z.boolean().catch(BUILT_IN_MAIL_DEFAULTS.reminders),
  invitations: z.boolean().catch(BUILT_IN_MAIL_DEFAULTS.invitations),
  version: z.number().int().positive().catch(1),
});

/** The organisation's defaults and their version (1 until an admin first saves them). */
export async function getMailDefaults(db: DB): Promise<MailDefaults & { version: number }> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", MAIL_DEFAULTS_KEY)
    .executeTakeFirst();
  const value = row?.value;
  const stored = typeof value === "object" && value !== null ? value : {};
  return StoredDefaultsSchema.parse({ ...BUILT_IN_MAIL_DEFAULTS, version: 1, ...stored });
}

/**
 * Saves the organisation's defaults if `version` is still the saved one; false when it is stale. The
 * row is locked for the comparison, so two admins saving at once cannot both win.
 */
export async function setMailDefaults(
  db: DB,
  {
    defaults,
    version,
    actorId,
    requestId,
  }: { defaults: MailDefaults; version: number; actorId: string; requestId: string | null },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Without a row yet, two first saves race on the insert: the loser's conflict does nothing.
    await trx
      .insertInto("settings")
      .values({
        key: MAIL_DEFAULTS_KEY,
        value: JSON.stringify({ ...BUILT_IN_MAIL_DEFAULTS, version: 1 }),
        updated_by: null,
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const row = await trx
      .selectFrom("settings")
      .select("value")
      .where("key", "=", MAIL_DEFAULTS_KEY)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const current = StoredDefaultsSchema.parse({
      ...BUILT_IN_MAIL_DEFAULTS,
      version: 1,
      ...(typeof row.value === "object" && row.value !== null ? row.value : {}),
    });
    if (current.version !== version) return false;
    const value = { ...defaults, version: version + 1 };
    await trx
      .updateTable("settings")
      .set({ value: JSON.stringify(value), updated_by: actorId, updated_at: new Date() })
      .where("key", "=", MAIL_DEFAULTS_KEY)
      .execute();
    await audit(trx, {
      actorId,
      action: "settings.update",
      entity: "setting",
      entityId: MAIL_DEFAULTS_KEY,
      requestId,
      details: { ...defaults },
    });
    return true;
  });
}

/** Many people's preferences in two queries (the scans read everyone's at once). */
export async function mailPreferencesOfMany(
  db: DB,
  userIds: readonly string[],
): Promise<Map<string, MailPreferences>> {
  const found = new Map<string, MailPreferences>();
  if (userIds.length === 0) return found;
  const [defaults, rows] = await Promise.all([
    getMailDefaults(db),
    db
      .selectFrom("users")
      .leftJoin("mail_preferences as p", "p.user_id", "users.id")
      .select([
        "users.id",
        "users.time_zone",
        "p.digest",
        "p.digest_day",
        "p.digest_hour",
        "p.reminders",
        "p.invitations",
      ])
      .where("users.id", "in", [...new Set(userIds)])
      .execute(),
  ]);
  for (const r of rows)
    found.set(r.id, {
      digest: r.digest ?? defaults.digest,
      digestDay: r.digest_day ?? defaults.digestDay,
      digestHour: r.digest_hour ?? defaults.digestHour,
      reminders: r.reminders ?? defaults.reminders,
      invitations: r.invitations ?? defaults.invitations,
      timeZone: knownTimeZone(r.time_zone),
    });
  return found;
}

/** The person's own choices over the organisation's defaults (the built-in ones for an unknown id). */
export async function mailPreferencesOf(db: DB, userId: string): Promise<MailPreferences> {
  const prefs = (await mailPreferencesOfMany(db, [userId])).get(userId);
  if (prefs) return prefs;
  return { ...(await getMailDefaults(db)), timeZone: "UTC" };
}

/** A person's settings page: what applies now, and the version their form saves against. */
export async function getOwnMailSettings(db: DB, userId: string) {
  const [prefs, row] = await Promise.all([
    mailPreferencesOf(db, userId),
    db
      .selectFrom("mail_preferences")
      .select("version")
      .where("user_id", "=", userId)
      .executeTakeFirst(),
  ]);
  // No row yet: version 1, the one a first save is made against.
  return { ...prefs, version: row?.version ?? 1 };
}

/**
 * Saves a person's choices if `version` is the one their form was rendered with; false when stale.
 * The time zone is the account's (users.time_zone), changed in the same transaction.
 */
export async function saveOwnMailSettings(
  db: DB,
  {
    userId,
    prefs,
    version,
    requestId,
  }: { userId: string; prefs: MailPreferences; version: number; requestId: string | null },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const values = {
      digest: prefs.digest,
      digest_day: prefs.digestDay,
      digest_hour: prefs.digestHour,
      reminders: prefs.reminders,
      invitations: prefs.invitations,
      updated_at: new Date(),
    };
    const saved =
      version === 1
        ? await trx
            .insertInto("mail_preferences")
            .values({ user_id: userId, ...values, version: 2 })
            .onConflict((oc) => oc.column("user_id").doNothing())
            .returning("user_id")
            .executeTakeFirst()
        : await trx
            .updateTable("mail_preferences")
            .set({ ...values, version: version + 1 })
            .where("user_id", "=", userId)
            .where("version", "=", version)
            .returning("user_id")
            .executeTakeFirst();
    if (!saved) return false;
    await trx
      .updateTable("users")
      .set({ time_zone: prefs.timeZone })
      .where("id", "=", userId)
      .execute();
    await audit(trx, {
      actorId: userId,
      action: "mail_preferences.update",
      entity: "user",
      entityId: userId,
      requestId,
      details: { ...prefs },
    });
    return true;
  });
}

const LIST_COLUMN = {
  digest: "digest",
  reminders: "reminders",
  invitations: "invitations",
} as const;

/** Turns one list off for the person (one-click unsubscribe, RFC 8058); audited. */
export async function setListOff(db: DB, userId: string, list: MailList): Promise<void> {
  const column = LIST_COLUMN[list];
  await db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select("id")
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!user) return;
    await trx
      .insertInto("mail_preferences")
      .values({ user_id: userId, [column]: false, version: 2 })
      .onConflict((oc) =>
        oc.column("user_id").doUpdateSet((eb) => ({
          [column]: false,
          version: eb("mail_preferences.version", "+", 1),
          updated_at: new Date(),
        })),
      )
      .execute();
    await audit(trx, {
      actorId: userId,
      action: "mail_preferences.unsubscribe",
      entity: "user",
      entityId: userId,
      details: { list },
    });
  });
}

// ---- The settings forms ------------------------------------------------------------------------------

const checkbox = z.preprocess((v) => v === "on" || v === "true", z.boolean());
// A whole number typed or chosen; "" is not 0 (z.coerce would make it Sunday, or midnight).
function wholeBetween(min: number, max: number, message: string) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\d{1,2}$/.test(v.trim()) ? Number(v) : Number.NaN),
    z.number({ error: message }).int(message).min(min, message).max(max, message),
  );
}
const weekday = wholeBetween(0, 6, "Choose a day of the week.");
const hour = wholeBetween(0, 23, "Choose an hour from 00:00 to 23:00.");
const formVersion = z.coerce
  .number({ error: "Reload the page and try again." })
  .int()
  .positive("Reload the page and try again.");

/** The organisation's defaults, as the admin page sends them. */
export const MailDefaultsSchema = z.object({
  digest: checkbox,
  digestDay: weekday,
  digestHour: hour,
  reminders: checkbox,
  invitations: checkbox,
  version: formVersion,
});

/** A person's own choices, as their settings page sends them (the zone checked against Intl's list). */
export const MailSettingsSchema = MailDefaultsSchema.extend({
  timeZone: z
    .string({ error: "Choose a time zone from the list." })
    .trim()
    .refine(isTimeZone, "Choose a time zone from the list."),
});
