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
