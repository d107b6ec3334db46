/**
 * One-click unsubscribe (RFC 8058) at the request edge: mail providers and webmail pages post
 * `List-Unsubscribe=One-Click` from another site, often as multipart/form-data. That one route is let
 * through the cross-origin check (its token is its only authority) and takes multipart; every other
 * write from another site is still refused. Through the middleware app/server.ts mounts, on a socket.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRemixRequest,
  handleExpressError,
  refuseCrossOriginWrites,
  requestLimits,
} from "../../app/utils/request-limits.server";

let server: http.Server;
let port = 0;

beforeAll(async () => {
  const app = express();
  app.use(refuseCrossOriginWrites);
  app.use(requestLimits);
  app.all(/.*/, async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      const form = await request.formData();
      res.json({ oneClick: form.get("List-Unsubscribe") });
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

function post(path: string, body: FormData | URLSearchParams, headers: Record<string, string>) {
  return fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body, headers });
}

const oneClick = () => {
  const form = new FormData();
  form.set("List-Unsubscribe", "One-Click");
  return form;
};
const CROSS_SITE = { "Sec-Fetch-Site": "cross-site", Origin: "https://mail.example.net" };

describe("one-click unsubscribe at the request edge", () => {
  it("lets a cross-site multipart or urlencoded POST reach /mail/unsubscribe, however it is spelt", async () => {
    for (const path of [
      "/mail/unsubscribe?token=t",
      "/Mail/Unsubscribe/?token=t",
      "/mail//unsubscribe?token=t",
    ]) {
      const response = await post(path, oneClick(), CROSS_SITE);
      expect(response.status, path).toBe(200);
      expect(await response.json()).toEqual({ oneClick: "One-Click" });
    }
    const urlencoded = await post(
      "/mail/unsubscribe?token=t",
      new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
      { Origin: "https://mail.example.net" },
    );
    expect(urlencoded.status).toBe(200);
  });

  it("still refuses every other cross-site write with 403, and multipart elsewhere with 415", async () => {
    for (const path of ["/logout", "/mail/unsubscribe/x", "/mail", "/admin/users"]) {
      const response = await post(path, new URLSearchParams({ a: "b" }), CROSS_SITE);
      expect(response.status, path).toBe(403);
    }
    const multipart = await post("/login", oneClick(), {});
    expect(multipart.status).toBe(415);
  });
});
