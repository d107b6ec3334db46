import { afterEach, beforeEach, vi } from "vitest";

// An unexpected console.error fails the test: errors must be expected, asserted and handled.
let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (errors.length)
    throw new Error(
      `Unexpected console.error: ${errors.map((e) => e.map(String).join(" ")).join("\n")}`,
    );
});

export function expectConsoleErrors(): unknown[][] {
  const seen = errors;
  errors = [];
  return seen;
}
