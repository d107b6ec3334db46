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
