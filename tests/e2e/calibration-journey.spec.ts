import { expect, test } from "@playwright/test";
import { login, logout } from "./helpers";

// Calibration: a leader plans a calibration with two attendees and three candidates; an attendee records
// an independent pre-read; the leader runs the meeting, opens the candidate (revealing the pre-read)
// and records a decision that cites two observations; the candidate's stage and timeline change.
// Demo data: Tomasz Nowak (exploring, managed by Marcus Osei) has three observations; Amara Okafor and
// Jack Thornton have two each.
test("a calibration from agenda to decision", async ({ page }) => {
  const title = `Journey calibration ${Date.now()}`;
  const view =
    "The module guide is strong technical leadership that helped new joiners; the API review shows impatience worth coaching.";

  // 1. The leader plans the meeting.
  await login(page, "leader@demo.test");
  await page.goto("/calibrations/new");
  await expect(
    page.getByRole("heading", { level: 1, name: "Plan a calibration meeting" }),
  ).toBeVisible();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Date and time (UTC)").fill("2030-01-15T14:00");
  await page.getByLabel("Timebox per candidate, minutes (optional)").fill("15");
  await expect(page.getByLabel("Facilitator")).toHaveValue(/[0-9a-f-]{36}/);
  const attendees = page.getByRole("group", { name: "Attendees" });
  await attendees.getByRole("checkbox", { name: "Marcus Osei" }).check();
  await attendees.getByRole("checkbox", { name: "Priya Raman" }).check();
  const candidates = page.getByRole("group", { name: "Candidates" });
  for (const name of ["Tomasz Nowak", "Amara Okafor", "Jack Thornton"]) {
    await candidates.getByRole("checkbox", { name: new RegExp(name) }).check();
  }
  await page.getByRole("button", { name: "Plan meeting" }).click();
  await expect(page).toHaveURL(/\/calibrations\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status")).toContainText("Meeting planned");
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const meetingUrl = new URL(page.url()).pathname;
  const agenda = page.getByRole("region", { name: "Agenda" });
  for (const name of ["Tomasz Nowak", "Amara Okafor", "Jack Thornton"]) {
    await expect(agenda.getByRole("link", { name })).toBeVisible();
  }
  await logout(page);

  // 2. An attendee reads Tomasz's packet and records a pre-read.
  await login(page, "manager@demo.test");
  await page.goto(meetingUrl);
  await page
    .getByRole("region", { name: "Agenda" })
    .getByRole("link", { name: "Tomasz Nowak" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Packet: Tomasz Nowak" })).toBeVisible();
  await expect(page.getByRole("region", { name: /Observations/ })).toContainText(
    "Wrote a clear module guide",
  );
  // Opening a packet records nothing (a link from anywhere could open it); the attendee says so.
  await page.getByRole("button", { name: "Mark as read" }).click();
  await expect(page.getByRole("status")).toContainText("Marked as read.");
  await expect(page.getByText(/You marked this packet as read/)).toBeVisible();
  const prereads = page.getByRole("region", { name: "Pre-reads" });
  await prereads.getByLabel("Your view").fill(view);
  await prereads.getByRole("radio", { name: "Ready with development" }).check();
  await prereads.getByRole("button", { name: "Save pre-read" }).click();
  await expect(page.getByRole("status")).toContainText("Pre-read saved");
  const packetUrl = new URL(page.url()).pathname;
  await logout(page);

  // 3. The leader sees that it was read, but not what it says, until the item is opened.
  await login(page, "leader@demo.test");
  await page.goto(packetUrl);
  await expect(page.getByRole("region", { name: "Pre-reads" })).toContainText(
    /1 of \d+ recorded so far/,
  );
  await expect(page.getByText(view)).toHaveCount(0);
  await page.goto(meetingUrl);
  await expect(
    page.getByRole("list", { name: "Who has read the packet of Tomasz Nowak" }),
  ).toContainText("Marcus Osei: read, pre-read recorded");
  // Scheduled years ahead: starting it asks first, and "Start anyway" starts it.
  await page.getByRole("button", { name: "Start the meeting" }).click();
  await expect(page.getByRole("alert")).toContainText("Start it anyway?");
  await page.getByRole("button", { name: "Start anyway" }).click();
  await expect(page.getByRole("status")).toContainText("Meeting started");
  await page.getByRole("button", { name: "Open Tomasz Nowak" }).click();
  await expect(page.getByRole("status")).toContainText("pre-reads are now visible");
  const onScreen = page.getByRole("region", { name: "On screen: Tomasz Nowak" });
  await expect(onScreen.getByRole("region", { name: "Nomination" })).toContainText("Nominated by");
  await expect(onScreen.getByRole("region", { name: "About this evidence" })).toContainText(
    "The most recent observation is from",
  );
  await expect(onScreen).toContainText("Marcus Osei: Ready with development");
  await expect(onScreen).toContainText(view);
  await expect(onScreen.getByRole("timer")).toContainText("Timebox 15 min");

  // 4. The decision, citing two observations.
  // The decision's outcome, not the attendee's own final leaning (a group of its own on the item).
  await onScreen
    .getByRole("group", { name: "Outcome" })
    .getByRole("radio", { name: "Ready with development" })
    .check();
  await onScreen
    .getByLabel("Rationale")
    .fill(
      "Clear technical leadership in the module work, which helped new joiners; coaching on how he handles questions in reviews.",
    );
  const evidence = onScreen.getByRole("group", { name: "Evidence it rests on" });
  await evidence.getByRole("checkbox", { name: /Wrote a clear module guide/ }).check();
  await evidence.getByRole("checkbox", { name: /Had the right answers/ }).check();
  await onScreen
    .getByLabel("Next steps (optional)")
    .fill("Coaching plan on reviews; bring back in three months.");
  // No attendee recorded a final leaning; the leader decides without them (recorded with the decision).
  await onScreen.getByRole("checkbox", { name: /Decide without every final leaning/ }).check();
  await onScreen.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByRole("status")).toContainText("Decision recorded. Stage changed.");
  await expect(page.getByRole("region", { name: "On screen: Tomasz Nowak" })).toContainText(
    "Evidence it rests on",
  );

  // 5. The candidate's stage and timeline changed.
  await page.goto(packetUrl);
  await page.getByRole("link", { name: "Open the full profile" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tomasz Nowak" })).toBeVisible();
  await expect(page.getByText(/Coaching for 0 days/)).toBeVisible();
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline).toContainText("Calibration decision: Ready with development");
  await expect(timeline).toContainText("Stage: Exploring → Coaching");
  await expect(timeline.getByRole("link", { name: "Open calibration" }).first()).toHaveAttribute(
    "href",
    meetingUrl,
  );

  // The printable summary lists the decision with its cited evidence.
  await page.goto(`${meetingUrl}/summary`);
  await expect(page.getByRole("heading", { level: 1, name: `Summary: ${title}` })).toBeVisible();
  await expect(page.getByText(/Wrote a clear module guide/)).toBeVisible();
  await expect(page.getByText(/Had the right answers/)).toBeVisible();
});

// Meeting mode refreshes itself every ten seconds; a refusal and unsaved text must survive that.
test("live updates pause while a decision is refused or being written", async ({ page }) => {
  test.setTimeout(90_000);
  const title = `Paused refresh ${Date.now()}`;
  await login(page, "leader@demo.test");
  await page.goto("/calibrations/new");
  await page.getByLabel("Title").fill(title);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("Date and time (UTC)").fill(`${today}T12:00`);
  await page
    .getByRole("group", { name: "Attendees" })
    .getByRole("checkbox", { name: "Marcus Osei" })
    .check();
  await page
    .getByRole("group", { name: "Candidates" })
    .getByRole("checkbox", { name: /Amara Okafor/ })
    .check();
  await page.getByRole("button", { name: "Plan meeting" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  // Scheduled for today: no question before starting.
  await page.getByRole("button", { name: "Start the meeting" }).click();
  await expect(page.getByRole("status")).toContainText("Meeting started");
  await page.getByRole("button", { name: "Open Amara Okafor" }).click();
  const onScreen = page.getByRole("region", { name: "On screen: Amara Okafor" });
  await expect(onScreen).toBeVisible();

  // Typing pauses the updates, and the page says so.
  const rationale = "Ready: she led the migration and the incident review.";
  await onScreen
    .getByRole("group", { name: "Outcome" })
    .getByRole("radio", { name: "Ready now" })
    .check();
  await onScreen.getByLabel("Rationale").fill(rationale);
  await expect(page.getByText("Live updates paused while you edit")).toBeVisible();

  // A decision citing no evidence is refused; the message and the text outlast several refresh periods.
  await onScreen.getByRole("button", { name: "Record decision" }).click();
  await expect(onScreen.getByText(/Pick at least one observation/)).toBeVisible();
  await expect(page.getByText("Live updates paused while a message")).toBeVisible();
  await page.waitForTimeout(25_000);
  await expect(onScreen.getByText(/Pick at least one observation/)).toBeVisible();
  await expect(onScreen.getByLabel("Rationale")).toHaveValue(rationale);

  // Refresh by hand is still there.
  await expect(page.getByRole("link", { name: "Refresh" })).toBeVisible();
});
