/**
 * Wall-clock times in a person's IANA time zone (users.time_zone), with Intl only. A meeting is typed
 * as a local date and time in the organiser's zone and stored as an instant (UTC).
 */

/** The zone if Intl knows it, else UTC (a stored name the runtime no longer knows must not break a page). */
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

/** "Thu 10 Dec 2026, 09:00 (Europe/Berlin)": for a mail or a page, in the reader's zone. */
export function formatInZone(instant: Date | string, zone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(instant));
  return `${text} (${zone})`;
}
