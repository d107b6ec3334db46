/**
 * Generates a large organisation into an empty, migrated PostgreSQL database, entirely server-side:
 * every table is one INSERT … SELECT over generate_series, with deterministic ids (md5 of a prefix and
 * a number, cast to uuid) so rows can point at each other by arithmetic instead of joins, and
 * setseed() so random() gives the same organisation every run.
 *
 * Candidate 1 ("the chosen candidate") is in stage coaching, managed by user 6, and carries about
 * 1,000 timeline events. User 1 is an admin and leader, user 6 a manager, user 7 a mentor with plans.
 */
import { createHash } from "node:crypto";
import type pg from "pg";

export interface Sizes {
  users: number;
  candidates: number;
  observations: number;
  flags: number;
  assignments: number;
  sniffTests: number;
  plans: number;
  meetings: number;
  auditEvents: number;
}

/** Everything in proportion to the number of candidates (5,000 → the default organisation). */
export function sizesFor(candidates: number): Sizes {
  const k = candidates / 5000;
  return {
    users: Math.max(30, Math.round(300 * k)),
    candidates,
    observations: Math.round(250_000 * k),
    flags: Math.round(25_000 * k),
    assignments: Math.round(15_000 * k),
    sniffTests: Math.max(10, Math.round(60 * k)),
    plans: Math.round(5_000 * k),
    meetings: Math.max(8, Math.round(200 * k)),
    auditEvents: Math.round(100_000 * k),
  };
}

export const DIMENSIONS = 8;
export const ANTI_PATTERNS = 6;
/** Events of the chosen candidate, by kind. */
const CHOSEN = { observations: 830, flags: 80, assignments: 50, checkins: 40 };
export const FIXTURE_PASSWORD_HASH = "$argon2id$v=19$m=19456,t=2,p=1$fixture$fixture";

/** The uuid of the n-th generated row of a kind: md5(prefix || n)::uuid, the same as in the SQL below. */
export function uid(prefix: string, n: number): string {
  const hex = createHash("md5").update(`${prefix}${n}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The tables whose inserts the card-facts triggers follow (the generator only inserts). */
const CARD_FACT_TABLES = [
  "candidates",
  "observations",
  "flags",
  "sniff_test_assignments",
  "sniff_test_assignment_events",
  "coaching_plans",
  "coaching_checkins",
];

export async function generate(
  client: pg.Client,
  sizes: Sizes,
  log: (msg: string) => void = () => {},
) {
  const {
    users: U,
    candidates: C,
    observations: O,
    flags: F,
    assignments: A,
    sniffTests: T,
    plans: P,
    meetings: M,
  } = sizes;
  // Users 1–5 lead; from 6 on, even numbers manage and odd numbers mentor.
  const managers = Math.floor(U / 2) - 2; // users 6, 8, 10, …
  const mentors = Math.floor((U + 1) / 2) - 3; // users 7, 9, 11, …
  const manager = (expr: string) => `pg_temp.u(6 + 2 * ((${expr} - 1) % ${managers}))`;
  const mentor = (expr: string) => `pg_temp.u(7 + 2 * ((${expr} - 1) % ${mentors}))`;
  // Candidate 1 takes the chosen share of each kind; the rest spread over candidates 2..C.
  const spread = (expr: string, chosen: number) =>
    `(CASE WHEN ${expr} <= ${chosen} THEN 1 ELSE 2 + (${expr}) % ${C - 1} END)`;

  const steps: [string, string][] = [
    [
      "helpers",
      `CREATE OR REPLACE FUNCTION pg_temp.u(i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5('u' || i)::uuid $$`,
    ],
    [
      "helpers",
      `CREATE OR REPLACE FUNCTION pg_temp.c(i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5('c' || i)::uuid $$`,
    ],
    [
      "helpers",
      `CREATE OR REPLACE FUNCTION pg_temp.id(p text, i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5(p || i)::uuid $$`,
    ],
    ["seed", `SELECT setseed(0.42)`],
    // The board's card facts (migration 0016) are recomputed per statement by triggers, for every
    // candidate a statement touches: a bulk load of 10,000 candidates' history spent minutes in them.
    // They are off while loading and the facts are computed once at the end, as the migration does.
    ...CARD_FACT_TABLES.map((t): [string, string] => [
      "helpers",
      `ALTER TABLE ${t} DISABLE TRIGGER candidate_card_facts_inserted`,
    ]),
    [
      "users",
      `INSERT INTO users (id, email, name, password_hash, roles)
       SELECT pg_temp.u(i), 'user' || i || '@bench.test', 'Person ' || i, '${FIXTURE_PASSWORD_HASH}',
         CASE WHEN i = 1 THEN ARRAY['admin','leader'] WHEN i <= 5 THEN ARRAY['leader']
              WHEN i % 2 = 0 THEN ARRAY['manager'] ELSE ARRAY['mentor'] END
       FROM generate_series(1, ${U}) i`,
    ],
    [
      "framework",
      `INSERT INTO dimensions (id, key, name, description, position)
       SELECT pg_temp.id('d', i), 'dimension_' || i, 'Dimension ' || i, 'What dimension ' || i || ' looks like.', i
       FROM generate_series(1, ${DIMENSIONS}) i`,
    ],
    [
      "framework",
      `INSERT INTO anti_patterns (id, key, name, description, position)
       SELECT pg_temp.id('a', i), 'anti_pattern_' || i, 'Anti-pattern ' || i, '', i FROM generate_series(1, ${ANTI_PATTERNS}) i`,
    ],
    [
      "candidates",
      `INSERT INTO candidates (id, name, email, title, team, track, manager_id, nominated_by, nominated_reason, stage,
                               stage_changed_at, revisit_on, archived_at, created_at)
       SELECT pg_temp.c(i), (ARRAY['Ada','Ben','Chloé','Dev','Efe','Fatima','Gus','Hana','Ivo','Jun'])[1 + i % 10] || ' Candidate ' || i,
         'candidate' || i || '@bench.test', 'Engineer', 'Team ' || (1 + i % 40),
         CASE WHEN i % 3 = 0 THEN 'technical_leadership' ELSE 'people_leadership' END,
         ${manager("i")}, ${manager("i")}, 'Steps up when it matters.', s.stage,
         now() - (s.days || ' days')::interval,
         CASE WHEN s.stage = 'paused' THEN current_date + 30 END,
         CASE WHEN s.stage = 'archived' THEN now() - interval '3 days' END,
         now() - interval '800 days'
       FROM generate_series(1, ${C}) i
       CROSS JOIN LATERAL (SELECT CASE WHEN i = 1 THEN 'coaching' ELSE
         (ARRAY['spotted','spotted','exploring','exploring','coaching','coaching','ready','promoted','paused','archived'])[1 + (i * 7) % 10] END AS stage,
         (i * 13) % 400 AS days) s`,
    ],
    // A second person in each candidate's circle: one mentor observes.
    [
      "observers",
      `INSERT INTO candidate_observers (candidate_id, user_id, added_by)
       SELECT pg_temp.c(i), ${mentor("i * 3")}, ${manager("i")} FROM generate_series(1, ${C}) i`,
    ],
    [
      "stage changes",
      `INSERT INTO stage_changes (candidate_id, from_stage, to_stage, changed_by, reason, created_at)
       SELECT id, NULL, stage, manager_id, 'Generated for the benchmark.', stage_changed_at FROM candidates`,
    ],
    [
      "sniff tests",
      `INSERT INTO sniff_tests (id, title, dimension_id, assignment, rationale, signals, red_flags, timebox_days, created_by)
       SELECT pg_temp.id('t', i), 'Sniff test ' || i, pg_temp.id('d', 1 + i % ${DIMENSIONS}), 'Run the next planning meeting.',
         'Shows how they frame a problem.', 'Clear agenda.', 'Talks over others.', 14, pg_temp.u(1)
       FROM generate_series(1, ${T}) i`,
    ],
    [
      "sniff tests",
      `INSERT INTO sniff_test_revisions (id, sniff_test_id, version, title, dimension_id, assignment, rationale, signals, red_flags, timebox_days, edited_by)
       SELECT pg_temp.id('tr', i), id, 1, title, dimension_id, assignment, rationale, signals, red_flags, timebox_days, created_by
       FROM sniff_tests CROSS JOIN LATERAL (SELECT substr(title, 12)::int AS i) n`,
    ],
    [
      "assignments",
      `INSERT INTO sniff_test_assignments (id, sniff_test_id, sniff_test_revision_id, candidate_id, assigned_by, offered_on, due_on, status, closed_on, created_at)
       SELECT pg_temp.id('sa', i), pg_temp.id('t', 1 + i % ${T}), pg_temp.id('tr', 1 + i % ${T}), pg_temp.c(x.c), ${manager("x.c")},
         x.offered, x.offered + 14, x.status, CASE WHEN x.status NOT IN ('offered','accepted') THEN x.offered + 10 END,
         x.offered::timestamptz
       FROM generate_series(1, ${A}) i
       CROSS JOIN LATERAL (SELECT ${spread("i", CHOSEN.assignments)} AS c, current_date - (random() * 600)::int AS offered,
         (ARRAY['offered','accepted','declined','completed','completed','not_completed','withdrawn'])[1 + i % 7] AS status) x`,
    ],
    [
      "assignment events",
      `INSERT INTO sniff_test_assignment_events (assignment_id, from_status, to_status, changed_by, created_at)
       SELECT id, NULL, 'offered', assigned_by, offered_on::timestamptz FROM sniff_test_assignments
       UNION ALL
       SELECT id, 'offered', status, assigned_by, (offered_on + 5)::timestamptz FROM sniff_test_assignments WHERE status <> 'offered'`,
    ],
    [
      "plans",
      `INSERT INTO coaching_plans (id, candidate_id, mentor_id, created_by, goal, status, started_on, target_on, created_at)
       SELECT pg_temp.id('p', i), pg_temp.c(1 + (i - 1) % ${C}), ${mentor("i")}, ${manager("1 + (i - 1) % " + C)},
         'Lead a cross-team initiative end to end.', CASE WHEN i = 1 THEN 'active' ELSE (ARRAY['active','active','active','paused','completed','abandoned'])[1 + i % 6] END,
         current_date - (30 + i % 300), current_date + 90, now() - ((30 + i % 300) || ' days')::interval
       FROM generate_series(1, ${P}) i`,
    ],
    [
      "plans",
      `INSERT INTO coaching_plan_dimensions (plan_id, dimension_id)
       SELECT pg_temp.id('p', i), pg_temp.id('d', 1 + i % ${DIMENSIONS}) FROM generate_series(1, ${P}) i`,
    ],
    [
      "plans",
      `INSERT INTO coaching_plan_changes (plan_id, from_status, to_status, to_mentor_id, changed_by, changed_on, created_at)
       SELECT id, NULL, 'active', mentor_id, created_by, started_on, created_at FROM coaching_plans`,
    ],
    [
      "actions",
      `INSERT INTO coaching_actions (plan_id, title, position, due_on, done_on, created_by)
       SELECT p.id, 'Action ' || n, n, p.started_on + 14 * n, CASE WHEN n = 1 THEN p.started_on + 10 END, p.created_by
       FROM coaching_plans p CROSS JOIN generate_series(1, 3) n`,
    ],
    [
      "check-ins",
      `INSERT INTO coaching_checkins (plan_id, author_id, held_on, notes, next_on)
       SELECT p.id, p.mentor_id, p.started_on + 7 * n, 'Talked through the last two weeks.', NULL::date
       FROM coaching_plans p CROSS JOIN generate_series(1, 2) n WHERE p.started_on + 7 * n <= current_date
       UNION ALL
       SELECT pg_temp.id('p', 1), ${mentor("1")}, current_date - n, 'Check-in ' || n, NULL FROM generate_series(1, ${CHOSEN.checkins}) n`,
    ],
    [
      "observations",
      `INSERT INTO observations (id, candidate_id, author_id, observed_on, situation, behavior, impact, signal, created_at)
       SELECT pg_temp.id('o', i), pg_temp.c(x.c),
         CASE WHEN i % 3 = 0 THEN ${mentor("x.c * 3")} ELSE ${manager("x.c")} END,
         x.d, 'In the weekly planning meeting with ' || (i % 12) || ' people.',
         'Summarised the trade-offs and asked the quietest person for their view before deciding (' || i || ').',
         'The team agreed on a plan in half the usual time.',
         (ARRAY['strength','strength','concern','context'])[1 + i % 4], x.d::timestamptz + interval '9 hours'
       FROM generate_series(1, ${O}) i
       CROSS JOIN LATERAL (SELECT ${spread("i", CHOSEN.observations)} AS c, current_date - (random() * 720)::int AS d) x`,
    ],
    [
      "observation dimensions",
      `INSERT INTO observation_dimensions (observation_id, dimension_id)
       SELECT pg_temp.id('o', i), pg_temp.id('d', 1 + i % ${DIMENSIONS}) FROM generate_series(1, ${O}) i
       UNION ALL
       SELECT pg_temp.id('o', i), pg_temp.id('d', 1 + (i + 3) % ${DIMENSIONS}) FROM generate_series(1, ${O}) i WHERE i % 3 = 0`,
    ],
    [
      "flags",
      `INSERT INTO flags (id, candidate_id, anti_pattern_id, raised_by, observed_on, situation, behavior, impact,
                          discussed_with_candidate_on, status, resolution, resolved_by, resolved_at, created_at)
       SELECT pg_temp.id('f', i), pg_temp.c(x.c), pg_temp.id('a', 1 + i % ${ANTI_PATTERNS}), ${manager("x.c")}, x.d,
         'In a design review.', 'Dismissed a colleague''s concern without hearing it out.', 'The concern resurfaced later.',
         CASE WHEN i % 2 = 0 THEN x.d + 2 END, x.status,
         CASE WHEN x.status IN ('resolved','dismissed') THEN 'Talked it through.' END,
         CASE WHEN x.status IN ('resolved','dismissed') THEN ${manager("x.c")} END,
         CASE WHEN x.status IN ('resolved','dismissed') THEN x.d::timestamptz + interval '20 days' END,
         x.d::timestamptz + interval '10 hours'
       FROM generate_series(1, ${F}) i
       CROSS JOIN LATERAL (SELECT ${spread("i", CHOSEN.flags)} AS c, current_date - (random() * 700)::int AS d,
         (ARRAY['open','addressing','resolved','dismissed'])[1 + i % 4] AS status) x`,
    ],
    [
      "flag events",
      `INSERT INTO flag_events (flag_id, kind, to_status, changed_by, created_at)
       SELECT id, 'raised', 'open', raised_by, created_at FROM flags`,
    ],
    [
      "calibrations",
      `INSERT INTO calibration_meetings (id, title, scheduled_for, facilitator_id, status, created_by, closed_at, created_at)
       SELECT pg_temp.id('m', i), 'Calibration ' || i, now() - ((i * 3) || ' days')::interval + interval '30 days', pg_temp.u(1 + i % 5),
         CASE WHEN i * 3 > 30 THEN 'closed' ELSE 'planned' END, pg_temp.u(1),
         CASE WHEN i * 3 > 30 THEN now() - ((i * 3 - 30) || ' days')::interval END, now() - ((i * 3) || ' days')::interval
       FROM generate_series(1, ${M}) i`,
    ],
    [
      "calibrations",
      `INSERT INTO calibration_attendees (meeting_id, user_id)
       SELECT pg_temp.id('m', i), pg_temp.u(n) FROM generate_series(1, ${M}) i CROSS JOIN generate_series(1, 5) n`,
    ],
    [
      "calibrations",
      `INSERT INTO calibration_items (id, meeting_id, candidate_id, position)
       SELECT pg_temp.id('ci', i * 10 + n), pg_temp.id('m', i), pg_temp.c(2 + ((i - 1) * 5 + n) % ${C - 1}), n
       FROM generate_series(1, ${M}) i CROSS JOIN generate_series(1, 5) n`,
    ],
    [
      "calibrations",
      `INSERT INTO calibration_prereads (item_id, user_id, view, leaning)
       SELECT i.id, a.user_id, 'Ready with some development in prioritisation.', 'ready_with_development'
       FROM calibration_items i JOIN calibration_attendees a ON a.meeting_id = i.meeting_id AND a.user_id <> pg_temp.u(1)`,
    ],
    [
      "calibrations",
      `INSERT INTO calibration_decisions (item_id, outcome, rationale, revisit_on, decided_by, decided_at)
       SELECT i.id, (ARRAY['ready_now','ready_with_development','not_yet','insufficient_evidence'])[1 + i.position % 4],
         'Agreed after discussing the evidence.', current_date + 60, m.facilitator_id, m.closed_at
       FROM calibration_items i JOIN calibration_meetings m ON m.id = i.meeting_id WHERE m.status = 'closed'`,
    ],
    [
      "audit",
      `INSERT INTO audit_events (at, actor_id, action, entity, entity_id, outcome, request_id, details)
       SELECT now() - (i || ' minutes')::interval, pg_temp.u(1 + i % ${U}), 'observation.create', 'observation',
         pg_temp.id('o', 1 + i % ${O})::text, 'ok', 'bench-' || i, '{}'::jsonb
       FROM generate_series(1, ${sizes.auditEvents}) i`,
    ],
    ...CARD_FACT_TABLES.map((t): [string, string] => [
      "card facts",
      `ALTER TABLE ${t} ENABLE TRIGGER candidate_card_facts_inserted`,
    ]),
    ["card facts", `SELECT candidate_card_facts_store(array(SELECT id FROM candidates))`],
    // VACUUM as autovacuum would after a bulk load: sets the visibility map, so index-only scans stay index-only.
    ["vacuum", `VACUUM ANALYZE`],
    // Write the bulk load's dirty pages now: otherwise the checkpointer does it during the first
    // measurements (one scaling run measured /healthz at 487 req/s first, 835 a minute later).
    ["checkpoint", `CHECKPOINT`],
  ];

  let last = "";
  let t0 = Date.now();
  for (const [label, statement] of steps) {
    if (label !== last) {
      if (last) log(`  ${last}: ${Date.now() - t0} ms`);
      last = label;
      t0 = Date.now();
    }
    await client.query(statement);
  }
  log(`  ${last}: ${Date.now() - t0} ms`);
}
