import { describe, expect, it } from "vitest";
import { formatDate } from "../../app/utils/dates";

describe("formatDate", () => {
  it("writes a day the British way, in UTC, the same the first time and every time after", () => {
    for (let i = 0; i < 3; i++) {
      expect(formatDate("2026-09-06")).toBe("6 Sept 2026");
      expect(formatDate("2026-11-21T23:30:00.000Z")).toBe("21 Nov 2026");
      expect(formatDate(new Date("2026-01-01T00:00:00Z"))).toBe("1 Jan 2026");
      // A timestamp shows its UTC day, offsets included.
      expect(formatDate("2026-11-21T01:30:00+02:00")).toBe("20 Nov 2026");
    }
  });
  it("answers an empty string for nothing and for what is not a date", () => {
    expect(formatDate(null)).toBe("");
    expect(formatDate(undefined)).toBe("");
    expect(formatDate("")).toBe("");
    expect(formatDate("not a date")).toBe("");
    expect(formatDate(new Date("invalid"))).toBe("");
  });
  it("keeps giving right answers past the size of its memory", () => {
    const start = Date.UTC(2000, 0, 1);
    for (let i = 0; i < 12_000; i++)
      formatDate(new Date(start + i * 86_400_000).toISOString().slice(0, 10));
    expect(formatDate("2000-01-01")).toBe("1 Jan 2000");
    expect(formatDate("2032-11-08")).toBe("8 Nov 2032");
  });
});
