/**
 * The HTTP server: Express in front of Remix. It owns the process-wide pieces — configuration, the
 * database (PGlite or PostgreSQL), security headers, the cross-origin check, graceful shutdown — and
 * hands each request's loaders and actions an AppContext.
 */
import cluster from "node:cluster";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { createDb } from "../db/client";
import { migrateToLatest } from "../db/migrate";
import { type Env, parseEnv } from "./env.server";
import type { JobRunner } from "./jobs/runner.server";
import { listeningUrl, openDatabase } from "./startup.server";
import { RETRY_AFTER_SECONDS } from "./utils/db-errors.server";
import { escapeForLog, pathForLog } from "./utils/log.server";
import {
  createRequestHandler,
  handleExpressError,
  refuseCrossOriginWrites,
  requestLimits,
} from "./utils/request-limits.server";
import { hasNulInUrl, securityHeaders } from "./utils/security.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const isDev = process.argv.includes("--dev");

let env: Env;
try {
  env = parseEnv({
    ...process.env,
    NODE_ENV: isDev ? "development" : "production",
  });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const started = Date.now();
if (cluster.isPrimary && env.WEB_CONCURRENCY > 1 && !isDev) {
  // Several worker processes share the port (node:cluster); they share nothing else but the database,
  // which is why env.server.ts refuses WEB_CONCURRENCY > 1 without DATABASE_URL. The primary migrates
  // once, then only starts, restarts and stops workers.
  const handle = await createDb({ databaseUrl: env.DATABASE_URL, poolMax: 1 });
  const applied = await migrateToLatest(handle.db);
  if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
  await handle.close();
  // A page allocates a few MB that die with the request. A larger young generation (semi-spaces of
  // up to 64 MB instead of V8's default of 16 MB here) collects them in fewer scavenges: 5–15% less
  // CPU per page, measured in alternating runs (docs/performance.md). A --max-semi-space-size in
  // NODE_OPTIONS or on the command line wins. Workers only: a single process (the embedded database,
  // development) keeps Node's default.
  const given = /--max[-_]semi[-_]space[-_]size/.test(
    `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`,
  );
  cluster.setupPrimary({
    execArgv: [...process.execArgv, ...(given ? [] : ["--max-semi-space-size=64"])],
  });
  let stopping = false;
  const startedAt = new Map<number, number>();
  const fork = () => {
    if (stopping) return;
    // Every worker must verify the same session cookies, so they get the primary's secret.
    const worker = cluster.fork({ SESSION_SECRET: env.SESSION_SECRET });
    startedAt.set(worker.id, Date.now());
  };
  for (let i = 0; i < env.WEB_CONCURRENCY; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A worker that keeps failing at start (a build it cannot load, say) is restarted once a second, not in a tight loop.
    const quick = Date.now() - (startedAt.get(worker.id) ?? 0) < 5_000;
    console.error(
      `Worker ${worker.process.pid} exited (${signal ?? code}); starting another${quick ? " in 1 s" : ""}.`,
    );
    setTimeout(fork, quick ? 1_000 : 0);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${env.WEB_CONCURRENCY} workers`);
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill("SIGTERM");
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} else {
  await serve();
}

async function serve() {
  // The Remix build and the job handlers load while the database opens (decision 0021): each takes about
  // as long as opening the embedded database, and neither needs it. A failure surfaces where they are awaited.
  const serverBuild = isDev
    ? undefined
    : (import(path.join(root, "build/server/index.js")) as Promise<ServerBuild>);
  const jobModules = Promise.all([
    import("./jobs/handlers.server"),
    import("./jobs/runner.server"),
  ]);
  serverBuild?.catch(() => {});
  jobModules.catch(() => {});

  let opened: Awaited<ReturnType<typeof openDatabase>>;
  try {
    // The demo organisation only when asked for (npm run demo) or in development: never by a plain start.
    opened = await openDatabase(env, {
      seedDemoOrganisation: isDev || process.argv.includes("--demo"),
    });
  } catch (error) {
    // A locked, full or unwritable data directory is said in one sentence naming it, not as a stack.
    console.error((error as Error).message);
    process.exit(1);
  }
  const { handle } = opened;

  const viteDevServer = isDev
    ? await import("vite").then((vite) =>
        vite.createServer({
          configFile: path.join(root, ".config/vite.config.ts"),
          server: { middlewareMode: true },
        }),
      )
    : undefined;

  const build = viteDevServer
    ? () => viteDevServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>
    : await serverBuild!;
  const [{ jobHandlers, jobSchedules }, { startJobRunner }] = await jobModules;

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env.TRUST_PROXY === "1" ? 1 : false);
  // Data requests, resource routes and files. Pages arrive already gzipped (entry.server.tsx, gzipBody),
  // and the middleware leaves an encoded response alone. Level 1: a third of the default's time, 5% larger.
  app.use(compression({ level: 1 }));

  app.use((req, res, next) => {
    res.locals.requestId =
      (req.get("x-request-id") ?? "").match(/^[\w-]{8,64}$/)?.[0] ?? randomUUID();
    res.locals.cspNonce = randomBytes(16).toString("base64");
    res.set("X-Request-Id", res.locals.requestId);
    for (const [name, value] of Object.entries(
      securityHeaders(res.locals.cspNonce, { dev: isDev }),
    ))
      res.set(name, value);
    const t0 = process.hrtime.bigint();
    // Paths only: query strings can carry names people searched for. Tokens in a path are cut out.
    const { method, path: urlPath } = req;
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!urlPath.startsWith("/assets/"))
        console.log(
          `${escapeForLog(method)} ${escapeForLog(pathForLog(urlPath))} ${res.statusCode} ${ms.toFixed(1)}ms`,
        );
    });
    next();
  });

  // Remix's own checks miss resource routes and ?_data requests, so the check sits in front of everything.
  app.use(refuseCrossOriginWrites);
  app.use((req, res, next) => {
    // PostgreSQL text cannot hold U+0000: an address carrying one is refused here, for every route at once
    // (form fields get the same answer from parseForm). Found by wapiti: it used to reach a query as a 500.
    if (hasNulInUrl(req.originalUrl)) {
      res
        .status(400)
        .type("text/plain")
        .send("The address contains a NUL character (%00), which is not allowed.");
      return;
    }
    next();
  });

  // Methods, body types, sizes and field counts, before any body is read or parsed (and before the login
  // rate limit, which needs the parsed form): one request must not be able to hold the process.
  app.use(requestLimits);

  if (viteDevServer) {
    app.use(viteDevServer.middlewares);
  } else {
    app.use(
      "/assets",
      express.static(path.join(root, "build/client/assets"), {
        immutable: true,
        maxAge: "1y",
      }),
    );
    // The other public files (favicon.svg) have an extension; a page's path does not, and skips the disk lookup.
    const publicFiles = express.static(path.join(root, "build/client"), { maxAge: "1h" });
    app.use((req, res, next) =>
      /\.[a-z0-9]+$/i.test(req.path) ? publicFiles(req, res, next) : next(),
    );
  }

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: isDev ? "development" : "production",
      getLoadContext: (req, res): AppLoadContext => {
        const context: AppLoadContext = {
          db: handle.db,
          env: { NODE_ENV: env.NODE_ENV, SESSION_SECRET: env.SESSION_SECRET },
          requestId: res.locals.requestId,
          cspNonce: res.locals.cspNonce,
          clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
          now: () => new Date(),
          dataDir: handle.dataDir,
        };
        // Resource routes bypass entry.server: a 500 caused by a database outage is a 503 here too.
        const status = res.status.bind(res);
        res.status = (code: number) => {
          if (code === 500 && context.dbUnavailable) {
            res.set("Retry-After", RETRY_AFTER_SECONDS);
            return status(503);
          }
          return status(code);
        };
        return context;
      },
    }),
  );
  // Last: whatever error reaches Express (a Host that makes no URL, a failure outside Remix) is one log line and no stack.
  app.use(handleExpressError);

  const server = app.listen(env.PORT, env.HOST, () => {
    const who = cluster.isWorker ? `worker ${process.pid}, ` : "";
    console.log(
      `Noseworthy listening on ${listeningUrl(env.HOST, env.PORT)} (${who}${handle.kind}, ready in ${Date.now() - started} ms)`,
    );
    // Background jobs (decision 0019) run in every server process, each cluster worker too: the
    // database hands each due job to one of them.
    if (!closing)
      jobs = startJobRunner({
        db: handle.db,
        env,
        handlers: jobHandlers,
        schedules: jobSchedules,
      });
  });
  let jobs: JobRunner | undefined;

  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing requests in flight`);
    const force = setTimeout(() => {
      console.error("Shutdown took too long; exiting.");
      process.exit(1);
    }, 9_000);
    force.unref();
    // No new job is taken; the one running finishes (or, cut off by the deadline, is taken again later).
    const jobsStopped = jobs?.stop();
    server.close(async () => {
      await jobsStopped;
      opened.stop();
      await viteDevServer?.close();
      await handle.close();
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
    // Keep-alive connections become idle as their last response is sent: close them as they do, or
    // server.close() would wait for the clients to hang up (found by tests/faults, SIGTERM under load).
    setInterval(() => server.closeIdleConnections(), 100).unref();
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
