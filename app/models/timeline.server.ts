/**
 * The candidate timeline: everything that happened, newest first, built in SQL as one UNION ALL of
 * per-kind selects with a common shape, each cut to the page before the union, so a page costs one
 * statement whatever it shows or how long the history is.
 */
import { type SelectQueryBuilder, sql } from "kysely";
import type { DB } from "../../db/client";
import type { Database } from "../../db/schema";
import { isUuid } from "../auth/policy.server";

import { TIMELINE_KINDS, type TimelineKind } from "../utils/labels";
export { TIMELINE_KINDS, type TimelineKind };
export const TIMELINE_PAGE_SIZE = 20;
const MAX_PAGE = 10_000;

export interface TimelineRow {
  kind: TimelineKind;
  /** What happened within the kind: observation, flag_raised, flag_discussed, flag_status, assignment, plan_started, plan_status, plan_mentor, checkin, stage, decision. */
  event: string;
  id: string;
  /** Sort key. Dated records (observations, flags, check-ins) sort on their date, at the time of day they were written. */
  at: Date;
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
    createdAt
  )} at time zone 'UTC')::time) at time zone 'UTC')`;
const dayOf = (timestamp: string) =>
  sql<string>`(${sql.ref(timestamp)} at time zone 'UTC')::date`;

function observationBranch(
  db: DB,
  candidateId: string,
  dimensionId: string | null
): Branch {
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
            .whereRef("r.observation_id", "=", "o.id")
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
          .where("od.dimension_id", "=", dimensionId)
      )
    );
  }
  return query as unknown as Branch;
}

function flagBranches(db: DB, candidateId: string): Branch[] {
  const raised = db
    .selectFrom("flags as f")
    .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
    .innerJoin("users as u", "u.id", "f.raised_by")
    .select([
      lit("flag").as("kind"),
      lit("flag_raised").as("event"),
      "f.id",
      dayAt("f.observed_on", "f.created_at").as("at"),
      sql<string>`f.observed_on`.as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`p.name`.as("title"),
      nullText.as("detail"),
      sql<string | null>`f.situation`.as("situation"),
      sql<string | null>`f.behavior`.as("behavior"),
      sql<string | null>`f.impact`.as("impact"),
      nullText.as("signal"),
      nullText.as("from_status"),
      sql<string | null>`f.status`.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      sql<string | null>`f.id::text`.as("link_id"),
    ])
    .where("f.candidate_id", "=", candidateId);
  // The 'raised' event repeats the flag row above, so only later events are listed.
  const events = db
    .selectFrom("flag_events as e")
    .innerJoin("flags as f", "f.id", "e.flag_id")
    .innerJoin("anti_patterns as p", "p.id", "f.anti_pattern_id")
    .innerJoin("users as u", "u.id", "e.changed_by")
    .select([
      lit("flag").as("kind"),
      sql<string>`case when e.kind = 'discussed' then 'flag_discussed' else 'flag_status' end`.as(
        "event"
      ),
      "e.id",
      sql<Date>`e.created_at`.as("at"),
      dayOf("e.created_at").as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`p.name`.as("title"),
      sql<string | null>`nullif(e.note, '')`.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      sql<string | null>`e.from_status`.as("from_status"),
      sql<string | null>`e.to_status`.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      sql<string | null>`f.id::text`.as("link_id"),
    ])
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
    .select([
      lit("sniff_test").as("kind"),
      lit("assignment").as("event"),
      "e.id",
      sql<Date>`e.created_at`.as("at"),
      dayOf("e.created_at").as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`r.title`.as("title"),
      sql<string | null>`nullif(e.note, '')`.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      sql<string | null>`e.from_status`.as("from_status"),
      sql<string | null>`e.to_status`.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      sql<string | null>`a.id::text`.as("link_id"),
    ])
    .where("a.candidate_id", "=", candidateId) as unknown as Branch;
}

function coachingBranches(db: DB, candidateId: string): Branch[] {
  const changes = db
    .selectFrom("coaching_plan_changes as c")
    .innerJoin("coaching_plans as p", "p.id", "c.plan_id")
    .innerJoin("users as u", "u.id", "c.changed_by")
    .leftJoin("users as m", "m.id", "c.to_mentor_id")
    .select([
      lit("coaching").as("kind"),
      sql<string>`case
        when c.from_status is null then 'plan_started'
        when c.from_status = c.to_status and c.from_mentor_id is distinct from c.to_mentor_id then 'plan_mentor'
        else 'plan_status' end`.as("event"),
      "c.id",
      dayAt("c.changed_on", "c.created_at").as("at"),
      sql<string>`c.changed_on`.as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`p.goal`.as("title"),
      sql<string | null>`nullif(c.reason, '')`.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      sql<string | null>`c.from_status`.as("from_status"),
      sql<string | null>`c.to_status`.as("to_status"),
      sql<string | null>`m.name`.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      sql<string | null>`p.id::text`.as("link_id"),
    ])
    .where("p.candidate_id", "=", candidateId);
  // Check-in notes stay on the plan page; the timeline records that the conversation happened.
  const checkins = db
    .selectFrom("coaching_checkins as k")
    .innerJoin("coaching_plans as p", "p.id", "k.plan_id")
    .innerJoin("users as u", "u.id", "k.author_id")
    .select([
      lit("coaching").as("kind"),
      lit("checkin").as("event"),
      "k.id",
      dayAt("k.held_on", "k.created_at").as("at"),
      sql<string>`k.held_on`.as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`p.goal`.as("title"),
      nullText.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      nullText.as("from_status"),
      nullText.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      sql<string | null>`p.id::text`.as("link_id"),
    ])
    .where("p.candidate_id", "=", candidateId);
  return [changes as unknown as Branch, checkins as unknown as Branch];
}

function stageBranch(db: DB, candidateId: string): Branch {
  return db
    .selectFrom("stage_changes as s")
    .innerJoin("users as u", "u.id", "s.changed_by")
    .select([
      lit("stage").as("kind"),
      lit("stage").as("event"),
      "s.id",
      sql<Date>`s.created_at`.as("at"),
      dayOf("s.created_at").as("day"),
      sql<string | null>`u.name`.as("actor"),
      nullText.as("title"),
      sql<string | null>`s.reason`.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      sql<string | null>`s.from_stage`.as("from_status"),
      sql<string | null>`s.to_stage`.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      no.as("superseded"),
      nullText.as("link_id"),
    ])
    .where("s.candidate_id", "=", candidateId) as unknown as Branch;
}

function decisionBranch(db: DB, candidateId: string): Branch {
  return db
    .selectFrom("calibration_decisions as d")
    .innerJoin("calibration_items as i", "i.id", "d.item_id")
    .innerJoin("calibration_meetings as m", "m.id", "i.meeting_id")
    .innerJoin("users as u", "u.id", "d.decided_by")
    .select([
      lit("decision").as("kind"),
      lit("decision").as("event"),
      "d.id",
      sql<Date>`d.decided_at`.as("at"),
      dayOf("d.decided_at").as("day"),
      sql<string | null>`u.name`.as("actor"),
      sql<string | null>`m.title`.as("title"),
      sql<string | null>`d.rationale`.as("detail"),
      nullText.as("situation"),
      nullText.as("behavior"),
      nullText.as("impact"),
      nullText.as("signal"),
      nullText.as("from_status"),
      sql<string | null>`d.outcome`.as("to_status"),
      nullText.as("mentor"),
      no.as("edited"),
      no.as("retracted"),
      sql<boolean>`d.superseded_at is not null`.as("superseded"),
      sql<string | null>`m.id::text`.as("link_id"),
    ])
    .where("i.candidate_id", "=", candidateId) as unknown as Branch;
}

function branchesFor(
  db: DB,
  candidateId: string,
  { kind, dimensionId }: Omit<TimelineFilters, "page">
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

export interface TimelineEntry extends TimelineRow {
  dimensions: { id: string; name: string }[];
}

/** One page of the timeline, newest first (ties broken by id), with whether older entries exist. */
export async function getTimeline(
  db: DB,
  {
    candidateId,
    filters,
    pageSize = TIMELINE_PAGE_SIZE,
  }: { candidateId: string; filters: TimelineFilters; pageSize?: number }
): Promise<{
  entries: TimelineEntry[];
  hasOlder: boolean;
  hasNewer: boolean;
  page: number;
}> {
  const branches = branchesFor(db, candidateId, filters);
  const page = filters.page;
  if (!branches.length)
    return { entries: [], hasOlder: false, hasNewer: page > 1, page };
  // Each branch is cut to the rows the page could need before the union (newest first, along an index
  // where the branch is large), so a candidate with years of notes costs the same as a new one.
  const upTo = page * pageSize + 1;
  const limited = branches.map(
    (branch) =>
      db
        .selectFrom(
          branch.orderBy("at", "desc").orderBy("id", "desc").limit(upTo).as("b")
        )
        .selectAll() as unknown as Branch
  );
  const union = limited
    .slice(1)
    .reduce((acc, branch) => acc.unionAll(branch), limited[0]);
  // One statement: the page, then the dimensions of the page's observations, in framework order.
  const rows = (await db
    .selectFrom(
      db
        .selectFrom(union.as("u"))
        .selectAll()
        .orderBy("u.at", "desc")
        .orderBy("u.id", "desc")
        .limit(pageSize + 1)
        .offset((page - 1) * pageSize)
        .as("t")
    )
    .selectAll("t")
    .select(
      sql<
        { id: string; name: string }[]
      >`case when t.kind = 'observation' then coalesce((
        select json_agg(json_build_object('id', d.id, 'name', d.name) order by d.position, d.id)
        from observation_dimensions od join dimensions d on d.id = od.dimension_id
        where od.observation_id = t.id), '[]'::json) else '[]'::json end`.as(
        "dimensions"
      )
    )
    .orderBy("t.at", "desc")
    .orderBy("t.id", "desc")
    .execute()) as unknown as TimelineEntry[];
  return {
    entries: rows.slice(0, pageSize).map((r) => ({ ...r, at: new Date(r.at) })),
    hasOlder: rows.length > pageSize,
    hasNewer: page > 1,
    page,
  };
}
