import { describe, expect, it } from "vitest";
import {
  formatInZone,
  instantToLocal,
  knownTimeZone,
  localToInstant,
} from "../../app/utils/time-zones";

describe("wall-clock times in a person's time zone", () => {
  it("reads a typed time in the zone: 09:00 in Berlin and New York in December", () => {
    expect(localToInstant("2026-12-10T09:00", "Europe/Berlin").toISOString()).toBe(
      "2026-12-10T08:00:00.000Z",
    );
    expect(localToInstant("2026-12-10T09:00", "America/New_York").toISOString()).toBe(
      "2026-12-10T14:00:00.000Z",
    );
    expect(localToInstant("2026-07-10T09:00", "Europe/Berlin").toISOString()).toBe(
      "2026-07-10T07:00:00.000Z",
    );
    expect(localToInstant("2026-12-10T09:00", "UTC").toISOString()).toBe(
      "2026-12-10T09:00:00.000Z",
    );
  });

  it("a time skipped by the spring jump is read with the offset before it; a repeated one as its first occurrence", () => {
    // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    expect(localToInstant("2026-03-29T02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    expect(localToInstant("2026-10-25T02:30", "Europe/Berlin").toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  it("shows an instant back in the zone, and a zone the runtime does not know is UTC", () => {
    expect(instantToLocal("2026-12-10T14:00:00Z", "America/New_York")).toBe("2026-12-10T09:00");
    expect(instantToLocal(new Date("2026-12-10T08:00:00Z"), "Europe/Berlin")).toBe(
      "2026-12-10T09:00",
    );
    expect(formatInZone("2026-12-10T08:00:00Z", "Europe/Berlin")).toBe(
      "Thu, 10 Dec 2026, 09:00 (Europe/Berlin)",
    );
    expect(knownTimeZone("Mars/Olympus_Mons")).toBe("UTC");
    expect(knownTimeZone("")).toBe("UTC");
    expect(knownTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
  });
});
