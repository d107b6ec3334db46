/**
 * The candidate timeline: everything that happened, newest first, built in SQL as one UNION ALL of
 * per-kind selects with a common shape, each cut to the page before the union, so a page costs one
 * statement whatever it shows or how long the history is.
 */
import { type RawBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { DB } from "../../db/client";
import { compiledOnce } from "../../db/compiled-once";
import type { Database } from "../../db/schema";
import { isUuid } from "../auth/policy.server";

import { TIMELINE_KINDS, type TimelineFields, type TimelineKind } from "../utils/labels";
import { shorten } from "../utils/shorten";
export { TIMELINE_KINDS, type TimelineKind };
/** The latest entries on the profile; older ones are a page away (issue 23). */
export const TIMELINE_PAGE_SIZE = 10;
/**
 * Where a long text is cut on the timeline (situation, behaviour, impact, a note or a rationale). Above
 * every SBI field of the demo seed (its longest behaviour has 224 characters, a typical one about 120),
 * so an ordinary note is shown whole, and about four lines at the timeline's width.
 */
export const TIMELINE_TEXT_LIMIT = 300;
/** A title in an entry's headline: a coaching goal can run to a paragraph. */
export const TIMELINE_TITLE_LIMIT = 120;
/** A cited observation's behaviour, as the meeting's summary labels it. */
const CITED_BEHAVIOR_LIMIT = 140;
const MAX_PAGE = 10_000;

export interface TimelineRow extends TimelineFields {
  /** Sort key. Dated records (observations, flags, check-ins) sort on their date, at the time of day they were written. */
  at: Date;
}

export interface TimelineFilters {
  kind: TimelineKind | null;
  dimensionId: string | null;
  page: number;
}

/** Filters from the query string; anything malformed is ignored rather than refused (these are links people paste). */
export function timelineFiltersFrom(params: URLSearchParams): TimelineFilters {
  const kind = params.get("kind");
  const dimension = params.get("dimension");
  const page = Number(params.get("page") ?? "1");
  return {
    kind: (TIMELINE_KINDS as readonly string[]).includes(kind ?? "")
      ? (kind as TimelineKind)
      : null,
    dimensionId: isUuid(dimension) ? dimension.toLowerCase() : null,
    page: Number.isInteger(page) && page >= 1 && page <= MAX_PAGE ? page : 1,
  };
}

type Branch = SelectQueryBuilder<Database, any, TimelineRow>;

const lit = (value: string) => sql<string>`${sql.lit(value)}::text`;
const nullText = sql<string | null>`null::text`;
const no = sql<boolean>`false`;
/** A calendar date placed at the time of day its row was written, so same-day events keep their order. */
const dayAt = (day: string, createdAt: string) =>
  sql<Date>`((${sql.ref(day)} + (${sql.ref(
    createdAt,
  )} at time zone 'UTC')::time) at time zone 'UTC')`;
const dayOf = (timestamp: string) => sql<string>`(${sql.ref(timestamp)} at time zone 'UTC')::date`;

type Column = RawBuilder<unknown>;
type ColumnName = Exclude<keyof TimelineRow, "kind" | "event" | "id">;
const COLUMN_ORDER: readonly ColumnName[] = [
  "at",
  "day",
  "actor",
  "title",
  "detail",
  "situation",
  "behavior",
  "impact",
  "signal",
  "from_status",
  "to_status",
  "mentor",
  "edited",
  "retracted",
  "superseded",
  "link_id",
];
const FLAGS: ReadonlySet<ColumnName> = new Set(["edited", "retracted", "superseded"]);

/**
 * One branch's select list in the common shape and order the UNION ALL needs: `id` names the row's id
 * column, and every column not given is null (false for the edited / retracted / superseded flags).
 */
function columns(
  kind: TimelineKind,
  event: string | Column,
  id: string,
  given: Partial<Record<ColumnName, Column>>,
) {
  return [
    lit(kind).as("kind"),
    (typeof event === "string" ? lit(event) : event).as("event"),
    sql<string>`${sql.ref(id)}`.as("id"),
    ...COLUMN_ORDER.map((name) => (given[name] ?? (FLAGS.has(name) ? no : nullText)).as(name)),
  ];
}

/**
 * The columns of a status event kept in an events table `e` (when, its note, the status before and
 * after) by the user `u`: a flag's or a sniff test assignment's later events.
 */
function statusEventColumns(title: string, linkId: string): Partial<Record<ColumnName, Column>> {
  return {
    at: sql<Date>`e.created_at`,
    day: dayOf("e.created_at"),
    actor: sql<string | null>`u.name`,
    title: sql<string | null>`${sql.ref(title)}`,
    detail: sql<string | null>`nullif(e.note, '')`,
    from_status: sql<string | null>`e.from_status`,
    to_status: sql<string | null>`e.to_status`,
    link_id: sql<string | null>`${sql.ref(linkId)}::text`,
  };
}

function observationBranch(db: DB, candidateId: string, dimensionId: string | null): Branch {
  let query = db
    .selectFrom("observations as o")
    .innerJoin("users as u", "u.id", "o.author_id")
    .select((eb) => [
      lit("observation").as("kind"),
      lit("observation").as("event"),
      "o.id",
      dayAt("o.observed_on", "o.created_at").as("at"),
      sql<string>`o.observed_on`.as("day"),
      sql<string | null>`u.name`.as("actor"),
      nullText.as("title"),
      sql<string | null>`o.retraction_reason`.as("detail"),
      sql<string | null>`o.situation`.as("situation"),
      sql<string | null>`o.behavior`.as("behavior"),
      sql<string | null>`o.impact`.as("impact"),
      sql<string | null>`o.signal`.as("signal"),
      nullText.as("from_status"),
      nullText.as("to_status"),
      nullText.as("mentor"),
      eb
        .exists(
          eb
            .selectFrom("observation_revisions as r")
            .select("r.id")
            .whereRef("r.observation_id", "=", "o.id"),
        )
        .$castTo<boolean>()
        .as("edited"),
      sql<boolean>`o.retracted_at is not null`.as("retracted"),
      no.as("superseded"),
      sql<string | null>`o.id::text`.as("link_id"),
    ])
    .where("o.candidate_id", "=", candidateId);
  if (dimensionId) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("observation_dimensions as od")
          .select("od.observation_id")
          .whereRef("od.observation_id", "=", "o.id")
          .where("od.dimension_id", "=", dimensionId),
      ),
    );
  }
  return query as unknown as Branch;
}

function flagBranches(db: DB, candidateId: string): Branch[] {
  const raised = db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
    .innerJoin("users as u", "u.id", "f.raised_by")
    .select(
      columns("flag", "flag_raised", "f.id", {
        at: dayAt("f.observed_on", "f.created_at"),
        day: sql<string>`f.observed_on`,
        actor: sql<string | null>`u.name`,
        title: sql<string | null>`p.name`,
        situation: sql<string | null>`f.situation`,
        behavior: sql<string | null>`f.behavior`,
        impact: sql<string | null>`f.impact`,
        to_status: sql<string | null>`f.status`,
        link_id: sql<string | null>`f.id::text`,
      }),
    )
    .where("f.candidate_id", "=", candidateId);
  // The 'raised' event repeats the flag row above, so only later events are listed.
  const events = db
    .selectFrom("flag_events as e")
    .innerJoin("flags as f", "f.id", "e.flag_id")
    .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
    .innerJoin("users as u", "u.id", "e.changed_by")
    .select(
      columns(
        "flag",
        sql<string>`case when e.kind = 'discussed' then 'flag_discussed' else 'flag_status' end`,
        "e.id",
        statusEventColumns("p.name", "f.id"),
      ),
    )
    .where("f.candidate_id", "=", candidateId)
    .where("e.kind", "<>", "raised");
  return [raised as unknown as Branch, events as unknown as Branch];
}

function sniffTestBranch(db: DB, candidateId: string): Branch {
  return db
    .selectFrom("sniff_test_assignment_events as e")
    .innerJoin("sniff_test_assignments as a", "a.id", "e.assignment_id")
    .innerJoin("sniff_test_revisions as r", "r.id", "a.sniff_test_revision_id")
    .innerJoin("users as u", "u.id", "e.changed_by")
    .select(columns("sniff_test", "assignment", "e.id", statusEventColumns("r.title", "a.id")))
    .where("a.candidate_id", "=", candidateId) as unknown as Branch;
}

function coachingBranches(db: DB, candidateId: string): Branch[] {
  const changes = db
    .selectFrom("coaching_plan_changes as c")
    .innerJoin("coaching_plans as p", "p.id", "c.plan_id")
    .innerJoin("users as u", "u.id", "c.changed_by")
    .leftJoin("users as m", "m.id", "c.to_mentor_id")
    .select(
      columns(
        "coaching",
        sql<string>`case
        when c.from_status is null then 'plan_started'
        when c.from_status = c.to_status and c.from_mentor_id is distinct from c.to_mentor_id then 'plan_mentor'
        else 'plan_status' end`,
        "c.id",
        {
          at: dayAt("c.changed_on", "c.created_at"),
          day: sql<string>`c.changed_on`,
          actor: sql<string | null>`u.name`,
          title: sql<string | null>`p.goal`,
          detail: sql<string | null>`nullif(c.reason, '')`,
          from_status: sql<string | null>`c.from_status`,
          to_status: sql<string | null>`c.to_status`,
          mentor: sql<string | null>`m.name`,
          link_id: sql<string | null>`p.id::text`,
        },
      ),
    )
    .where("p.candidate_id", "=", candidateId);
  // Check-in notes stay on the plan page; the timeline records that the conversation happened.
  const checkins = db
    .selectFrom("coaching_checkins as k")
    .innerJoin("coaching_plans as p", "p.id", "k.plan_id")
    .innerJoin("users as u", "u.id", "k.author_id")
    .select(
      columns("coaching", "checkin", "k.id", {
        at: dayAt("k.held_on", "k.created_at"),
        day: sql<string>`k.held_on`,
        actor: sql<string | null>`u.name`,
        title: sql<string | null>`p.goal`,
        link_id: sql<string | null>`p.id::text`,
      }),
    )
    .where("p.candidate_id", "=", candidateId);
  return [changes as unknown as Branch, checkins as unknown as Branch];
}

/** Stage moves; the first row (no previous stage) is the nomination, with the nominator's account. */
function stageBranch(db: DB, candidateId: string): Branch {
  return db
    .selectFrom("stage_changes as s")
    .innerJoin("users as u", "u.id", "s.changed_by")
    .innerJoin("candidates as c", "c.id", "s.candidate_id")
    .select(
      columns(
        "stage",
        sql<string>`case when s.from_stage is null then 'nomination' else 'stage' end`,
        "s.id",
        {
          at: sql<Date>`s.created_at`,
          day: dayOf("s.created_at"),
          actor: sql<string | null>`u.name`,
          detail: sql<
            string | null
          >`case when s.from_stage is null then c.nominated_reason else s.reason end`,
          from_status: sql<string | null>`s.from_stage`,
          to_status: sql<string | null>`s.to_stage`,
        },
      ),
    )
    .where("s.candidate_id", "=", candidateId) as unknown as Branch;
}

function decisionBranch(db: DB, candidateId: string): Branch {
  return db
    .selectFrom("calibration_decisions as d")
    .innerJoin("calibration_items as i", "i.id", "d.item_id")
    .innerJoin("calibration_meetings as m", "m.id", "i.meeting_id")
    .innerJoin("users as u", "u.id", "d.decided_by")
    .select(
      columns("decision", "decision", "d.id", {
        at: sql<Date>`d.decided_at`,
        day: dayOf("d.decided_at"),
        actor: sql<string | null>`u.name`,
        title: sql<string | null>`m.title`,
        detail: sql<string | null>`d.rationale`,
        to_status: sql<string | null>`d.outcome`,
        superseded: sql<boolean>`d.superseded_at is not null`,
        link_id: sql<string | null>`m.id::text`,
      }),
    )
    .where("i.candidate_id", "=", candidateId) as unknown as Branch;
}

function branchesFor(
  db: DB,
  candidateId: string,
  { kind, dimensionId }: Omit<TimelineFilters, "page">,
): Branch[] {
  // A dimension belongs to observations only: with that filter, nothing else is shown.
  if (dimensionId)
    return kind === null || kind === "observation"
      ? [observationBranch(db, candidateId, dimensionId)]
      : [];
  const all: Record<TimelineKind, () => Branch[]> = {
    observation: () => [observationBranch(db, candidateId, null)],
    flag: () => flagBranches(db, candidateId),
    sniff_test: () => [sniffTestBranch(db, candidateId)],
    coaching: () => coachingBranches(db, candidateId),
    stage: () => [stageBranch(db, candidateId)],
    decision: () => [decisionBranch(db, candidateId)],
  };
  return kind ? all[kind]() : TIMELINE_KINDS.flatMap((k) => all[k]());
}

/** A record a calibration decision cites, as the meeting's summary describes it. */
export interface CitedEvidence {
  observation_id: string | null;
  flag_id: string | null;
  assignment_id: string | null;
  observed_on: string | null;
  behavior: string | null;
  retracted: boolean;
  flag_observed_on: string | null;
  anti_pattern: string | null;
  assignment_title: string | null;
  assignment_status: string | null;
}

export interface TimelineEntry extends TimelineRow {
  dimensions: { id: string; name: string }[];
  /** For a decision: what it cites, only ever this candidate's own records. Empty otherwise. */
  evidence: CitedEvidence[];
  /** Whether a text was cut (see shortenEntry): the entry then links to where it is whole. */
  shortened: boolean;
}

/**
 * The entry with its long texts cut, each whole on the entry's own page: an observation's or a flag's,
 * a sniff test's, a coaching plan's (goal and reasons), and for the nomination the profile's own
 * header. Stage changes and decisions are the exceptions: a stage change's reason (at most 2,000
 * characters, a handful in a person's history) is on the edit page, for managers, and a decision's
 * rationale on its meeting's pages, for leaders and the meeting's attendees; neither has a page every
 * reader of the profile may open, so both stay whole (a decision's cited evidence is still labelled by
 * its start, each citation linking to its record).
 */
function shortenEntry(row: TimelineEntry): TimelineEntry {
  // Each citation links to its record; a label needs no more than its start.
  const evidence = row.evidence.map((e) => ({
    ...e,
    behavior: e.behavior === null ? null : shorten(e.behavior, CITED_BEHAVIOR_LIMIT).text,
  }));
  if (row.event === "stage" || row.kind === "decision")
    return { ...row, evidence, shortened: false };
  let shortened = false;
  const cut = (text: string | null, max: number) => {
    if (text === null) return null;
    const s = shorten(text, max);
    shortened ||= s.cut;
    return s.text;
  };
  const entry = {
    ...row,
    title: cut(row.title, TIMELINE_TITLE_LIMIT),
    situation: cut(row.situation, TIMELINE_TEXT_LIMIT),
    behavior: cut(row.behavior, TIMELINE_TEXT_LIMIT),
    impact: cut(row.impact, TIMELINE_TEXT_LIMIT),
    detail: cut(row.detail, TIMELINE_TEXT_LIMIT),
    evidence,
  };
  return { ...entry, shortened };
}

/** The statement of one timeline page, for a filter's shape; its values are slots (compiledOnce). */
function timelineStatement(
  db: DB,
  { kind, dimension }: { kind: TimelineKind | null; dimension: boolean },
  pageSize: number,
  { candidateId, dimensionId, upTo, offset }: TimelineValues,
) {
  const branches = branchesFor(db, candidateId, {
    kind,
    dimensionId: dimension ? dimensionId : null,
  });
  // Each branch is cut to the rows the page could need before the union (newest first, along an index
  // where the branch is large), so a candidate with years of notes costs the same as a new one.
  const limited = branches.map(
    (branch) =>
      db
        .selectFrom(branch.orderBy("at", "desc").orderBy("id", "desc").limit(upTo).as("b"))
        .selectAll() as unknown as Branch,
  );
  const union = limited.slice(1).reduce((acc, branch) => acc.unionAll(branch), limited[0]);
  // One statement: the page, then the dimensions of the page's observations, in framework order, and
  // what the page's decisions cite.
  return db
    .selectFrom(
      db
        .selectFrom(union.as("u"))
        .selectAll()
        .orderBy("u.at", "desc")
        .orderBy("u.id", "desc")
        .limit(pageSize + 1)
        .offset(offset)
        .as("t"),
    )
    .selectAll("t")
    .select([
      sql<{ id: string; name: string }[]>`case when t.kind = 'observation' then coalesce((
        select json_agg(json_build_object('id', d.id, 'name', d.name) order by d.position, d.id)
        from observation_dimensions od join dimensions d on d.id = od.dimension_id
        where od.observation_id = t.id), '[]'::json) else '[]'::json end`.as("dimensions"),
      // Each citation is joined to this candidate's records only, so one naming anything else is dropped.
      sql<CitedEvidence[]>`case when t.kind = 'decision' then coalesce((
        select json_agg(json_build_object(
          'observation_id', o.id, 'flag_id', f.id, 'assignment_id', sa.id,
          'observed_on', o.observed_on, 'behavior', o.behavior,
          'retracted', o.retracted_at is not null,
          'flag_observed_on', f.observed_on, 'anti_pattern', ap.name,
          'assignment_title', r.title, 'assignment_status', sa.status
        ) order by o.observed_on nulls last, f.observed_on nulls last, e.id)
        from calibration_decision_evidence e
        left join observations o on o.id = e.observation_id and o.candidate_id = ${candidateId}
        left join flags f on f.id = e.flag_id and f.candidate_id = ${candidateId}
        left join anti_patterns ap on ap.id = f.anti_pattern_id
        left join sniff_test_assignments sa on sa.id = e.assignment_id and sa.candidate_id = ${candidateId}
        left join sniff_test_revisions r on r.id = sa.sniff_test_revision_id
        where e.decision_id = t.id and coalesce(o.id, f.id, sa.id) is not null
        ), '[]'::json) else '[]'::json end`.as("evidence"),
    ])
    .orderBy("t.at", "desc")
    .orderBy("t.id", "desc");
}

interface TimelineValues extends Record<string, unknown> {
  candidateId: string;
  dimensionId: string | null;
  upTo: number;
  offset: number;
}

/** One page of the timeline, newest first (ties broken by id), with whether older entries exist. */
export async function getTimeline(
  db: DB,
  {
    candidateId,
    filters,
    pageSize = TIMELINE_PAGE_SIZE,
  }: { candidateId: string; filters: TimelineFilters; pageSize?: number },
): Promise<{
  entries: TimelineEntry[];
  hasOlder: boolean;
  hasNewer: boolean;
  page: number;
}> {
  const page = filters.page;
  // A dimension belongs to observations only (branchesFor): with another kind, nothing is shown.
  if (filters.dimensionId && filters.kind !== null && filters.kind !== "observation")
    return { entries: [], hasOlder: false, hasNewer: page > 1, page };
  const shape = { kind: filters.kind, dimension: filters.dimensionId !== null };
  const rows = (await compiledOnce(
    db,
    `timeline:${shape.kind ?? "*"}:${shape.dimension ? "dimension" : ""}:${pageSize}`,
    {
      candidateId,
      dimensionId: filters.dimensionId,
      upTo: page * pageSize + 1,
      offset: (page - 1) * pageSize,
    } as TimelineValues,
    (slots) => timelineStatement(db, shape, pageSize, slots),
  )) as unknown as TimelineEntry[];
  return {
    entries: rows.slice(0, pageSize).map((r) => shortenEntry({ ...r, at: new Date(r.at) })),
    hasOlder: rows.length > pageSize,
    hasNewer: page > 1,
    page,
  };
}
