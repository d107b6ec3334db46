import { expect, test } from "@playwright/test";
import { startTestProvider, type TestProvider } from "../helpers/oidc-provider";

// Signs in through a real OpenID Provider (oidc-provider, on loopback) in Chromium. The server under
// test must be started with OIDC_ISSUER=http://127.0.0.1:$E2E_OIDC_PORT, OIDC_CLIENT_ID=noseworthy-e2e,
// OIDC_CLIENT_SECRET=$E2E_OIDC_SECRET and APP_URL=its own base URL (the provider starts here, before
// the first sign-in reads its discovery document).
const PORT = Number(process.env.E2E_OIDC_PORT ?? 3199);
const SECRET = process.env.E2E_OIDC_SECRET ?? "noseworthy-e2e-client-secret";

let provider: TestProvider;

test.beforeAll(async ({ baseURL }) => {
  provider = await startTestProvider({
    clientId: "noseworthy-e2e",
    clientSecret: SECRET,
    redirectUri: `${baseURL}/auth/oidc/callback`,
    port: PORT,
  });
  provider.accounts.set("lena", { email: "leader@demo.test", email_verified: true });
});
test.afterAll(async () => {
  await provider?.close();
});

test("signs in through the organisation's identity provider", async ({ page }) => {
  await page.goto("/login?redirectTo=/pipeline");
  await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${PORT}/interaction/`));
  await page.locator('input[name="login"]').fill("lena");
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await expect(page).toHaveURL(/\/pipeline$/);
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
});
