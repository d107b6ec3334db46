/**
 * The leaders' pipeline board: every non-archived candidate with the facts about
 * their evidence, side by side and never combined. The whole board costs a constant number of
 * statements whatever the number of candidates: one for the dimensions and one for the candidates,
 * whose per-dimension coverage, counts and nudge facts are correlated subqueries of that one query.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { AppContext } from "../context";
import { z } from "zod";
import { type Stage, TRACKS, type Track } from "../../db/schema";
import { isUuid } from "../auth/policy.server";
import { addDays, daysBetween, isoDate } from "../utils/dates";
import { escapeLike, listAllTeams, NUDGES } from "./candidate.server";
import { FIRST_CHECKIN_DAYS, NO_CHECKIN_DAYS } from "./coaching.server";
import { listManagersForFilter } from "./user.server";
import {
  computeNudges,
  type DimensionCoverage,
  nudgeGraceWindow,
  RECENT_EVIDENCE_DAYS,
} from "./evidence.server";
import { STAGE_LABELS, TRACK_LABELS } from "../utils/labels";

/** The columns of the board, in pipeline order (archived is not on the board). */
export const BOARD_STAGES = [
  "spotted",
  "exploring",
  "coaching",
  "ready",
  "promoted",
  "paused",
] as const satisfies readonly Stage[];
export const PIPELINE_NUDGES = [...NUDGES, "plan_without_checkin"] as const;
export type PipelineNudge = (typeof PIPELINE_NUDGES)[number];
export const PIPELINE_SORTS = ["name", "days_in_stage", "last_activity"] as const;
export type PipelineSort = (typeof PIPELINE_SORTS)[number];

export const NUDGE_SHORT_LABELS: Record<PipelineNudge, string> = {
  single_observer: "Single observer",
  no_recent_evidence: `No evidence in ${RECENT_EVIDENCE_DAYS} days`,
  unobserved_dimension: "Dimension not yet observed",
  undiscussed_flag: "Flag not discussed with the person",
  plan_without_checkin: "Coaching check-in overdue",
};

export interface PipelineFilters {
  team?: string;
  track?: Track;
  managerId?: string;
  /** Part of the manager's name, when there are too many managers for a select. */
  managerName?: string;
  nudge?: PipelineNudge;
  /** Part of the candidate's name (any case). */
  q?: string;
}

// A bookmarked or hand-edited URL with a value we do not know simply drops that filter.
const ignoreBad = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const PipelineQuerySchema = z.object({
  team: ignoreBad(z.string().trim().min(1).max(200)),
  track: ignoreBad(z.enum(TRACKS)),
  manager: ignoreBad(z.string().refine(isUuid)),
  managerName: ignoreBad(z.string().trim().min(1).max(200)),
  nudge: ignoreBad(z.enum(PIPELINE_NUDGES)),
  q: ignoreBad(z.string().trim().min(1).max(200)),
  sort: ignoreBad(z.enum(PIPELINE_SORTS)),
});

/** The board's filters and order from the query string, shared by the board, the coverage view and the CSV. */
export function pipelineQueryFrom(params: URLSearchParams) {
  const query = PipelineQuerySchema.parse(
    Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined])),
  );
  const filters: PipelineFilters = {
    team: query.team,
    track: query.track,
    managerId: query.manager,
    managerName: query.managerName,
    nudge: query.nudge,
    q: query.q,
  };
  return { query, filters, sort: query.sort ?? ("name" as PipelineSort) };
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
  /** The nudges as the card shows them, in the same order: what is true for this person. */
  nudge_tags: { key: PipelineNudge; label: string }[];
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

type CardRow = {
  id: string;
  name: string;
  team: string;
  track: Track;
  stage: Stage;
  version: number;
  stage_changed_at: Date | string;
  nominated_on: string;
  manager_id: string;
  manager_name: string;
  coverage:
    | {
        dimension_id: string;
        observations: number;
        observers: number;
        last_observed_on: string | null;
      }[]
    | null;
  observers: number | null;
  last_observed_on: string | null;
  open_flags: number | null;
  undiscussed_flags: number | null;
  active_sniff_tests: number | null;
  has_active_plan: boolean | null;
  stale_plan: boolean | null;
  last_activity_on: string | null;
};

// The newest dated thing that happened to candidate `c`: a stage move, a note, a flag, a check-in, a
// sniff-test step. Each part is an indexed lookup for that one candidate.
const LAST_ACTIVITY = sql<string>`greatest(
  (c.stage_changed_at at time zone 'UTC')::date,
  (select o.observed_on from observations o where o.candidate_id = c.id and o.retracted_at is null order by o.observed_on desc limit 1),
  (select f.observed_on from flags f where f.candidate_id = c.id order by f.observed_on desc limit 1),
  (select max(k.held_on) from coaching_plans p join coaching_checkins k on k.plan_id = p.id where p.candidate_id = c.id),
  (select max((e.created_at at time zone 'UTC')::date) from sniff_test_assignments a
     join sniff_test_assignment_events e on e.assignment_id = a.id where a.candidate_id = c.id)
)`;

// An active plan whose check-in is overdue, by planNudges' rule (coaching.server.ts): the last one
// NO_CHECKIN_DAYS or more ago, or, with none yet, the first not held by FIRST_CHECKIN_DAYS after the start.
const stalePlan = (today: string) => sql<boolean>`exists (
  select 1 from coaching_plans p where p.candidate_id = c.id and p.status = 'active'
    and coalesce(
      (select max(k.held_on) from coaching_checkins k where k.plan_id = p.id) + ${NO_CHECKIN_DAYS}::int,
      p.started_on + ${FIRST_CHECKIN_DAYS + 1}::int
    ) <= ${today}::date)`;

// Candidate `c` was nominated long enough ago (or, impossibly, after today) for the evidence nudges.
function pastNudgeGrace(today: string) {
  const { from, to } = nudgeGraceWindow(today);
  return sql<boolean>`not ((c.created_at at time zone 'UTC')::date between ${from}::date and ${to}::date)`;
}

/** The nudge as a condition on candidate `c`: the same rules as computeNudges, one candidate at a time. */
function nudgeCondition(nudge: PipelineNudge, today: string) {
  switch (nudge) {
    case "single_observer":
      return sql<boolean>`${pastNudgeGrace(today)} and (select count(distinct o.author_id) from observations o where o.candidate_id = c.id and o.retracted_at is null) < 2`;
    case "no_recent_evidence":
      return sql<boolean>`${pastNudgeGrace(today)} and coalesce((select o.observed_on from observations o where o.candidate_id = c.id and o.retracted_at is null
        order by o.observed_on desc limit 1) < ${addDays(
          today,
          -RECENT_EVIDENCE_DAYS,
        )}::date, true)`;
    case "unobserved_dimension":
      return sql<boolean>`exists (select 1 from dimensions d where d.archived_at is null and not exists (
        select 1 from evidence_coverage ec where ec.candidate_id = c.id and ec.dimension_id = d.id))`;
    case "undiscussed_flag":
      return sql<boolean>`exists (select 1 from flags f where f.candidate_id = c.id and f.status in ('open', 'addressing')
        and f.discussed_with_candidate_on is null)`;
    case "plan_without_checkin":
      return stalePlan(today);
  }
}

// The team, track and manager filters (and the nudge), on candidates aliased `c`.
function boardConditions(filters: PipelineFilters, today: string) {
  const conditions = [sql`c.archived_at is null`];
  if (filters.team) conditions.push(sql`c.team = ${filters.team}`);
  if (filters.track) conditions.push(sql`c.track = ${filters.track}`);
  if (filters.managerId) conditions.push(sql`c.manager_id = ${filters.managerId}`);
  if (filters.managerName)
    conditions.push(
      sql`exists (select 1 from users mf where mf.id = c.manager_id and mf.name ilike ${`%${escapeLike(filters.managerName)}%`})`,
    );
  if (filters.q) conditions.push(sql`c.name ilike ${`%${escapeLike(filters.q)}%`}`);
  if (filters.nudge) conditions.push(nudgeCondition(filters.nudge, today));
  return sql.join(conditions, sql` and `);
}

/**
 * The non-archived candidates matching the filters, with the facts of a card. One statement. Each
 * column is chosen first (in the board's order, `perStage` cards at most, the nudge filter applied per
 * candidate with the same rules as the card), and only the chosen cards' facts are then computed, so
 * a page of the board costs the same whatever the number of candidates.
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
    /** Only the first cards of each column in the board's order; every card without it. */
    perStage?: number;
  },
): Promise<PipelineCard[]> {
  const order =
    sort === "days_in_stage"
      ? sql`c.stage_changed_at, lower(c.name), c.id`
      : sort === "last_activity"
        ? sql`${LAST_ACTIVITY}, lower(c.name), c.id`
        : sql`lower(c.name), c.id`;
  const stages = sql.join(BOARD_STAGES.map((s) => sql`${s}`));
  const { rows } = await sql<CardRow>`
    select c.id, c.name, c.team, c.track, c.stage, c.version, c.stage_changed_at,
      (c.created_at at time zone 'UTC')::date::text as nominated_on,
      m.id as manager_id, m.name as manager_name,
      cov.coverage, tot.observers, tot.last_observed_on, fl.open_flags, fl.undiscussed_flags,
      (select count(*) from sniff_test_assignments a where a.candidate_id = c.id and a.status in ('offered', 'accepted')) as active_sniff_tests,
      exists (select 1 from coaching_plans p where p.candidate_id = c.id and p.status = 'active') as has_active_plan,
      ${stalePlan(today)} as stale_plan,
      ${LAST_ACTIVITY}::text as last_activity_on
    from unnest(array[${stages}]::text[]) as s(stage)
    cross join lateral (
      select c.* from candidates c
      where c.stage = s.stage and ${boardConditions(filters, today)}
      order by ${order}
      limit ${perStage ?? null}
    ) c
    join users m on m.id = c.manager_id
    left join lateral (
      select json_agg(json_build_object('dimension_id', x.dimension_id, 'observations', x.observations,
        'observers', x.observers, 'last_observed_on', x.last_observed_on)) as coverage
      from (
        select ec.dimension_id, sum(ec.observations) as observations, count(*) as observers, max(ec.last_observed_on) as last_observed_on
        from evidence_coverage ec where ec.candidate_id = c.id
        group by ec.dimension_id
      ) x
    ) cov on true
    left join lateral (
      select count(distinct ec.author_id) as observers, max(ec.last_observed_on) as last_observed_on
      from evidence_coverage ec where ec.candidate_id = c.id
    ) tot on true
    left join lateral (
      select count(*) as open_flags, count(*) filter (where f.discussed_with_candidate_on is null) as undiscussed_flags
      from flags f where f.candidate_id = c.id and f.status in ('open', 'addressing')
    ) fl on true
  `.execute(db);

  const cards = rows.map((row): PipelineCard => {
    const byDimension = new Map((row.coverage ?? []).map((c) => [c.dimension_id, c]));
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
    const raised = computeNudges({
      coverage: named,
      totals: {
        observers: Number(row.observers ?? 0),
        last_observed_on: row.last_observed_on ?? null,
        nominated_on: row.nominated_on,
      },
      openFlags: Array.from({ length: Number(row.undiscussed_flags ?? 0) }, () => ({
        discussed_with_candidate_on: null,
      })),
      today,
    });
    const nudges: PipelineNudge[] = raised.map((n) => n.key);
    if (row.stale_plan) nudges.push("plan_without_checkin");
    // The profile's own titles where they are short and say what is true; the list of unobserved
    // dimensions is already in the card's coverage cells.
    const tagOf = (key: PipelineNudge) =>
      key === "single_observer" || key === "no_recent_evidence"
        ? (raised.find((n) => n.key === key)?.title ?? NUDGE_SHORT_LABELS[key])
        : NUDGE_SHORT_LABELS[key];
    const ordered = PIPELINE_NUDGES.filter((n) => nudges.includes(n));
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
      nudges: ordered,
      nudge_tags: ordered.map((key) => ({ key, label: tagOf(key) })),
    };
  });
  const filtered = filters.nudge ? cards.filter((c) => c.nudges.includes(filters.nudge!)) : cards;
  return sortCards(filtered, sort);
}

/** Name (A–Z), time in stage (longest first) or last activity (stalest first): facts about the process, never the person. */
export function sortCards(cards: PipelineCard[], sort: PipelineSort): PipelineCard[] {
  const byName = (a: PipelineCard, b: PipelineCard) =>
    a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id);
  const copy = [...cards];
  if (sort === "days_in_stage")
    return copy.sort((a, b) => b.days_in_stage - a.days_in_stage || byName(a, b));
  if (sort === "last_activity")
    return copy.sort(
      (a, b) => a.last_activity_on.localeCompare(b.last_activity_on) || byName(a, b),
    );
  return copy.sort(byName);
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
 * The board: each column's first `perColumn` cards and its full count, in two statements whatever the
 * number of candidates. Only the shown cards' facts are computed, in every order and with a nudge
 * filter; the counts apply the same filter to every candidate of a column.
 */
export async function listPipelineBoard(
  db: DB,
  args: {
    filters: PipelineFilters;
    today: string;
    dimensions: readonly { id: string; name: string }[];
    sort: PipelineSort;
    perColumn: number;
  },
) {
  const { filters, perColumn, today } = args;
  const stages = sql.join(BOARD_STAGES.map((s) => sql`${s}`));
  const [cards, counts] = await Promise.all([
    listPipelineCards(db, { ...args, perStage: perColumn }),
    sql<{ stage: Stage; n: number }>`
      select c.stage, count(*) as n from candidates c
      where c.stage in (${stages}) and ${boardConditions(filters, today)}
      group by c.stage`.execute(db),
  ]);
  const columns = groupByStage(cards).map((column) => ({
    stage: column.stage,
    cards: column.cards.slice(0, perColumn),
    total: Number(counts.rows.find((c) => c.stage === column.stage)?.n ?? 0),
  }));
  return { columns, total: columns.reduce((sum, c) => sum + c.total, 0) };
}

/** Cards grouped into the board's columns. */
export function groupByStage(cards: PipelineCard[]) {
  return BOARD_STAGES.map((stage) => ({
    stage,
    cards: cards.filter((c) => c.stage === stage),
  }));
}

/** Teams of non-archived candidates, for the filter. */
export function listPipelineTeams(db: DB) {
  return listAllTeams(db, { activeOnly: true });
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

/** The board's facts as rows: a header, then one row per card in board order (stage, then the chosen sort). */
export function pipelineCsvRows(
  cards: readonly PipelineCard[],
  dimensions: readonly { id: string; name: string }[],
) {
  const header = [
    "Name",
    "Team",
    "Track",
    "Manager",
    "Stage",
    "Days in stage",
    ...dimensions.flatMap((d) => [
      `${d.name}: observations`,
      `${d.name}: observers`,
      `${d.name}: last observed`,
    ]),
    "Open flags",
    "Active sniff tests",
    "Coaching",
    "Nudges",
  ];
  const ordered = BOARD_STAGES.flatMap((stage) => cards.filter((c) => c.stage === stage));
  const body = ordered.map((c) => [
    c.name,
    c.team,
    TRACK_LABELS[c.track],
    c.manager.name,
    STAGE_LABELS[c.stage],
    c.days_in_stage,
    ...c.coverage.flatMap((cell) => [
      cell.observations,
      cell.observers,
      cell.last_observed_on ?? "",
    ]),
    c.open_flags,
    c.active_sniff_tests,
    c.coaching === "active" ? "Active plan" : "No active plan",
    c.nudges.map((n) => NUDGE_SHORT_LABELS[n]).join("; "),
  ]);
  return [header, ...body];
}

/**
 * What both pipeline pages (the board and the coverage view) read before their rows: the query and
 * filters from the URL, today, the dimensions, and the choices the filter form offers.
 */
export async function loadPipelineFilters(context: AppContext, params: URLSearchParams) {
  const { query, filters, sort } = pipelineQueryFrom(params);
  const today = isoDate(context.now());
  const [dimensions, teams, managers] = await Promise.all([
    listBoardDimensions(context.db),
    listPipelineTeams(context.db),
    listManagersForFilter(context.db),
  ]);
  const nudgeOptions = PIPELINE_NUDGES.map((key) => ({ key, label: NUDGE_SHORT_LABELS[key] }));
  return { query, filters, sort, today, dimensions, teams, managers, nudgeOptions };
}
