/**
 * The request edge for SCIM (app/utils/request-limits.server.ts): under /scim/v2 only, JSON bodies
 * (application/scim+json, application/json) and PUT, PATCH and DELETE, up to 256 KiB; refusals there
 * are SCIM error bodies. Everywhere else the edge is unchanged (tests/security/http-edge.test.ts).
 * Through the same Express middleware app/server.ts mounts, on a real socket.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRemixRequest,
  handleExpressError,
  requestLimits,
  SCIM_LIMIT,
} from "../../app/utils/request-limits.server";

let server: http.Server;
let port = 0;

beforeAll(async () => {
  const app = express();
  app.use(requestLimits);
  // Echoes what Remix would be handed.
  app.all(/.*/, async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      res.json({ method: request.method, body: await request.text() });
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

function send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
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
    },
  );
}

const SCIM = { "Content-Type": "application/scim+json" };
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

describe("the request edge under /scim/v2", () => {
  it("passes POST, PUT and PATCH with a SCIM or plain JSON body, and DELETE without one", async () => {
    const user = JSON.stringify({ userName: "a@example.test" });
    for (const method of ["POST", "PUT", "PATCH"]) {
      for (const type of ["application/scim+json", "application/json; charset=utf-8"]) {
        const answer = await send(method, "/scim/v2/Users/x", user, { "Content-Type": type });
        expect(answer.status, `${method} ${type}`).toBe(200);
        expect(JSON.parse(answer.text)).toEqual({ method, body: user });
      }
    }
    const deleted = await send("DELETE", "/scim/v2/Users/x");
    expect(deleted.status).toBe(200);
    expect(JSON.parse(deleted.text)).toEqual({ method: "DELETE", body: "" });
    expect((await send("GET", "/scim/v2/Users?filter=userName%20eq%20%22a%22")).status).toBe(200);
  });

  it("refuses a body that is not JSON with 415 and a SCIM error, reading none of it", async () => {
    for (const headers of [
      { "Content-Type": "application/x-www-form-urlencoded" },
      {},
      { "Content-Type": "text/plain" },
    ] as Record<string, string>[]) {
      const answer = await send("POST", "/scim/v2/Users", "userName=a", headers);
      expect(answer.status, JSON.stringify(headers)).toBe(415);
      expect(answer.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(JSON.parse(answer.text)).toMatchObject({ schemas: [ERROR], status: "415" });
    }
  });

  it("refuses a body over 256 KiB with 413 and a SCIM error; one just under it passes", async () => {
    const big = JSON.stringify({ userName: "a@example.test", pad: "x".repeat(SCIM_LIMIT.bytes) });
    const answer = await send("PATCH", "/scim/v2/Users/x", big, SCIM);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({ schemas: [ERROR], status: "413" });
    const fits = JSON.stringify({ pad: "x".repeat(SCIM_LIMIT.bytes - 20) });
    expect((await send("PUT", "/scim/v2/Users/x", fits, SCIM)).status).toBe(200);
  });

  it("still refuses methods SCIM does not use", async () => {
    for (const method of ["TRACE", "OPTIONS", "PROPFIND"]) {
      expect((await send(method, "/scim/v2/Users", "", SCIM)).status, method).toBe(405);
    }
  });
});

describe("the request edge elsewhere", () => {
  it("keeps PUT, PATCH and DELETE out of every other path, however spelt", async () => {
    for (const path of ["/login", "/admin/users", "/scim", "/scim/v2x/Users", "/scimx/v2/Users"]) {
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        const answer = await send(method, path, "{}", SCIM);
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers.allow).toBe("GET, HEAD, POST");
      }
    }
  });

  it("keeps JSON bodies out of every other path: 415", async () => {
    for (const path of ["/login", "/admin/users", "/people/new"]) {
      const answer = await send("POST", path, '{"a":1}', SCIM);
      expect(answer.status, path).toBe(415);
    }
  });

  it("applies SCIM's rules to the spellings of /scim/v2 Remix matches", async () => {
    for (const path of ["/SCIM/V2/Users", "/scim//v2/Users/", "/scim/v2/../v2/Users"]) {
      expect((await send("PATCH", path, "{}", SCIM)).status, path).toBe(200);
    }
  });
});
