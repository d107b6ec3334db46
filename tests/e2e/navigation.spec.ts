import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// Links are plain anchors (app/components/ui/link.tsx, measured cheaper on the server than Remix's
// <Link>); one click listener turns a plain click into a client-side navigation. These check that a
// click still navigates without reloading the document, that history works, that the board keeps its
// scroll position when a move form opens, and that a file link still downloads.

test("a plain click navigates without reloading the page, and Back returns", async ({ page }) => {
  await login(page, "leader@demo.test");
  await page.goto("/pipeline");
  await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  const card = page.locator("li[id^=card-]").first();
  const name = (await card.getByRole("link").first().textContent())!.trim();
  await card.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  expect(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
  ).toBe(true);
  // The navigation marks where the user is.
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Candidates" }),
  ).toHaveAttribute("aria-current", "page");
  await page.goBack();
  await expect(page).toHaveURL(/\/pipeline$/);
  await expect(page.getByRole("heading", { level: 1, name: "Pipeline" })).toBeVisible();
});

test("opening a move form on the board keeps the scroll position", async ({ page }) => {
  // Short enough that the lowest card on the compact board is below the fold.
  await page.setViewportSize({ width: 1280, height: 400 });
  await login(page, "leader@demo.test");
  await page.goto("/pipeline");
  const links = page.getByRole("link", { name: /^Move stage/ });
  const tops = await links.evaluateAll((as) => as.map((a) => a.getBoundingClientRect().top));
  const move = links.nth(tops.indexOf(Math.max(...tops)));
  await move.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(0);
  await move.click();
  await expect(page.getByRole("form", { name: /^Move / })).toBeVisible();
  // The page did not jump: the same position, give or take the opened form's own layout.
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThan(50);
});

test("the CSV link downloads a file instead of navigating", async ({ page }) => {
  await login(page, "leader@demo.test");
  await page.goto("/pipeline");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^pipeline-\d{4}-\d{2}-\d{2}\.csv$/);
  await expect(page).toHaveURL(/\/pipeline$/);
});

test("a confirmation shows once, on the page it belongs to", async ({ page }) => {
  await login(page, "manager@demo.test");
  await page.goto("/candidates");
  await page.locator("main a[href^='/candidates/']:not([href$='/new'])").first().click();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  const capture = page.getByRole("region", { name: "Quick capture" });
  await capture
    .getByLabel("Behaviour")
    .fill("Wrote down the three options and their costs before the design review.");
  await capture
    .getByLabel("Impact (optional)")
    .fill("The review picked an option in twenty minutes instead of a second meeting.");
  await capture.getByRole("checkbox", { name: "Outcome orientation" }).check();
  await capture.getByRole("radio", { name: "Strength" }).check();
  await capture.getByRole("button", { name: "Save observation" }).click();
  await expect(page.getByRole("status")).toContainText("Observation saved.");

  // Pages reached from the menu do not repeat it…
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Sniff tests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sniff tests" })).toBeVisible();
  await expect(page.getByText("Observation saved.")).toHaveCount(0);
  await nav.getByRole("link", { name: "Coaching" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Coaching/ })).toBeVisible();
  await expect(page.getByText("Observation saved.")).toHaveCount(0);
  // …nor does going back to the page it arrived on.
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Observation saved.")).toHaveCount(0);
});
