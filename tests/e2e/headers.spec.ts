import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// Security headers and no-store on every kind of page a signed-in leader reaches (docs/security.md §3).
test("every page carries the CSP, the other security headers and no-store", async ({ page }) => {
  await login(page, "leader@demo.test");
  const paths = [
    "/",
    "/candidates",
    "/candidates/new",
    "/sniff-tests",
    "/sniff-tests/new",
    "/coaching",
    "/pipeline",
    "/pipeline/coverage",
    "/calibrations",
    "/calibrations/new",
  ];
  // Record pages, found from the lists.
  await page.goto("/candidates");
  paths.push((await page.getByRole("table").getByRole("link").first().getAttribute("href"))!);
  await page.goto("/sniff-tests");
  paths.push(
    (await page
      .locator('main a[href^="/sniff-tests/"]:not([href$="/new"])')
      .first()
      .getAttribute("href"))!,
  );
  await page.goto("/calibrations");
  paths.push(
    (await page
      .locator('main a[href^="/calibrations/"]:not([href$="/new"])')
      .first()
      .getAttribute("href"))!,
  );
  await page.goto("/coaching?scope=all&status=all");
  paths.push((await page.locator('main a[href^="/coaching/"]').first().getAttribute("href"))!);

  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const headers = response!.headers();
    expect(headers["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], path).toContain("object-src 'none'");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["cross-origin-opener-policy"], path).toBe("same-origin");
    expect(headers["permissions-policy"], path).toBe("camera=(), microphone=(), geolocation=()");
    expect(headers["cache-control"], path).toBe("no-store");
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
  const csv = await page.request.get("/pipeline.csv");
  expect(csv.status()).toBe(200);
  expect(csv.headers()["cache-control"]).toBe("no-store");
  expect(csv.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(csv.headers()["x-content-type-options"]).toBe("nosniff");
});
