/**
 * The process report (issue 22, mechanism 6; docs/writing-check.md § Process report): how calibration
 * meetings ran, per meeting and per quarter. About the process only: every figure is about decisions,
 * items or meetings taken together, never about a person, and nothing is ordered by person. Items are
 * named by their agenda position, not by who was discussed.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { Leaning } from "../../db/schema";

export interface ProcessFigures {
  meetings: number;
  items: number;
  /** Current decisions, and those citing evidence from two or more different observers. */
  decisions: number;
  twoOrMoreObservers: number;
  /** Items with a recorded discussion time, its median and the most, and how many ran over the timebox. */
  timedItems: number;
  medianSeconds: number | null;
  longestSeconds: number | null;
  overTimebox: number;
  itemsWithTimebox: number;
  /** Early items reopened at the end of a meeting, and how many of their decisions then changed. */
  revisited: number;
  revisitChanged: number;
  /** Decisions whose final leanings had a majority, and how many of those differed from it. */
  withMajority: number;
  differedFromMajority: number;
  /** Items whose pre-reads the facilitator revealed before all were in; decisions made before every final leaning. */
  revealedEarly: number;
  decidedEarly: number;
}

export interface MeetingProcess {
  id: string;
  title: string;
  scheduledFor: Date;
  status: string;
  timeboxMinutes: number | null;
  quarter: string;
  figures: ProcessFigures;
  /** Discussion time by agenda position (no names): the uneven-time view. */
  times: { position: number; seconds: number }[];
}

interface ItemFacts {
  meeting_id: string;
  position: number;
  discussion_seconds: number;
  revealed_early: boolean;
  decided_early: boolean;
  outcome: Leaning | null;
  observers: number;
  leanings: Leaning[];
  revisits: { changed: boolean | null }[];
}

/** "2026-Q4", from the meeting's scheduled time (UTC). */
export function quarterOf(at: Date): string {
  return `${at.getUTCFullYear()}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
}

/** The leaning more than half of the final leanings share, if any. */
export function majorityOf(leanings: readonly Leaning[]): Leaning | null {
  const counts = new Map<Leaning, number>();
  for (const l of leanings) counts.set(l, (counts.get(l) ?? 0) + 1);
  for (const [leaning, n] of counts) if (n * 2 > leanings.length) return leaning;
  return null;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

export function figuresOf(
  meetings: { timeboxMinutes: number | null }[],
  items: (ItemFacts & { timeboxMinutes: number | null })[],
): ProcessFigures {
  const decided = items.filter((i) => i.outcome !== null);
  const timed = items.filter((i) => i.discussion_seconds > 0);
  const withTimebox = timed.filter((i) => i.timeboxMinutes !== null);
  const revisits = items.flatMap((i) => i.revisits);
  const majorities = decided
    .map((i) => ({ outcome: i.outcome, majority: majorityOf(i.leanings) }))
    .filter((d) => d.majority !== null);
  return {
    meetings: meetings.length,
    items: items.length,
    decisions: decided.length,
    twoOrMoreObservers: decided.filter((i) => i.observers >= 2).length,
    timedItems: timed.length,
    medianSeconds: median(timed.map((i) => i.discussion_seconds)),
    longestSeconds: timed.length ? Math.max(...timed.map((i) => i.discussion_seconds)) : null,
    itemsWithTimebox: withTimebox.length,
    overTimebox: withTimebox.filter((i) => i.discussion_seconds > (i.timeboxMinutes ?? 0) * 60)
      .length,
    revisited: revisits.length,
    revisitChanged: revisits.filter((r) => r.changed === true).length,
    withMajority: majorities.length,
    differedFromMajority: majorities.filter((d) => d.outcome !== d.majority).length,
    revealedEarly: items.filter((i) => i.revealed_early).length,
    decidedEarly: decided.filter((i) => i.decided_early).length,
  };
}

/**
 * Every meeting that has started (in progress or closed), newest first, with its figures, and the same
 * figures per quarter. Three statements: the items with their facts, nothing per person selected.
 */
export async function getProcessReport(db: DB) {
  const meetings = await db
    .selectFrom("calibration_meetings")
    .select(["id", "title", "scheduled_for", "status", "timebox_minutes"])
    .where("status", "in", ["in_progress", "closed"])
    .orderBy("scheduled_for", "desc")
    .orderBy("id")
    .execute();
  const ids = meetings.map((m) => m.id);
  const rows = ids.length
    ? await db
        .selectFrom("calibration_items as i")
        .leftJoin("calibration_decisions as d", (j) =>
          j.onRef("d.item_id", "=", "i.id").on("d.superseded_at", "is", null),
        )
        .select((eb) => [
          "i.meeting_id",
          "i.position",
          "i.discussion_seconds",
          eb("i.revealed_early_by", "is not", null).as("revealed_early"),
          eb("i.decided_early_by", "is not", null).as("decided_early"),
          "d.outcome",
          // Different people behind the cited evidence: the authors of observations, the raisers of flags.
          sql<number>`(select count(distinct coalesce(o.author_id, f.raised_by))::int
            from calibration_decision_evidence e
            left join observations o on o.id = e.observation_id
            left join flags f on f.id = e.flag_id
            where e.decision_id = d.id)`.as("observers"),
          sql<Leaning[]>`coalesce((select array_agg(fl.leaning order by fl.leaning)
            from calibration_final_leanings fl where fl.item_id = i.id), '{}')`.as("leanings"),
          sql<{ changed: boolean | null }[]>`coalesce((select json_agg(json_build_object(
              'changed', case when r.decision_before is null or d.id is null then null
                else b.outcome is distinct from d.outcome end) order by r.opened_at)
            from calibration_revisits r
            left join calibration_decisions b on b.id = r.decision_before
            where r.item_id = i.id), '[]'::json)`.as("revisits"),
        ])
        .where("i.meeting_id", "in", ids)
        .orderBy("i.meeting_id")
        .orderBy("i.position")
        .execute()
    : [];
  const items: ItemFacts[] = rows.map((r) => ({
    ...r,
    revealed_early: Boolean(r.revealed_early),
    decided_early: Boolean(r.decided_early),
    observers: Number(r.observers),
    leanings: [...r.leanings],
  }));

  const byMeeting = new Map<string, ItemFacts[]>();
  for (const item of items) {
    const list = byMeeting.get(item.meeting_id) ?? [];
    list.push(item);
    byMeeting.set(item.meeting_id, list);
  }
  const perMeeting: MeetingProcess[] = meetings.map((m) => {
    const own = (byMeeting.get(m.id) ?? []).map((i) => ({
      ...i,
      timeboxMinutes: m.timebox_minutes,
    }));
    const scheduledFor = new Date(m.scheduled_for);
    return {
      id: m.id,
      title: m.title,
      scheduledFor,
      status: m.status,
      timeboxMinutes: m.timebox_minutes,
      quarter: quarterOf(scheduledFor),
      figures: figuresOf([{ timeboxMinutes: m.timebox_minutes }], own),
      times: own.map((i) => ({ position: i.position, seconds: i.discussion_seconds })),
    };
  });

  const quarters = new Map<string, MeetingProcess[]>();
  for (const m of perMeeting) quarters.set(m.quarter, [...(quarters.get(m.quarter) ?? []), m]);
  const perQuarter = [...quarters].map(([quarter, ms]) => ({
    quarter,
    figures: figuresOf(
      ms,
      ms.flatMap((m) =>
        (byMeeting.get(m.id) ?? []).map((i) => ({ ...i, timeboxMinutes: m.timeboxMinutes })),
      ),
    ),
  }));
  return { perMeeting, perQuarter };
}
