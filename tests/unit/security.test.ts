import { describe, expect, it } from "vitest";
import { hasNulInUrl, isCrossOriginWrite, securityHeaders } from "../../app/utils/security.server";
import { safeRedirect } from "../../app/utils/http.server";

describe("isCrossOriginWrite", () => {
  const host = "noseworthy.example";
  it("lets reads through whatever their origin", () => {
    expect(
      isCrossOriginWrite("GET", {
        host,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      }),
    ).toBe(false);
  });
  it("refuses writes from a foreign origin or site", () => {
    expect(isCrossOriginWrite("POST", { host, origin: "https://evil.example" })).toBe(true);
    expect(isCrossOriginWrite("POST", { host, origin: "null" })).toBe(true);
    expect(isCrossOriginWrite("POST", { host, "sec-fetch-site": "cross-site" })).toBe(true);
    expect(isCrossOriginWrite("DELETE", { host, "sec-fetch-site": "same-site" })).toBe(true);
    expect(isCrossOriginWrite("POST", { host, origin: "not a url" })).toBe(true);
  });
  it("accepts same-origin writes and header-less clients", () => {
    expect(
      isCrossOriginWrite("POST", {
        host,
        origin: `https://${host}`,
        "sec-fetch-site": "same-origin",
      }),
    ).toBe(false);
    expect(isCrossOriginWrite("POST", { host })).toBe(false);
  });
});

describe("securityHeaders", () => {
  it("sets a nonce-based CSP that forbids framing", () => {
    const h = securityHeaders("abc123", { dev: false });
    expect(h["Content-Security-Policy"]).toContain("script-src 'self' 'nonce-abc123'");
    expect(h["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(h["X-Content-Type-Options"]).toBe("nosniff");
    expect(h["X-XSS-Protection"]).toBe("0");
    expect(h["Cross-Origin-Opener-Policy"]).toBe("same-origin");
    expect(h["Permissions-Policy"]).toBe("camera=(), microphone=(), geolocation=()");
    expect(h["Strict-Transport-Security"]).toMatch(/^max-age=\d+/);
    expect(securityHeaders("abc123", { dev: true })["Strict-Transport-Security"]).toBeUndefined();
  });
});

describe("safeRedirect", () => {
  it("keeps local paths and refuses everything else", () => {
    expect(safeRedirect("/candidates?x=1")).toBe("/candidates?x=1");
    for (const bad of [
      "//evil.example",
      "https://evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
      null,
    ]) {
      expect(safeRedirect(bad)).toBe("/");
    }
  });
});

describe("hasNulInUrl", () => {
  it("finds NUL however it is written, and nothing else", () => {
    expect(hasNulInUrl("/candidates?q=%2Fe%00&stage=coaching")).toBe(true);
    expect(hasNulInUrl("/candidates?q=a\u0000b")).toBe(true);
    expect(hasNulInUrl("/candidates?q=%2500")).toBe(false);
    expect(hasNulInUrl("/candidates?q=100%25")).toBe(false);
  });
});
