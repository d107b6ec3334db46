import { expect, test } from "@playwright/test";
import { login, logout } from "./helpers";

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// Coaching plans: a manager starts a coaching plan for a flagged candidate (Tomasz Nowak has an open
// "Condescending behaviour" flag in the demo seed) with Tom Hargreaves as mentor; the mentor runs
// it from /coaching to completion, and the evidence lands on the candidate's record.
test("a manager starts a coaching plan; the mentor runs it to completion from /coaching", async ({
  page,
}) => {
  const goal = `Give feedback in code review that teaches rather than belittles (${Date.now()})`;
  const firstAction = "Rewrite two of your recent review comments as questions";
  const secondAction = "Pair with a newer engineer on one review a week";
  const closing =
    "Explained the problem and linked an example in every review comment for a month; two newer engineers asked him for reviews.";

  // The manager starts the plan.
  await login(page, "manager@demo.test");
  await page.goto("/candidates");
  await page.getByRole("link", { name: "Tomasz Nowak", exact: true }).click();
  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  const profileUrl = new URL(page.url()).pathname;

  await page.goto(`${profileUrl}/plans/new`);
  await expect(
    page.getByRole("heading", { level: 1, name: "Start a coaching plan for Tomasz Nowak" }),
  ).toBeVisible();
  await page.getByLabel("Mentor").selectOption({ label: "Tom Hargreaves" });
  await page.getByLabel("Goal").fill(goal);
  await page.getByRole("checkbox", { name: "People skills" }).check();
  await page.getByRole("checkbox", { name: /Condescending behaviour/ }).check();
  const startedOn = await page.getByLabel("Start date").inputValue();
  await page.getByLabel("Target date (optional)").fill(addDays(startedOn, 90));
  await page.getByRole("button", { name: "Start plan" }).click();

  await expect(page).toHaveURL(/\/coaching\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status")).toContainText("Coaching plan started");
  await expect(
    page.getByRole("heading", { level: 1, name: "Coaching plan: Tomasz Nowak" }),
  ).toBeVisible();
  const planUrl = new URL(page.url()).pathname;
  const flags = page.getByRole("region", { name: "Flags this plan addresses" });
  await expect(flags).toContainText("Condescending behaviour");
  await expect(flags).toContainText("Being addressed");
  await logout(page);

  // The mentor finds the mentee on /coaching.
  await login(page, "mentor@demo.test");
  await page.goto("/coaching");
  await expect(page.getByRole("heading", { level: 1, name: "Coaching" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: goal.slice(0, 60) });
  await expect(row).toContainText("Tomasz Nowak");
  await expect(row).toContainText("No check-in yet");
  await row.getByRole("link", { name: /^Plan for Tomasz Nowak/ }).click();
  await expect(page).toHaveURL(new RegExp(`${planUrl}$`));

  // Two actions, one ticked.
  const actions = page.getByRole("region", { name: /^Actions/ });
  await actions.getByLabel("New action", { exact: true }).fill(firstAction);
  await actions.getByLabel("Due date (optional)", { exact: true }).fill(addDays(startedOn, 14));
  await actions.getByRole("button", { name: "Add action" }).click();
  await expect(page.getByRole("status")).toContainText("Action added.");
  await actions.getByLabel("New action", { exact: true }).fill(secondAction);
  await actions.getByRole("button", { name: "Add action" }).click();
  await expect(page.getByRole("status")).toContainText("Action added.");
  await expect(actions.getByRole("listitem")).toHaveCount(2);
  await actions.getByRole("button", { name: `Mark done: ${firstAction}` }).click();
  await expect(page.getByRole("status")).toContainText("Action marked done.");
  await expect(actions.getByRole("button", { name: `Undo: ${firstAction}` })).toBeVisible();
  await expect(actions.getByRole("button", { name: `Mark done: ${secondAction}` })).toBeVisible();

  // A check-in.
  const checkins = page.getByRole("region", { name: "Check-ins" });
  await checkins
    .getByLabel("Notes")
    .fill("Went through the rewritten comments together; agreed he pairs with Aisha next week.");
  await checkins.getByRole("button", { name: "Record check-in" }).click();
  await expect(page.getByRole("status")).toContainText("Check-in recorded.");
  await expect(checkins).toContainText("agreed he pairs with Aisha next week");

  // The flag, resolved from the plan with a note.
  await flags
    .getByLabel(/How was .Condescending behaviour. resolved\?/)
    .fill("Apologised to the colleague and now explains the problem in every comment.");
  await flags.getByRole("button", { name: /^Resolve flag/ }).click();
  await expect(page.getByRole("status")).toContainText("Flag updated.");
  await expect(flags).toContainText("Resolved");

  // Completing, on the page that changes the plan, asks for a closing observation.
  await page.getByRole("link", { name: "Change the plan" }).click();
  await expect(page).toHaveURL(new RegExp(`${planUrl}/edit$`));
  await expect(
    page.getByRole("heading", { level: 1, name: "Change the coaching plan: Tomasz Nowak" }),
  ).toBeVisible();
  const complete = page.getByRole("form", { name: "Complete the plan" });
  await complete
    .getByLabel("Why the plan ends here")
    .fill("Goal met: the review comments changed and the flag is resolved.");
  await complete.getByRole("button", { name: "Complete plan" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(complete.getByLabel("Why the plan ends here")).toHaveValue(
    "Goal met: the review comments changed and the flag is resolved.",
  );
  await complete.getByLabel("Closing observation: behaviour").fill(closing);
  await expect(complete.getByRole("checkbox", { name: "People skills" })).toBeChecked();
  await complete.getByRole("radio", { name: "Strength" }).check();
  await complete.getByRole("button", { name: "Complete plan" }).click();
  await expect(page).toHaveURL(new RegExp(`${planUrl}$`));
  await expect(page.getByRole("status")).toContainText("Plan status changed.");
  await expect(page.getByText("This plan is completed")).toBeVisible();
  await expect(page.getByRole("region", { name: "Observations from this plan" })).toContainText(
    closing,
  );

  // The plan is over: the mentor leaves Tomasz's circle but keeps the plan page.
  const profile = await page.goto(profileUrl);
  expect(profile?.status()).toBe(404);
  const plan = await page.goto(planUrl);
  expect(plan?.status()).toBe(200);
  await logout(page);

  // The manager sees the closing observation on the timeline.
  await login(page, "manager@demo.test");
  await page.goto(profileUrl);
  await expect(page.getByRole("region", { name: "Timeline" })).toContainText(closing);
});
