import { describe, expect, it } from "vitest";
import { ASSIGNMENT_STATUSES, FLAG_STATUSES, PLAN_STATUSES } from "../../db/schema";
import {
  assignmentIsOpen,
  assignmentTransitions,
  canMoveAssignment,
  canMoveFlag,
  canMovePlan,
  NEEDS_DEBRIEF,
  planIsOpen,
  type SettableFlagStatus,
} from "../../app/utils/lifecycle";

// Every pair of statuses, so a rule that gains or loses a move fails here.
function moves<S extends string>(
  statuses: readonly S[],
  targets: readonly S[],
  can: (from: S, to: S) => boolean,
): string[] {
  return statuses.flatMap((from) =>
    targets.filter((to) => can(from, to)).map((to) => `${from}→${to}`),
  );
}

describe("lifecycle rules", () => {
  it("a plan moves between active and paused, and closes for good when completed or abandoned", () => {
    expect(moves(PLAN_STATUSES, PLAN_STATUSES, canMovePlan)).toEqual([
      "active→paused",
      "active→completed",
      "active→abandoned",
      "paused→active",
      "paused→completed",
      "paused→abandoned",
    ]);
    expect(PLAN_STATUSES.filter(planIsOpen)).toEqual(["active", "paused"]);
  });

  it("a flag is resolved or dismissed while open or addressed, and only a closed one reopens", () => {
    const settable: SettableFlagStatus[] = ["open", "resolved", "dismissed"];
    expect(
      moves(FLAG_STATUSES, settable as (typeof FLAG_STATUSES)[number][], (from, to) =>
        canMoveFlag(from, to as SettableFlagStatus),
      ),
    ).toEqual([
      "open→resolved",
      "open→dismissed",
      "addressing→resolved",
      "addressing→dismissed",
      "resolved→open",
      "dismissed→open",
    ]);
  });

  it("a sniff test is accepted or declined, then completed or not, withdrawn while open, and closing it needs a debrief", () => {
    expect(
      moves(ASSIGNMENT_STATUSES, ASSIGNMENT_STATUSES, (from, to) =>
        canMoveAssignment(from, to, true),
      ),
    ).toEqual([
      "offered→accepted",
      "offered→declined",
      "offered→withdrawn",
      "accepted→completed",
      "accepted→not_completed",
      "accepted→withdrawn",
    ]);
    expect(ASSIGNMENT_STATUSES.filter(assignmentIsOpen)).toEqual(["offered", "accepted"]);
    expect(NEEDS_DEBRIEF).toEqual(["completed", "not_completed"]);
  });

  it("a sniff test that needs no acceptance goes from offered to completed or not completed in one step", () => {
    expect(
      moves(ASSIGNMENT_STATUSES, ASSIGNMENT_STATUSES, (from, to) =>
        canMoveAssignment(from, to, false),
      ),
    ).toEqual([
      "offered→completed",
      "offered→not_completed",
      "offered→withdrawn",
      // One accepted before the template stopped needing acceptance still closes as before.
      "accepted→completed",
      "accepted→not_completed",
      "accepted→withdrawn",
    ]);
    expect(assignmentTransitions("offered", false)).toEqual([
      "completed",
      "not_completed",
      "withdrawn",
    ]);
    expect(assignmentTransitions("offered", true)).toEqual(["accepted", "declined", "withdrawn"]);
  });
});
