/**
 * Accounts in a real browser (issue 21): TOTP set up and a login with a code (codes computed with
 * otpauth); a recovery code used once and refused the second time; a passkey registered through
 * Chromium's virtual authenticator (the DevTools WebAuthn domain) and a passwordless sign-in with it;
 * the forgot-password journey, reading the mail from an SMTP server this spec starts (the web server
 * sends to it: SMTP_URL in .config/playwright.config.ts).
 *
 * Each test makes its own account (an admin creates it with a temporary password, which the person
 * changes at first login), so the demo accounts the other specs log in as keep their password and get
 * no second factor.
 */
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { simpleParser, type ParsedMail } from "mailparser";
import * as OTPAuth from "otpauth";
import { SMTPServer } from "smtp-server";
import { DEMO_PASSWORD, login, logout } from "./helpers";

export const E2E_SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 3125);

let smtp: SMTPServer;
const mail: ParsedMail[] = [];

test.beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        void simpleParser(Buffer.concat(chunks)).then((parsed) => {
          mail.push(parsed);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(E2E_SMTP_PORT, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

let serial = 0;

/** A fresh mentor account, signed in, with a password of its own (returned). */
async function freshAccount(
  page: Page,
  label: string,
): Promise<{ email: string; password: string }> {
  serial += 1;
  const stamp = `${Date.now().toString(36)}${serial}`;
  const email = `${label}.${stamp}@e2e.test`;
  // Nothing of the name or address in a password: the rules refuse it (app/auth/password-policy.server.ts).
  const temporary = `Kettle ${randomUUID().slice(0, 8)} Orchard`;
  const password = `Lantern ${randomUUID().slice(0, 8)} Harbour`;

  await login(page, "admin@demo.test");
  await page.goto("/admin/users");
  await page.getByLabel("Name", { exact: true }).fill(`E2E ${label} ${stamp}`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("checkbox", { name: /^mentor/i }).check();
  await page.getByRole("radio", { name: /temporary password/i }).check();
  await page.getByLabel(/^Temporary password/).fill(temporary);
  await page.getByLabel("Your current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(
    page
      .getByRole("status")
      .or(page.getByText(/created/i))
      .first(),
  ).toBeVisible();
  await logout(page);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(temporary);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Choose your own password" })).toBeVisible();
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("Type it again").fill(password);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toBeVisible();
  return { email, password };
}

async function passwordLogin(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

function totpFor(key: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, "").toUpperCase()),
    digits: 6,
    period: 30,
    algorithm: "SHA1",
  });
}

test("TOTP: set up with the key the page shows, then log in with a code; a recovery code works once", async ({
  page,
}) => {
  const { email, password } = await freshAccount(page, "totp");
  await page.goto("/account/two-factor");
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  const key = (await page.getByTestId("totp-key").textContent()) ?? "";
  expect(key.replace(/\s+/g, "")).toMatch(/^[A-Z2-7]{16,}$/);
  const totp = totpFor(key);
  await page.getByLabel("Code from the app").fill(totp.generate());
  await page.getByRole("button", { name: "Turn on" }).click();

  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const codes = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map(
    (c) => c.trim(),
  );
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  await expect(page.getByRole("link", { name: "Download as text" })).toBeVisible();
  await logout(page);

  // The password alone no longer lets the person in: the second factor is due.
  await passwordLogin(page, email, password);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\/second-factor/);
  // Each 30-second step is accepted once: the set-up used this step's code, so log in with the next
  // step's (one step either side is accepted).
  const nextStep = (Math.floor(Date.now() / 30_000) + 1) * 30_000;
  await page
    .getByLabel("Code from your authenticator app")
    .fill(totp.generate({ timestamp: nextStep }));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toBeVisible();
  await logout(page);

  // A recovery code, once.
  await passwordLogin(page, email, password);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.getByText("Lost your phone or passkey? Use a recovery code").click();
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByRole("button", { name: "Use this recovery code" }).click();
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toBeVisible();
  await logout(page);

  await passwordLogin(page, email, password);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.getByText("Lost your phone or passkey? Use a recovery code").click();
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByRole("button", { name: "Use this recovery code" }).click();
  await expect(page.getByRole("alert").first()).toBeVisible();
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toHaveCount(0);
});

test("a passkey made with Chromium's virtual authenticator signs the person in without a password", async ({
  page,
}) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await freshAccount(page, "passkey");
  await page.goto("/account/passkeys");
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await page.getByLabel("Name this passkey (optional)").fill("E2E laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByText("E2E laptop", { exact: true })).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  await logout(page);

  await page.goto("/login");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toBeVisible();
  await page.goto("/account/passkeys");
  await expect(page.getByText(/Last used (?!never)/)).toBeVisible();
});

test("forgot password: the mail's one-time link sets a new password; the old one and the used link stop working", async ({
  page,
}) => {
  const { email, password } = await freshAccount(page, "forgot");
  await logout(page);

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(
    page
      .getByRole("status")
      .or(page.getByText(/if .* account/i))
      .first(),
  ).toBeVisible();

  let message: ParsedMail | undefined;
  await expect
    .poll(
      () => {
        message = mail.find(
          (m) =>
            m.subject === "Reset your Noseworthy password" &&
            JSON.stringify(m.to ?? "").includes(email),
        );
        return Boolean(message);
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  const link = message!.text?.match(/https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+/)?.[0];
  expect(link).toBeTruthy();
  const path = new URL(link!).pathname;

  const chosen = `Meadow ${randomUUID().slice(0, 8)} Lighthouse`;
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("New password").fill(chosen);
  await page.getByLabel("Type it again").fill(chosen);
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page).not.toHaveURL(/\/reset-password\//);

  // The link works once.
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "This link no longer works" })).toBeVisible();

  await passwordLogin(page, email, password);
  await expect(page.getByRole("alert")).toContainText("do not match");
  await passwordLogin(page, email, chosen);
  await expect(page.getByRole("button", { name: "Log out", exact: true })).toBeVisible();
});
