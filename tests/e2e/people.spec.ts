import { expect, test } from "@playwright/test";
import { login, logout } from "./helpers";

// The organisation's people: an admin imports the HR system's file (preview, apply, import again
// changes nothing); a leader finds someone who stood out in a group sniff test and nominates them with
// the test as evidence; their manager hears of it on My week.

test("an admin imports people from CSV: preview, apply, and the same file again changes nothing", async ({
  page,
}) => {
  const stamp = Date.now();
  // The report comes before their manager in the file; the manager reports to Priya (an account).
  const csv = [
    "email,name,title,team,manager_email",
    `juno.${stamp}@demo.test,Juno Junior ${stamp},Software Engineer,Platform,noor.${stamp}@demo.test`,
    `noor.${stamp}@demo.test,Noor Newcomer ${stamp},Staff Engineer,Platform,manager2@demo.test`,
  ].join("\n");
  const file = { name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) };

  await login(page, "admin@demo.test");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "People" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await page.getByRole("link", { name: "Import from CSV" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: "Import people from CSV" }),
  ).toBeVisible();

  await page.getByLabel(/CSV file/).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import preview" })).toBeVisible();
  const counts = page.getByRole("region", { name: "What applying it will do" });
  await expect(counts).toContainText("2 to create");
  await expect(counts).toContainText("0 to change");
  // Nobody missing from the file is marked as left unless the box is ticked.
  await expect(page.getByRole("checkbox")).not.toBeChecked();
  await expect(page.getByRole("region", { name: "To create" })).toContainText(
    `Juno Junior ${stamp}`,
  );

  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status")).toContainText("Import applied");
  await expect(page.getByRole("heading", { level: 1, name: "Import applied" })).toBeVisible();

  await page.goto(`/people?q=juno.${stamp}`);
  const row = page.getByRole("row").filter({ hasText: `Juno Junior ${stamp}` });
  await expect(row).toContainText(`Noor Newcomer ${stamp}`);

  // The same file again: nothing to create or change.
  await page.goto("/admin/people/import");
  await page.getByLabel(/CSV file/).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import preview" })).toBeVisible();
  await expect(counts).toContainText("0 to create");
  await expect(counts).toContainText("0 to change");
  await expect(counts).toContainText("2 unchanged");

  // A file that is not a CSV of people: a clear message on the form, nothing stored.
  await page.goto("/admin/people/import");
  await page.getByLabel(/CSV file/).setInputFiles({
    name: "people.csv",
    mimeType: "text/csv",
    buffer: Buffer.from([0xff, 0xfe, 0x41, 0x00]),
  });
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.getByText(/not UTF-8/)).toBeVisible();
});

test("a leader nominates someone who stood out in a group sniff test; their manager sees it on My week", async ({
  page,
}) => {
  await login(page, "leader@demo.test");
  await page.goto("/sniff-tests");
  await page.getByRole("link", { name: "Run an open-source language model yourself" }).click();
  await page.getByRole("link", { name: /Offered to 10 in Platform/ }).click();
  await expect(page.getByRole("heading", { name: "How the group responded" })).toBeVisible();
  await expect(
    page.getByText(/3 completed, 1 not completed, 1 declined, 5 still open/),
  ).toBeVisible();

  await page.getByRole("link", { name: "Nominate Elena Petrova" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: "Nominate Elena Petrova" }),
  ).toBeVisible();
  // The debrief starts from the note written when the test closed; the manager from the directory.
  await expect(page.getByLabel("Behaviour")).toHaveValue(/wrote a clear page on the settings/);
  await expect(page.getByLabel("Their manager in Noseworthy")).toHaveValue(/.+/);
  await page.getByLabel("Track").selectOption({ label: "Technical leadership" });
  await page
    .getByLabel("What you spotted")
    .fill("Turned a memory limit into a page others could use, and offered to pair.");
  await page.getByRole("radio", { name: "Strength" }).check();
  await page.getByRole("button", { name: "Nominate" }).click();

  await expect(page).toHaveURL(/\/candidates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("status")).toContainText("Candidate nominated.");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Elena Petrova");
  // The sniff test and its debrief came with her into the record.
  await expect(
    page.getByText("Sniff test completed: Run an open-source language model yourself"),
  ).toBeVisible();
  await expect(page.getByText(/wrote a clear page on the settings/).first()).toBeVisible();
  await logout(page);

  await login(page, "manager2@demo.test");
  const nominations = page.getByRole("region", { name: /New nominations of your people/ });
  await expect(nominations).toContainText("Elena Petrova");
  await expect(nominations).toContainText("nominated by Lena Whitcombe");
});
