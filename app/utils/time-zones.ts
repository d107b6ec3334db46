/**
 * Wall-clock times in a person's IANA time zone (users.time_zone), with Intl only. A meeting is typed
 * as a local date and time in the organiser's zone and stored as an instant (UTC); the digest's
 * schedule and the reminders' "from 08:00 on the day" are judged by the day, hour and weekday there.
 */

// "UTC" is every account's starting zone, and Intl's list of zones leaves it out.
let zones: Set<string> | undefined;
/** The zones a person may choose: Intl's list, and UTC. */
export function timeZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
}
export function isTimeZone(value: string): boolean {
  zones ??= new Set(timeZones());
  return zones.has(value);
}
/**
 * A stored zone, if Intl knows it, else UTC: a name set by hand in the database, or one the runtime no
 * longer knows, must not break a page or a message. (The form offers, and accepts, only `timeZones()`.)
 */
export function knownTimeZone(zone: string | null | undefined): string {
  if (!zone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return zone;
  } catch {
    return "UTC";
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string) {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at that instant, in milliseconds (Berlin in December: +3,600,000). */
export function zoneOffsetMs(instant: Date, zone: string): number {
  const p = Object.fromEntries(
    partsIn(zone)
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` shows `local` ('YYYY-MM-DDTHH:mm', as from
 * <input type="datetime-local">). A time skipped by a daylight-saving jump is read with the offset
 * before the jump (02:30 on a spring-forward night becomes 03:30); a repeated hour takes its first
 * occurrence.
 */
export function localToInstant(local: string, zone: string): Date {
  const wall = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  const day = 86_400_000;
  // The offsets a day either side: equal except near a transition, where the earlier is "before the jump".
  const before = wall - zoneOffsetMs(new Date(wall - day), zone);
  const after = wall - zoneOffsetMs(new Date(wall + day), zone);
  const shows = (t: number) => t + zoneOffsetMs(new Date(t), zone) === wall;
  const readings = [before, after].filter(shows).sort((a, b) => a - b);
  return new Date(readings[0] ?? before);
}

/** The wall-clock 'YYYY-MM-DDTHH:mm' in `zone` for an instant: the value of a datetime-local input. */
export function instantToLocal(instant: Date | string, zone: string): string {
  const d = new Date(instant);
  const shifted = new Date(d.getTime() + zoneOffsetMs(d, zone));
  return shifted.toISOString().slice(0, 16);
}

/**
 * A moment as a person sees it in their own time zone: the day, the hour and the weekday.
 */
export interface LocalMoment {
  /** 'YYYY-MM-DD' in the zone. */
  date: string;
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function localMoment(at: Date, timeZone: string): LocalMoment {
  const parts: Record<string, string> = {};
  for (const p of partsIn(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    date,
    hour: Number(parts.hour) % 24,
    weekday: new Date(`${date}T00:00:00Z`).getUTCDay(),
  };
}

/** The ISO 8601 week of a 'YYYY-MM-DD' day, e.g. "2026-W49" (weeks start on Monday). */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  // The week belongs to the year of its Thursday.
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** "Thu 10 Dec 2026, 09:00 (Europe/Berlin)": for a mail or a page, in the reader's zone. */
export function formatInZone(instant: Date | string, zone: string): string {
  return `${formatWallClock(instant, zone)} (${zone})`;
}

/** "Thu 10 Dec 2026, 09:00": the day and time in the zone, without the zone's name. */
export function formatWallClock(instant: Date | string, zone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(instant));
}

/** The digest's days, 0 = Sunday (as `Date.getDay` and the database store them). */
export const WEEKDAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;
