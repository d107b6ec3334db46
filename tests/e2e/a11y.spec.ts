import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { login } from "./helpers";

// Accessibility (docs/quality.md): every page each demo user can reach passes axe's WCAG 2.1 A/AA
// rules. Rather than a hand-kept list of URLs (which rots as features land), each user's navigation is
// crawled: one page of every route shape (ids replaced by ":id") is visited and checked, so a new page
// is covered as soon as something links to it.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// Downloads and actions, not pages.
const SKIP = [/\.csv$/, /\/export$/, /^\/logout$/, /^\/healthz$/];
const MAX_PAGES = 80;
// Profiles differ most (flags, plans, assignments only on some), so several are visited.
const PER_SHAPE: Record<string, number> = { "/candidates/:id": 6 };

interface Finding {
  url: string;
  rule: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

async function check(page: Page, url: string, findings: Finding[]) {
  // Open every disclosure (confirm steps, amend forms) so their contents are checked too.
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  // A frame with sandbox="" runs no script, so axe cannot enter it and waits until the test times
  // out: the outbox shows a message's HTML in one, sandboxed on purpose. The page around it is checked.
  const results = await new AxeBuilder({ page })
    .withTags(TAGS)
    .exclude("iframe[sandbox]")
    .analyze();
  for (const v of results.violations) {
    findings.push({
      url,
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    });
  }
}

function shapeOf(path: string, search: string): string {
  const keys = [...new URLSearchParams(search).keys()].sort().join("&");
  return path.replace(UUID, ":id") + (keys ? `?${keys}` : "");
}

async function linksOn(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator("a[href]")
    .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const origin = new URL(page.url()).origin;
  return hrefs
    .filter((h) => h.startsWith(origin))
    .map((h) => {
      const u = new URL(h);
      return u.pathname + u.search;
    });
}

async function crawl(page: Page, start: string[], findings: Finding[]): Promise<string[]> {
  const seen = new Map<string, number>();
  const queue = [...start];
  const visited: string[] = [];
  while (queue.length && visited.length < MAX_PAGES) {
    const target = queue.shift()!;
    const u = new URL(target, "http://x");
    if (SKIP.some((re) => re.test(u.pathname))) continue;
    const shape = shapeOf(u.pathname, u.search);
    if ((seen.get(shape) ?? 0) >= (PER_SHAPE[shape] ?? 1) || visited.includes(target)) continue;
    seen.set(shape, (seen.get(shape) ?? 0) + 1);
    const response = await page.goto(target);
    expect(response?.status(), `${target} answers`).toBeLessThan(500);
    visited.push(target);
    await check(page, target, findings);
    queue.push(...(await linksOn(page)));
  }
  return visited;
}

function report(findings: Finding[]): string {
  return findings
    .map((f) => `${f.url}: [${f.impact}] ${f.rule} — ${f.help}\n    ${f.targets.join("\n    ")}`)
    .join("\n");
}

test.describe("axe: WCAG 2.1 AA", () => {
  test("pages without a session: login and 404", async ({ page }) => {
    const findings: Finding[] = [];
    await page.goto("/login");
    await check(page, "/login", findings);
    await page.getByRole("button", { name: "Log in" }).click(); // empty submit: error state
    await check(page, "/login (errors)", findings);
    const missing = await page.goto("/no-such-page");
    expect(missing?.status()).toBe(404);
    await check(page, "/no-such-page", findings);
    expect(findings, report(findings)).toEqual([]);
  });

  test("forms showing their errors", async ({ page }) => {
    const findings: Finding[] = [];
    await login(page, "manager@demo.test");
    await page.goto("/candidates/new");
    await page.getByRole("button", { name: "Nominate" }).click();
    await expect(
      page.getByRole("alert").or(page.locator("[aria-invalid=true]")).first(),
    ).toBeVisible();
    await check(page, "/candidates/new (errors)", findings);
    await page.goto("/candidates");
    const hrefs = await page
      .locator("main a[href]")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    const profile = hrefs.find((h) => /^\/candidates\/[0-9a-f-]{36}$/.test(h))!;
    await page.goto(profile);
    await page
      .getByRole("region", { name: "Quick capture" })
      .getByRole("button", { name: "Save observation" })
      .click();
    await expect(page.locator("[aria-invalid=true]").first()).toBeVisible();
    await check(page, `${profile}/observations/new (errors)`, findings);
    expect(findings, report(findings)).toEqual([]);
  });

  const users: Array<{ email: string; expect: RegExp[] }> = [
    {
      email: "admin@demo.test",
      expect: [
        /^\/admin\/users$/,
        /^\/admin\/users\/:id$/,
        /^\/admin\/framework$/,
        /^\/admin\/audit$/,
        /^\/admin\/candidates$/,
      ],
    },
    {
      email: "leader@demo.test",
      expect: [
        /^\/$/,
        /^\/pipeline$/,
        /^\/pipeline\/coverage/,
        /^\/calibrations\/:id$/,
        /^\/calibrations\/:id\/items\/:id$/,
        /^\/calibrations\/:id\/summary$/,
        /^\/candidates\/:id$/,
        /^\/coaching\/:id$/,
      ],
    },
    {
      email: "manager@demo.test",
      expect: [
        /^\/candidates\/:id$/,
        /^\/candidates\/:id\/observations\/:id$/,
        /^\/candidates\/:id\/flags\/:id$/,
        /^\/candidates\/:id\/assignments\/:id$/,
        /^\/sniff-tests\/:id$/,
        /^\/candidates\/new$/,
      ],
    },
    { email: "manager2@demo.test", expect: [/^\/candidates\/:id$/, /^\/coaching$/] },
    { email: "mentor@demo.test", expect: [/^\/coaching\/:id$/, /^\/calibrations$/] },
  ];

  for (const user of users) {
    test(`every page ${user.email} can reach`, async ({ page }) => {
      test.setTimeout(180_000);
      const findings: Finding[] = [];
      await login(page, user.email);
      const nav = await page
        .getByRole("navigation", { name: "Main" })
        .locator("a[href]")
        .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      const visited = await crawl(page, nav, findings);
      const shapes = visited.map((v) => {
        const u = new URL(v, "http://x");
        return shapeOf(u.pathname, u.search);
      });
      for (const re of user.expect) {
        expect(
          shapes.some((s) => re.test(s)),
          `${user.email} reached ${re} (visited ${shapes.join(", ")})`,
        ).toBe(true);
      }
      expect(findings, report(findings)).toEqual([]);
    });
  }
});
