/**
 * Facts about the evidence on one candidate: how many observations per dimension,
 * from how many distinct people, how recent. They are shown side by side and never summed,
 * weighted or used to order people. Nudges are about the process, computed from these facts.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { FlagStatus } from "../../db/schema";
import { addDays, formatDate } from "../utils/dates";
import type { Nudge } from "./candidate.server";

export const RECENT_EVIDENCE_DAYS = 90;

/**
 * Days from the nomination during which "single observer" and "no recent evidence" are not raised:
 * on day 0 nobody can have observed anything yet. The one constant for the profile, the board's
 * cards, the board's nudge filter and the candidate list's.
 */
export const NUDGE_GRACE_DAYS = 30;

/**
 * The first and last day of the grace period for someone nominated on a day inside it, seen from
 * `today`: a nomination from `from` to `to` (both included) is still in its grace period.
 */
export function nudgeGraceWindow(today: string): { from: string; to: string } {
  return { from: addDays(today, -(NUDGE_GRACE_DAYS - 1)), to: today };
}

/** Whether someone nominated on `nominatedOn` is still in the grace period on `today`. */
export function inNudgeGrace(nominatedOn: string | null | undefined, today: string): boolean {
  if (!nominatedOn) return false;
  const { from, to } = nudgeGraceWindow(today);
  return nominatedOn >= from && nominatedOn <= to;
}

export interface DimensionCoverage {
  id: string;
  name: string;
  observations: number;
  observers: number;
  last_observed_on: string | null;
}

/**
 * One row per non-archived dimension with its live evidence. Retracted observations are not evidence
 * any more and are left out. The counts come from evidence_coverage (one row per dimension and author,
 * kept by the database as notes change), so a person with years of notes costs a few rows.
 */
function coverageQuery(db: DB, candidateId: string) {
  return db
    .selectFrom("dimensions as d")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("evidence_coverage as ec")
          .selectAll("ec")
          .where("ec.candidate_id", "=", candidateId)
          .as("e"),
      (join) => join.onRef("e.dimension_id", "=", "d.id"),
    )
    .select((eb) => [
      "d.id",
      "d.name",
      "d.position",
      sql<number>`coalesce(sum(e.observations), 0)`.as("observations"),
      eb.fn.count<number>("e.author_id").as("observers"),
      eb.fn.max("e.last_observed_on").as("last_observed_on"),
    ])
    .where("d.archived_at", "is", null)
    .groupBy(["d.id", "d.name", "d.position"]);
}

function toCoverage(r: {
  id: string;
  name: string;
  observations: number | string;
  observers: number | string;
  last_observed_on: string | null;
}): DimensionCoverage {
  return {
    id: r.id,
    name: r.name,
    observations: Number(r.observations),
    observers: Number(r.observers),
    last_observed_on: r.last_observed_on ?? null,
  };
}

/** Coverage per dimension, in framework order (the calibration packet). */
export async function getEvidenceCoverage(
  db: DB,
  { candidateId }: { candidateId: string },
): Promise<DimensionCoverage[]> {
  const rows = await coverageQuery(db, candidateId).orderBy("d.position").orderBy("d.id").execute();
  return rows.map(toCoverage);
}

export interface EvidenceTotals {
  /** Distinct authors of live observations on any dimension. */
  observers: number;
  last_observed_on: string | null;
  /** The day the person was nominated (UTC); without it, no grace period applies. */
  nominated_on?: string | null;
}

/**
 * Coverage per dimension and the totals of a candidate's evidence in one statement (the profile page).
 * The totals are not derivable from the per-dimension counts (two people observing two different
 * dimensions are two observers, though each dimension shows one), but they are from the rows of
 * evidence_coverage, one per dimension and author: every note has at least one dimension
 * (DimensionIdsSchema in observation.server.ts; dimensions are archived, never deleted), so every live
 * note's author and date are there, archived dimensions included. The board's cards read the same rows.
 */
export async function getEvidenceSummary(
  db: DB,
  { candidateId }: { candidateId: string },
): Promise<{ coverage: DimensionCoverage[]; totals: EvidenceTotals }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom("evidence_coverage as ec")
        .where("ec.candidate_id", "=", candidateId)
        .select((e) => e.fn.count<number>("ec.author_id").distinct().as("n"))
        .as("observers"),
      eb
        .selectFrom("evidence_coverage as ec")
        .where("ec.candidate_id", "=", candidateId)
        .select((e) => e.fn.max("ec.last_observed_on").as("d"))
        .as("last_observed_on"),
      eb
        .selectFrom("candidates as c")
        .where("c.id", "=", candidateId)
        .select(sql<string>`(c.created_at at time zone 'UTC')::date::text`.as("d"))
        .as("nominated_on"),
      sql<
        DimensionCoverage[] | null
      >`(select json_agg(json_build_object('id', c.id, 'name', c.name, 'observations', c.observations,
        'observers', c.observers, 'last_observed_on', c.last_observed_on) order by c.position, c.id) from (${coverageQuery(db, candidateId)}) c)`.as(
        "coverage",
      ),
    ])
    .executeTakeFirstOrThrow();
  return {
    coverage: (row.coverage ?? []).map(toCoverage),
    totals: {
      observers: Number(row.observers ?? 0),
      last_observed_on: (row.last_observed_on as string | null) ?? null,
      nominated_on: (row.nominated_on as string | null) ?? null,
    },
  };
}

export interface OpenFlag {
  id: string;
  anti_pattern: string;
  observed_on: string;
  status: FlagStatus;
  discussed_with_candidate_on: string | null;
}

/** Flags still open or being addressed, oldest observation first. */
export async function listOpenFlags(
  db: DB,
  { candidateId }: { candidateId: string },
): Promise<OpenFlag[]> {
  return db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
    .select([
      "f.id",
      "p.name as anti_pattern",
      "f.observed_on",
      "f.status",
      "f.discussed_with_candidate_on",
    ])
    .where("f.candidate_id", "=", candidateId)
    .where("f.status", "in", ["open", "addressing"])
    .orderBy("f.observed_on")
    .orderBy("f.id")
    .execute();
}

export interface ProcessNudge {
  key: Nudge;
  title: string;
  detail: string;
}

/**
 * Nudges about how the evidence is being gathered — never a judgement of the person. The same
 * rules as the candidate list's nudge filter (candidate.server.ts), on facts already loaded.
 */
export function computeNudges({
  coverage,
  totals,
  openFlags,
  today,
}: {
  /** Only each dimension's name and count are read: the profile passes its coverage, the board its counts. */
  coverage: readonly (Pick<DimensionCoverage, "name" | "observations"> &
    Partial<DimensionCoverage>)[];
  totals: EvidenceTotals;
  openFlags: readonly Pick<OpenFlag, "discussed_with_candidate_on">[];
  today: string;
}): ProcessNudge[] {
  const nudges: ProcessNudge[] = [];
  // Within the grace period nobody has had the chance to observe much: these two would not be true yet.
  const grace = inNudgeGrace(totals.nominated_on, today);
  const nominated = totals.nominated_on
    ? ` since the nomination on ${formatDate(totals.nominated_on)}`
    : "";
  if (!grace && totals.observers < 2) {
    nudges.push(
      totals.observers === 0
        ? {
            key: "single_observer",
            title: "No observer yet",
            detail: `Nobody has recorded an observation${nominated}. Ask two or more people in the circle to note what they see.`,
          }
        : {
            key: "single_observer",
            title: "Single observer",
            detail:
              "All observations so far come from one person. Ask someone else in the circle to note what they see.",
          },
    );
  }
  const since = addDays(today, -RECENT_EVIDENCE_DAYS);
  if (!grace && (!totals.last_observed_on || totals.last_observed_on < since)) {
    nudges.push(
      totals.last_observed_on
        ? {
            key: "no_recent_evidence",
            title: `No evidence in ${RECENT_EVIDENCE_DAYS} days`,
            detail: `The last observation is from ${formatDate(totals.last_observed_on)}. Evidence goes stale: note what you see now.`,
          }
        : {
            key: "no_recent_evidence",
            title: "No observations yet",
            detail: `There are no observations${nominated}. Note what you see in the coming weeks.`,
          },
    );
  }
  const unobserved = coverage.filter((d) => d.observations === 0).map((d) => d.name);
  if (unobserved.length) {
    nudges.push({
      key: "unobserved_dimension",
      title: `Not yet observed: ${unobserved.join(", ")}`,
      detail:
        "No observation covers these dimensions yet. A sniff test can create the chance to see them.",
    });
  }
  const undiscussed = openFlags.filter((f) => !f.discussed_with_candidate_on).length;
  if (undiscussed) {
    nudges.push({
      key: "undiscussed_flag",
      title: "Flag never discussed with the person",
      detail: `${
        undiscussed === 1 ? "One open flag has" : `${undiscussed} open flags have`
      } not been discussed with them yet. They can only respond to feedback they have heard.`,
    });
  }
  return nudges;
}
