/** What the outbox's pages (app/routes/admin.outbox*.tsx) show of a message: its times and its status. */

/** An instant to the minute, in UTC ("—" for none). */
export function formatInstant(value: string | Date | null): string {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A message's status in words; each page says in its own words where "outbox" mail is kept. */
export function mailStatusTexts(outbox: string): Record<string, string> {
  return {
    queued: "waiting to be sent",
    sent: "sent",
    outbox,
    failed: "failed",
  };
}
