import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
// The test OpenID provider (tests/e2e/sso.spec.ts starts it on this port before its first sign-in).
const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? 3199);
const OIDC_SECRET = process.env.E2E_OIDC_SECRET ?? "noseworthy-e2e-client-secret";
// The SMTP server tests/e2e/accounts-mfa.spec.ts starts to read the mail the app sends.
const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 3125);

// Debian's Chromium; never `npx playwright install` (no downloads on this network).
export default defineConfig({
  testDir: "../tests/e2e",
  outputDir: "../test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: "list",
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    // A fresh embedded database each run, with the demo organisation (npm run demo seeds it; npm start never does).
    // Single sign-on is configured (its provider is fetched at the first sign-in, not at start).
    command: `rm -rf .tmp/e2e && PGLITE_DIR=.tmp/e2e PORT=${PORT} BACKUP_INTERVAL_HOURS=0 OIDC_ISSUER=http://127.0.0.1:${OIDC_PORT} OIDC_CLIENT_ID=noseworthy-e2e OIDC_CLIENT_SECRET=${OIDC_SECRET} APP_URL=http://localhost:${PORT} SMTP_URL=smtp://127.0.0.1:${SMTP_PORT} MAIL_FROM="Noseworthy <noseworthy@localhost>" npm run demo`,
    cwd: "..",
    url: `http://localhost:${PORT}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
  },
});
