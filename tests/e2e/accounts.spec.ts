import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, login, logout } from "./helpers";

const ROLES: { email: string; sees: string[]; hidden: string[] }[] = [
  { email: "admin@demo.test", sees: ["Users", "Framework", "Audit log"], hidden: ["My week"] },
  { email: "leader@demo.test", sees: ["My week"], hidden: ["Users", "Audit log"] },
  { email: "manager@demo.test", sees: ["My week"], hidden: ["Users", "Audit log"] },
  { email: "manager2@demo.test", sees: ["My week"], hidden: ["Users", "Audit log"] },
  { email: "mentor@demo.test", sees: ["My week"], hidden: ["Users", "Audit log"] },
];

for (const role of ROLES) {
  test(`${role.email} logs in, sees its own navigation, and logs out`, async ({ page }) => {
    await login(page, role.email);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const label of role.sees)
      await expect(nav.getByRole("link", { name: label })).toBeVisible();
    for (const label of role.hidden)
      await expect(nav.getByRole("link", { name: label })).toHaveCount(0);
    await logout(page);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });
}

test("a wrong password shows a clear message and keeps the email", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("manager@demo.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await expect(page.getByLabel("Email")).toHaveValue("manager@demo.test");
});

test("an admin-only account sees no people data", async ({ page }) => {
  await login(page, "admin@demo.test");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
  await expect(page.getByText("Sniff tests due")).toHaveCount(0);
});

test("pages carry security headers and no-store", async ({ request }) => {
  const response = await request.get("/login");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["cache-control"]).toBe("no-store");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("a cross-origin POST is refused with 403 and changes nothing", async ({
  request,
  baseURL,
}) => {
  const form = { email: "leader@demo.test", password: DEMO_PASSWORD };
  const foreign = await request.post("/login", {
    form,
    headers: { Origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(foreign.status()).toBe(403);
  expect(foreign.headers()["set-cookie"]).toBeUndefined();
  const fetchSite = await request.post("/logout?_data=routes%2Flogout", {
    headers: { "Sec-Fetch-Site": "cross-site" },
    maxRedirects: 0,
  });
  expect(fetchSite.status()).toBe(403);
  const same = await request.post("/login", {
    form,
    headers: { Origin: baseURL! },
    maxRedirects: 0,
  });
  expect(same.status()).toBe(302);
});

test("/healthz answers 200 when the database answers", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("ok\n");
});

test("an unknown URL is a real 404", async ({ page }) => {
  await login(page, "leader@demo.test");
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("a signed-in admin's cross-origin POST creates no account", async ({ page }) => {
  await login(page, "admin@demo.test");
  const form = {
    intent: "create",
    name: "Forged Person",
    email: "forged@evil.example",
    roles: "admin",
    password: "forged-password-123",
  };
  const forged = await page.request.post("/admin/users", {
    form,
    headers: { Origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("forged@evil.example")).toHaveCount(0);
});

test("an address carrying a NUL character gets 400, not a server error", async ({ page }) => {
  await login(page, "leader@demo.test");
  for (const path of [
    "/candidates?q=%2Fe%00",
    "/pipeline?team=x%00",
    "/sniff-tests?q=%00",
    "/login?redirectTo=%00",
  ]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(400);
  }
});
