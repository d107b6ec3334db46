import { expect, test, type Page } from "@playwright/test";
import { login } from "./helpers";

// Responsive layout and print (docs/quality.md): every main page fits a 375 px phone (no sideways
// scrolling of the page itself: wide tables scroll inside their own wrapper), the navigation collapses
// behind a "Menu" disclosure, and the calibration packet and summary print without navigation or
// controls.
// SCREENSHOTS=1 also writes docs/screenshots/*.png at 375 and 1280 px (not in CI).
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

async function firstHref(page: Page, list: string, pattern: RegExp): Promise<string> {
  await page.goto(list);
  const hrefs = await page
    .locator("main a[href]")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  const href = hrefs.find((h) => pattern.test(h));
  expect(href, `a link matching ${pattern} on ${list}`).toBeTruthy();
  return href!;
}

async function leaderPages(page: Page): Promise<Array<{ name: string; url: string }>> {
  const profile = await firstHref(page, "/candidates", /^\/candidates\/[0-9a-f-]{36}$/);
  const plan = await firstHref(page, "/coaching", /^\/coaching\/[0-9a-f-]{36}$/);
  const sniff = await firstHref(page, "/sniff-tests", /^\/sniff-tests\/[0-9a-f-]{36}$/);
  const meeting = await firstHref(page, "/calibrations", /^\/calibrations\/[0-9a-f-]{36}$/);
  const packet = await firstHref(
    page,
    meeting,
    /^\/calibrations\/[0-9a-f-]{36}\/items\/[0-9a-f-]{36}$/,
  );
  return [
    { name: "my-week", url: "/" },
    { name: "candidates", url: "/candidates" },
    { name: "profile", url: profile },
    { name: "pipeline", url: "/pipeline" },
    { name: "coverage", url: "/pipeline/coverage" },
    { name: "calibrations", url: "/calibrations" },
    { name: "calibration-meeting", url: meeting },
    { name: "calibration-packet", url: packet },
    { name: "calibration-summary", url: `${meeting}/summary` },
    { name: "coaching", url: "/coaching" },
    { name: "coaching-plan", url: plan },
    { name: "sniff-tests", url: "/sniff-tests" },
    { name: "sniff-test", url: sniff },
    { name: "new-candidate", url: "/candidates/new" },
    { name: "new-calibration", url: "/calibrations/new" },
  ];
}

async function expectNoSidewaysScroll(page: Page, url: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${url} is ${width}px wide at 375px`).toBeLessThanOrEqual(PHONE.width);
}

test("at 375 px no page scrolls sideways and the menu collapses", async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize(PHONE);
  await page.goto("/login");
  await expectNoSidewaysScroll(page, "/login");
  await page.setViewportSize(DESKTOP); // login() waits for "Log out", which sits inside the menu on a phone
  await login(page, "leader@demo.test");
  await page.setViewportSize(PHONE);
  const pages = await leaderPages(page);
  for (const p of pages) {
    await page.goto(p.url);
    await expectNoSidewaysScroll(page, p.url);
  }

  // The navigation sits behind "Menu" and still reaches every page.
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.locator("summary", { hasText: "Menu" }).click();
  await expect(nav.getByRole("link", { name: "Pipeline" })).toBeVisible();
  await nav.getByRole("link", { name: "Pipeline" }).click();
  await expect(page).toHaveURL(/\/pipeline$/);

  for (const email of ["admin@demo.test", "manager@demo.test", "mentor@demo.test"]) {
    await page.context().clearCookies();
    await page.setViewportSize(DESKTOP);
    await login(page, email);
    await page.setViewportSize(PHONE);
    const links = await page
      .locator("nav[aria-label=Main] a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    for (const href of new Set(links)) {
      await page.goto(href);
      await expectNoSidewaysScroll(page, `${href} (${email})`);
    }
  }
});

test("the menu works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
  const page = await context.newPage();
  await login(page, "manager@demo.test");
  await page.setViewportSize(PHONE);
  await page.goto("/");
  await page.locator("summary", { hasText: "Menu" }).click();
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Candidates" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Candidates" })).toBeVisible();
  await context.close();
});

test("the packet and the summary print without navigation or controls", async ({ page }) => {
  await login(page, "leader@demo.test");
  // A meeting with more than one candidate, to see the page breaks between them (other browser
  // tests add meetings of one candidate, which may come first in the list).
  await page.goto("/calibrations");
  const meetings = await page
    .locator("main a[href]")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  let meeting = "";
  for (const href of meetings.filter((h) => /^\/calibrations\/[0-9a-f-]{36}$/.test(h))) {
    await page.goto(`${href}/summary`);
    if ((await page.locator("main ol > li").count()) > 1) {
      meeting = href;
      break;
    }
  }
  expect(meeting, "a meeting with more than one candidate").toBeTruthy();
  const packet = await firstHref(
    page,
    meeting,
    /^\/calibrations\/[0-9a-f-]{36}\/items\/[0-9a-f-]{36}$/,
  );
  await page.emulateMedia({ media: "print" });
  for (const url of [packet, `${meeting}/summary`]) {
    await page.goto(url);
    await expect(page.locator("header")).toBeHidden();
    await expect(page.getByRole("button")).toHaveCount(0);
    await expect(page.locator("form:visible")).toHaveCount(0);
    const colour = await page.locator("h1").evaluate((h) => getComputedStyle(h).color);
    expect(colour).toBe("rgb(0, 0, 0)");
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.byteLength).toBeGreaterThan(1000);
  }
  // Each candidate of the summary after the first starts a new page.
  const breaks = await page
    .locator("main ol > li")
    .evaluateAll((lis) => lis.map((li) => getComputedStyle(li).breakBefore));
  expect(breaks.length).toBeGreaterThan(1);
  expect(breaks.slice(1).every((b) => b === "page")).toBe(true);
});

// A tool, not a check: it exists only when asked for, so the normal run has nothing skipped.
if (process.env.SCREENSHOTS)
  test("screenshots for the README", async ({ page }) => {
    test.setTimeout(120_000);
    const shots = [
      "my-week",
      "candidates",
      "profile",
      "pipeline",
      "calibration-meeting",
      "coaching-plan",
      "sniff-test",
    ];
    for (const viewport of [DESKTOP, PHONE]) {
      await page.context().clearCookies();
      await page.setViewportSize(viewport);
      await page.goto("/login");
      await page.screenshot({ path: `docs/screenshots/login-${viewport.width}.png` });
      await page.setViewportSize(DESKTOP);
      await login(page, "leader@demo.test");
      await page.setViewportSize(viewport);
      for (const p of (await leaderPages(page)).filter((x) => shots.includes(x.name))) {
        await page.goto(p.url);
        await page.screenshot({ path: `docs/screenshots/${p.name}-${viewport.width}.png` });
      }
    }
    await page.setViewportSize(DESKTOP);
    const meeting = await firstHref(page, "/calibrations", /^\/calibrations\/[0-9a-f-]{36}$/);
    await page.emulateMedia({ media: "print" });
    await page.goto(`${meeting}/summary`);
    await page.screenshot({ path: "docs/screenshots/print-summary.png" });
    const packet = await firstHref(
      page,
      meeting,
      /^\/calibrations\/[0-9a-f-]{36}\/items\/[0-9a-f-]{36}$/,
    );
    await page.goto(packet);
    await page.screenshot({ path: "docs/screenshots/print-packet.png" });
  });
