// Words shown for stored values: shared by routes and components (no server code here).
// Typed by string so a value read from the database can index them; `satisfies` keeps them complete.
import type { Leaning, Signal, Stage, Track } from "../../db/schema";

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

export const SIGNAL_LABELS: Record<string, string> = { strength: "Strength", concern: "Concern", context: "Context" } satisfies Record<Signal, string>;

export const OUTCOME_LABELS: Record<string, string> = {
  ready_now: "Ready now",
  ready_with_development: "Ready with development",
  not_yet: "Not yet",
  insufficient_evidence: "Insufficient evidence",
} satisfies Record<Leaning, string>;

export const TIMELINE_KINDS = ["observation", "flag", "sniff_test", "coaching", "stage", "decision"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
