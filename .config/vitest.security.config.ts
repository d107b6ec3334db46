import { defineConfig } from "vitest/config";

// npm run test:security: the attacks in tests/security (docs/security.md), on PGlite or on DATABASE_URL.
export default defineConfig({
  root: process.cwd(),
  test: {
    include: ["tests/security/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    setupFiles: ["tests/helpers/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
