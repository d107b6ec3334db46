/** What the outbox's pages (app/routes/admin.outbox*.tsx) show of a message's status. */

/** A message's status in words; each page says in its own words where "outbox" mail is kept. */
export function mailStatusTexts(outbox: string): Record<string, string> {
  return {
    queued: "waiting to be sent",
    sent: "sent",
    outbox,
    failed: "failed",
  };
}
