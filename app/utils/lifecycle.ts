// Pure lifecycle rules: which status may follow which. Shared by models, routes and components (no server code here).
import type { AssignmentStatus, FlagStatus, PlanStatus } from "../../db/schema";

/** Which status a plan may move to from each status. Completed and abandoned plans are closed for good. */
export const PLAN_TRANSITIONS: Record<PlanStatus, readonly PlanStatus[]> = {
  active: ["paused", "completed", "abandoned"],
  paused: ["active", "completed", "abandoned"],
  completed: [],
  abandoned: [],
};

export function canMovePlan(from: PlanStatus, to: PlanStatus): boolean {
  return PLAN_TRANSITIONS[from].includes(to);
}

export function planIsOpen(status: PlanStatus): boolean {
  return status === "active" || status === "paused";
}

/** Which status each change may start from. Open → addressing happens only through a coaching plan. */
export const FLAG_TRANSITIONS = {
  resolved: ["open", "addressing"],
  dismissed: ["open", "addressing"],
  open: ["resolved", "dismissed"],
} as const satisfies Partial<Record<FlagStatus, readonly FlagStatus[]>>;
export type SettableFlagStatus = keyof typeof FLAG_TRANSITIONS;

export function canMoveFlag(from: FlagStatus, to: SettableFlagStatus): boolean {
  return (FLAG_TRANSITIONS[to] as readonly FlagStatus[]).includes(from);
}

/**
 * A sniff test is offered → accepted | declined → completed | not_completed, and withdrawn at any open
 * point. These are the moves of a test that needs acceptance (the default).
 */
export const ASSIGNMENT_TRANSITIONS: Record<AssignmentStatus, readonly AssignmentStatus[]> = {
  offered: ["accepted", "declined", "withdrawn"],
  accepted: ["completed", "not_completed", "withdrawn"],
  declined: [],
  completed: [],
  not_completed: [],
  withdrawn: [],
};

/**
 * A test that needs no acceptance (homework offered to a group) has no answer to record: an offer goes
 * straight to completed or not completed, or is withdrawn. One accepted while the test still needed
 * acceptance closes as before.
 */
export const ONE_STEP_ASSIGNMENT_TRANSITIONS: Record<
  AssignmentStatus,
  readonly AssignmentStatus[]
> = {
  ...ASSIGNMENT_TRANSITIONS,
  offered: ["completed", "not_completed", "withdrawn"],
};

/** The moves from `from`, for a test that does or does not need acceptance (sniff_tests.needs_acceptance). */
export function assignmentTransitions(
  from: AssignmentStatus,
  needsAcceptance: boolean,
): readonly AssignmentStatus[] {
  return (needsAcceptance ? ASSIGNMENT_TRANSITIONS : ONE_STEP_ASSIGNMENT_TRANSITIONS)[from];
}

/** Closing as completed or not completed needs a debrief observation (when the person is a candidate). */
export const NEEDS_DEBRIEF: readonly AssignmentStatus[] = ["completed", "not_completed"];

export function canMoveAssignment(
  from: AssignmentStatus,
  to: AssignmentStatus,
  needsAcceptance: boolean,
): boolean {
  return assignmentTransitions(from, needsAcceptance).includes(to);
}

export function assignmentIsOpen(status: AssignmentStatus): boolean {
  return status === "offered" || status === "accepted";
}
