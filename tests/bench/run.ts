/**
 * npm run bench [-- --scaling] [-- --candidates 5000] [-- --duration 10] [-- --repeat N] [-- --connections 16] [-- --p99-connections 4] [-- --workers N] [-- --only <route>] [-- --keep-db] [-- --reuse-db]
 *
 * Starts a private PostgreSQL (the way .ci/run does, on PG_PORT, default 55450), generates a large
 * organisation into a fresh database, builds the app if build/ is missing, starts the production
 * server and measures each route with autocannon on loopback (16 connections). Statements per request
 * are counted in-process: the same production build handles one request at a time with a pg driver
 * that counts every statement it sends. The JavaScript a page loads comes from the Remix manifest in
 * build/client, each file gzipped. Each route's CPU per request and req/s are also given as ratios to
 * /login's in the same run (the floor of any page), and each route is measured a second time at 4
 * connections for its p99. Before any route, the organisation's background work (reminder scan, a
 * weekly digest for every user, delivering the messages) is run and timed here (background.ts), so
 * the servers do not spend the measurements on it. Prints a table and writes tests/bench/results/*.json.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { EventEmitter } from "node:events";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import pg from "pg";
import { createDb } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { hashToken } from "../../app/utils/security.server";
import { type BackgroundWork, jobsTouchedSince, runBackgroundWork } from "./background";
import { DIMENSIONS, generate, type Sizes, sizesFor, uid } from "./generate";

const root = process.cwd();
const { values: args } = parseArgs({
  options: {
    scaling: { type: "boolean", default: false },
    candidates: { type: "string", default: "5000" },
    duration: { type: "string", default: "10" },
    // Long enough for each server process to open its pool and PostgreSQL to settle its plans (5 executions per connection).
    warmup: { type: "string", default: "4" },
    // Measurements per route (and per organisation): p50 and p99 are their medians. Default 1, 3 with --scaling.
    repeat: { type: "string" },
    connections: { type: "string", default: "16" },
    // The production setting: one server process per core (WEB_CONCURRENCY, README).
    workers: { type: "string", default: String(os.cpus().length) },
    only: { type: "string" },
    // A second measurement of each route at this many connections, for its p99 (0: none; none with --scaling).
    "p99-connections": { type: "string" },
    "keep-db": { type: "boolean", default: false },
    "reuse-db": { type: "boolean", default: false },
  },
});
const PG_PORT = Number(process.env.PG_PORT ?? 55450);
const APP_PORT = Number(process.env.BENCH_PORT ?? 55460);
const SECRET = randomBytes(24).toString("hex");
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const WORKERS = Number(args.workers);
const REPEAT = Number(args.repeat ?? (args.scaling ? 3 : 1));
const LOW_CONNECTIONS = Number(args["p99-connections"] ?? (args.scaling ? 0 : 4));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

// ---- PostgreSQL ----------------------------------------------------------------------------------

function startPostgres(): string {
  const out = execFileSync(
    "bash",
    ["-c", `PG_PORT=${PG_PORT} source .ci/start-postgres.sh >&2 && echo "$DATABASE_URL"`],
    {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return out.trim().split("\n").pop()!;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function stopPostgres() {
  const script = `PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"; cmd="$PG_BIN/pg_ctl -D /tmp/noseworthy-pg-${PG_PORT} -m fast stop";
    if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$cmd"; else bash -c "$cmd"; fi`;
  try {
    execFileSync("bash", ["-c", script], { stdio: "ignore" });
  } catch {
    /* already stopped */
  }
}

function postgresVersion(adminUrl: string): string {
  try {
    return execFileSync("psql", [adminUrl, "-Atc", "show server_version"], {
      encoding: "utf8",
    }).trim();
  } catch {
    return "unknown";
  }
}

// ---- Data ----------------------------------------------------------------------------------------

interface Org {
  url: string;
  sizes: Sizes;
  cookies: { leader: string; manager: string; mentor: string };
  chosenCandidateId: string;
  sniffTestId: string;
  dimensionIds: string[];
  timelineEvents: number;
  generateMs: number;
  /** A planned meeting the leader attends, and its first item (the packet page). */
  meetingId: string;
  itemId: string;
  /** A SCIM bearer token (scim_tokens keeps its hash). */
  scimToken: string;
  /** Null when the organisation was reused (--reuse-db): its scans ran when it was generated. */
  background: BackgroundWork | null;
}

function sessionKey(token: string) {
  return createHmac("sha256", SECRET).update(token).digest("hex");
}

async function prepareOrg(adminUrl: string, candidates: number): Promise<Org> {
  const name = `bench_${candidates}`;
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // --reuse-db: the organisation a previous --keep-db run left, migrated to this commit (a quick look
  // while changing code; a run for the record generates afresh).
  const reuse =
    args["reuse-db"] &&
    (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  if (!reuse) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  }
  await admin.end();

  const handle = await createDb({ databaseUrl: url, poolMax: 1 });
  await migrateToLatest(handle.db);
  await handle.close();

  const sizes = sizesFor(candidates);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const t0 = Date.now();
  if (reuse) log(`Reusing the generated organisation in ${name}.`);
  else {
    log(`Generating ${candidates.toLocaleString("en-GB")} candidates…`);
    await generate(client, sizes, log);
  }
  const generateMs = Date.now() - t0;
  if (!reuse) log(`Generated in ${(generateMs / 1000).toFixed(1)} s`);

  const cookies = { leader: "", manager: "", mentor: "" };
  const who = { leader: uid("u", 1), manager: uid("u", 6), mentor: uid("u", 7) };
  for (const [role, userId] of Object.entries(who) as [keyof typeof cookies, string][]) {
    const token = randomBytes(32).toString("base64url");
    await client.query(
      `INSERT INTO sessions (id, user_id, expires_at, last_seen_at, user_agent) VALUES ($1, $2, now() + interval '1 day', now() + interval '1 hour', 'bench')`,
      [sessionKey(token), userId],
    );
    // The production server names its session cookie __Host-nw_session (app/auth/session.server.ts).
    cookies[role] = `__Host-nw_session=${token}`;
  }
  const scimToken = randomBytes(32).toString("base64url");
  await client.query(
    `INSERT INTO scim_tokens (name, token_hash, created_by) VALUES ('bench', $1, $2)`,
    [hashToken(scimToken), who.leader],
  );
  const chosenCandidateId = uid("c", 1);
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM observations WHERE candidate_id = $1)
          + (SELECT count(*) FROM flags f JOIN flag_events e ON e.flag_id = f.id WHERE f.candidate_id = $1)
          + (SELECT count(*) FROM sniff_test_assignments WHERE candidate_id = $1)
          + (SELECT count(*) FROM coaching_checkins k JOIN coaching_plans p ON p.id = k.plan_id WHERE p.candidate_id = $1)
          + (SELECT count(*) FROM coaching_plan_changes c JOIN coaching_plans p ON p.id = c.plan_id WHERE p.candidate_id = $1)
          + (SELECT count(*) FROM stage_changes WHERE candidate_id = $1) AS n`,
    [chosenCandidateId],
  );
  await client.end();
  const background = await runBackgroundWork(url, SECRET, { scans: !reuse });
  if (background)
    log(
      `Background work: reminder scan ${background.reminders.seconds} s (${background.reminders.queued} queued); ` +
        `digest for ${background.digest.users} users ${background.digest.seconds} s (${background.digest.seconds_per_1000_users} s per 1,000); ` +
        `${background.drain.jobs} jobs run in ${background.drain.seconds} s`,
    );
  return {
    url,
    sizes,
    cookies,
    chosenCandidateId,
    sniffTestId: uid("t", 1),
    dimensionIds: Array.from({ length: DIMENSIONS }, (_, i) => uid("d", i + 1)),
    timelineEvents: Number(rows[0].n),
    generateMs,
    // generate.ts: meeting 1 is planned, its attendees are users 1–5 (the leader is user 1), its
    // items are ci(11)…ci(15), and every attendee but user 1 has written a pre-read.
    meetingId: uid("m", 1),
    itemId: uid("ci", 11),
    scimToken,
    background,
  };
}

// ---- Routes --------------------------------------------------------------------------------------

interface RouteSpec {
  name: string;
  routeId: string | null; // the Remix route whose JavaScript the page loads
  path: string;
  cookie: string;
  /** Other request headers (SCIM's bearer token). */
  headers?: Record<string, string>;
  method?: "POST";
  body?: () => string;
  expectStatus: number;
}

function routesFor(org: Org): RouteSpec[] {
  const c = org.chosenCandidateId;
  const observationBody = () =>
    new URLSearchParams([
      ["observedOn", new Date().toISOString().slice(0, 10)],
      ["situation", "In the benchmark."],
      ["behavior", "Asked the quietest person for their view before deciding."],
      ["impact", "Everyone was heard."],
      ["signal", "strength"],
      ["dimensionIds", org.dimensionIds[0]],
      ["dimensionIds", org.dimensionIds[1]],
      ["idempotencyKey", randomUUID()],
    ]).toString();
  return [
    { name: "/healthz", routeId: null, path: "/healthz", cookie: "", expectStatus: 200 },
    // The lightest page there is (no session, no data): what rendering any page costs in this stack.
    {
      name: "/login (no data)",
      routeId: "routes/login",
      path: "/login",
      cookie: "",
      expectStatus: 200,
    },
    {
      name: "/pipeline (leader)",
      routeId: "routes/pipeline",
      path: "/pipeline",
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "/candidates/:id (~1,000 events)",
      routeId: "routes/candidates.$candidateId._index",
      path: `/candidates/${c}`,
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "/candidates?stage=coaching",
      routeId: "routes/candidates._index",
      path: "/candidates?stage=coaching",
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "/sniff-tests/:id",
      routeId: "routes/sniff-tests.$sniffTestId._index",
      path: `/sniff-tests/${org.sniffTestId}`,
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "/coaching (mentor)",
      routeId: "routes/coaching._index",
      path: "/coaching",
      cookie: org.cookies.mentor,
      expectStatus: 200,
    },
    {
      name: "/ My week (manager)",
      routeId: "routes/_index",
      path: "/",
      cookie: org.cookies.manager,
      expectStatus: 200,
    },
    {
      name: "/people (5,000+ people)",
      routeId: "routes/people._index",
      path: "/people",
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "/calibrations/:id/items/:id",
      routeId: "routes/calibrations.$meetingId.items.$itemId",
      path: `/calibrations/${org.meetingId}/items/${org.itemId}`,
      cookie: org.cookies.leader,
      expectStatus: 200,
    },
    {
      name: "SCIM Users?filter=userName eq",
      routeId: null,
      path: `/scim/v2/Users?filter=${encodeURIComponent('userName eq "user150@bench.test"')}`,
      cookie: "",
      headers: { Authorization: `Bearer ${org.scimToken}` },
      expectStatus: 200,
    },
    {
      name: "POST create observation",
      routeId: "routes/candidates.$candidateId.observations.new",
      path: `/candidates/${c}/observations/new`,
      cookie: org.cookies.manager,
      method: "POST",
      body: observationBody,
      expectStatus: 302,
    },
  ];
}

// ---- Statements per request (in-process, same build, same database) -------------------------------

let statements = 0;
const originalQuery = pg.Client.prototype.query;
// Every statement the pg driver sends, BEGIN and COMMIT included.
pg.Client.prototype.query = function countingQuery(this: pg.Client, ...rest: unknown[]) {
  statements += 1;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, rest);
} as typeof pg.Client.prototype.query;

async function countStatements(
  org: Org,
  routes: RouteSpec[],
): Promise<Record<string, { statements: number; status: number }>> {
  const { createRequestHandler } = await import("@remix-run/node");
  const build = await import(path.join(root, "build/server/index.js"));
  const handler = createRequestHandler(build, "production");
  const handle = await createDb({ databaseUrl: org.url, poolMax: 4 });
  const context = {
    db: handle.db,
    env: { NODE_ENV: "production" as const, SESSION_SECRET: SECRET },
    requestId: "bench",
    cspNonce: "bench",
    clientIp: "127.0.0.1",
    now: () => new Date(),
  };
  const out: Record<string, { statements: number; status: number }> = {};
  try {
    for (const route of routes) {
      const url = `http://127.0.0.1:${APP_PORT}${route.path}`;
      const makeRequest = () =>
        new Request(url, {
          method: route.method ?? "GET",
          headers: {
            ...route.headers,
            Cookie: route.cookie,
            "X-Forwarded-Host": `127.0.0.1:${APP_PORT}`,
            ...(route.method
              ? {
                  "Content-Type": "application/x-www-form-urlencoded",
                  Origin: `http://127.0.0.1:${APP_PORT}`,
                }
              : {}),
          },
          body: route.body?.(),
        });
      await handler(makeRequest(), context); // warm: the pool connects outside the count
      statements = 0;
      const response = await handler(makeRequest(), context);
      await response.text();
      out[route.name] = { statements, status: response.status };
    }
  } finally {
    await handle.close();
  }
  return out;
}

// ---- JavaScript per page -------------------------------------------------------------------------

interface RemixManifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, { module: string; imports?: string[]; parentId?: string }>;
  url: string;
}

function readRemixManifest(): RemixManifest {
  const dir = path.join(root, "build/client/assets");
  const file = readdirSync(dir).find((f) => /^manifest-.*\.js$/.test(f));
  if (!file) throw new Error("No Remix manifest in build/client/assets");
  const text = readFileSync(path.join(dir, file), "utf8");
  const manifest = JSON.parse(
    text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1),
  ) as RemixManifest;
  return { ...manifest, url: `/assets/${file}` };
}

function gzippedJs(manifest: RemixManifest, routeId: string | null): number | null {
  if (!routeId) return null;
  const files = new Set<string>([manifest.url, manifest.entry.module, ...manifest.entry.imports]);
  for (let id: string | undefined = routeId; id; id = manifest.routes[id]?.parentId) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`Route ${id} is not in the manifest`);
    files.add(route.module);
    for (const f of route.imports ?? []) files.add(f);
  }
  let total = 0;
  for (const f of files)
    total += gzipSync(readFileSync(path.join(root, "build/client", f)), { level: 9 }).length;
  return total;
}

// ---- Server and load -----------------------------------------------------------------------------

async function startServer(org: Org, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "app/server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: org.url,
      SESSION_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      WEB_CONCURRENCY: String(WORKERS),
    },
    stdio: ["ignore", "ignore", "inherit"], // one log line per request would be measured too
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return child;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  throw new Error("The server did not start within 30 s");
}

async function stopServer(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  unexpected: number;
  errors: number;
}

/** Several measurements of one route as one: requests and errors summed, req/s averaged, p50 and p99 their medians. */
function combine(runs: Load[]): Load {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sum = (key: "requests" | "unexpected" | "errors") => runs.reduce((n, r) => n + r[key], 0);
  return {
    rps: runs.reduce((n, r) => n + r.rps, 0) / runs.length,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests: sum("requests"),
    unexpected: sum("unexpected"),
    errors: sum("errors"),
  };
}

async function load(
  route: RouteSpec,
  seconds: number,
  port: number,
  connections = CONNECTIONS,
): Promise<Load> {
  const headers: Record<string, string> = { "accept-encoding": "gzip", ...route.headers };
  if (route.cookie) headers.cookie = route.cookie;
  if (route.method) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers.origin = `http://127.0.0.1:${port}`;
  }
  const statusCounts: Record<number, number> = {};
  const instance = (
    autocannon as unknown as (opts: autocannon.Options) => EventEmitter & Promise<autocannon.Result>
  )({
    url: `http://127.0.0.1:${port}${route.path}`,
    connections,
    duration: seconds,
    method: route.method ?? "GET",
    headers,
    requests: route.body
      ? [
          {
            setupRequest: (req) => ({ ...req, body: route.body!() }),
          },
        ]
      : undefined,
  });
  instance.on("response", (_client: unknown, statusCode: number) => {
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const total = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  const unexpected = total - (statusCounts[route.expectStatus] ?? 0);
  if (unexpected)
    log(
      `  ${route.name}: ${unexpected} responses other than ${route.expectStatus}: ${JSON.stringify(statusCounts)}`,
    );
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    unexpected,
    errors: result.errors + result.timeouts,
  };
}

// ---- CPU per request (Linux /proc): where the time goes -------------------------------------------

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User + system CPU of the processes, in ms, with that of their children that have exited: when a
 * PostgreSQL backend ends during a run, its CPU moves into the postmaster's reaped-children times, so
 * the sum neither loses it nor goes down (it did: one run printed −0.76 ms for PostgreSQL).
 */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
    } catch {
      /* exited */
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

function pidsOf(args: string[]): number[] {
  try {
    return execFileSync("pgrep", args, { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A process and its children. */
const withChildren = (pid: number) => [pid, ...pidsOf(["-P", String(pid)])];

/** The bench's PostgreSQL (started by .ci/start-postgres.sh in its PG_DIR): the postmaster, whose first line in postmaster.pid is its pid. */
const postmasterPid = () =>
  Number(
    readFileSync(
      path.join(process.env.PG_DIR ?? `/tmp/noseworthy-pg-${PG_PORT}`, "postmaster.pid"),
      "utf8",
    ).split("\n")[0],
  );

/** The server's processes (the primary and its workers) and those of the bench's PostgreSQL (no other cluster on the host). */
function cpuSnapshot(server: ChildProcess) {
  const bench = process.cpuUsage(); // autocannon runs in this process
  return {
    server: cpuMs(withChildren(server.pid!)),
    postgres: cpuMs(withChildren(postmasterPid())),
    load: (bench.user + bench.system) / 1000,
  };
}

// ---- One organisation, all routes ----------------------------------------------------------------

interface Row {
  route: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  vs_healthz: number;
  /** This route against /login (the floor of any page) in the same run: CPU per request (app + PostgreSQL) and req/s. */
  vs_login: { cpu: number; rps: number } | null;
  /** p99 at LOW_CONNECTIONS (4), from a second measurement; null when not measured. */
  p99_low_ms: number | null;
  statements: number;
  js_gzip_kb: number | null;
  errors: number;
  /** CPU per request over the measured run: the app's processes, PostgreSQL's, and the load generator. */
  cpu_ms_per_request: { server: number; postgres: number; load: number };
}

/**
 * Every route against each organisation, one server per organisation (ports APP_PORT, APP_PORT + 1, …).
 * With several, each route is measured against each of them in turn (REPEAT rounds) before the next
 * route, so a change in how busy the host is over the minutes of a run lands on both sizes alike
 * instead of on one half of a scaling run (it made one run read ×1.63 for the board while /healthz
 * itself cost ×1.26 the CPU).
 */
/** When the servers started: jobs touched after this ran in them, beside the measured requests. */
let measuredSince = new Date();

async function measure(orgs: Org[]): Promise<Row[][]> {
  const plans = [];
  for (const [i, org] of orgs.entries()) {
    const routes = routesFor(org).filter(
      // /healthz and /login always: the ratios are to /login in the same run.
      (r) =>
        !args.only ||
        r.name.includes(args.only) ||
        r.name === "/healthz" ||
        r.name.startsWith("/login"),
    );
    const counts = await countStatements(org, routes);
    for (const route of routes) {
      if (counts[route.name].status !== route.expectStatus) {
        throw new Error(
          `${route.name} answered ${counts[route.name].status}, expected ${route.expectStatus}`,
        );
      }
    }
    plans.push({ org, routes, counts, port: APP_PORT + i, rows: [] as Row[], healthzRps: 0 });
  }
  const manifest = readRemixManifest();
  await clearOfTheHour(plans);
  measuredSince = new Date();
  const servers: ChildProcess[] = [];
  try {
    for (const plan of plans) servers.push(await startServer(plan.org, plan.port));
    for (const [r, name] of plans[0].routes.map((route) => route.name).entries()) {
      const routes = plans.map((plan) => plan.routes[r]);
      if (routes.some((route) => route.name !== name))
        throw new Error(`The organisations' routes differ at ${name}`);
      for (const [i, plan] of plans.entries())
        if (WARMUP > 0) await load(routes[i], WARMUP, plan.port);
      // Round k measures the route against every organisation before round k + 1.
      const runs: Load[][] = plans.map(() => []);
      const cpu = plans.map(() => ({ server: 0, postgres: 0, load: 0 }));
      for (let k = 0; k < REPEAT; k++) {
        for (const [i, plan] of plans.entries()) {
          const before = cpuSnapshot(servers[i]);
          runs[i].push(await load(routes[i], DURATION, plan.port));
          const after = cpuSnapshot(servers[i]);
          for (const key of ["server", "postgres", "load"] as const)
            cpu[i][key] += after[key] - before[key];
        }
      }
      // The same route with fewer requests in flight: its p99 then says what one request waits for.
      const low: (Load | null)[] = [];
      for (const [i, plan] of plans.entries())
        low.push(
          LOW_CONNECTIONS > 0 ? await load(routes[i], DURATION, plan.port, LOW_CONNECTIONS) : null,
        );
      for (const [i, plan] of plans.entries()) {
        const route = routes[i];
        const result = combine(runs[i]);
        const perRequest = (key: keyof (typeof cpu)[number]) =>
          Math.round((cpu[i][key] / Math.max(1, result.requests)) * 100) / 100;
        if (route.name === "/healthz") plan.healthzRps = result.rps;
        const js = gzippedJs(manifest, route.routeId);
        plan.rows.push({
          route: route.name,
          rps: Math.round(result.rps),
          p50_ms: result.p50,
          p99_ms: result.p99,
          vs_healthz: plan.healthzRps ? Math.round((result.rps / plan.healthzRps) * 100) / 100 : 0,
          vs_login: null,
          p99_low_ms: low[i]?.p99 ?? null,
          statements: plan.counts[route.name].statements,
          js_gzip_kb: js === null ? null : Math.round(js / 102.4) / 10,
          errors: result.errors + result.unexpected,
          cpu_ms_per_request: {
            server: perRequest("server"),
            postgres: perRequest("postgres"),
            load: perRequest("load"),
          },
        });
        const size =
          plans.length > 1 ? ` (${plan.org.sizes.candidates.toLocaleString("en-GB")})` : "";
        log(
          `  ${route.name}${size}: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`,
        );
      }
    }
  } finally {
    for (const server of servers) await stopServer(server);
  }
  for (const plan of plans) {
    const login = plan.rows.find((r) => r.route.startsWith("/login"));
    if (!login) continue;
    const cpuOf = (r: Row) => r.cpu_ms_per_request.server + r.cpu_ms_per_request.postgres;
    for (const row of plan.rows)
      row.vs_login = {
        cpu: Math.round((cpuOf(row) / Math.max(0.01, cpuOf(login))) * 100) / 100,
        rps: Math.round((row.rps / Math.max(1, login.rps)) * 100) / 100,
      };
  }
  return plans.map((plan) => plan.rows);
}

/**
 * The hourly scans (reminders, digests) start on the hour in every server process, and at 5,000
 * candidates a reminder scan costs tens of seconds of CPU. If the measurements would run into the next
 * hour, wait for it and run its scans here first, so the servers find them done.
 */
async function clearOfTheHour(plans: { org: Org; routes: RouteSpec[] }[]) {
  const perRoute =
    WARMUP * plans.length +
    DURATION * REPEAT * plans.length +
    (LOW_CONNECTIONS > 0 ? DURATION * plans.length : 0);
  const needMs = (plans[0].routes.length * perRoute + 30) * 1000;
  const now = Date.now();
  const nextHour = Math.ceil(now / 3_600_000) * 3_600_000;
  if (nextHour - now > needMs) return;
  log(
    `The measurements (about ${Math.round(needMs / 60_000)} min) would cross the hour: waiting ${Math.round((nextHour - now) / 1000)} s for it, then running its scans here.`,
  );
  await new Promise((r) => setTimeout(r, nextHour - now + 2_000));
  for (const plan of plans) await runBackgroundWork(plan.org.url, SECRET, { scans: false });
}

function printTable(title: string, rows: Row[]) {
  const head = [
    "route",
    "req/s",
    "p50 ms",
    "p99 ms",
    `p99 @${LOW_CONNECTIONS || "–"}`,
    "CPU ÷ login",
    "req/s ÷ login",
    "SQL/req",
    "JS gzip KB",
    "errors",
    "CPU ms/req: app",
    "PostgreSQL",
    "load",
  ];
  const body = rows.map((r) =>
    [
      r.route,
      r.rps,
      r.p50_ms,
      r.p99_ms,
      r.p99_low_ms ?? "–",
      r.vs_login?.cpu ?? "–",
      r.vs_login?.rps ?? "–",
      r.statements,
      r.js_gzip_kb ?? "–",
      r.errors,
      r.cpu_ms_per_request.server,
      r.cpu_ms_per_request.postgres,
      r.cpu_ms_per_request.load,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

function importPeople(adminUrl: string): string[] {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", "tests/bench/people-import.ts", "--rows", "10000"],
    { cwd: root, env: { ...process.env, DATABASE_URL: adminUrl }, encoding: "utf8" },
  );
  console.log(`\n${out.trim()}`);
  return out.trim().split("\n");
}

/** Jobs the servers ran while the routes were measured: their CPU is in the figures. */
async function warnOfJobs(org: Org, from: Date): Promise<string[]> {
  const touched = await jobsTouchedSince(org.url, from);
  if (touched.length)
    log(
      `WARNING: the servers ran background jobs during the measurements (${touched.join(", ")}); ` +
        `their CPU is in the figures. An hour boundary passed? Run again.`,
    );
  return touched;
}

function machine(adminUrl: string) {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgresql: postgresVersion(adminUrl),
    load_average_at_start: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

async function main() {
  if (!existsSync(path.join(root, "build/server/index.js"))) {
    log("No build/: running npm run build…");
    execFileSync("npm", ["run", "-s", "build"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  // --reuse-db keeps a server already running on PG_PORT (start-postgres.sh would start an empty one).
  const runningUrl = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;
  const adminUrl = args["reuse-db"] && (await answers(runningUrl)) ? runningUrl : startPostgres();
  const outDir = path.join(root, "tests/bench/results");
  mkdirSync(outDir, { recursive: true });
  const settings = {
    connections: CONNECTIONS,
    duration_s: DURATION,
    warmup_s: WARMUP,
    repeat: REPEAT,
    p99_connections: LOW_CONNECTIONS,
    server_processes: WORKERS,
  };
  try {
    if (!args.scaling) {
      const org = await prepareOrg(adminUrl, Number(args.candidates));
      log(`The chosen candidate has ${org.timelineEvents} timeline events.`);
      const [rows] = await measure([org]);
      const jobsDuring = await warnOfJobs(org, measuredSince);
      // The CSV import of 10,000 people (npm run bench:import), into a database of its own on the same server.
      const peopleImport = args.only ? null : importPeople(adminUrl);
      printTable(
        `${org.sizes.candidates.toLocaleString("en-GB")} candidates, ${CONNECTIONS} connections, ${DURATION} s per route, ${WORKERS} server processes`,
        rows,
      );
      const result = {
        at: new Date().toISOString(),
        machine: machine(adminUrl),
        settings,
        sizes: org.sizes,
        generate_s: Math.round(org.generateMs / 100) / 10,
        chosen_candidate_timeline_events: org.timelineEvents,
        background: org.background,
        jobs_during_measurement: jobsDuring,
        people_import: peopleImport,
        rows,
      };
      writeFileSync(path.join(outDir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
      log(`Wrote tests/bench/results/latest.json`);
    } else {
      const generated: Record<number, number> = {};
      const orgs = [];
      for (const n of [1000, 10000]) {
        const org = await prepareOrg(adminUrl, n);
        generated[n] = Math.round(org.generateMs / 100) / 10;
        orgs.push(org);
      }
      // measure() returns the rows of each organisation in the same route order.
      const [smallRows, bigRows] = await measure(orgs);
      const jobsDuring = {
        1000: await warnOfJobs(orgs[0], measuredSince),
        10000: await warnOfJobs(orgs[1], measuredSince),
      };
      const bySize = { 1000: smallRows, 10000: bigRows };
      printTable("1,000 candidates", smallRows);
      printTable("10,000 candidates", bigRows);
      const scaling = smallRows.map((small, i) => {
        const big = bigRows[i];
        return {
          route: small.route,
          p50_1k_ms: small.p50_ms,
          p50_10k_ms: big.p50_ms,
          p50_ratio: Math.round((big.p50_ms / Math.max(small.p50_ms, 0.1)) * 100) / 100,
          statements_1k: small.statements,
          statements_10k: big.statements,
          // The same question asked of the work done (app + PostgreSQL CPU per request), which scheduling noise moves less.
          cpu_ratio:
            Math.round(
              ((big.cpu_ms_per_request.server + big.cpu_ms_per_request.postgres) /
                Math.max(
                  0.01,
                  small.cpu_ms_per_request.server + small.cpu_ms_per_request.postgres,
                )) *
                100,
            ) / 100,
        };
      });
      console.log("\nScaling: p50 at 10k ÷ p50 at 1k");
      for (const s of scaling) {
        console.log(
          `${s.route.padEnd(34)} ${String(s.p50_1k_ms).padStart(5)} → ${String(s.p50_10k_ms).padStart(5)} ms  ×${s.p50_ratio}  SQL ${s.statements_1k} → ${s.statements_10k}  CPU/req ×${s.cpu_ratio}`,
        );
      }
      writeFileSync(
        path.join(outDir, "scaling.json"),
        `${JSON.stringify({ at: new Date().toISOString(), machine: machine(adminUrl), settings, generate_s: generated, background: { 1000: orgs[0].background, 10000: orgs[1].background }, jobs_during_measurement: jobsDuring, scaling, runs: bySize }, null, 2)}\n`,
      );
      log(`Wrote tests/bench/results/scaling.json`);
    }
  } finally {
    if (!args["keep-db"]) stopPostgres();
  }
}

main().catch((error) => {
  console.error(error);
  stopPostgres();
  process.exit(1);
});
