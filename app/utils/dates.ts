/** Calendar dates are 'YYYY-MM-DD' strings in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether the text is a 'YYYY-MM-DD' day that exists (no 30 February). */
export function isRealDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export function daysBetween(from: string | Date, to: string | Date): number {
  const a = typeof from === "string" ? new Date(`${from.slice(0, 10)}T00:00:00Z`) : from;
  const b = typeof to === "string" ? new Date(`${to.slice(0, 10)}T00:00:00Z`) : to;
  return Math.floor((b.getTime() - a.getTime()) / 86_400_000);
}

const formatter = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
// The same few hundred days come up again and again (the board formats about 1,100 dates a page), and
// Intl formatting was 5% of the board's server time: each text is worked out once.
const formatted = new Map<string, string>();
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return "";
  // Only the UTC day is shown, so a timestamp is looked up by its day (not cached under itself).
  if (typeof value !== "string")
    return Number.isNaN(value.getTime()) ? "" : formatDate(value.toISOString().slice(0, 10));
  if (value.length !== 10) return formatDate(new Date(value));
  const known = formatted.get(value);
  if (known !== undefined) return known;
  const d = new Date(`${value}T00:00:00Z`);
  const text = Number.isNaN(d.getTime()) ? "" : formatter.format(d);
  if (formatted.size >= 10_000) formatted.clear();
  formatted.set(value, text);
  return text;
}

/** An instant to the minute, in UTC ("2026-12-02 09:30 UTC"); `none` when there is none. */
export function formatInstant(value: string | Date | null | undefined, none = ""): string {
  if (!value) return none;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
