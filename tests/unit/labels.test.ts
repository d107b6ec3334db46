import { describe, expect, it } from "vitest";
import { ASSIGNMENT_STATUSES, FLAG_STATUSES, PLAN_STATUSES, STAGES } from "../../db/schema";
import { transitionRefusal } from "../../app/models/assignment.server";
import {
  ASSIGNMENT_STATUS_LABELS,
  ASSIGNMENT_STATUS_WORDS,
  FLAG_STATUS_LABELS,
  MEETING_STATUS_LABELS,
  PLAN_STATUS_LABELS,
  STAGE_LABELS,
  STATUS_LABELS,
} from "../../app/utils/labels";

// The pages render these words; the server's messages use the same ones.
describe("status labels", () => {
  it("names every plan, flag and sniff-test status with the words the pages show", () => {
    expect(PLAN_STATUS_LABELS).toEqual({
      active: "Active",
      paused: "Paused",
      completed: "Completed",
      abandoned: "Abandoned",
    });
    expect(FLAG_STATUS_LABELS).toEqual({
      open: "Open",
      addressing: "Being addressed",
      resolved: "Resolved",
      dismissed: "Dismissed",
    });
    expect(ASSIGNMENT_STATUS_LABELS).toEqual({
      offered: "Offered",
      accepted: "Accepted",
      declined: "Declined",
      completed: "Completed",
      not_completed: "Not completed",
      withdrawn: "Withdrawn",
    });
    expect(ASSIGNMENT_STATUS_WORDS).toEqual({
      offered: "offered",
      accepted: "accepted",
      declined: "declined",
      completed: "completed",
      not_completed: "not completed",
      withdrawn: "withdrawn",
    });
  });

  it("names meeting statuses, and each stage by its capitalised name", () => {
    expect(MEETING_STATUS_LABELS).toEqual({
      planned: "Planned",
      in_progress: "In progress",
      closed: "Closed",
      cancelled: "Cancelled",
    });
    for (const stage of STAGES)
      expect(STAGE_LABELS[stage]).toBe(stage.charAt(0).toUpperCase() + stage.slice(1));
  });

  it("has one word for each status of all three lifecycles, agreeing with each vocabulary", () => {
    const statuses = new Set<string>([...ASSIGNMENT_STATUSES, ...FLAG_STATUSES, ...PLAN_STATUSES]);
    expect(new Set(Object.keys(STATUS_LABELS))).toEqual(statuses);
    for (const vocabulary of [ASSIGNMENT_STATUS_LABELS, FLAG_STATUS_LABELS, PLAN_STATUS_LABELS]) {
      for (const [status, label] of Object.entries(vocabulary))
        expect(STATUS_LABELS[status]).toBe(label);
    }
  });

  it("words a refused sniff-test transition with the same vocabulary", () => {
    expect(transitionRefusal("offered", "not_completed")).toBe(
      "This sniff test is offered; it cannot be marked not completed. From offered it can become accepted, declined, withdrawn.",
    );
    expect(transitionRefusal("not_completed", "accepted")).toBe(
      "This sniff test is not completed; it cannot be marked accepted. It is closed, so its status no longer changes.",
    );
  });
});
