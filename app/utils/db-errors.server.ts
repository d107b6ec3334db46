/**
 * Errors that mean "the database is unavailable right now" rather than "the code is wrong": the
 * server answers them with 503 and Retry-After, so clients retry instead of giving up, and the pool
 * reconnects by itself once PostgreSQL is back. A full or read-only disk is an outage too: the
 * request was fine, the storage under it was not.
 */
const NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EIO",
]);
// SQLSTATE: connection exceptions (08…), shutdown / cannot connect now (57P0x), insufficient resources
// (53…: disk full, out of memory, too many connections), lock_timeout (55P03), statement_timeout /
// cancel (57014), a read-only transaction (25006: a standby, or a server made read-only) and an I/O error (58030).
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "55P03", "57014", "25006", "58030"]);
const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /query read timeout/i,
  /not queryable/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /no space left on device/i,
  /read-only file system/i,
  /disk quota exceeded/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (
    typeof e.code === "string" &&
    (NODE_CODES.has(e.code) || SQLSTATES.has(e.code) || /^(08|53)/.test(e.code))
  )
    return true;
  if (typeof e.message === "string" && MESSAGES.some((re) => re.test(e.message as string)))
    return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

export const RETRY_AFTER_SECONDS = "5";
