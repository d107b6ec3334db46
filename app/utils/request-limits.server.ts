/**
 * The request edge, in front of Remix: only the methods the app uses, only urlencoded forms, and a
 * size and field limit per route, all refused before the body is parsed. The body is read here, up
 * to the limit, and createRequestHandler hands it to Remix in place of @remix-run/express's handler,
 * which streams the body from the socket with no limit.
 */
import type { IncomingMessage } from "node:http";
import {
  type AppLoadContext,
  createRequestHandler as createRemixRequestHandler,
  type ServerBuild,
  writeReadableStreamToWritable,
} from "@remix-run/node";
import type {
  ErrorRequestHandler,
  NextFunction,
  Request as ExpressRequest,
  RequestHandler,
  Response as ExpressResponse,
} from "express";
import { errorForLog, escapeForLog } from "./log.server";
import { isCrossOriginWrite } from "./security.server";

export const ALLOWED_METHODS = ["GET", "HEAD", "POST"];
/** SCIM 2.0 (RFC 7644) also replaces, patches and deletes, and only under /scim/v2. */
export const SCIM_METHODS = [...ALLOWED_METHODS, "PUT", "PATCH", "DELETE"];

// Every form in app/ posts application/x-www-form-urlencoded, except the one route that uploads a file
// (BodyLimit.multipart); multipart is refused everywhere else.
const FORM_TYPE = "application/x-www-form-urlencoded";
const MULTIPART_TYPE = "multipart/form-data";
// SCIM clients send JSON: Okta and Entra ID as application/scim+json, some tools as application/json.
const JSON_TYPES = ["application/scim+json", "application/json"];

export interface BodyLimit {
  bytes: number;
  fields: number;
  /** The route takes a file upload (multipart/form-data) instead of a urlencoded form. */
  multipart?: boolean;
  /** The route is SCIM's: JSON bodies and PUT, PATCH and DELETE (app/scim/scim.server.ts). */
  scim?: boolean;
}

// The largest legitimate form is a decision amendment: four texts of up to 10,000 characters and 500
// evidence references, about 390 KB if every character takes three bytes (nine once percent-encoded).
// Most forms are a few KB.
export const DEFAULT_LIMIT: BodyLimit = { bytes: 1024 * 1024, fields: 5_000 };

// Forms anyone may post, signed in or not. A login form is a few hundred bytes; 32 KiB still takes the
// longest password an account may have (1,000 three-byte characters) and a long return path.
/** One-click unsubscribe's route: its only authority is the token in its URL (no session is read). */
export const UNSUBSCRIBE_PATH = "/mail/unsubscribe";

const ROUTE_LIMITS: Record<string, BodyLimit> = {
  "/login": { bytes: 32 * 1024, fields: 20 },
  "/logout": { bytes: 1024, fields: 10 },
  // The people import: a CSV file of up to 5 MB (IMPORT_MAX_BYTES, about 50,000 people) and its
  // multipart envelope. The action checks the file's own size again and answers 413 with the form.
  "/admin/people/import": { bytes: 5 * 1024 * 1024 + 64 * 1024, fields: 10, multipart: true },
  // One-click unsubscribe (RFC 8058): mail providers post `List-Unsubscribe=One-Click`, preferably
  // as multipart/form-data.
  [UNSUBSCRIBE_PATH]: { bytes: 16 * 1024, fields: 10, multipart: true },
  // The passkey ceremony: a WebAuthn response (the route refuses one over 16,000 characters) and a
  // few short fields; the pages that take a password or a code, like the login.
  "/auth/passkey": { bytes: 32 * 1024, fields: 10 },
  "/forgot-password": { bytes: 8 * 1024, fields: 10 },
  "/login/second-factor": { bytes: 8 * 1024, fields: 10 },
};

// A SCIM User with every attribute Okta or Entra ID sends is a few KB, and a PATCH a list of
// operations on it (the service takes at most 100): 256 KiB leaves room for both many times over.
export const SCIM_LIMIT: BodyLimit = { bytes: 256 * 1024, fields: 0, scim: true };

/**
 * The route a pathname of the URL Remix is given (remixUrl: dot segments already resolved) reaches,
 * however it is spelt: Remix decodes it segment by segment as below and matches routes
 * case-insensitively, with or without a trailing slash.
 */
export function routePathOf(pathname: string): string {
  let route = pathname;
  try {
    route = pathname
      .split("/")
      .map((segment) => decodeURIComponent(segment).replace(/\//g, "%2F"))
      .join("/");
  } catch {
    // Malformed escapes: Remix then matches the path undecoded, and so does this.
  }
  return route
    .toLowerCase()
    .replace(/\/{2,}/g, "/")
    .replace(/(.)\/$/, "$1");
}

/**
 * Refuses a write from another site (403), except one-click unsubscribe: mail providers and webmail
 * pages post it from elsewhere, and the token in its URL is its only authority (no session is read).
 */
export function refuseCrossOriginWrites(
  req: ExpressRequest,
  res: ExpressResponse,
  next: NextFunction,
) {
  if (isCrossOriginWrite(req.method, req.headers) && !reachesUnsubscribe(req)) {
    res.status(403).type("text/plain").send("Cross-origin request refused.");
    return;
  }
  next();
}

function reachesUnsubscribe(req: ExpressRequest): boolean {
  try {
    return routePathOf(remixUrl(req).pathname) === UNSUBSCRIBE_PATH;
  } catch {
    return false;
  }
}

/** The limits for the pathname of the URL Remix is given. */
export function bodyLimitFor(pathname: string): BodyLimit {
  const route = routePathOf(pathname);
  if (route === "/scim/v2" || route.startsWith("/scim/v2/")) return SCIM_LIMIT;
  return ROUTE_LIMITS[route] ?? DEFAULT_LIMIT;
}

/** A Host (or trusted X-Forwarded-Host) that is not a host: the client's mistake, answered 400. */
export class InvalidHostError extends Error {
  /** The headers as sent, for the log. */
  readonly given: string;
  constructor(req: ExpressRequest) {
    super("The Host header is not valid.");
    this.given = ["Host", "X-Forwarded-Host"]
      .flatMap((name) =>
        req.get(name) === undefined
          ? []
          : [`${name}: ${JSON.stringify(req.get(name)?.slice(0, 200))}`],
      )
      .join(", ");
  }
}

// A reg-name, IPv4 address or IP literal of RFC 3986: nothing that could end the authority of a URL
// ("/", "?", "#", "@", "\\") and so move the path Remix routes by.
const HOSTNAME = /^(?:\[[\da-f:.]+\]|[\w\-.~!$&'()*+,;=%]+)$/i;

/**
 * The URL Remix is given, built as @remix-run/express builds it, and the one the body limits are
 * looked up from, so that both see the same route however the path is spelt (dot segments,
 * backslashes and "%2e" are resolved by this parse). Throws InvalidHostError.
 */
export function remixUrl(req: ExpressRequest): URL {
  // req.hostname follows the "trust proxy" setting; the port comes from X-Forwarded-Host, else Host.
  const port = [req.get("X-Forwarded-Host"), req.get("host")]
    .map((host) => Number.parseInt(host?.split(":")[1] ?? "", 10))
    .find((n) => Number.isSafeInteger(n));
  // Only HTTP/1.0 may leave out Host (Node refuses HTTP/1.1 without one): a probe's GET /healthz still works.
  const hostname = req.get("host") === undefined ? "localhost" : req.hostname;
  if (!HOSTNAME.test(hostname)) throw new InvalidHostError(req);
  try {
    return new URL(`${req.protocol}://${hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  } catch {
    throw new InvalidHostError(req);
  }
}

/** Fields as URLSearchParams counts them: the non-empty runs between "&". */
export function countFields(body: Uint8Array): number {
  let fields = 0;
  let inField = false;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x26) inField = false;
    else if (!inField) {
      inField = true;
      fields += 1;
    }
  }
  return fields;
}

const bodies = new WeakMap<IncomingMessage, Buffer<ArrayBuffer>>();

function refuse(
  res: ExpressResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  res.status(status).set(headers).type("text/plain").send(message);
}

/** A refusal a SCIM client can read: the SCIM error body of RFC 7644 §3.12. */
function refuseScim(
  res: ExpressResponse,
  status: number,
  detail: string,
  headers: Record<string, string> = {},
) {
  res
    .status(status)
    .set(headers)
    .type("application/scim+json")
    .send(
      JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(status),
        detail,
      }),
    );
}

function tooLarge(res: ExpressResponse, limit: BodyLimit) {
  // With Connection: close, Node drops the socket once the answer is out instead of reading the rest.
  if (limit.scim)
    return refuseScim(
      res,
      413,
      `The request is too large: SCIM takes at most ${Math.round(limit.bytes / 1024)} KB.`,
      { Connection: "close" },
    );
  refuse(
    res,
    413,
    `The request is too large: this form takes at most ${Math.round(limit.bytes / 1024)} KB.`,
    { Connection: "close" },
  );
}

/** The body, or "too large" as soon as it passes max bytes (the rest is left unread), or "aborted". */
function readBody(
  req: IncomingMessage,
  max: number,
): Promise<Buffer<ArrayBuffer> | "too large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Buffer<ArrayBuffer> | "too large" | "aborted") => {
      if (settled) return;
      settled = true;
      req.off("data", onData).off("end", onEnd).off("error", onAborted).off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.pause();
      settle("too large");
    };
    const onEnd = () => settle(Buffer.concat(chunks, size));
    const onAborted = () => settle("aborted");
    const onClose = () => {
      if (!req.complete) settle("aborted");
    };
    req.on("data", onData).on("end", onEnd).on("error", onAborted).on("close", onClose);
  });
}

/**
 * Refuses, before any body is parsed: methods the app does not use (405), a body over the route's
 * limit (413: at once when Content-Length says so, else as soon as the count passes it), a body that
 * is not a urlencoded form (415; under /scim/v2, one that is not JSON), and more fields than the
 * route takes (400).
 */
export const requestLimits: RequestHandler = (req, res, next) => {
  // Refusals before the body is read close the connection: otherwise Node reads and discards the
  // whole body, however large, to keep the connection open for another request.
  const methodNotAllowed = (allowed: string[]) =>
    refuse(res, 405, "This method is not allowed.", {
      Allow: allowed.join(", "),
      Connection: "close",
    });
  if (!SCIM_METHODS.includes(req.method)) return methodNotAllowed(ALLOWED_METHODS);
  let url: URL;
  try {
    url = remixUrl(req);
  } catch (error) {
    return next(error);
  }
  const limit = bodyLimitFor(url.pathname);
  const allowed = limit.scim ? SCIM_METHODS : ALLOWED_METHODS;
  if (!allowed.includes(req.method)) return methodNotAllowed(ALLOWED_METHODS);
  if (Number(req.headers["content-length"] ?? 0) > limit.bytes) return tooLarge(res, limit);
  // Remix never reads the body of a GET or HEAD.
  if (req.method === "GET" || req.method === "HEAD") return next();
  const type = req.headers["content-type"]?.split(";")[0].trim().toLowerCase();
  if (limit.scim) {
    // A DELETE usually comes without a body or a type; anything else must be JSON.
    const bodiless =
      req.method === "DELETE" && type === undefined && !req.headers["transfer-encoding"];
    if (!bodiless && !JSON_TYPES.includes(type ?? ""))
      return refuseScim(res, 415, `Send SCIM requests as ${JSON_TYPES.join(" or ")}.`, {
        Connection: "close",
      });
  } else if (type !== FORM_TYPE && !(limit.multipart && type === MULTIPART_TYPE)) {
    return refuse(res, 415, `Send forms as ${FORM_TYPE}.`, { Connection: "close" });
  }
  void readBody(req, limit.bytes).then((body) => {
    // A client that went away mid-body has nobody left to answer.
    if (body === "aborted") return;
    if (body === "too large") return tooLarge(res, limit);
    // A file's bytes are not urlencoded fields: a multipart body is only size-limited here; a SCIM
    // body is JSON, parsed (and refused with a SCIM error when malformed) by the route.
    if (type === FORM_TYPE && countFields(body) > limit.fields)
      return refuse(res, 400, `Too many fields: this form takes at most ${limit.fields}.`);
    bodies.set(req, body);
    next();
  });
};

/** The Fetch Request for Remix, built as @remix-run/express builds it, with the body requestLimits read. */
export function createRemixRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const url = remixUrl(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value ? [value] : [])
      headers.append(name, one);
  }
  // Loaders and actions are aborted when the client goes away before the answer is sent.
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    const body = bodies.get(req);
    if (!body)
      throw new Error(
        "The request body was not read: mount requestLimits before the Remix handler.",
      );
    init.body = body;
  }
  return new Request(url.href, init);
}

async function sendRemixResponse(res: ExpressResponse, response: Response) {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/** Remix for Express, as @remix-run/express's createRequestHandler, reading the body requestLimits kept. */
export function createRequestHandler({
  build,
  mode,
  getLoadContext,
}: {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode?: string;
  getLoadContext?: (
    req: ExpressRequest,
    res: ExpressResponse,
  ) => AppLoadContext | Promise<AppLoadContext>;
}): RequestHandler {
  const handleRequest = createRemixRequestHandler(build, mode);
  return async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      const loadContext = await getLoadContext?.(req, res);
      await sendRemixResponse(res, await handleRequest(request, loadContext));
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The last handler: an error that reaches Express becomes one escaped log line and a plain answer,
 * never Express's default (a stack in the page, and a log entry over many lines).
 */
export const handleExpressError: ErrorRequestHandler = (error, _req, res, _next) => {
  const id = res.locals.requestId ?? "-";
  if (error instanceof InvalidHostError) {
    console.error(`[${id}] ${error.message} ${escapeForLog(error.given)}`);
  } else {
    console.error(`[${id}] ${errorForLog(error)}`);
  }
  // Half an answer already sent cannot be taken back: end the connection so the client sees it failed.
  if (res.headersSent) return void res.destroy();
  const [status, message] =
    error instanceof InvalidHostError
      ? [400, error.message]
      : [500, "Something went wrong on our side. Try again later."];
  refuse(res, status, message, { Connection: "close" });
};
