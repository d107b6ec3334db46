import { describe, expect, it } from "vitest";
import { computeNudges, NUDGE_GRACE_DAYS } from "../../app/models/evidence.server";
import { addDays } from "../../app/utils/dates";

const today = "2026-12-01";
const keys = (observers: number, last: string | null, nominatedOn: string | null) =>
  computeNudges({
    coverage: [],
    totals: { observers, last_observed_on: last, nominated_on: nominatedOn },
    openFlags: [],
    today,
  });

describe("nudges and the grace period after a nomination", () => {
  it("raises neither 'single observer' nor 'no recent evidence' for someone nominated today", () => {
    expect(keys(0, null, today)).toEqual([]);
    expect(keys(1, null, addDays(today, -(NUDGE_GRACE_DAYS - 1)))).toEqual([]);
  });

  it("raises both once the grace period is over, saying what is true", () => {
    const nudges = keys(0, null, addDays(today, -40));
    expect(nudges.map((n) => n.key)).toEqual(["single_observer", "no_recent_evidence"]);
    expect(nudges[0]!.title).toBe("No observer yet");
    expect(nudges[0]!.detail).toContain("since the nomination on 22 Oct 2026");
    expect(nudges[1]!.title).toBe("No observations yet");
  });

  it("names one observer, and the date of stale evidence, after the grace period", () => {
    const nudges = keys(1, "2026-06-01", "2026-01-01");
    expect(nudges.map((n) => n.title)).toEqual(["Single observer", "No evidence in 90 days"]);
    expect(nudges[1]!.detail).toContain("1 Jun 2026");
  });

  it("applies no grace without a nomination day", () => {
    expect(keys(0, null, null).map((n) => n.key)).toEqual([
      "single_observer",
      "no_recent_evidence",
    ]);
  });
});
