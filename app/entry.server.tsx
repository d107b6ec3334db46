import { inspect } from "node:util";
import type {
  AppLoadContext,
  EntryContext,
  HandleDataRequestFunction,
  HandleErrorFunction,
} from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from "./utils/db-errors.server";
import { gzipBody } from "./utils/gzip.server";
import { escapeForLog } from "./utils/log.server";
import { NonceProvider } from "./utils/nonce";

// No page defers data or suspends, so a page is rendered to one string and sent in one write: measured
// (docs/performance.md) to cost less than React's stream piped through Node and web streams.
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  // A loader or action met an unavailable database (handleError marked the context): 503, not 500.
  if (loadContext.dbUnavailable && responseStatusCode === 500) {
    responseStatusCode = 503;
    responseHeaders.set("Retry-After", RETRY_AFTER_SECONDS);
  }
  // Pages show people data: nothing may be kept by the browser or a proxy cache.
  responseHeaders.set("Cache-Control", "no-store");
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  const html = renderToString(
    <NonceProvider value={nonce}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </NonceProvider>,
  );
  return new Response(gzipBody(request, responseHeaders, `<!DOCTYPE html>${html}`), {
    headers: responseHeaders,
    status: responseStatusCode,
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response, { context }) => {
  if (context.dbUnavailable && response.status === 500) {
    return new Response(
      JSON.stringify({ message: "The service is unavailable for a moment. Try again shortly." }),
      {
        status: 503,
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "Cache-Control": "no-store",
          "Retry-After": RETRY_AFTER_SECONDS,
          "X-Remix-Error": "yes",
        },
      },
    );
  }
  response.headers.set("Cache-Control", "no-store");
  return response;
};

export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  // The request id ties the generic message the user sees to this log line.
  const ctx = context as AppLoadContext | undefined;
  const id = ctx?.requestId ?? "-";
  if (ctx && isDatabaseUnavailable(error)) {
    // Expected during an outage: one line, and the response becomes a 503.
    ctx.dbUnavailable = true;
    console.error(
      `[${id}] database unavailable: ${escapeForLog(error instanceof Error ? error.message : String(error))}`,
    );
    return;
  }
  // One line per error, stack included: a message can carry what a client sent, newlines and all.
  const text =
    error instanceof Error
      ? (error.stack ?? error.message)
      : typeof error === "string"
        ? error
        : inspect(error);
  console.error(`[${id}] ${escapeForLog(text)}`);
};
