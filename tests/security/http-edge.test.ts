/**
 * The request edge: what reaches the app before any loader or action, and what leaves it in
 * redirects, cookies and logs. The body limits, methods and content types are checked through the
 * same Express middleware app/server.ts mounts, on a real socket; redirects, cookies and flashes
 * through the routes themselves on a real database.
 */
import { once } from "node:events";
import http from "node:http";
import path from "node:path";
import net, { type AddressInfo } from "node:net";
import type { AppLoadContext } from "@remix-run/node";
import express from "express";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import { hashPassword } from "../../app/auth/password.server";
import { clearSessionCookie, createSession, getUser } from "../../app/auth/session.server";
import { handleError } from "../../app/entry.server";
import { createUser } from "../../app/models/user.server";
import { action as userCreateAction } from "../../app/routes/admin.users";
import { action as userAction } from "../../app/routes/admin.users.$userId";
import { action as flagAction } from "../../app/routes/candidates.$candidateId.flags.$flagId";
import { action as loginAction, loader as loginLoader } from "../../app/routes/login";
import { action as pipelineAction } from "../../app/routes/pipeline";
import { formValues } from "../../app/utils/forms.server";
import { readFlash, redirectWithFlash, safeRedirect } from "../../app/utils/http.server";
import { OUTCOME_LABELS, STAGE_LABELS } from "../../app/utils/labels";
import { escapeForLog } from "../../app/utils/log.server";
import {
  createRemixRequest,
  handleExpressError,
  requestLimits,
} from "../../app/utils/request-limits.server";
import { BASE, call, get, makeContext, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { expectConsoleErrors } from "../helpers/setup";
import { buildWorld, fullRecord, type Kind, SECRETS, type World } from "./fixture";

let handle: DbHandle;
let world: World;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const ctx = (overrides = {}) => makeContext(handle.db, clock, { requestId: "edge", ...overrides });

beforeAll(async () => {
  handle = await createTestDb();
  world = await buildWorld(handle.db, makeContext(handle.db, clock));
});
afterAll(async () => {
  await handle?.close();
});

describe("form values", () => {
  it("reads 64,000 distinct fields in one pass: each entry read once, no per-key lookups (the quadratic reader took about 30 s)", () => {
    // Counted, not timed: a per-key getAll walks every entry again, which made the reader quadratic.
    let reads = 0;
    class CountingForm extends FormData {
      override getAll(): FormDataEntryValue[] {
        throw new Error("getAll walks every entry: quadratic over distinct keys");
      }
      override get(): FormDataEntryValue | null {
        throw new Error("get walks every entry: quadratic over distinct keys");
      }
      override *[Symbol.iterator](): FormDataIterator<[string, FormDataEntryValue]> {
        for (const entry of super.entries()) {
          reads += 1;
          yield entry;
        }
        return undefined;
      }
      override entries() {
        return this[Symbol.iterator]();
      }
    }
    const form = new CountingForm();
    for (let i = 0; i < 64_000; i++) form.append(`k${i}`, "1");
    const values = formValues(form);
    expect(Object.keys(values)).toHaveLength(64_000);
    expect(reads).toBe(64_000);
  });

  it("keeps repeated fields as arrays in order, single ones as strings, and a field named __proto__ as a field", () => {
    const form = new FormData();
    form.append("roles", "leader");
    form.append("name", "Ada");
    form.append("roles", "manager");
    form.append("__proto__", "x");
    form.append("__proto__", "y");
    form.append("file", new Blob(["binary"]), "a.txt");
    const values = formValues(form);
    expect(values.roles).toEqual(["leader", "manager"]);
    expect(values.name).toBe("Ada");
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.hasOwn(values, "__proto__")).toBe(true);
    expect(values.__proto__).toEqual(["x", "y"]);
    expect(values.file).toBe("");
  });
});

// The middleware of app/server.ts, in front of a stand-in for Remix that reads the form the way Remix does.
let server: http.Server;
let port = 0;
let formsRead = 0;
beforeAll(async () => {
  const app = express();
  // As with TRUST_PROXY=1; a request without X-Forwarded-* headers is answered as without it.
  app.set("trust proxy", 1);
  app.use((_req, res, next) => {
    res.locals.requestId = "edge-http";
    next();
  });
  app.use(requestLimits);
  app.get("/healthz", (_req, res) => void res.send("ok"));
  app.get("/throws", () => {
    throw new Error("a message from a client\nINFO forged entry");
  });
  app.all("*", async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      if (request.method !== "POST") return void res.type("text/plain").send("page");
      const form = await request.formData();
      formsRead += 1;
      res.json({ fields: [...form.keys()].length, values: formValues(form) });
    } catch (error) {
      next(error);
    }
  });
  app.use(handleExpressError);
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: {
          ...(body !== undefined ? { "Content-Length": String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const postForm = (path: string, fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields))
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return send("POST", path, body.toString(), FORM);
};
/** Exactly 10,000 UTF-16 code units of arbitrary Unicode, as tests/security/hostile-input.test.ts sends. */
const tenThousand = fc.string({ unit: "binary", minLength: 1000, maxLength: 5000 }).map((s) => {
  const padded = s + "x".repeat(Math.max(0, 10_000 - s.length));
  return padded.length > 10_000 ? padded.slice(0, 10_000).replace(/[\uD800-\uDBFF]$/, "y") : padded;
});
const manyFields = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=1`).join("&");

/** Sends headers and then body chunks as fast as the server takes them; stops when it answers. */
function stream(
  path: string,
  headers: Record<string, string>,
  total: number,
): Promise<Answer & { sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let answer: Answer | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve({ ...(answer ?? { status: 0, headers: {}, text: "" }), sent });
    };
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path, headers: { ...FORM, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          answer = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          };
          finish();
          req.destroy();
        });
      },
    );
    req.on("error", () => setTimeout(finish, 50));
    req.on("close", () => setTimeout(finish, 50));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (!answer && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answer && sent >= total) req.end();
    };
    pump();
  });
}

/**
 * Sends a chunked body over a raw socket and goes on sending after the answer, as a client that ignores
 * it would, until the server hangs up or total bytes are sent (then it waits 300 ms for a hang-up).
 */
function pushChunked(
  method: string,
  path: string,
  headers: Record<string, string>,
  total: number,
): Promise<{ status: number; headers: Record<string, string>; sent: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const size = 64 * 1024;
    const chunk = Buffer.concat([
      Buffer.from(`${size.toString(16)}\r\n`),
      Buffer.alloc(size, "a"),
      Buffer.from("\r\n"),
    ]);
    let sent = 0;
    let received = "";
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      const [statusLine = "", ...lines] = received.split("\r\n\r\n")[0].split("\r\n");
      const answerHeaders = Object.fromEntries(
        lines.map((l) => [
          l.slice(0, l.indexOf(":")).toLowerCase(),
          l.slice(l.indexOf(":") + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(" ")[1] ?? 0), headers: answerHeaders, sent });
    };
    socket.on("data", (d: Buffer) => void (received += d.toString("latin1")));
    socket.on("end", finish).on("close", finish).on("error", finish);
    const pump = () => {
      while (!done && sent < total) {
        sent += size;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
      if (!done) {
        socket.write("0\r\n\r\n");
        setTimeout(finish, 300);
      }
    };
    socket.once("connect", () => {
      const head = [
        `${method} ${path} HTTP/1.1`,
        "Host: 127.0.0.1",
        "Transfer-Encoding: chunked",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
      pump();
    });
  });
}

describe("request body limits", () => {
  it("refuses a login form of 64,000 fields with 413 at once, without reading it", async () => {
    const before = formsRead;
    const answer = await send("POST", "/login", manyFields(64_000), FORM);
    expect(answer.status).toBe(413);
    expect(answer.text).toMatch(/too large/i);
    expect(formsRead).toBe(before);
  });

  it("refuses too many fields with 400 when the body fits: 100 on the login form, 6,000 on any other form", async () => {
    const before = formsRead;
    const login = await send("POST", "/login", manyFields(100), FORM);
    expect(login.status).toBe(400);
    expect(login.text).toMatch(/too many fields/i);
    const other = await send("POST", "/candidates/new", manyFields(6_000), FORM);
    expect(other.status).toBe(400);
    expect(other.text).toMatch(/too many fields/i);
    expect(formsRead).toBe(before);
  });

  it("applies the login limits to every spelling of /login that Remix matches", async () => {
    const spellings = [
      "/login",
      "/LOGIN",
      "/login/",
      "/%6Cogin",
      "/login?_data=routes%2Flogin",
      "/Login//",
    ];
    // Dot segments, plain or percent-encoded, and backslashes: the URL parser Remix uses resolves them all to /login.
    const dotted = [
      "/x/../login",
      "/%2e%2e/login",
      "/%2E%2E/login",
      "/./login",
      "/%2e/login",
      "/a/b/../../login",
      "/candidates/.%2e/LOGIN/",
      "/x\\..\\login",
      "/x/%2e./login?_data=routes%2Flogin",
    ];
    for (const path of [...spellings, ...dotted]) {
      expect((await send("POST", path, manyFields(100), FORM)).status, path).toBe(400);
      expect((await send("POST", path, `email=${"a".repeat(40_000)}`, FORM)).status, path).toBe(
        413,
      );
    }
  });

  it("answers an announced 100 MB body with 413 before reading any of it, and closes the connection", async () => {
    const answer = await stream(
      "/login",
      { "Content-Length": String(100 * 1024 * 1024) },
      100 * 1024 * 1024,
    );
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
    expect(answer.sent, "the server hung up long before the body was sent").toBeLessThan(
      100 * 1024 * 1024,
    );
  });

  it("cuts a chunked body off with 413 once it passes the limit; the rest is never read", async () => {
    const before = formsRead;
    const answer = await stream("/candidates/new", {}, 256 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
    expect(answer.sent, "the server stopped reading at the limit").toBeLessThan(256 * 1024 * 1024);
    expect(formsRead).toBe(before);
    // The server keeps answering.
    expect((await send("GET", "/healthz")).status).toBe(200);
  });

  it("lets the largest legitimate forms through intact", async () => {
    const threeByte = (n: number) => "\u20ac".repeat(n); // 3 bytes in UTF-8, 9 once percent-encoded
    // Login: the longest password an account may have, in three-byte characters, and a long return path.
    const login = {
      email: `${"a".repeat(240)}@example.test`,
      password: threeByte(1000),
      redirectTo: `/candidates?q=${"x".repeat(1500)}&stage=coaching`,
    };
    const l = await postForm("/login", login);
    expect(l.status).toBe(200);
    expect(JSON.parse(l.text).values).toEqual(login);
    // A decision amendment: four texts at their 10,000-character limit and 500 evidence references.
    const amendment = {
      intent: "amend",
      itemId: crypto.randomUUID(),
      outcome: "ready_with_development",
      rationale: threeByte(10_000),
      dissent: threeByte(10_000),
      nextSteps: threeByte(10_000),
      amendmentReason: threeByte(10_000),
      supersedes: crypto.randomUUID(),
      evidence: Array.from({ length: 500 }, () => `observation:${crypto.randomUUID()}`),
    };
    const a = await postForm(
      `/calibrations/${crypto.randomUUID()}/items/${crypto.randomUUID()}`,
      amendment,
    );
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text).values).toEqual(amendment);
    // What tests/security/hostile-input.test.ts posts: 10,000 UTF-16 units of arbitrary Unicode, here in five fields at once.
    await fc.assert(
      fc.asyncProperty(fc.array(tenThousand, { minLength: 5, maxLength: 5 }), async (texts) => {
        const fields = {
          idempotencyKey: crypto.randomUUID(),
          title: texts[0],
          assignment: texts[1],
          rationale: texts[2],
          signals: texts[3],
          redFlags: texts[4],
        };
        const answer = await postForm("/sniff-tests/new", fields);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.text).values).toEqual(fields);
      }),
      { numRuns: 3 },
    );
  });
});

describe("methods and content types", () => {
  it("closes the connection on a refused method or body type: a chunked body is not read to its end", async () => {
    const total = 64 * 1024 * 1024;
    const refused: [string, string, Record<string, string>, number][] = [
      ["PUT", "/login", FORM, 405],
      ["PROPFIND", "/candidates/new", FORM, 405],
      ["POST", "/login", { "Content-Type": "application/json" }, 415],
      ["POST", "/candidates/new", { "Content-Type": "multipart/form-data; boundary=x" }, 415],
    ];
    for (const [method, path, headers, status] of refused) {
      const answer = await pushChunked(method, path, headers, total);
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.headers.connection, `${method} ${path}`).toBe("close");
      expect(
        answer.sent,
        `${method} ${path}: the server hung up long before the body ended`,
      ).toBeLessThan(total / 2);
    }
    expect((await send("GET", "/healthz")).status).toBe(200);
  });

  it("answers TRACE and every method the app does not use with 405 and the methods it does", async () => {
    for (const method of ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "PURGE"]) {
      const answer = await send(method, "/login", "", FORM);
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow, method).toBe("GET, HEAD, POST");
    }
    expect((await send("GET", "/login")).status).toBe(200);
    expect((await send("HEAD", "/login")).status).toBe(200);
  });

  it("answers a body that is not a urlencoded form with 415, and reads none of it", async () => {
    // Every form in app/ is application/x-www-form-urlencoded; none uploads files, so multipart is refused too.
    const before = formsRead;
    const cases: [string, Record<string, string>][] = [
      ['{"email":"a@b.c"}', { "Content-Type": "application/json" }],
      ["email=a@b.c", { "Content-Type": "text/plain" }],
      ["<login><email>a@b.c</email></login>", { "Content-Type": "application/xml" }],
      ["email=a@b.c", {}],
      [
        '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--x--\r\n',
        { "Content-Type": "multipart/form-data; boundary=x" },
      ],
      ["--x\r\nnot a part", { "Content-Type": "multipart/form-data; boundary=x" }],
      ["--x\r\n", { "Content-Type": "multipart/form-data" }],
      ["email=a@b.c", { "Content-Type": "application/x-www-form-urlencodedX" }],
    ];
    for (const [body, headers] of cases) {
      const answer = await send("POST", "/login", body, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(415);
      expect(answer.text).toMatch(/application\/x-www-form-urlencoded/);
    }
    expect((await send("POST", "/logout", "", {})).status, "an empty POST without a type").toBe(
      415,
    );
    expect(formsRead).toBe(before);
    const withCharset = await send("POST", "/login", "email=a%40b.c", {
      "Content-Type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
    });
    expect(withCharset.status).toBe(200);
    expect(JSON.parse(withCharset.text).values).toEqual({ email: "a@b.c" });
    expect((await send("POST", "/logout", "", FORM)).status, "an empty form").toBe(200);
  });
});

describe("the Host header", () => {
  const expectOneLine = (pattern: RegExp) => {
    const logged = expectConsoleErrors();
    expect(logged).toHaveLength(1);
    const line = logged[0].map(String).join(" ");
    expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(line).toMatch(/^\[edge-http\] /);
    expect(line).toMatch(pattern);
    return line;
  };

  it("answers a Host that is not a host, or a trusted X-Forwarded-Host that is not, with 400, reads no body and logs one line", async () => {
    const before = formsRead;
    const cases: [string, Record<string, string>][] = [
      ["GET", { Host: "a b" }],
      ["POST", { Host: "a b" }],
      ["GET", { Host: "a\tb" }],
      ["POST", { Host: "127.0.0.1", "X-Forwarded-Host": "a b" }],
      ["GET", { Host: "127.0.0.1", "X-Forwarded-Host": "evil\texample" }],
      ["GET", { Host: "127.0.0.1:99999" }],
      ["POST", { Host: "example.test", "X-Forwarded-Host": "example.test:99999" }],
    ];
    for (const [method, headers] of cases) {
      const answer = await send(
        method,
        "/login",
        method === "POST" ? "email=a%40b.c" : undefined,
        method === "POST" ? { ...FORM, ...headers } : headers,
      );
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(answer.text).toBe("The Host header is not valid.");
      expect(answer.headers.connection).toBe("close");
      const line = expectOneLine(/^\[edge-http\] The Host header is not valid\. Host: /);
      for (const value of Object.values(headers))
        expect(line).toContain(escapeForLog(JSON.stringify(value)));
    }
    expect(formsRead).toBe(before);
  });

  it("refuses a Host that would move the path Remix sees: the limits are those of the route it would reach", async () => {
    // "x/login?" + "/candidates/new" parses as the path /login: refused, never the default limits on the login action.
    const before = formsRead;
    for (const host of ["x/login?", "x/login#", "x/login/..", "user@x", "x\\login?"]) {
      const answer = await send("POST", "/candidates/new", manyFields(100), {
        ...FORM,
        Host: host,
      });
      expect(answer.status, host).toBe(400);
      expectOneLine(/Host header is not valid/);
    }
    expect(formsRead).toBe(before);
    for (const host of [
      "127.0.0.1",
      "localhost:8080",
      "Example.TEST",
      "[::1]:3000",
      "xn--bcher-kva.example",
    ]) {
      expect((await send("GET", "/login", undefined, { Host: host })).status, host).toBe(200);
    }
  });

  it("still answers an HTTP/1.0 request without a Host (a load balancer's probe)", async () => {
    const socket = net.connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => void (received += d.toString("latin1")));
    socket.write("GET /healthz HTTP/1.0\r\n\r\n");
    await once(socket, "close");
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("any other error that reaches Express is a plain 500 with no stack, logged as one escaped line", async () => {
    const answer = await send("GET", "/throws");
    expect(answer.status).toBe(500);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.text).toBe("Something went wrong on our side. Try again later.");
    const line = expectOneLine(/a message from a client\\nINFO forged entry/);
    expect(line).toMatch(/\\n +at /);
  });
});

describe("redirects stay on this site", () => {
  const ORIGIN = "https://noseworthy.example";
  /** Where a browser goes when it follows this Location from the login page. */
  const landing = (location: string) => new URL(location, `${ORIGIN}/login`);
  const VECTORS = [
    "/\t/evil.example/phish",
    "/%09/evil.example/phish",
    "/\t\\evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "//evil.example",
    "/ /evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "/candidates/..//evil.example",
    "/%2e%2e//evil.example",
    "\t//evil.example",
    " //evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "/\u0000//evil.example",
    "/x\nSet-Cookie: a=b",
  ];
  const PIECES = [
    "/",
    "\\",
    "\t",
    "\n",
    "\r",
    " ",
    "\u000b",
    "\u000c",
    "\u0000",
    "%09",
    "%0a",
    "%2f",
    "%5c",
    ".",
    "..",
    "@",
    ":",
    "?",
    "#",
    "evil.example",
    "http:",
    "https:",
    "javascript:",
    "\uff0f",
    "\u3002",
    "x",
  ];
  const hostile = fc
    .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 })
    .map((p) => p.join(""));
  const benign = fc
    .tuple(
      fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 0, maxLength: 4 }),
      fc.option(fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{0,6}$/)),
    )
    .map(([segments, query]) => `/${segments.join("/")}${query ? `?${query}` : ""}`);

  const sameOrigin = (to: string) => {
    try {
      return landing(to).origin === ORIGIN;
    } catch {
      return false;
    }
  };
  const expectSafe = (location: string | null, given: string) => {
    expect(location, given).not.toBeNull();
    expect(location!, JSON.stringify(given)).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    expect(landing(location!).origin, JSON.stringify(given)).toBe(ORIGIN);
  };

  it("safeRedirect keeps a path only when the browser would stay on this origin", () => {
    for (const to of VECTORS) expectSafe(safeRedirect(to), to);
    fc.assert(
      fc.property(hostile, (to) => {
        const out = safeRedirect(to);
        expectSafe(out, to);
        if (!sameOrigin(to)) expect(out).toBe("/");
      }),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(benign, (to) => {
        expect(safeRedirect(to)).toBe(to);
      }),
      { numRuns: 500 },
    );
    expect(safeRedirect("/%09/evil.example/phish")).toBe("/%09/evil.example/phish");
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect("")).toBe("/");
  });

  it("a signed-in visit to /login?redirectTo=… redirects on this site, never a 500", async () => {
    const cookie = world.cookies.leader;
    const check = async (to: string) => {
      const response = await call(
        loginLoader,
        get(`/login?${new URLSearchParams({ redirectTo: to })}`, cookie),
        ctx(),
      );
      expect(response.status, JSON.stringify(to)).toBe(302);
      expectSafe(response.headers.get("Location"), to);
    };
    for (const to of VECTORS) await check(to);
    await fc.assert(fc.asyncProperty(hostile, check), { numRuns: 200 });
    const ok = await call(
      loginLoader,
      get(`/login?redirectTo=${encodeURIComponent("/candidates?stage=coaching")}`, cookie),
      ctx(),
    );
    expect(ok.headers.get("Location")).toBe("/candidates?stage=coaching");
  });

  it("logging in through the form redirects on this site, whatever redirectTo says", async () => {
    const password = "a long enough password";
    await createUser(handle.db, {
      email: "redirect.target@example.test",
      name: "Rita Redirect",
      roles: ["manager"],
      passwordHash: await hashPassword(password),
    });
    let n = 0;
    const login = async (to: string) => {
      n += 1;
      const response = await call(
        loginAction,
        post("/login", { email: "redirect.target@example.test", password, redirectTo: to }),
        ctx({ clientIp: `10.0.${n >> 8}.${n & 255}` }),
      );
      // Every form refuses NUL, which PostgreSQL text cannot hold.
      if (to.includes("\u0000")) return void expect(response.status).toBe(400);
      expect(response.status, JSON.stringify(to)).toBe(302);
      expectSafe(response.headers.get("Location"), to);
      return response.headers.get("Location");
    };
    for (const to of VECTORS) await login(to);
    await fc.assert(
      fc.asyncProperty(hostile, async (to) => void (await login(to))),
      { numRuns: 15 },
    );
    expect(await login("/pipeline?team=Platform")).toBe("/pipeline?team=Platform");
  });
});

describe("logs", () => {
  it("escapeForLog keeps a line a line: control characters, line separators and backslashes are escaped", () => {
    const out = escapeForLog("GET /a\nGET /admin 200 1.0ms\r\u0085\u2028\u001b[31m\\n\t");
    expect(out).toBe("GET /a\\nGET /admin 200 1.0ms\\r\\x85\\u2028\\x1b[31m\\\\n\\t");
    expect(escapeForLog("/candidates/Zoë")).toBe("/candidates/Zoë");
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // eslint-disable-next-line no-control-regex -- no control character may remain
        expect(escapeForLog(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
    );
  });

  it("handleError writes one line per error, with the message's newlines encoded", () => {
    const request = new Request(`${BASE}/login`);
    const error = new TypeError('Headers.set: "/\nINFO forged entry" is an invalid header value.');
    const context = ctx() as unknown as AppLoadContext;
    handleError(error, { request, params: {}, context });
    handleError("a thrown string\nwith a second line", { request, params: {}, context });
    const logged = expectConsoleErrors();
    expect(logged).toHaveLength(2);
    for (const args of logged) {
      const line = args.map(String).join(" ");
      expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(line).toMatch(/^\[edge\] /);
    }
    expect(logged[0].map(String).join(" ")).toContain("\\nINFO forged entry");
  });
});

describe("cookies", () => {
  const prodEnv = { NODE_ENV: "production" as const, SESSION_SECRET: "p".repeat(40) };

  it("the production session cookie is __Host-: Secure, Path=/, no Domain; the plain name is not accepted there", async () => {
    const prod = ctx({ env: prodEnv });
    const header = await createSession(prod, { userId: world.users.leader.id, userAgent: null });
    expect(header).toMatch(/^__Host-nw_session=[\w-]{43}; /);
    expect(header).toMatch(/; Path=\/;/);
    expect(header).toMatch(/; Secure$/);
    expect(header).not.toMatch(/domain=/i);
    const token = header.split(";")[0].split("=")[1];
    expect((await getUser(prod, get("/", `__Host-nw_session=${token}`)))?.id).toBe(
      world.users.leader.id,
    );
    expect(
      await getUser(prod, get("/", `nw_session=${token}`)),
      "a cookie without the prefix could have been set over plain HTTP",
    ).toBeNull();
    expect(clearSessionCookie(prod)).toMatch(/^__Host-nw_session=; Path=\/;.*Max-Age=0.*; Secure$/);
  });

  it("where the cookie cannot be Secure (development, tests over http) it keeps the plain name", async () => {
    for (const NODE_ENV of ["development", "test"] as const) {
      const plain = ctx({ env: { NODE_ENV, SESSION_SECRET: "d".repeat(40) } });
      const header = await createSession(plain, { userId: world.users.leader.id, userAgent: null });
      expect(header).toMatch(/^nw_session=/);
      expect(header).not.toMatch(/Secure/);
      expect((await getUser(plain, get("/", header.split(";")[0])))?.id).toBe(
        world.users.leader.id,
      );
    }
  });

  it("the flash cookie is __Host- and Secure in production, plain where NODE_ENV is development or test", () => {
    vi.stubEnv("NODE_ENV", "production");
    try {
      const set = redirectWithFlash("/x", "Saved.").headers.get("Set-Cookie")!;
      expect(set).toMatch(
        /^__Host-nw_flash=Saved\.; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60; Secure$/,
      );
      const read = readFlash(
        new Request(`${BASE}/x`, { headers: { Cookie: "__Host-nw_flash=Saved." } }),
      );
      expect(read.message).toBe("Saved.");
      expect(read.clear).toMatch(/^__Host-nw_flash=; Path=\/;.*Max-Age=0; Secure$/);
      expect(
        readFlash(new Request(`${BASE}/x`, { headers: { Cookie: "nw_flash=Forged" } })).message,
      ).toBeNull();
    } finally {
      vi.unstubAllEnvs();
    }
    for (const env of ["development", "test"]) {
      vi.stubEnv("NODE_ENV", env);
      try {
        const set = redirectWithFlash("/x", "Saved.").headers.get("Set-Cookie")!;
        expect(set).toMatch(/^nw_flash=Saved\.; /);
        expect(set).not.toMatch(/Secure/);
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });

  describe("flash messages carry no one's name", () => {
    const flashOf = (response: Response) => {
      expect(response.status).toBe(302);
      const flash = response.headers.getSetCookie().find((c) => /^(__Host-)?nw_flash=/.test(c));
      expect(flash, "the action leaves a flash").toBeTruthy();
      return decodeURIComponent(flash!.split(";")[0].split("=")[1]);
    };
    const nameParts = (name: string) => name.split(" ").filter((p) => p.length > 2);
    const expectNoName = (flash: string, name: string) => {
      for (const part of nameParts(name)) expect(flash, flash).not.toContain(part);
    };

    it("recording that a flag was discussed", async () => {
      const { candidateId, flagId } = world.ids;
      const { version } = await handle.db
        .selectFrom("flags")
        .select("version")
        .where("id", "=", flagId)
        .executeTakeFirstOrThrow();
      const response = await call(
        flagAction,
        post(
          `/candidates/${candidateId}/flags/${flagId}`,
          { intent: "discussed", version: String(version), discussedOn: "2026-03-01", note: "" },
          world.cookies.managerIn,
        ),
        ctx(),
        { candidateId, flagId },
      );
      const flash = flashOf(response);
      expect(flash).toMatch(/^Recorded that you discussed it/);
      expectNoName(flash, SECRETS.name);
    });

    it("a stage move on the pipeline board", async () => {
      const { candidateId } = world.ids;
      const { version } = await handle.db
        .selectFrom("candidates")
        .select("version")
        .where("id", "=", candidateId)
        .executeTakeFirstOrThrow();
      const response = await call(
        pipelineAction,
        post(
          "/pipeline",
          {
            intent: "move",
            candidateId,
            version: String(version),
            to: "exploring",
            reason: "Back to exploring",
          },
          world.cookies.leader,
        ),
        ctx(),
      );
      const flash = flashOf(response);
      expect(flash).toBe("Stage changed.");
      expectNoName(flash, SECRETS.name);
    });

    it("creating, renaming, disabling, enabling and resetting an account", async () => {
      const adminCookie = world.cookies.admin;
      const name = "Zebedee Quixotefield";
      const created = await call(
        userCreateAction,
        post(
          "/admin/users",
          {
            intent: "create",
            name,
            email: "zebedee@example.test",
            password: "a long enough password",
            roles: "admin",
          },
          adminCookie,
        ),
        ctx(),
      );
      expectNoName(flashOf(created), name);
      const target = await handle.db
        .selectFrom("users")
        .select(["id", "version"])
        .where("email", "=", "zebedee@example.test")
        .executeTakeFirstOrThrow();
      const act = (fields: Record<string, string>) =>
        call(userAction, post(`/admin/users/${target.id}`, fields, adminCookie), ctx(), {
          userId: target.id,
        });
      const renamed = "Zebedee Quixotefield-Ormsby";
      expectNoName(
        flashOf(
          await act({
            intent: "update",
            version: String(target.version),
            name: renamed,
            roles: "admin",
          }),
        ),
        renamed,
      );
      expectNoName(flashOf(await act({ intent: "disable" })), renamed);
      expectNoName(flashOf(await act({ intent: "disable" })), renamed);
      expectNoName(flashOf(await act({ intent: "enable" })), renamed);
      expectNoName(
        flashOf(await act({ intent: "reset_password", password: "another long password" })),
        renamed,
      );
    });
  });

  describe("flash messages carry no facts about a person: no outcome, stage or status", () => {
    const flashOf = (response: Response) => {
      expect(response.status, "the action redirects").toBe(302);
      const flash = response.headers.getSetCookie().find((c) => /^(__Host-)?nw_flash=/.test(c));
      expect(flash, "the action leaves a flash").toBeTruthy();
      return decodeURIComponent(flash!.split(";")[0].split("=")[1]);
    };
    const FACTS = [
      ...Object.values(OUTCOME_LABELS),
      ...Object.values(STAGE_LABELS),
      "accepted",
      "declined",
      "resolved",
      "dismissed",
      "abandoned",
      "paused",
      "moved to",
    ];
    const expectNoFacts = (flash: string) => {
      for (const fact of FACTS)
        expect(flash.toLowerCase(), flash).not.toContain(fact.toLowerCase());
    };
    const act = async (
      file: string,
      url: string,
      fields: Record<string, string | string[]>,
      who: Kind,
      params: Record<string, string>,
    ) => {
      const { action } = (await import(path.resolve("app/routes", `${file}.tsx`))) as {
        action: never;
      };
      return flashOf(await call(action, post(url, fields, world.cookies[who]), ctx(), params));
    };
    let ids: Awaited<ReturnType<typeof fullRecord>>;
    const version = async (
      table: "candidates" | "flags" | "coaching_plans" | "sniff_test_assignments",
      id: string,
    ) =>
      String(
        (
          await handle.db
            .selectFrom(table)
            .select("version")
            .where("id", "=", id)
            .executeTakeFirstOrThrow()
        ).version,
      );

    beforeAll(async () => {
      ids = await fullRecord(handle.db, {
        name: "Pat Flashfacts",
        managerId: world.users.managerIn.id,
        mentorId: world.users.mentor.id,
        leaderId: world.users.leader.id,
        secret: false,
      });
    });

    it("recording and amending a calibration decision that moves the candidate", async () => {
      const meetingUrl = "/calibrations/new";
      const { action: newMeeting } = await import("../../app/routes/calibrations.new");
      const created = await call(
        newMeeting,
        post(
          meetingUrl,
          {
            title: "Flash calibration",
            scheduledFor: "2026-03-03T10:00",
            facilitatorId: world.users.leader.id,
            attendeeIds: [],
            candidateIds: [ids.candidateId],
            timeboxMinutes: "",
            idempotencyKey: crypto.randomUUID(),
          },
          world.cookies.leader,
        ),
        ctx(),
      );
      const meetingId = created.headers.get("Location")!.split("/").pop()!;
      const item = await handle.db
        .selectFrom("calibration_items")
        .select("id")
        .where("meeting_id", "=", meetingId)
        .executeTakeFirstOrThrow();
      const meeting = (fields: Record<string, string>) =>
        act("calibrations.$meetingId._index", `/calibrations/${meetingId}`, fields, "leader", {
          meetingId,
        });
      await meeting({ intent: "start" });
      await meeting({ intent: "open", itemId: item.id });
      const decided = await meeting({
        intent: "decide",
        itemId: item.id,
        outcome: "ready_now",
        rationale: "Clear evidence: her reviews led to fewer incidents",
        evidence: `observation:${ids.observationId}`,
        dissent: "",
        nextSteps: "",
        revisitOn: "",
        // No attendee recorded a final leaning: the leader decides without them, as the page offers.
        proceedAnyway: "yes",
        idempotencyKey: crypto.randomUUID(),
      });
      expect(
        (
          await handle.db
            .selectFrom("candidates")
            .select("stage")
            .where("id", "=", ids.candidateId)
            .executeTakeFirstOrThrow()
        ).stage,
        "the decision moved the candidate",
      ).toBe("ready");
      expect(decided).toBe("Decision recorded. Stage changed.");
      expectNoFacts(decided);
      await meeting({ intent: "close" });
      const current = await handle.db
        .selectFrom("calibration_decisions")
        .select("id")
        .where("item_id", "=", item.id)
        .where("superseded_at", "is", null)
        .executeTakeFirstOrThrow();
      const amended = await act(
        "calibrations.$meetingId.items.$itemId",
        `/calibrations/${meetingId}/items/${item.id}`,
        {
          intent: "amend",
          itemId: item.id,
          outcome: "ready_with_development",
          rationale: "Second look: the migration she led reduced the backlog",
          evidence: `observation:${ids.observationId}`,
          dissent: "",
          nextSteps: "",
          revisitOn: "",
          supersedes: current.id,
          amendmentReason: "New evidence",
          idempotencyKey: crypto.randomUUID(),
        },
        "leader",
        { meetingId, itemId: item.id },
      );
      expect(amended).toMatch(/^Decision amended\./);
      expectNoFacts(amended);
    });

    it("a stage move, archive and restore on the candidate's edit page", async () => {
      const c = `/candidates/${ids.candidateId}/edit`;
      const edit = async (fields: Record<string, string>) =>
        act(
          "candidates.$candidateId.edit",
          c,
          { version: await version("candidates", ids.candidateId), reason: "Because", ...fields },
          "managerIn",
          { candidateId: ids.candidateId },
        );
      for (const flash of [
        await edit({ intent: "stage", to: "exploring", revisitOn: "" }),
        await edit({ intent: "archive" }),
        await edit({ intent: "restore", revisitOn: "" }),
      ]) {
        expect(flash).toMatch(/^(Stage changed|Candidate restored)\.$/);
        expectNoFacts(flash);
      }
    });

    it("a sniff test's, a flag's and a coaching plan's new status", async () => {
      const candidateId = ids.candidateId;
      const declined = await act(
        "candidates.$candidateId.assignments.$assignmentId",
        `/candidates/${candidateId}/assignments/${ids.assignmentId}`,
        {
          intent: "declined",
          version: await version("sniff_test_assignments", ids.assignmentId),
          note: "",
        },
        "managerIn",
        { candidateId, assignmentId: ids.assignmentId },
      );
      const dismissed = await act(
        "candidates.$candidateId.flags.$flagId",
        `/candidates/${candidateId}/flags/${ids.flagId}`,
        { intent: "dismiss", version: await version("flags", ids.flagId), note: "Not a pattern" },
        "managerIn",
        { candidateId, flagId: ids.flagId },
      );
      const paused = await act(
        "coaching.$planId.edit",
        `/coaching/${ids.planId}/edit`,
        {
          intent: "pause",
          version: await version("coaching_plans", ids.planId),
          changedOn: "2026-03-01",
          reason: "Leave",
        },
        "mentor",
        { planId: ids.planId },
      );
      for (const flash of [declined, dismissed, paused]) expectNoFacts(flash);
    });
  });
});
