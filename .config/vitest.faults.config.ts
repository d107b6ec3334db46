import { defineConfig } from "vitest/config";

// npm run test:faults: starts its own PostgreSQL (port 55440) and production server; one file at a time.
export default defineConfig({
  root: process.cwd(),
  test: {
    include: ["tests/faults/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
