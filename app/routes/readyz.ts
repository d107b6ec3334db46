import { statfs } from "node:fs/promises";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "kysely";
import { RETRY_AFTER_SECONDS } from "../utils/db-errors.server";

/** A database slower than this to take one small write is as good as down for a load balancer. */
export const READY_TIMEOUT_MS = 2_000;
/** On the embedded database, less free space than this on its disk means writes are about to fail. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/**
 * Readiness: the database answers within READY_TIMEOUT_MS and accepts a write (one row of a scratch
 * table); on the embedded database its disk also has room. 503 with Retry-After and the reason otherwise.
 */
export async function loader({ context }: LoaderFunctionArgs) {
  const headers = { "Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8" };
  const notReady = (reason: string) =>
    new Response(`not ready: ${reason}\n`, {
      status: 503,
      headers: { ...headers, "Retry-After": RETRY_AFTER_SECONDS },
    });
  if (context.dataDir) {
    try {
      const fs = await statfs(context.dataDir);
      if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return notReady("the database's disk is full");
    } catch {
      return notReady("the database's directory cannot be read");
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">(
    (resolve) => (timer = setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS)),
  );
  const write =
    sql`insert into readiness_probe (id, checked_at) values (1, now()) on conflict (id) do update set checked_at = excluded.checked_at`
      .execute(context.db)
      .then(
        () => "ok" as const,
        () => "failed" as const,
      );
  const outcome = await Promise.race([write, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout")
    return notReady(`the database did not accept a write within ${READY_TIMEOUT_MS} ms`);
  if (outcome === "failed") return notReady("the database did not accept a write");
  return new Response("ready\n", { status: 200, headers });
}
