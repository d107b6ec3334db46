/** Calendar dates are 'YYYY-MM-DD' strings in UTC. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
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

const formatter = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return "";
  const d = typeof value === "string" ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : value;
  return Number.isNaN(d.getTime()) ? "" : formatter.format(d);
}
