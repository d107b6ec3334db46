/**
 * Facts about the evidence on one candidate: how many observations per dimension,
 * from how many distinct people, how recent. They are shown side by side and never summed,
 * weighted or used to order people. Nudges are about the process, computed from these facts.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { FlagStatus } from "../../db/schema";
import { addDays } from "../utils/dates";
import type { Nudge } from "./candidate.server";

export const RECENT_EVIDENCE_DAYS = 90;

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
  coverage: readonly DimensionCoverage[];
  totals: EvidenceTotals;
  openFlags: readonly Pick<OpenFlag, "discussed_with_candidate_on">[];
  today: string;
}): ProcessNudge[] {
  const nudges: ProcessNudge[] = [];
  if (totals.observers < 2) {
    nudges.push({
      key: "single_observer",
      title: "Single observer",
      detail:
        totals.observers === 0
          ? "Nobody has recorded an observation yet. Ask two or more people in the circle to note what they see."
          : "All observations so far come from one person. Ask someone else in the circle to note what they see.",
    });
  }
  const since = addDays(today, -RECENT_EVIDENCE_DAYS);
  if (!totals.last_observed_on || totals.last_observed_on < since) {
    nudges.push({
      key: "no_recent_evidence",
      title: `No evidence in ${RECENT_EVIDENCE_DAYS} days`,
      detail: totals.last_observed_on
        ? `The most recent observation is from ${totals.last_observed_on}. Evidence goes stale: note what you see now.`
        : "There are no observations yet. Note what you see in the coming weeks.",
    });
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
