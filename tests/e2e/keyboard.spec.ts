import { expect, test, type Locator, type Page } from "@playwright/test";
import { login } from "./helpers";

// Keyboard use (docs/quality.md): keyboard users get a skip link first, a visible focus ring on every
// kind of control, and "o" on a candidate's page jumps to quick observation capture.

async function outlineOf(locator: Locator): Promise<string> {
  return locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.outlineStyle} ${s.outlineWidth}`;
  });
}

async function tabTo(page: Page, target: Locator, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error("never reached by Tab");
}

test("the skip link comes first and moves to the content", async ({ page }) => {
  await login(page, "manager@demo.test");
  await page.goto("/candidates");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  await expect(page.locator("main")).toBeFocused();
  // The next Tab lands inside the content, not back in the navigation.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main")))).toBe(true);
});

test("links, buttons, inputs and disclosures show a focus ring", async ({ page }) => {
  await page.goto("/login");
  const email = page.getByLabel("Email");
  await tabTo(page, email);
  expect(await outlineOf(email)).toMatch(/^solid [23]px$/);
  const button = page.getByRole("button", { name: "Log in" });
  await tabTo(page, button);
  expect(await outlineOf(button)).toMatch(/^solid [23]px$/);

  await login(page, "manager@demo.test");
  await page.goto("/candidates");
  const link = page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Sniff tests" });
  await page.locator("body").focus();
  await tabTo(page, link);
  expect(await outlineOf(link)).toMatch(/^solid [23]px$/);

  // A <summary> (the phone menu) is operable with the keyboard too.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto("/candidates");
  const menu = page.locator("summary", { hasText: "Menu" });
  await tabTo(page, menu);
  expect(await outlineOf(menu)).toMatch(/^solid [23]px$/);
  await page.keyboard.press("Enter");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Coaching" })).toBeVisible();
  await tabTo(page, nav.getByRole("link", { name: "Coaching" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/coaching$/);
});

test('"o" on a candidate page jumps to quick capture', async ({ page }) => {
  await login(page, "manager@demo.test");
  await page.goto("/candidates");
  const hrefs = await page
    .locator("main a[href]")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  await page.goto(hrefs.find((h) => /^\/candidates\/[0-9a-f-]{36}$/.test(h))!);
  const capture = page.getByRole("region", { name: "Quick capture" });
  await expect(capture.locator("kbd", { hasText: "o" })).toBeVisible();
  await page.locator("body").click({ position: { x: 1, y: 1 } });
  await page.keyboard.press("o");
  const situation = capture.getByLabel("Situation (optional)");
  await expect(situation).toBeFocused();
  await expect(situation).toBeInViewport();
  // Typing "o" in a field types the letter rather than jumping.
  await page.keyboard.type("one on one");
  await expect(situation).toHaveValue("one on one");
});
