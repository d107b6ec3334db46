import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// The board fits a laptop: at 1280 × 800 every column's heading is within the viewport's width.
test("at 1280 × 800 all six columns of the board are in view", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await login(page, "leader@demo.test");
  await page.goto("/pipeline");
  const headings = page.locator("section[aria-labelledby^='stage-'] > h2");
  await expect(headings).toHaveCount(6);
  for (const heading of await headings.all()) {
    const box = await heading.boundingBox();
    expect(box, await heading.innerText()).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
  }
});

// Each column shows one page of at most 8 compact cards and pages on its own with plain links
// (tests/integration/pipeline.test.ts walks the pages of a column of 26). The demo's columns hold
// fewer than 8 people, so here a page asked for past a column's end shows that column's only page,
// and no column offers a page it does not have.
test("a column shows at most 8 cards, and a page past its end shows its last page", async ({
  page,
}) => {
  await login(page, "leader@demo.test");
  await page.goto("/pipeline");
  const column = (name: string) =>
    page.locator("section[aria-labelledby^='stage-']").filter({
      has: page.getByRole("heading", { level: 2, name: new RegExp(`^${name}`) }),
    });
  const names = async (name: string) => column(name).locator("li[id^=card-] > a").allTextContents();
  for (const section of await page.locator("section[aria-labelledby^='stage-']").all())
    expect(await section.locator("li[id^=card-]").count()).toBeLessThanOrEqual(8);
  await expect(page.getByRole("link", { name: /^Show more/ })).toHaveCount(0);
  const spotted = await names("Spotted");
  expect(spotted.length).toBeGreaterThan(0);
  await page.goto("/pipeline?page_spotted=9");
  expect(await names("Spotted")).toEqual(spotted);
  await expect(page.getByRole("link", { name: /^(Next|Previous)/ })).toHaveCount(0);
});
