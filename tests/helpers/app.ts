import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { DB } from "../../db/client";
import type { Role } from "../../db/schema";
import { createSession } from "../../app/auth/session.server";
import type { AppContext } from "../../app/context";
import { createUser } from "../../app/models/user.server";

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123";
export const BASE = "http://localhost:3000";

export interface TestClock {
  now: Date;
}

/** The same context the server builds, on a test database and an injectable clock. */
export function makeContext(
  db: DB,
  clock: TestClock = { now: new Date() },
  overrides: Partial<AppContext> = {},
): AppContext {
  return {
    db,
    env: { NODE_ENV: "test", SESSION_SECRET: TEST_SECRET },
    requestId: "test-request",
    cspNonce: "test-nonce",
    clientIp: "127.0.0.1",
    now: () => clock.now,
    ...overrides,
  };
}

// A cheap, valid-looking hash: argon2 on every fixture user would slow the suite for nothing.
export const FIXTURE_PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$fixture$fixture";

let counter = 0;
export async function makeUser(db: DB, roles: Role[], name?: string) {
  counter += 1;
  const label = name ?? `${roles.join("-") || "nobody"}-${counter}`;
  const { id } = await createUser(db, {
    email: `${label.toLowerCase().replace(/[^a-z0-9]+/g, ".")}.${counter}@example.test`,
    name: label,
    roles,
    passwordHash: FIXTURE_PASSWORD_HASH,
  });
  return { id, roles, name: label };
}

/**
 * The session cookie a response sets (a login, or a stage done or a confirmation, which give the
 * session a new token), as a Cookie header value; `fallback` when it sets none.
 */
export function sessionCookieFrom(response: Response, fallback?: string): string {
  const set = response.headers.getSetCookie().find((c) => /^(__Host-)?nw_session=[^;]/.test(c));
  if (set) return set.split(";")[0];
  if (fallback === undefined) throw new Error("The response set no session cookie.");
  return fallback;
}

export async function sessionCookie(ctx: AppContext, userId: string): Promise<string> {
  const setCookie = await createSession(ctx, { userId, userAgent: "vitest" });
  return setCookie.split(";")[0];
}

export function get(path: string, cookie?: string): Request {
  return new Request(`${BASE}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
}

export function post(
  path: string,
  fields: Record<string, string | string[]>,
  cookie?: string,
): Request {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return new Request(`${BASE}${path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
    },
  });
}

type Handler<A> = (args: A) => Promise<Response> | Response;

/** Runs a loader or action the way Remix does, returning the Response whether returned or thrown. */
export async function call<A extends LoaderFunctionArgs | ActionFunctionArgs>(
  handler: Handler<A> | ((args: A) => Promise<unknown>),
  request: Request,
  context: AppContext,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await handler({ request, context, params } as A);
    if (result instanceof Response) return result;
    return new Response(JSON.stringify(result), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export async function body<T = any>(response: Response): Promise<T> {
  return (await response.clone().json()) as T;
}
