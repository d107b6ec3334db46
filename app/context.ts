import type { DB } from "../db/client";
import type { Env } from "./env.server";

// What the server hands every loader and action; tests build the same object.
export interface AppContext {
  db: DB;
  env: Pick<Env, "NODE_ENV" | "SESSION_SECRET">;
  requestId: string;
  cspNonce: string;
  clientIp: string;
  now: () => Date;
  /** The embedded database's data directory (readiness checks its disk); undefined on PostgreSQL. */
  dataDir?: string;
  /** Set by entry.server handleError when a database outage broke this request: the answer is 503. */
  dbUnavailable?: boolean;
}

declare module "@remix-run/server-runtime" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends AppContext {}
}
