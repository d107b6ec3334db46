import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "kysely";

export async function loader({ context }: LoaderFunctionArgs) {
  const headers = { "Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8" };
  try {
    await sql`select 1`.execute(context.db);
    return new Response("ok\n", { status: 200, headers });
  } catch {
    return new Response("database unavailable\n", { status: 503, headers });
  }
}
