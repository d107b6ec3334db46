import { describe, expect, it } from "vitest";
import { parseEnv } from "../../app/env.server";

const pgUrl = "postgres://app@db.example/noseworthy";
const secret = "s".repeat(40);

describe("parseEnv: TRUST_PROXY", () => {
  it("accepts 1, 0 and nothing, and refuses anything else by name", () => {
    const base = { NODE_ENV: "production" as const, DATABASE_URL: pgUrl, SESSION_SECRET: secret };
    expect(parseEnv({ ...base, TRUST_PROXY: "1" }).TRUST_PROXY).toBe("1");
    expect(parseEnv({ ...base, TRUST_PROXY: "0" }).TRUST_PROXY).toBe("0");
    expect(parseEnv({ ...base, TRUST_PROXY: "" }).TRUST_PROXY).toBeUndefined();
    expect(parseEnv(base).TRUST_PROXY).toBeUndefined();
    expect(() => parseEnv({ ...base, TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
  });
});

describe("parseEnv: WEB_CONCURRENCY", () => {
  it("defaults to one process", () => {
    expect(
      parseEnv({ NODE_ENV: "production", DATABASE_URL: pgUrl, SESSION_SECRET: secret })
        .WEB_CONCURRENCY,
    ).toBe(1);
  });
  it("accepts several processes on PostgreSQL", () => {
    expect(
      parseEnv({
        NODE_ENV: "production",
        DATABASE_URL: pgUrl,
        SESSION_SECRET: secret,
        WEB_CONCURRENCY: "2",
      }).WEB_CONCURRENCY,
    ).toBe(2);
  });
  it("refuses several processes on the embedded database, naming the variable", () => {
    expect(() =>
      parseEnv({
        NODE_ENV: "production",
        PGLITE_DIR: "/nonexistent/never-created",
        SESSION_SECRET: secret,
        WEB_CONCURRENCY: "2",
      }),
    ).toThrow(/WEB_CONCURRENCY: more than one process needs DATABASE_URL/);
  });
  it("refuses a value that is not a whole number of processes", () => {
    for (const bad of ["0", "-1", "two", "1.5"]) {
      expect(() =>
        parseEnv({
          NODE_ENV: "production",
          DATABASE_URL: pgUrl,
          SESSION_SECRET: secret,
          WEB_CONCURRENCY: bad,
        }),
      ).toThrow(/WEB_CONCURRENCY/);
    }
  });
});

describe("parseEnv: mail (SMTP_URL, MAIL_FROM)", () => {
  const base = { NODE_ENV: "production" as const, DATABASE_URL: pgUrl, SESSION_SECRET: secret };

  it("takes smtp:// and smtps:// URLs, and none at all (the outbox)", () => {
    expect(parseEnv({ ...base, SMTP_URL: "smtp://user:pass@mail.example.com:587" }).SMTP_URL).toBe(
      "smtp://user:pass@mail.example.com:587",
    );
    expect(parseEnv({ ...base, SMTP_URL: "smtps://mail.example.com" }).SMTP_URL).toBe(
      "smtps://mail.example.com",
    );
    expect(parseEnv(base).SMTP_URL).toBeUndefined();
    expect(parseEnv({ ...base, SMTP_URL: "" }).SMTP_URL).toBeUndefined();
  });

  it("refuses an SMTP_URL that is not an SMTP URL, naming the variable and never echoing the password", () => {
    for (const bad of [
      "http://user:hunter2secret@mail.example.com",
      "mail.example.com:587",
      "smtp://",
      "smtp//user:hunter2secret@host",
    ]) {
      let message = "";
      try {
        parseEnv({ ...base, SMTP_URL: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
      expect(message).not.toContain("hunter2secret");
    }
  });

  it("defaults MAIL_FROM, takes a bare or named address, and refuses anything else by name", () => {
    expect(parseEnv(base).MAIL_FROM).toBe("Noseworthy <noseworthy@localhost>");
    expect(parseEnv({ ...base, MAIL_FROM: "" }).MAIL_FROM).toBe(
      "Noseworthy <noseworthy@localhost>",
    );
    expect(parseEnv({ ...base, MAIL_FROM: "team@example.com" }).MAIL_FROM).toBe("team@example.com");
    expect(parseEnv({ ...base, MAIL_FROM: "Talent Team <team@example.com>" }).MAIL_FROM).toBe(
      "Talent Team <team@example.com>",
    );
    for (const bad of ["nobody", "Team <>", "a@b\r\nBcc: x@evil.example", "<a@b> <c@d>"]) {
      expect(() => parseEnv({ ...base, MAIL_FROM: bad }), bad).toThrow(
        /MAIL_FROM: must be an address/,
      );
    }
  });
});
