import { expect, test } from "@playwright/test";
import { login, logout } from "./helpers";

// The manager's daily loop: nominate, note two observations from the profile, raise a flag
// and record the conversation, then find all of it on the timeline. Another manager gets a 404.
test("a manager keeps notes on a new candidate; another manager cannot see them", async ({
  page,
}) => {
  const name = `Jordan Journey ${Date.now()}`;
  await login(page, "manager@demo.test");

  await page.goto("/candidates/new");
  await expect(page.getByRole("heading", { level: 1, name: "Nominate a candidate" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Title").fill("Senior engineer");
  await page.getByLabel("Team").fill("Payments");
  await page.getByLabel("Track").selectOption({ label: "People leadership" });
  await page.getByLabel("Manager").selectOption({ label: "Marcus Osei" });
  await page
    .getByLabel("Why you nominate them")
    .fill("Ran the incident review and got two teams to agree on the fix.");
  await page.getByRole("button", { name: "Nominate" }).click();

  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const profileUrl = new URL(page.url()).pathname;

  // Two observations on different dimensions, from the quick capture on the profile.
  const capture = page.getByRole("region", { name: "Quick capture" });
  await capture
    .getByLabel("Behaviour")
    .fill("Stayed late to finish the rollback plan she had promised the on-call team.");
  await capture
    .getByLabel("Impact (optional)")
    .fill("The on-call team had a tested rollback before the release.");
  await capture.getByRole("checkbox", { name: "Commitment" }).check();
  await capture.getByRole("radio", { name: "Strength" }).check();
  await capture.getByRole("button", { name: "Save observation" }).click();
  await expect(page.getByRole("status")).toContainText("Observation saved.");
  await expect(page).toHaveURL(new RegExp(`${profileUrl}$`));

  await capture
    .getByLabel("Behaviour")
    .fill("Asked the database team why the index was missing before proposing a fix.");
  await capture
    .getByLabel("Impact (optional)")
    .fill("The fix added the index instead of a cache, and the slow query went away.");
  await capture.getByRole("checkbox", { name: "Curiosity" }).check();
  await capture.getByRole("radio", { name: "Context" }).check();
  await capture.getByRole("button", { name: "Save observation" }).click();
  await expect(page.getByRole("status")).toContainText("Observation saved.");

  // Coverage shows the facts per dimension.
  const coverage = page.getByRole("region", { name: "Evidence coverage" });
  await expect(coverage.getByRole("row", { name: /Commitment/ })).toContainText("1");
  await expect(coverage.getByRole("row", { name: /Curiosity/ })).toContainText("1");
  await expect(coverage.getByRole("row", { name: /People skills/ })).toContainText(
    "Not yet observed",
  );

  // A flag, then the conversation about it.
  await page.getByRole("link", { name: "Raise a flag", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${profileUrl}/flags/new$`));
  await page.getByLabel("Anti-pattern").selectOption({ label: "Territoriality" });
  await page
    .getByLabel("Behaviour")
    .fill("Refused to let another team touch the billing service configuration.");
  await page
    .getByLabel("Impact (optional)")
    .fill("The other team waited two days for a one-line change.");
  await page.getByRole("button", { name: "Raise flag" }).click();
  await expect(page).toHaveURL(new RegExp(`${profileUrl}/flags/[0-9a-f-]{36}$`));
  await expect(page.getByRole("status")).toContainText("Flag raised.");
  await page.getByLabel("Note (optional)").fill("Talked it through in our 1:1.");
  await page.getByRole("button", { name: "Record conversation" }).click();
  await expect(page.getByRole("status")).toContainText("Recorded that you discussed it");

  // Everything is on the timeline, newest first.
  await page.goto(profileUrl);
  const timeline = page.getByRole("region", { name: "Timeline" });
  const items = timeline.getByRole("listitem");
  await expect(items.nth(0)).toContainText("Flag discussed with the person: Territoriality");
  await expect(timeline).toContainText("Flag raised: Territoriality");
  await expect(timeline).toContainText("Observation · Strength");
  await expect(timeline).toContainText("Stayed late to finish the rollback plan");
  await expect(timeline).toContainText("Observation · Context");
  await expect(timeline).toContainText("Asked the database team why the index was missing");
  await expect(timeline).toContainText("Stage: Spotted");
  // The flag was discussed, so it no longer nudges.
  await expect(page.getByRole("region", { name: "Open flags" })).toContainText(
    "discussed with them on",
  );

  // The kind filter works as a plain GET form.
  await timeline.getByLabel("Kind").selectOption({ label: "Flags" });
  await timeline.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=flag/);
  await expect(timeline).not.toContainText("Observation · Strength");
  await expect(timeline).toContainText("Flag raised: Territoriality");

  await logout(page);
  await login(page, "manager2@demo.test");
  const response = await page.goto(profileUrl);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await expect(page.getByText(name)).toHaveCount(0);
});
