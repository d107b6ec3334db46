import { describe, expect, it } from "vitest";
import { NewPasswordField, passwordProblem } from "../../app/auth/password-policy.server";

describe("passwordProblem (ASVS 6.2)", () => {
  it("refuses the passwords an attack on the running app got through", () => {
    for (const p of ["password123456", "Password1234", "aaaaaaaaaaaa", "noseworthy-demo"]) {
      expect(passwordProblem(p), p).not.toBeNull();
    }
  });

  it("asks for at least 12 characters, counted as code points, and allows 128", () => {
    expect(passwordProblem("kettle-moss7")).toBeNull(); // 12
    expect(passwordProblem("kettle-moss")).toMatch(/at least 12/);
    // Eleven emoji are 22 UTF-16 units but 11 characters: still too short.
    expect(passwordProblem("🦔🐙🦊🐝🦉🐳🦋🐌🦀🐞🦜")).toMatch(/at least 12/);
    expect(passwordProblem("🦔🐙🦊🐝🦉🐳🦋🐌🦀🐞🦜🐢")).toBeNull();
    const long = "river-cobalt-quince-".repeat(7).slice(0, 128);
    expect([...long].length).toBe(128);
    expect(passwordProblem(long)).toBeNull();
    expect(passwordProblem(`${long}x`)).toMatch(/at most 128/);
  });

  it("has no composition rules: lower-case words and spaces are fine", () => {
    expect(passwordProblem("correct horse battery staple")).toBeNull();
    expect(passwordProblem("purple elephants dance")).toBeNull();
  });

  it("refuses the common list without regard to case, and a common password padded with digits or symbols", () => {
    expect(passwordProblem("qwertyuiop12")).not.toBeNull();
    expect(passwordProblem("QWERTYUIOP!!")).toMatch(/common password/);
    expect(passwordProblem("!!!sunshine2026")).toMatch(/common password/);
    expect(passwordProblem("2026-baseball-2026")).toMatch(/common password/);
  });

  it("refuses repeated and consecutive characters", () => {
    expect(passwordProblem("zzzzzzzzzzzzzzzz")).toMatch(/repeated or consecutive/);
    expect(passwordProblem("xyzxyzxyzxyz")).toMatch(/repeated or consecutive/);
    expect(passwordProblem("abcdefghijklm")).toMatch(/repeated or consecutive/);
    expect(passwordProblem("987654321098")).toMatch(/repeated or consecutive/);
  });

  it("refuses the product's name and the person's own name and address", () => {
    expect(passwordProblem("my NOSEWORTHY garden")).toMatch(/name of this application/);
    const person = { email: "grace.hopper@example.org", name: "Grace Hopper" };
    expect(passwordProblem("hopper-likes-cobol", person)).toMatch(/your name or email/);
    expect(passwordProblem("grace.hopper@example.org", person)).toMatch(/your name or email/);
    expect(passwordProblem("2026Grace!!!!!", person)).not.toBeNull();
    // The same password is fine for someone else.
    expect(
      passwordProblem("hopper-likes-cobol", { email: "ada@example.org", name: "Ada" }),
    ).toBeNull();
  });

  it("lets the form field through so the length message comes from one place", () => {
    expect(NewPasswordField.safeParse("short").success).toBe(true);
    expect(NewPasswordField.safeParse("x".repeat(1001)).success).toBe(false);
  });
});
