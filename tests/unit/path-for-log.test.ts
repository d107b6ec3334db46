import { describe, expect, it } from "vitest";
import { pathForLog } from "../../app/utils/log.server";

// The request log keeps paths; a path that carries a secret must not put it in the log.
describe("pathForLog", () => {
  it("cuts the token out of one-time account links and calendar feeds", () => {
    const token = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c";
    expect(pathForLog(`/welcome/${token}`)).toBe("/welcome/…");
    expect(pathForLog(`/reset-password/${token}`)).toBe("/reset-password/…");
    expect(pathForLog(`/calendar/${token}.ics`)).toBe("/calendar/….ics");
    for (const path of [`/welcome/${token}`, `/reset-password/${token}`, `/calendar/${token}.ics`])
      expect(pathForLog(path)).not.toContain(token);
  });

  it("leaves every other path as it is", () => {
    for (const path of [
      "/",
      "/candidates/1234",
      "/account/passkeys",
      "/settings/calendar",
      "/login",
    ])
      expect(pathForLog(path)).toBe(path);
  });
});
