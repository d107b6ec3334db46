// Words shown for stored values: shared by routes and components (no server code here).
// Typed by string so a value read from the database can index them; `satisfies` keeps them complete.
import type {
  AssignmentStatus,
  FlagStatus,
  Leaning,
  MeetingStatus,
  PlanStatus,
  Signal,
  Stage,
  Track,
} from "../../db/schema";

export const STAGE_LABELS: Record<string, string> = {
  spotted: "Spotted",
  exploring: "Exploring",
  coaching: "Coaching",
  ready: "Ready",
  promoted: "Promoted",
  paused: "Paused",
  archived: "Archived",
} satisfies Record<Stage, string>;

export const TRACK_LABELS: Record<string, string> = {
  people_leadership: "People leadership",
  technical_leadership: "Technical leadership",
} satisfies Record<Track, string>;

export const SIGNAL_LABELS: Record<string, string> = {
  strength: "Strength",
  concern: "Concern",
  context: "Context",
} satisfies Record<Signal, string>;

export const OUTCOME_LABELS: Record<string, string> = {
  ready_now: "Ready now",
  ready_with_development: "Ready with development",
  not_yet: "Not yet",
  insufficient_evidence: "Insufficient evidence",
} satisfies Record<Leaning, string>;

export const TIMELINE_KINDS = [
  "observation",
  "flag",
  "sniff_test",
  "coaching",
  "stage",
  "decision",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** The columns every timeline entry has, whatever its kind (one row of the timeline's UNION ALL). */
export interface TimelineFields {
  kind: TimelineKind;
  /** What happened within the kind: observation, flag_raised, flag_discussed, flag_status, assignment, plan_started, plan_status, plan_mentor, checkin, nomination, stage, decision. */
  event: string;
  id: string;
  day: string;
  actor: string | null;
  title: string | null;
  detail: string | null;
  situation: string | null;
  behavior: string | null;
  impact: string | null;
  signal: string | null;
  from_status: string | null;
  to_status: string | null;
  mentor: string | null;
  edited: boolean;
  retracted: boolean;
  superseded: boolean;
  /** The record to link to: observation, flag, sniff test, coaching plan or calibration meeting. */
  link_id: string | null;
}

export const PLAN_STATUS_LABELS: Record<string, string> = {
  active: "Active",
  paused: "Paused",
  completed: "Completed",
  abandoned: "Abandoned",
} satisfies Record<PlanStatus, string>;

export const FLAG_STATUS_LABELS: Record<string, string> = {
  open: "Open",
  addressing: "Being addressed",
  resolved: "Resolved",
  dismissed: "Dismissed",
} satisfies Record<FlagStatus, string>;

export const ASSIGNMENT_STATUS_LABELS: Record<string, string> = {
  offered: "Offered",
  accepted: "Accepted",
  declined: "Declined",
  completed: "Completed",
  not_completed: "Not completed",
  withdrawn: "Withdrawn",
} satisfies Record<AssignmentStatus, string>;

/** The same words in lower case, for the middle of a sentence ("This sniff test is not completed"). */
export const ASSIGNMENT_STATUS_WORDS: Record<string, string> = Object.fromEntries(
  Object.entries(ASSIGNMENT_STATUS_LABELS).map(([status, label]) => [status, label.toLowerCase()]),
);

/** Any assignment, flag or plan status; the three vocabularies agree where they share a word. */
export const STATUS_LABELS: Record<string, string> = {
  ...ASSIGNMENT_STATUS_LABELS,
  ...FLAG_STATUS_LABELS,
  ...PLAN_STATUS_LABELS,
};

export const MEETING_STATUS_LABELS: Record<string, string> = {
  planned: "Planned",
  in_progress: "In progress",
  closed: "Closed",
  cancelled: "Cancelled",
} satisfies Record<MeetingStatus, string>;
