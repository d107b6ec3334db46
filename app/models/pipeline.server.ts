/**
 * The leaders' pipeline board (DESIGN.md §3, §5): every non-archived candidate with the facts about
 * their evidence, side by side and never combined. The whole board costs a constant number of
 * statements whatever the number of candidates: one for the dimensions and one for the candidates,
 * whose per-dimension coverage, counts and nudge facts are correlated subqueries of that one query.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { DB } from "../../db/client";
import { z } from "zod";
import { type Stage, TRACKS, type Track } from "../../db/schema";
import { isUuid } from "../auth/policy.server";
import { addDays, daysBetween } from "../utils/dates";
import { NUDGES } from "./candidate.server";
import { computeNudges, type DimensionCoverage } from "./evidence.server";

/** The columns of the board, in pipeline order (archived is not on the board). */
export const BOARD_STAGES = ["spotted", "exploring", "coaching", "ready", "promoted", "paused"] as const satisfies readonly Stage[];
export const PIPELINE_NUDGES = [...NUDGES, "plan_without_checkin"] as const;
export type PipelineNudge = (typeof PIPELINE_NUDGES)[number];
export const PIPELINE_SORTS = ["name", "days_in_stage", "last_activity"] as const;
export type PipelineSort = (typeof PIPELINE_SORTS)[number];
export const CHECKIN_NUDGE_DAYS = 30;

export const NUDGE_SHORT_LABELS: Record<PipelineNudge, string> = {
  single_observer: "Single observer",
  no_recent_evidence: "No evidence in 90 days",
  unobserved_dimension: "Dimension not yet observed",
  undiscussed_flag: "Flag not discussed with the person",
  plan_without_checkin: `Plan without check-in for ${CHECKIN_NUDGE_DAYS} days`,
};

export interface PipelineFilters {
  team?: string;
  track?: Track;
  managerId?: string;
  nudge?: PipelineNudge;
}

// A bookmarked or hand-edited URL with a value we do not know simply drops that filter.
const ignoreBad = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const PipelineQuerySchema = z.object({
  team: ignoreBad(z.string().trim().min(1).max(200)),
  track: ignoreBad(z.enum(TRACKS)),
  manager: ignoreBad(z.string().refine(isUuid)),
  nudge: ignoreBad(z.enum(PIPELINE_NUDGES)),
  sort: ignoreBad(z.enum(PIPELINE_SORTS)),
});

/** The board's filters and order from the query string, shared by the board, the coverage view and the CSV. */
export function pipelineQueryFrom(params: URLSearchParams) {
  const query = PipelineQuerySchema.parse(Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined])));
  const filters: PipelineFilters = { team: query.team, track: query.track, managerId: query.manager, nudge: query.nudge };
  return { query, filters, sort: query.sort ?? ("name" as PipelineSort) };
}

/** The same query string, for links between the board, the coverage view and the CSV. */
export function pipelineSearch(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface CoverageCell {
  dimension_id: string;
  observations: number;
  observers: number;
  last_observed_on: string | null;
}

export interface PipelineCard {
  id: string;
  name: string;
  team: string;
  track: Track;
  stage: Stage;
  version: number;
  manager: { id: string; name: string };
  stage_changed_at: string;
  days_in_stage: number;
  last_activity_on: string;
  /** One cell per non-archived dimension, in framework order; zero counts mean "not yet observed". */
  coverage: CoverageCell[];
  open_flags: number;
  active_sniff_tests: number;
  coaching: "active" | "none";
  nudges: PipelineNudge[];
}

/** The non-archived dimensions, in framework order: the board's coverage columns. */
export async function listBoardDimensions(db: DB) {
  return db
    .selectFrom("dimensions")
    .select(["id", "name"])
    .where("archived_at", "is", null)
    .orderBy("position")
    .orderBy("id")
    .execute();
}

/**
 * Every non-archived candidate matching the filters, with the facts of a card. One statement. The
 * nudge filter runs on the computed nudges, so the board and its filter never disagree.
 */
export async function listPipelineCards(
  db: DB,
  {
    filters,
    today,
    dimensions,
    sort = "name",
    perStage,
  }: {
    filters: PipelineFilters;
    today: string;
    dimensions: readonly { id: string; name: string }[];
    sort?: PipelineSort;
    /** Only the first cards of each column in the board's order (name or time in stage, without a nudge filter). */
    perStage?: number;
  },
): Promise<PipelineCard[]> {
  const checkinSince = addDays(today, -CHECKIN_NUDGE_DAYS);
  let query = db
    .selectFrom("candidates")
    .innerJoin("users as manager", "manager.id", "candidates.manager_id")
    .select((eb) => [
      "candidates.id",
      "candidates.name",
      "candidates.team",
      "candidates.track",
      "candidates.stage",
      "candidates.version",
      "candidates.stage_changed_at",
      "manager.id as manager_id",
      "manager.name as manager_name",
      jsonArrayFrom(
        eb
          .selectFrom("observations as o")
          .innerJoin("observation_dimensions as od", "od.observation_id", "o.id")
          .select((e) => [
            "od.dimension_id",
            e.fn.countAll<number>().as("observations"),
            e.fn.count<number>("o.author_id").distinct().as("observers"),
            e.fn.max("o.observed_on").as("last_observed_on"),
          ])
          .whereRef("o.candidate_id", "=", "candidates.id")
          .where("o.retracted_at", "is", null)
          .groupBy("od.dimension_id"),
      ).as("coverage"),
      eb
        .selectFrom("observations as o")
        .select((e) => e.fn.count<number>("o.author_id").distinct().as("n"))
        .whereRef("o.candidate_id", "=", "candidates.id")
        .where("o.retracted_at", "is", null)
        .as("observers"),
      eb
        .selectFrom("observations as o")
        .select((e) => e.fn.max("o.observed_on").as("d"))
        .whereRef("o.candidate_id", "=", "candidates.id")
        .where("o.retracted_at", "is", null)
        .as("last_observed_on"),
      eb
        .selectFrom("flags as f")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("f.candidate_id", "=", "candidates.id")
        .where("f.status", "in", ["open", "addressing"])
        .as("open_flags"),
      eb
        .selectFrom("flags as f")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("f.candidate_id", "=", "candidates.id")
        .where("f.status", "in", ["open", "addressing"])
        .where("f.discussed_with_candidate_on", "is", null)
        .as("undiscussed_flags"),
      eb
        .selectFrom("sniff_test_assignments as a")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("a.candidate_id", "=", "candidates.id")
        .where("a.status", "in", ["offered", "accepted"])
        .as("active_sniff_tests"),
      eb
        .exists(
          eb
            .selectFrom("coaching_plans as p")
            .select("p.id")
            .whereRef("p.candidate_id", "=", "candidates.id")
            .where("p.status", "=", "active"),
        )
        .$castTo<boolean>()
        .as("has_active_plan"),
      // An active plan whose last check-in (or, with none yet, its start) is older than the threshold.
      eb
        .exists(
          eb
            .selectFrom("coaching_plans as p")
            .select("p.id")
            .whereRef("p.candidate_id", "=", "candidates.id")
            .where("p.status", "=", "active")
            .where(
              sql<string>`coalesce((select max(k.held_on) from coaching_checkins k where k.plan_id = p.id), p.started_on)`,
              "<=",
              checkinSince,
            ),
        )
        .$castTo<boolean>()
        .as("stale_plan"),
      // The newest dated thing that happened to the candidate: a stage move, a note, a flag, a check-in, a sniff-test step.
      sql<string>`greatest(
        (candidates.stage_changed_at at time zone 'UTC')::date,
        (select max(o.observed_on) from observations o where o.candidate_id = candidates.id and o.retracted_at is null),
        (select max(f.observed_on) from flags f where f.candidate_id = candidates.id),
        (select max(k.held_on) from coaching_checkins k join coaching_plans p on p.id = k.plan_id where p.candidate_id = candidates.id),
        (select max((e.created_at at time zone 'UTC')::date) from sniff_test_assignment_events e
           join sniff_test_assignments a on a.id = e.assignment_id where a.candidate_id = candidates.id)
      )::text`.as("last_activity_on"),
    ])
    .where("candidates.archived_at", "is", null)
    .where("candidates.stage", "in", [...BOARD_STAGES]);
  query = withBoardFilters(query, filters);
  if (perStage !== undefined && sort !== "last_activity" && !filters.nudge) {
    // Rank on the candidates table alone, so the per-card subqueries run for one page per column only.
    const order = sort === "days_in_stage" ? sql`c.stage_changed_at, lower(c.name), c.id` : sql`lower(c.name), c.id`;
    const ranked = withBoardFilters(
      db
        .selectFrom("candidates as c")
        .select(["c.id", sql<number>`row_number() over (partition by c.stage order by ${order})`.as("rn")])
        .where("c.archived_at", "is", null)
        .where("c.stage", "in", [...BOARD_STAGES]),
      filters,
      "c",
    );
    query = query.where("candidates.id", "in", db.selectFrom(ranked.as("r")).select("r.id").where("r.rn", "<=", perStage));
  }
  const rows = await query.orderBy(sql`lower(candidates.name)`).orderBy("candidates.id").execute();

  const cards = rows.map((row): PipelineCard => {
    const byDimension = new Map(row.coverage.map((c) => [c.dimension_id, c]));
    const coverage = dimensions.map((d): CoverageCell => {
      const c = byDimension.get(d.id);
      return {
        dimension_id: d.id,
        observations: Number(c?.observations ?? 0),
        observers: Number(c?.observers ?? 0),
        last_observed_on: (c?.last_observed_on as string | null | undefined) ?? null,
      };
    });
    const named: DimensionCoverage[] = coverage.map((c, i) => ({
      id: c.dimension_id,
      name: dimensions[i].name,
      observations: c.observations,
      observers: c.observers,
      last_observed_on: c.last_observed_on,
    }));
    // The profile's own rules, so a card and the profile always nudge alike.
    const nudges: PipelineNudge[] = computeNudges({
      coverage: named,
      totals: { observers: Number(row.observers ?? 0), last_observed_on: row.last_observed_on ?? null },
      openFlags: Array.from({ length: Number(row.undiscussed_flags ?? 0) }, () => ({ discussed_with_candidate_on: null })),
      today,
    }).map((n) => n.key);
    if (row.stale_plan) nudges.push("plan_without_checkin");
    const changedOn = new Date(row.stage_changed_at).toISOString().slice(0, 10);
    return {
      id: row.id,
      name: row.name,
      team: row.team,
      track: row.track,
      stage: row.stage,
      version: row.version,
      manager: { id: row.manager_id, name: row.manager_name },
      stage_changed_at: new Date(row.stage_changed_at).toISOString(),
      days_in_stage: Math.max(0, daysBetween(changedOn, today)),
      last_activity_on: row.last_activity_on ?? changedOn,
      coverage,
      open_flags: Number(row.open_flags ?? 0),
      active_sniff_tests: Number(row.active_sniff_tests ?? 0),
      coaching: row.has_active_plan ? "active" : "none",
      nudges: PIPELINE_NUDGES.filter((n) => nudges.includes(n)),
    };
  });
  const filtered = filters.nudge ? cards.filter((c) => c.nudges.includes(filters.nudge!)) : cards;
  return sortCards(filtered, sort);
}

/** Name (A–Z), time in stage (longest first) or last activity (stalest first): facts about the process, never the person. */
export function sortCards(cards: PipelineCard[], sort: PipelineSort): PipelineCard[] {
  const byName = (a: PipelineCard, b: PipelineCard) => a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id);
  const copy = [...cards];
  if (sort === "days_in_stage") return copy.sort((a, b) => b.days_in_stage - a.days_in_stage || byName(a, b));
  if (sort === "last_activity") return copy.sort((a, b) => a.last_activity_on.localeCompare(b.last_activity_on) || byName(a, b));
  return copy.sort(byName);
}

// The team, track and manager filters, on `candidates` or an alias of it.
function withBoardFilters<Q extends { where: (...args: any[]) => Q }>(query: Q, filters: PipelineFilters, table = "candidates"): Q {
  let q = query;
  if (filters.team) q = q.where(`${table}.team`, "=", filters.team);
  if (filters.track) q = q.where(`${table}.track`, "=", filters.track);
  if (filters.managerId) q = q.where(`${table}.manager_id`, "=", filters.managerId);
  return q;
}

/** Cards per column on the board: the first page, and how far "show more" may go. */
export const BOARD_COLUMN_PAGE = 20;
export const BOARD_COLUMN_MAX = 500;

/** How many cards each column shows, from ?show=N (a multiple of the page, never more than the maximum). */
export function boardColumnSizeFrom(params: URLSearchParams): number {
  const n = Number(params.get("show") ?? BOARD_COLUMN_PAGE);
  if (!Number.isInteger(n) || n < BOARD_COLUMN_PAGE) return BOARD_COLUMN_PAGE;
  return Math.min(n, BOARD_COLUMN_MAX);
}

/**
 * The board: each column's first `perColumn` cards and its full count. With the name or time-in-stage
 * order and no nudge filter, only those cards are computed (two statements whatever the number of
 * candidates); a nudge filter or the last-activity order needs every card's facts first.
 */
export async function listPipelineBoard(
  db: DB,
  args: { filters: PipelineFilters; today: string; dimensions: readonly { id: string; name: string }[]; sort: PipelineSort; perColumn: number },
) {
  const { filters, perColumn } = args;
  const paged = !filters.nudge && args.sort !== "last_activity";
  const [cards, counts] = await Promise.all([
    listPipelineCards(db, { ...args, perStage: paged ? perColumn : undefined }),
    paged
      ? withBoardFilters(
          db
            .selectFrom("candidates")
            .select(["candidates.stage", (eb) => eb.fn.countAll<number>().as("n")])
            .where("candidates.archived_at", "is", null)
            .where("candidates.stage", "in", [...BOARD_STAGES])
            .groupBy("candidates.stage"),
          filters,
        ).execute()
      : Promise.resolve(null),
  ]);
  const columns = groupByStage(cards).map((column) => ({
    stage: column.stage,
    cards: column.cards.slice(0, perColumn),
    total: counts ? Number(counts.find((c) => c.stage === column.stage)?.n ?? 0) : column.cards.length,
  }));
  return { columns, total: columns.reduce((sum, c) => sum + c.total, 0) };
}

/** Cards grouped into the board's columns. */
export function groupByStage(cards: PipelineCard[]) {
  return BOARD_STAGES.map((stage) => ({ stage, cards: cards.filter((c) => c.stage === stage) }));
}

/** Teams of non-archived candidates, for the filter. */
export async function listPipelineTeams(db: DB) {
  const rows = await db
    .selectFrom("candidates")
    .select("team")
    .distinct()
    .where("team", "<>", "")
    .where("archived_at", "is", null)
    .orderBy("team")
    .execute();
  return rows.map((r) => r.team);
}

// ---- CSV -----------------------------------------------------------------------------------------

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: always quoted, inner quotes doubled, and a value a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) prefixed with ' so it stays text.
 */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

const STAGE_WORDS: Record<Stage, string> = {
  spotted: "Spotted",
  exploring: "Exploring",
  coaching: "Coaching",
  ready: "Ready",
  promoted: "Promoted",
  paused: "Paused",
  archived: "Archived",
};
const TRACK_WORDS: Record<Track, string> = {
  people_leadership: "People leadership",
  technical_leadership: "Technical leadership",
};

/** The board's facts as rows: a header, then one row per card in board order (stage, then the chosen sort). */
export function pipelineCsvRows(cards: readonly PipelineCard[], dimensions: readonly { id: string; name: string }[]) {
  const header = [
    "Name",
    "Team",
    "Track",
    "Manager",
    "Stage",
    "Days in stage",
    ...dimensions.flatMap((d) => [`${d.name}: observations`, `${d.name}: observers`, `${d.name}: last observed`]),
    "Open flags",
    "Active sniff tests",
    "Coaching",
    "Nudges",
  ];
  const ordered = BOARD_STAGES.flatMap((stage) => cards.filter((c) => c.stage === stage));
  const body = ordered.map((c) => [
    c.name,
    c.team,
    TRACK_WORDS[c.track],
    c.manager.name,
    STAGE_WORDS[c.stage],
    c.days_in_stage,
    ...c.coverage.flatMap((cell) => [cell.observations, cell.observers, cell.last_observed_on ?? ""]),
    c.open_flags,
    c.active_sniff_tests,
    c.coaching === "active" ? "Active plan" : "No active plan",
    c.nudges.map((n) => NUDGE_SHORT_LABELS[n]).join("; "),
  ]);
  return [header, ...body];
}
