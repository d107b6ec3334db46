/**
 * The leaders' pipeline board: every non-archived candidate with the facts about
 * their evidence, side by side and never combined. The whole board costs a constant number of
 * statements whatever the number of candidates: one for the dimensions and one for a page of each
 * column. A card's counts, nudge facts and last activity are one row of candidate_card_facts, kept
 * by the database (migration 0016); its per-dimension coverage is read from evidence_coverage.
 */
import { sql } from "kysely";
import type { DB } from "../../db/client";
import type { AppContext } from "../context";
import { z } from "zod";
import { type Stage, TRACKS, type Track } from "../../db/schema";
import { isUuid } from "../auth/policy.server";
import { addDays, daysBetween, isoDate } from "../utils/dates";
import { escapeLike, listAllTeams, NUDGES } from "./candidate.server";
import { listManagersForFilter } from "./user.server";
import { computeNudges, nudgeGraceWindow, RECENT_EVIDENCE_DAYS } from "./evidence.server";
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

/** A card on the board: the number of observations per dimension is all its cells show. */
export type BoardCard = Omit<PipelineCard, "coverage"> & {
  /** One count per non-archived dimension, in framework order; 0 is "not yet observed". */
  coverage: number[];
};

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
  /** Paged reads (the board): observations per dimension id. Otherwise: every fact per dimension. */
  coverage:
    | Record<string, number | string>
    | {
        dimension_id: string;
        observations: number;
        observers: number;
        last_observed_on: string | null;
      }[]
    | null;
  observers: number;
  last_observed_on: string | null;
  open_flags: number;
  undiscussed_flags: number;
  active_sniff_tests: number;
  has_active_plan: boolean;
  stale_plan: boolean;
  last_activity_on: string;
  /** The number of candidates in the card's column that match the filters (paged reads only). */
  column_total?: number | string;
};

// Candidate `c` with its card facts `f` (candidate_card_facts, kept by the database: migration 0016).
//
// The newest dated thing that happened to the candidate: a stage move, a note, a flag, a check-in, a
// sniff-test step.
const LAST_ACTIVITY = sql<string>`greatest((c.stage_changed_at at time zone 'UTC')::date, f.last_event_on)`;

// An active plan whose check-in is overdue, by planNudges' rule (coaching.server.ts): the facts keep
// the earliest day one is due (the last check-in + NO_CHECKIN_DAYS, or with none the start +
// FIRST_CHECKIN_DAYS + 1).
const stalePlan = (today: string) =>
  sql<boolean>`coalesce(f.checkin_due_on <= ${today}::date, false)`;

// Candidate `c` was nominated long enough ago (or, impossibly, after today) for the evidence nudges.
function pastNudgeGrace(today: string) {
  const { from, to } = nudgeGraceWindow(today);
  return sql<boolean>`not ((c.created_at at time zone 'UTC')::date between ${from}::date and ${to}::date)`;
}

/** The nudge as a condition on candidate `c` and its facts `f`: the same rules as computeNudges. */
function nudgeCondition(nudge: PipelineNudge, today: string) {
  switch (nudge) {
    case "single_observer":
      return sql<boolean>`${pastNudgeGrace(today)} and f.observers < 2`;
    case "no_recent_evidence":
      return sql<boolean>`${pastNudgeGrace(today)} and coalesce(f.last_observed_on < ${addDays(
        today,
        -RECENT_EVIDENCE_DAYS,
      )}::date, true)`;
    case "unobserved_dimension":
      // Dimensions are added and archived, so this one stays a read of evidence_coverage: the live
      // dimensions are listed once per statement, and each candidate's covered ones are one index
      // range (probing the index once per dimension and candidate cost 8 times the buffers).
      return sql<boolean>`not (array(select d.id from dimensions d where d.archived_at is null)
        <@ array(select ec.dimension_id from evidence_coverage ec where ec.candidate_id = c.id))`;
    case "undiscussed_flag":
      return sql<boolean>`f.undiscussed_flags > 0`;
    case "plan_without_checkin":
      return stalePlan(today);
  }
}

// The team, track and manager filters (and the nudge), on candidates aliased `c` with facts `f`.
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

// The board's orders, on `c` and `f`: the same expressions choose a page and order the cards in it.
function orderBy(sort: PipelineSort) {
  return sort === "days_in_stage"
    ? sql`c.stage_changed_at, lower(c.name), c.id`
    : sort === "last_activity"
      ? sql`${LAST_ACTIVITY}, lower(c.name), c.id`
      : sql`lower(c.name), c.id`;
}

/**
 * Cards per column on the board: one page of compact cards. Issue 23 allowed up to 12; each card
 * costs about 0.2 ms of the server's CPU, and with 12 the board stayed over its target of 4 × the
 * cost of /login (docs/performance.md), so a page is 8: 48 people on the board's first page.
 */
export const BOARD_COLUMN_PAGE = 8;

/** The page each column shows, from ?page_<stage>=N (1 when missing or not a positive whole number). */
export type ColumnPages = Record<(typeof BOARD_STAGES)[number], number>;

export function boardPagesFrom(params: URLSearchParams): ColumnPages {
  const page = (stage: string) => {
    const n = Number(params.get(`page_${stage}`) ?? 1);
    // Far beyond any column: the query falls back to the last page anyway.
    return Number.isSafeInteger(n) && n >= 1 ? Math.min(n, 1_000_000) : 1;
  };
  return Object.fromEntries(BOARD_STAGES.map((s) => [s, page(s)])) as ColumnPages;
}

/**
 * The non-archived candidates matching the filters, with the facts of a card, in the chosen order
 * (with pages, column by column). One statement. With `pages`, each column is cut to that page of
 * BOARD_COLUMN_PAGE cards first (a page past the end shows the last one) and each row carries its
 * column's count, so only the shown cards' coverage is read whatever the number of candidates; the
 * filters, the nudge filter and the sorts read the card facts, not the notes.
 */
async function queryCards(
  db: DB,
  {
    filters,
    today,
    sort,
    pages,
  }: { filters: PipelineFilters; today: string; sort: PipelineSort; pages?: ColumnPages },
) {
  const order = orderBy(sort);
  // The stages and the page size are constants of the code, written into the text as literals: with
  // them as parameters PostgreSQL planned the prepared statement again on every request (about 1 ms)
  // and its generic plan ran slower; with them in the text the generic plan is chosen and runs faster
  // (docs/performance.md). Only the pages, today and the filters are parameters.
  const stages = sql.join(BOARD_STAGES.map((s) => sql.lit(s)));
  const pageNumbers = sql.join(BOARD_STAGES.map((s) => sql`${pages?.[s] ?? 1}`));
  const size = sql.lit(BOARD_COLUMN_PAGE);
  // Every candidate has a facts row, so the column's candidates join it only when a condition or the
  // order reads it: by name or time in stage, a page is the first rows of an index on candidates, and
  // a column's count reads the facts only for a nudge filter.
  const join = sql`join candidate_card_facts f on f.candidate_id = c.id`;
  const filtered = filters.nudge && filters.nudge !== "unobserved_dimension";
  const inColumn = (withFacts: boolean) =>
    sql`from candidates c ${withFacts ? join : sql``} where c.stage = s.stage and ${boardConditions(filters, today)}`;
  const ordered = inColumn(Boolean(filtered) || sort === "last_activity");
  const chosen = pages
    ? sql`cross join lateral (select count(*) as n ${inColumn(Boolean(filtered))}) total
      cross join lateral (
        select c.id ${ordered}
        order by ${order}
        limit ${size} offset (least(s.page, greatest(ceil(total.n / ${size}::numeric), 1)) - 1) * ${size}
      ) chosen`
    : sql`cross join lateral (select c.id ${ordered}) chosen`;
  const { rows } = await sql<CardRow>`
    select c.id, c.name, c.team, c.track, c.stage, c.version, c.stage_changed_at,
      (c.created_at at time zone 'UTC')::date::text as nominated_on,
      m.id as manager_id, m.name as manager_name,
      cov.coverage, f.observers, f.last_observed_on, f.open_flags, f.undiscussed_flags,
      f.active_sniff_tests, f.has_active_plan, ${stalePlan(today)} as stale_plan,
      ${LAST_ACTIVITY}::text as last_activity_on
      ${pages ? sql`, total.n as column_total` : sql``}
    from unnest(array[${stages}]::text[], array[${pageNumbers}]::int[]) with ordinality as s(stage, page, i)
    ${chosen}
    join candidates c on c.id = chosen.id
    join candidate_card_facts f on f.candidate_id = c.id
    join users m on m.id = c.manager_id
    left join lateral (
      ${
        pages
          ? // A card's cells show only the counts: one small object per card (a third faster).
            sql`select json_object_agg(x.dimension_id, x.observations) as coverage
              from (
                select ec.dimension_id, sum(ec.observations) as observations
                from evidence_coverage ec where ec.candidate_id = c.id
                group by ec.dimension_id
              ) x`
          : sql`select json_agg(json_build_object('dimension_id', x.dimension_id, 'observations', x.observations,
                'observers', x.observers, 'last_observed_on', x.last_observed_on)) as coverage
              from (
                select ec.dimension_id, sum(ec.observations) as observations, count(*) as observers, max(ec.last_observed_on) as last_observed_on
                from evidence_coverage ec where ec.candidate_id = c.id
                group by ec.dimension_id
              ) x`
      }
    ) cov on true
    order by ${pages ? sql`s.i, ` : sql``}${order}
  `.execute(db);
  return rows;
}

/** A card's facts apart from its cells, from its row and its counts per dimension (framework order). */
function cardFacts(
  row: CardRow,
  counts: readonly number[],
  dimensions: readonly { id: string; name: string }[],
  today: string,
): Omit<PipelineCard, "coverage"> {
  // The profile's own rules, so a card and the profile always nudge alike. The facts' observers and
  // last date are the profile's evidence_coverage totals (every note has a dimension).
  const raised = computeNudges({
    coverage: dimensions.map((d, i) => ({ name: d.name, observations: counts[i] })),
    totals: {
      observers: Number(row.observers),
      last_observed_on: row.last_observed_on ?? null,
      nominated_on: row.nominated_on,
    },
    openFlags: Array.from({ length: Number(row.undiscussed_flags) }, () => ({
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
    open_flags: Number(row.open_flags),
    active_sniff_tests: Number(row.active_sniff_tests),
    coaching: row.has_active_plan ? "active" : "none",
    nudges: ordered,
    nudge_tags: ordered.map((key) => ({ key, label: tagOf(key) })),
  };
}

/** A card with every fact per dimension (the CSV and the coverage view), from a row read without pages. */
function toCard(
  row: CardRow,
  dimensions: readonly { id: string; name: string }[],
  today: string,
): PipelineCard {
  const cells = Array.isArray(row.coverage) ? row.coverage : [];
  const byDimension = new Map(cells.map((c) => [c.dimension_id, c]));
  const coverage = dimensions.map((d): CoverageCell => {
    const c = byDimension.get(d.id);
    return {
      dimension_id: d.id,
      observations: Number(c?.observations ?? 0),
      observers: Number(c?.observers ?? 0),
      last_observed_on: (c?.last_observed_on as string | null | undefined) ?? null,
    };
  });
  const counts = coverage.map((c) => c.observations);
  return { ...cardFacts(row, counts, dimensions, today), coverage };
}

/** A board card, from a row read with pages (its coverage is the observations per dimension id). */
function toBoardCard(
  row: CardRow,
  dimensions: readonly { id: string; name: string }[],
  today: string,
): BoardCard {
  const byDimension = row.coverage && !Array.isArray(row.coverage) ? row.coverage : {};
  const counts = dimensions.map((d) => Number(byDimension[d.id] ?? 0));
  return { ...cardFacts(row, counts, dimensions, today), coverage: counts };
}

/**
 * Every non-archived candidate matching the filters, with the facts of a card, in the chosen order
 * across the columns: the CSV (which groups them by column) and the coverage view. One statement.
 */
export async function listPipelineCards(
  db: DB,
  {
    filters,
    today,
    dimensions,
    sort = "name",
  }: {
    filters: PipelineFilters;
    today: string;
    dimensions: readonly { id: string; name: string }[];
    sort?: PipelineSort;
  },
): Promise<PipelineCard[]> {
  const rows = await queryCards(db, { filters, today, sort });
  return rows.map((row) => toCard(row, dimensions, today));
}

/**
 * The board: one page of each column and the column's full count, in one statement whatever the
 * number of candidates. A page past a column's end shows its last page; `page` is the page shown.
 */
export async function listPipelineBoard(
  db: DB,
  args: {
    filters: PipelineFilters;
    today: string;
    dimensions: readonly { id: string; name: string }[];
    sort: PipelineSort;
    pages: ColumnPages;
  },
) {
  const rows = await queryCards(db, args);
  const columns = BOARD_STAGES.map((stage) => {
    const mine = rows.filter((r) => r.stage === stage);
    const total = Number(mine[0]?.column_total ?? 0);
    const lastPage = Math.max(1, Math.ceil(total / BOARD_COLUMN_PAGE));
    return {
      stage,
      cards: mine.map((row) => toBoardCard(row, args.dimensions, args.today)),
      total,
      page: Math.min(args.pages[stage], lastPage),
      pageSize: BOARD_COLUMN_PAGE,
    };
  });
  return { columns, total: columns.reduce((sum, c) => sum + c.total, 0) };
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
