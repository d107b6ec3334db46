import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptsGzip, gzipBody } from "../../app/utils/gzip.server";

describe("acceptsGzip", () => {
  it("reads the Accept-Encoding header, q=0 included", () => {
    expect(acceptsGzip("gzip, deflate, br, zstd")).toBe(true);
    expect(acceptsGzip("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("GZIP")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("gzip; q=0.0")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("br, deflate")).toBe(false);
    // gzip named outweighs *, whichever comes first.
    expect(acceptsGzip("*;q=0, gzip")).toBe(true);
    expect(acceptsGzip("gzip;q=0, *")).toBe(false);
    expect(acceptsGzip("br, *;q=0")).toBe(false);
    expect(acceptsGzip("")).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });
});

describe("gzipBody", () => {
  const page = `<!DOCTYPE html><p>${"Evidence, side by side. ".repeat(200)}</p>`;
  const request = (encoding?: string, method = "GET") =>
    new Request("http://localhost/candidates", {
      method,
      headers: encoding ? { "Accept-Encoding": encoding } : {},
    });

  it("gzips a page for a client that accepts it, and says so", () => {
    const headers = new Headers();
    const body = gzipBody(request("gzip, br"), headers, page);
    expect(headers.get("Content-Encoding")).toBe("gzip");
    expect(headers.get("Vary")).toBe("Accept-Encoding");
    expect(gunzipSync(body as Uint8Array).toString()).toBe(page);
  });

  it("sends the page as it is to a client that does not, for HEAD, and when it is small", () => {
    for (const [req, text] of [
      [request(), page],
      [request("gzip;q=0"), page],
      [request("gzip", "HEAD"), page],
      [request("gzip"), "<p>tiny</p>"],
    ] as const) {
      const headers = new Headers();
      expect(gzipBody(req, headers, text)).toBe(text);
      expect(headers.get("Content-Encoding")).toBeNull();
      expect(headers.get("Vary")).toBe("Accept-Encoding");
    }
  });
});
