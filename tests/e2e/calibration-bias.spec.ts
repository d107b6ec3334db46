import { expect, test, type Page } from "@playwright/test";
import { login } from "./helpers";

// Issue 22's mechanisms as the seeded demo shows them (docs/calibration.md, docs/writing-check.md).
// Demo data (db/seed/demo.ts): the closed "Leadership calibration" meeting (Lena Whitcombe
// facilitating, Marcus Osei and Priya Raman attending, timebox 20 minutes) discussed Daniel Kowalski
// (24 minutes, revisited at the end, decision stayed ready now), Ravi Chandran, Sophie Adeyemi (12
// minutes, ready now for the "Engineering manager" role) and Hannah Brooks. The planned meeting has
// Owen Fairbairn first, with Priya's pre-read already in.

const PRIYA_ON_OWEN = "Curiosity is clearly there and it has already changed how the team works.";

/** Every person's name in the demo: users and candidates. */
const DEMO_NAMES = [
  "Ada Admin",
  "Lena Whitcombe",
  "Marcus Osei",
  "Priya Raman",
  "Tom Hargreaves",
  "Sophie Adeyemi",
  "Daniel Kowalski",
  "Hannah Brooks",
  "Ravi Chandran",
  "Grace Mensah",
  "Owen Fairbairn",
  "Chloe Whitfield",
  "Tomasz Nowak",
  "Amara Okafor",
  "Jack Thornton",
  "Megan Doyle",
  "Ellis Parry",
];

/** The seeded meeting in a list section ("Past" or "Upcoming and in progress") whose agenda has `name`. */
async function seededMeeting(page: Page, list: RegExp, name: string): Promise<string> {
  await page.goto("/calibrations");
  const hrefs = await page
    .getByRole("region", { name: list })
    .getByRole("link", { name: /^Leadership calibration, / })
    .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  for (const href of hrefs) {
    await page.goto(href);
    const agenda = page.getByRole("region", { name: "Agenda" });
    if (await agenda.getByRole("link", { name, exact: true }).count()) return href;
  }
  throw new Error(`no seeded meeting with ${name} on its agenda`);
}

test("the closed meeting's summary: two rounds side by side, time beside the timebox, the revisit", async ({
  page,
}) => {
  await login(page, "leader@demo.test");
  const meeting = await seededMeeting(page, /^Past/, "Daniel Kowalski");
  await page.goto(`${meeting}/summary`);
  await expect(
    page.getByRole("heading", { level: 1, name: /^Summary: Leadership calibration, / }),
  ).toBeVisible();

  const item = (heading: string) =>
    page
      .getByRole("listitem")
      .filter({ has: page.getByRole("heading", { level: 2, name: heading, exact: true }) });

  // Daniel: first on the agenda, discussed longer than the timebox, revisited, decision stayed.
  const daniel = item("1. Daniel Kowalski");
  await expect(daniel).toContainText("Position 1 on the agenda");
  await expect(daniel).toContainText("Discussed: 24 minutes · timebox 20 minutes (over)");
  await expect(daniel).toContainText(
    "Revisited at the end of the meeting: the decision stayed Ready now.",
  );
  const rounds = daniel.getByRole("table", {
    name: /pre-read and final leaning on Daniel Kowalski/,
  });
  await expect(
    rounds.getByRole("columnheader", { name: "Pre-read (before discussion)" }),
  ).toBeVisible();
  await expect(
    rounds.getByRole("columnheader", { name: "Final leaning (after discussion)" }),
  ).toBeVisible();
  const marcus = rounds.getByRole("row", { name: /Marcus Osei/ });
  const [marcusPreread, marcusFinal] = [
    marcus.getByRole("cell").nth(0),
    marcus.getByRole("cell").nth(1),
  ];
  await expect(marcusPreread).toContainText("Ready with development");
  await expect(marcusPreread).toContainText("The planning episode was only a few months ago");
  await expect(marcusFinal).toContainText("Ready with development");
  await expect(marcusFinal).toContainText("Still one planning cycle short for me");
  const priya = rounds.getByRole("row", { name: /Priya Raman/ });
  await expect(priya.getByRole("cell").nth(0)).toContainText("Ready now");
  await expect(priya.getByRole("cell").nth(0)).toContainText(
    "The feature evaluation and the service-mesh discussion",
  );
  await expect(priya.getByRole("cell").nth(1)).toContainText("Ready now");

  // Ravi: Marcus wrote no pre-read, so the item was revealed early; his final leaning is there.
  const ravi = item("2. Ravi Chandran");
  await expect(ravi).toContainText("Discussed: 31 minutes · timebox 20 minutes (over)");
  await expect(ravi).toContainText("Revealed early: Lena Whitcombe opened this candidate");
  const raviMarcus = ravi.getByRole("row", { name: /Marcus Osei/ });
  await expect(raviMarcus.getByRole("cell").nth(0)).toHaveText("None written");
  await expect(raviMarcus.getByRole("cell").nth(1)).toContainText("Not yet");

  // Sophie: inside the timebox, not revisited.
  const sophie = item("3. Sophie Adeyemi");
  await expect(sophie).toContainText("Discussed: 12 minutes · timebox 20 minutes");
  await expect(sophie).not.toContainText("(over)");
  await expect(sophie).not.toContainText("Revisited at the end of the meeting");
});

test.describe("the writing check on an observation", () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`a personality word and no impact: notes, then Save anyway saves it (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({
      browser,
    }) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      try {
        await login(page, "manager@demo.test");
        await page.goto("/candidates");
        await page.getByRole("link", { name: "Tomasz Nowak", exact: true }).first().click();
        await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
        const profile = new URL(page.url()).pathname;
        await page.goto(`${profile}/observations/new`);

        const behaviour = `Was abrasive with the reviewers in the API review (${javaScriptEnabled ? "js" : "no-js"} ${Date.now()}).`;
        await page.getByLabel("Behaviour", { exact: true }).fill(behaviour);
        await page.getByRole("checkbox", { name: "People skills" }).check();
        await page.getByRole("radio", { name: "Concern" }).check();
        await page.getByRole("button", { name: "Save observation" }).click();

        // Nothing saved yet: the notes, with the phrase and the missing impact, and the text kept.
        const notes = page.getByRole("region", {
          name: "Before you save: a check of your wording",
        });
        await expect(notes).toBeVisible();
        await expect(notes).toContainText("Nothing has been saved yet.");
        await expect(notes).toContainText(
          "“abrasive” describes the person rather than what they did.",
        );
        await expect(notes).toContainText("Describe what they did and what it led to:");
        await expect(notes).toContainText("no impact yet");
        await expect(page.getByLabel("Behaviour", { exact: true })).toHaveValue(behaviour);
        await expect(page).toHaveURL(new RegExp(`${profile}/observations/new$`));

        // Save anyway saves exactly what was sent.
        await notes.getByRole("button", { name: "Save anyway" }).click();
        await expect(page).toHaveURL(new RegExp(`${profile}$`));
        await expect(page.getByRole("status")).toContainText("Observation saved.");
        await expect(page.getByText(behaviour)).toBeVisible();
      } finally {
        await context.close();
      }
    });
  }
});

test("a role's page lists who was judged ready for it, with the decision", async ({ page }) => {
  await login(page, "leader@demo.test");
  await page.goto("/roles");
  await page.getByRole("link", { name: "Engineering manager", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Engineering manager" })).toBeVisible();
  const ready = page.getByRole("region", { name: "Judged ready for it" });
  await expect(
    ready.getByRole("heading", { level: 3, name: "Sophie Adeyemi — Ready now" }),
  ).toBeVisible();
  await expect(ready).toContainText("Decided by Lena Whitcombe");
  await expect(ready).toContainText(
    "Three independent observers over nine months describe her coordinating across teams",
  );
  await expect(ready).toContainText(
    "Consider her for the Engineering Manager role when Payments splits into two teams.",
  );
  await expect(ready.getByRole("link", { name: /^Leadership calibration, / })).toHaveAttribute(
    "href",
    /\/calibrations\/[0-9a-f-]{36}\/summary$/,
  );
  // Never ranked, never counted: Daniel's decision names no role, so he is not here.
  await expect(ready).not.toContainText("Daniel Kowalski");
});

test("the process report renders for a leader and names no one", async ({ page }) => {
  await login(page, "leader@demo.test");
  const response = await page.goto("/reports/process");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Process report" })).toBeVisible();
  await expect(page.getByRole("region", { name: "By quarter" })).toBeVisible();
  const byMeeting = page.getByRole("region", { name: "By meeting" });
  await expect(
    byMeeting.getByRole("link", { name: /^Leadership calibration, / }).first(),
  ).toBeVisible();
  await expect(byMeeting).toContainText("Discussion time by agenda position");
  const main = (await page.locator("main").innerText()).toLowerCase();
  for (const name of DEMO_NAMES) {
    expect(main, `the report shows ${name}`).not.toContain(name.toLowerCase());
    expect(main, `the report shows ${name}'s first name`).not.toContain(
      ` ${name.split(" ")[0].toLowerCase()} `,
    );
  }
});

test("in the planned meeting another attendee's pre-read stays sealed", async ({ page }) => {
  // Priya, its author, sees her own pre-read on Owen's packet.
  await login(page, "manager2@demo.test");
  const meeting = await seededMeeting(page, /^Upcoming and in progress/, "Owen Fairbairn");
  await page
    .getByRole("region", { name: "Agenda" })
    .getByRole("link", { name: "Owen Fairbairn", exact: true })
    .click();
  await expect(
    page.getByRole("heading", { level: 1, name: "Packet: Owen Fairbairn" }),
  ).toBeVisible();
  const packet = new URL(page.url()).pathname;
  await expect(page.getByRole("region", { name: "Pre-reads" }).getByLabel("Your view")).toHaveValue(
    new RegExp(`^${PRIYA_ON_OWEN.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
  );
  await page.getByRole("button", { name: "Log out" }).click();

  // Marcus, another attendee, sees that it is sealed and not what it says.
  await login(page, "manager@demo.test");
  await page.goto(packet);
  const prereads = page.getByRole("region", { name: "Pre-reads" });
  await expect(prereads).toContainText("Sealed: each pre-read stays with its author");
  await expect(prereads).toContainText(/\d of 3 recorded so far/);
  await expect(page.getByText(PRIYA_ON_OWEN)).toHaveCount(0);
  expect(await page.content()).not.toContain(PRIYA_ON_OWEN);
  await page.goto(meeting);
  await expect(page.getByRole("region", { name: "Agenda" })).toBeVisible();
  expect(await page.content()).not.toContain(PRIYA_ON_OWEN);
});
