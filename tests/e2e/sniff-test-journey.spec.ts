import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// Sniff tests: a manager writes a sniff test, offers it to one of their candidates from the template page,
// records the answer, closes it with a debrief, then finds the debrief on the candidate's timeline and
// the test's own figures changed.
test("a manager creates a sniff test, offers it, and closes it with a debrief", async ({
  page,
}) => {
  const title = `Map the on-call runbooks ${Date.now()}`;
  const behaviour =
    "Interviewed three on-call engineers and rewrote the two runbooks they trusted least.";
  await login(page, "manager@demo.test");

  // 1. A new template.
  await page.goto("/sniff-tests/new");
  await expect(page.getByRole("heading", { level: 1, name: "New sniff test" })).toBeVisible();
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Dimension", { exact: true }).selectOption({ label: "Curiosity" });
  await page
    .getByLabel("The assignment, as given to the person")
    .fill("Find out how on-call really works today and write down one change you would make.");
  await page
    .getByLabel("Why it reveals the dimension (optional)")
    .fill("Nobody asks for this; curiosity shows in how far they dig.");
  await page
    .getByLabel("Signals to watch for (optional)")
    .fill("Talks to the people on call before writing anything.");
  await page
    .getByLabel("Red flags (optional)")
    .fill("A summary of the wiki with nothing new in it.");
  await page.getByLabel("Suggested timebox in days").fill("10");
  await page.getByRole("button", { name: "Create sniff test" }).click();

  await expect(page).toHaveURL(/\/sniff-tests\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status")).toContainText("Sniff test created.");
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const templateUrl = new URL(page.url()).pathname;
  const figures = page.getByRole("region", { name: "How this test has gone" });
  await expect(figures).toContainText("Not offered to anyone yet.");

  // 2. Offer it to one of the manager's candidates, from the template page.
  const offer = page.getByRole("region", { name: "Offer it to a candidate" });
  await offer.getByLabel("Candidate").selectOption({ label: "Hannah Brooks" });
  await offer.getByRole("button", { name: "Offer sniff test" }).click();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}\/assignments\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status")).toContainText("Sniff test offered.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText(title);
  const candidatePath = new URL(page.url()).pathname.replace(/\/assignments\/.*$/, "");
  await expect(page.getByRole("region", { name: "The assignment as it was given" })).toContainText(
    "Find out how on-call really works today",
  );

  // 3. She accepted.
  const answer = page.getByRole("region", { name: "Record their answer" });
  await answer.getByRole("radio", { name: "Accepted", exact: true }).check();
  await answer.getByLabel("Note (optional)").fill("Said yes in our 1:1.");
  await answer.getByRole("button", { name: "Record" }).click();
  await expect(page.getByRole("status")).toContainText("Sniff test updated.");

  // 4. Completed, with the debrief.
  const debrief = page.getByRole("region", { name: "Close it with a debrief" });
  await debrief.getByRole("radio", { name: "Completed", exact: true }).check();
  await debrief.getByLabel("Situation (optional)").fill("Debrief of the on-call sniff test.");
  await debrief.getByLabel("Behaviour").fill(behaviour);
  await debrief.getByRole("radio", { name: "Strength" }).check();
  await debrief.getByRole("button", { name: "Record outcome and debrief" }).click();
  await expect(page.getByRole("status")).toContainText(
    "Sniff test updated, with your debrief observation.",
  );

  const history = page.getByRole("region", { name: "History" });
  await expect(history).toContainText("Offered → Accepted");
  await expect(history).toContainText("Said yes in our 1:1.");
  await expect(history).toContainText("Accepted → Completed");
  await expect(page.getByRole("region", { name: "Observations linked to it" })).toContainText(
    behaviour,
  );
  await expect(page.getByRole("region", { name: "Close it with a debrief" })).toHaveCount(0);

  // 5. The debrief is on the candidate's timeline, with the sniff test's events.
  await page.goto(candidatePath);
  await expect(page.getByRole("heading", { level: 1, name: "Hannah Brooks" })).toBeVisible();
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline).toContainText(behaviour);
  await expect(timeline).toContainText("Observation · Strength");
  await expect(timeline).toContainText(`Sniff test completed: ${title}`);

  // 6. The template's figures changed.
  await page.goto(templateUrl);
  const after = page.getByRole("region", { name: "How this test has gone" });
  await expect(after).toContainText("Offered once; 1 completed (100%).");
  await expect(
    after.locator("dt", { hasText: /^Completed$/ }).locator("xpath=following-sibling::dd[1]"),
  ).toHaveText("1");
  await expect(
    after.locator("dt", { hasText: /^Accepted$/ }).locator("xpath=following-sibling::dd[1]"),
  ).toHaveText("1");
  const assignments = page.getByRole("region", { name: /^Assignments/ });
  await expect(assignments.getByRole("link", { name: "Hannah Brooks" })).toBeVisible();
  await expect(assignments).toContainText("completed");
});
