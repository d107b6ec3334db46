import { describe, expect, it } from "vitest";
import { listeningUrl } from "../../app/startup.server";

describe("the address printed at start", () => {
  it("names the host the server listens on", () => {
    expect(listeningUrl("127.0.0.1", 3000)).toBe("http://127.0.0.1:3000");
    expect(listeningUrl("noseworthy.internal", 8080)).toBe("http://noseworthy.internal:8080");
    expect(listeningUrl("::1", 3000)).toBe("http://[::1]:3000");
  });

  it("says localhost when the server listens on every interface", () => {
    expect(listeningUrl("0.0.0.0", 3000)).toBe("http://localhost:3000");
    expect(listeningUrl("::", 3000)).toBe("http://localhost:3000");
  });
});
