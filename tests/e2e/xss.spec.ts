import { expect, test, type Page } from "@playwright/test";
import { login } from "./helpers";

// Hostile text (docs/security.md §2): whatever people type is shown as text on every view; no script runs.
const PAYLOAD = `<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2"><svg onload="window.__xss=3">`;

async function expectNoScriptRan(page: Page, dialogs: string[]) {
  expect(
    await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
  ).toBeUndefined();
  expect(dialogs).toEqual([]);
}

test("script-injection payloads are stored and displayed as text, never run", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await login(page, "leader@demo.test");

  // A candidate whose name, title and team carry the payload.
  await page.goto("/candidates/new");
  await page.getByLabel("Name", { exact: true }).fill(`Mallory ${PAYLOAD}`);
  await page.getByLabel("Title").fill(PAYLOAD);
  await page.getByLabel("Team").fill(`Team ${PAYLOAD}`);
  await page.getByLabel("Track").selectOption({ label: "Technical leadership" });
  await page.getByLabel("Manager").selectOption({ label: "Marcus Osei" });
  await page.getByLabel("Why you nominate them").fill(PAYLOAD);
  await page.getByRole("button", { name: "Nominate" }).click();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  const profile = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { level: 1 })).toContainText(
    "<script>window.__xss=1</script>",
  );

  // An observation and a flag carrying it too.
  const capture = page.getByRole("region", { name: "Quick capture" });
  await capture.getByLabel("Situation (optional)").fill(PAYLOAD);
  await capture.getByLabel("Behaviour").fill(`Said ${PAYLOAD}`);
  await capture.getByLabel("Impact (optional)").fill("The team asked better questions.");
  await capture.getByRole("checkbox", { name: "Curiosity" }).check();
  await capture.getByRole("radio", { name: "Context" }).check();
  await capture.getByRole("button", { name: "Save observation" }).click();
  await expect(page.getByRole("status")).toContainText("Observation saved.");

  await page.goto(`${profile}/flags/new`);
  await page.getByLabel("Anti-pattern").selectOption({ label: "Territoriality" });
  await page.getByLabel("Behaviour").fill(`Wrote ${PAYLOAD}`);
  await page.getByLabel("Impact (optional)").fill("The review waited a day.");
  await page.getByRole("button", { name: "Raise flag" }).click();
  await expect(page).toHaveURL(/\/flags\/[0-9a-f-]{36}$/);
  const flagPage = new URL(page.url()).pathname;

  // A sniff test whose title carries it.
  await page.goto("/sniff-tests/new");
  await page.getByLabel("Title", { exact: true }).fill(`Test ${PAYLOAD}`);
  await page.getByLabel("Dimension", { exact: true }).selectOption({ label: "Curiosity" });
  await page.getByLabel("The assignment, as given to the person").fill(PAYLOAD);
  await page.getByLabel("Signals to watch for (optional)").fill(PAYLOAD);
  await page.getByLabel("Suggested timebox in days").fill("7");
  await page.getByRole("button", { name: "Create sniff test" }).click();
  await expect(page).toHaveURL(/\/sniff-tests\/[0-9a-f-]{36}$/);
  const testPage = new URL(page.url()).pathname;

  const pages = [
    profile,
    `${profile}/edit`,
    flagPage,
    "/candidates",
    `/candidates?q=${encodeURIComponent("Mallory")}`,
    testPage,
    "/sniff-tests",
    "/pipeline",
    "/pipeline/coverage",
    "/",
  ];
  for (const path of pages) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expectNoScriptRan(page, dialogs);
    expect(await page.locator("img[src=x], svg[onload]").count(), path).toBe(0);
  }
  await page.goto(profile);
  await expect(page.getByRole("region", { name: "Timeline" })).toContainText(
    `Said <script>window.__xss=1</script>`,
  );
  await page.getByRole("link", { name: "Open observation" }).first().click();
  await expectNoScriptRan(page, dialogs);
  await expect(page.getByText(`Said ${PAYLOAD}`).first()).toBeVisible();
});
