/**
 * candidate_card_facts (migration 0016) is kept by triggers. Whatever happens to a person — notes
 * added, edited, retracted or deleted, flags opened, discussed or resolved, sniff tests offered,
 * accepted or completed, coaching plans started, checked in or ended, a stage move, an erasure, and
 * many of these at the same time — it must equal the same facts computed from the tables themselves.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import { FIRST_CHECKIN_DAYS, NO_CHECKIN_DAYS } from "../../app/models/coaching.server";
import { moveStage } from "../../app/models/candidate.server";
import {
  createObservation,
  deleteObservation,
  retractObservation,
  updateObservation,
} from "../../app/models/observation.server";
import { listBoardDimensions, listPipelineCards } from "../../app/models/pipeline.server";
import { makeUser } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let db: DB;
const ids = {
  ann: "",
  bob: "",
  candidate: "",
  other: "",
  dim: "",
  antiPattern: "",
  test: "",
  revision: "",
};

type Facts = {
  candidate_id: string;
  observers: number;
  last_observed_on: string | null;
  open_flags: number;
  undiscussed_flags: number;
  active_sniff_tests: number;
  has_active_plan: boolean;
  checkin_due_on: string | null;
  last_event_on: string | null;
};

/**
 * The facts as the board defines them, from the tables: live notes' authors and latest date; flags
 * open or being addressed, and those not discussed; sniff tests offered or accepted; the earliest day
 * an active plan's check-in is overdue (planNudges' rule); the newest note, flag, check-in or step.
 */
async function fromScratch() {
  const { rows } = await sql<Facts>`
    select c.id as candidate_id,
      (select count(distinct o.author_id) from observations o where o.candidate_id = c.id and o.retracted_at is null)::int as observers,
      (select max(o.observed_on) from observations o where o.candidate_id = c.id and o.retracted_at is null)::text as last_observed_on,
      (select count(*) from flags f where f.candidate_id = c.id and f.status in ('open', 'addressing'))::int as open_flags,
      (select count(*) from flags f where f.candidate_id = c.id and f.status in ('open', 'addressing')
        and f.discussed_with_candidate_on is null)::int as undiscussed_flags,
      (select count(*) from sniff_test_assignments a where a.candidate_id = c.id and a.status in ('offered', 'accepted'))::int as active_sniff_tests,
      exists (select 1 from coaching_plans p where p.candidate_id = c.id and p.status = 'active') as has_active_plan,
      (select min(coalesce(
          (select max(k.held_on) from coaching_checkins k where k.plan_id = p.id) + ${NO_CHECKIN_DAYS}::int,
          p.started_on + ${FIRST_CHECKIN_DAYS + 1}::int))
        from coaching_plans p where p.candidate_id = c.id and p.status = 'active')::text as checkin_due_on,
      greatest(
        (select max(o.observed_on) from observations o where o.candidate_id = c.id and o.retracted_at is null),
        (select max(f.observed_on) from flags f where f.candidate_id = c.id),
        (select max(k.held_on) from coaching_plans p join coaching_checkins k on k.plan_id = p.id where p.candidate_id = c.id),
        (select max((e.created_at at time zone 'UTC')::date) from sniff_test_assignments a
          join sniff_test_assignment_events e on e.assignment_id = a.id where a.candidate_id = c.id)
      )::text as last_event_on
    from candidates c order by c.id`.execute(db);
  return rows;
}

async function kept() {
  const { rows } = await sql<Facts>`
    select candidate_id, observers, last_observed_on::text, open_flags, undiscussed_flags, active_sniff_tests,
      has_active_plan, checkin_due_on::text, last_event_on::text
    from candidate_card_facts order by candidate_id`.execute(db);
  return rows;
}

async function expectConsistent() {
  const stored = await kept();
  expect(stored).toEqual(await fromScratch());
  return stored;
}

const factsOf = async (candidateId: string) =>
  (await kept()).find((r) => r.candidate_id === candidateId);

const text = {
  situation: "In the incident review",
  behavior: "Asked who had not spoken yet",
  impact: "Two more causes surfaced",
  signal: "strength" as const,
};

async function insertCandidate(name: string) {
  const row = await db
    .insertInto("candidates")
    .values({
      name,
      track: "people_leadership",
      manager_id: ids.ann,
      nominated_by: ids.ann,
      nominated_reason: "r",
      stage_changed_at: "2026-01-05T09:00:00Z",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

function note(authorId: string, candidateId: string, observedOn: string, trx: DB = db) {
  const write = (t: DB) =>
    createObservation(t, {
      ...text,
      observedOn,
      dimensionIds: [ids.dim],
      candidateId,
      authorId,
      assignmentId: null,
      idempotencyKey: randomUUID(),
      now: new Date(),
    });
  return trx === db ? db.transaction().execute(write) : write(trx);
}

async function openFlag(candidateId: string, observedOn: string, trx: DB = db) {
  const row = await trx
    .insertInto("flags")
    .values({
      candidate_id: candidateId,
      anti_pattern_id: ids.antiPattern,
      raised_by: ids.ann,
      observed_on: observedOn,
      situation: "",
      behavior: "Kept the runbook to themselves",
      impact: "",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function offer(candidateId: string, trx: DB = db) {
  const row = await trx
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: ids.test,
      sniff_test_revision_id: ids.revision,
      candidate_id: candidateId,
      assigned_by: ids.ann,
      offered_on: "2026-03-01",
      due_on: "2026-03-20",
      status: "offered",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: row.id,
      from_status: null,
      to_status: "offered",
      changed_by: ids.ann,
      created_at: "2026-03-01T09:00:00Z",
    })
    .execute();
  return row.id;
}

async function step(
  assignmentId: string,
  from: "offered" | "accepted",
  to: "accepted" | "completed",
  at: string,
  trx: DB = db,
) {
  await trx
    .updateTable("sniff_test_assignments")
    .set({ status: to, closed_on: to === "completed" ? at.slice(0, 10) : null })
    .where("id", "=", assignmentId)
    .execute();
  await trx
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: assignmentId,
      from_status: from,
      to_status: to,
      changed_by: ids.ann,
      created_at: at,
    })
    .execute();
}

async function startPlan(candidateId: string, startedOn: string, trx: DB = db) {
  const row = await trx
    .insertInto("coaching_plans")
    .values({
      candidate_id: candidateId,
      mentor_id: ids.bob,
      created_by: ids.ann,
      goal: "Delegate the on-call rota",
      started_on: startedOn,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function checkIn(planId: string, heldOn: string, trx: DB = db) {
  await trx
    .insertInto("coaching_checkins")
    .values({
      plan_id: planId,
      author_id: ids.bob,
      held_on: heldOn,
      notes: "Went through the rota",
    })
    .execute();
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  ids.ann = (await makeUser(db, ["manager", "leader"], "Ann Author")).id;
  ids.bob = (await makeUser(db, ["mentor"], "Bob Mentor")).id;
  const dim = await db
    .insertInto("dimensions")
    .values({ key: "facts1", name: "Facts 1", description: "", position: 100 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.dim = dim.id;
  ids.antiPattern = (
    await db
      .insertInto("anti_patterns")
      .values({ key: "hoarding", name: "Hoarding", position: 100 })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const sniff = {
    title: "Run the retro",
    dimension_id: dim.id,
    assignment: "Run it",
    rationale: "",
    signals: "",
    red_flags: "",
    timebox_days: 14,
  };
  ids.test = (
    await db
      .insertInto("sniff_tests")
      .values({ ...sniff, created_by: ids.ann })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.revision = (
    await db
      .insertInto("sniff_test_revisions")
      .values({ ...sniff, sniff_test_id: ids.test, version: 1, edited_by: ids.ann })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.candidate = await insertCandidate("Casey Facts");
  ids.other = await insertCandidate("Olly Other");
});
afterAll(async () => {
  await handle?.close();
});

describe("candidate_card_facts", () => {
  it("has a row for a new person, with nothing yet", async () => {
    await expectConsistent();
    expect(await factsOf(ids.candidate)).toEqual({
      candidate_id: ids.candidate,
      observers: 0,
      last_observed_on: null,
      open_flags: 0,
      undiscussed_flags: 0,
      active_sniff_tests: 0,
      has_active_plan: false,
      checkin_due_on: null,
      last_event_on: null,
    });
  });

  it("follows notes added, edited, retracted and deleted", async () => {
    const first = await note(ids.ann, ids.candidate, "2026-02-01");
    const second = await note(ids.bob, ids.candidate, "2026-02-10");
    await note(ids.bob, ids.other, "2026-02-20");
    expect(await factsOf(ids.candidate)).toMatchObject({
      observers: 2,
      last_observed_on: "2026-02-10",
      last_event_on: "2026-02-10",
    });
    await expectConsistent();
    const editable = await db
      .selectFrom("observations")
      .select(["id", "version"])
      .where("id", "=", second.id)
      .executeTakeFirstOrThrow();
    await db.transaction().execute((trx) =>
      updateObservation(trx, {
        ...text,
        observationId: editable.id,
        version: editable.version,
        editorId: ids.bob,
        now: new Date(),
        observedOn: "2026-02-15",
        dimensionIds: [ids.dim],
      }),
    );
    expect(await factsOf(ids.candidate)).toMatchObject({ last_observed_on: "2026-02-15" });
    await expectConsistent();
    await db.transaction().execute((trx) =>
      retractObservation(trx, {
        observationId: second.id,
        actorId: ids.bob,
        reason: "Wrong person",
        now: new Date(),
      }),
    );
    // A retracted note is no longer evidence, nor activity.
    expect(await factsOf(ids.candidate)).toMatchObject({
      observers: 1,
      last_observed_on: "2026-02-01",
      last_event_on: "2026-02-01",
    });
    await expectConsistent();
    await db.transaction().execute((trx) => deleteObservation(trx, { observationId: first.id }));
    expect(await factsOf(ids.candidate)).toMatchObject({ observers: 0, last_observed_on: null });
    await expectConsistent();
  });

  it("follows flags opened, discussed, resolved and deleted", async () => {
    const a = await openFlag(ids.candidate, "2026-03-02");
    const b = await openFlag(ids.candidate, "2026-03-04");
    expect(await factsOf(ids.candidate)).toMatchObject({
      open_flags: 2,
      undiscussed_flags: 2,
      last_event_on: "2026-03-04",
    });
    await expectConsistent();
    await db
      .updateTable("flags")
      .set({ discussed_with_candidate_on: "2026-03-05", status: "addressing" })
      .where("id", "=", a)
      .execute();
    expect(await factsOf(ids.candidate)).toMatchObject({ open_flags: 2, undiscussed_flags: 1 });
    await expectConsistent();
    await db
      .updateTable("flags")
      .set({
        status: "resolved",
        resolution: "Shared the runbook",
        resolved_by: ids.ann,
        resolved_at: new Date(),
      })
      .where("id", "=", b)
      .execute();
    // A resolved flag is no longer open, but it happened: still the last activity.
    expect(await factsOf(ids.candidate)).toMatchObject({
      open_flags: 1,
      undiscussed_flags: 0,
      last_event_on: "2026-03-04",
    });
    await expectConsistent();
    await db.deleteFrom("flags").where("id", "=", b).execute();
    await expectConsistent();
  });

  it("follows sniff tests offered, accepted and completed", async () => {
    const one = await offer(ids.candidate);
    const two = await offer(ids.candidate);
    expect(await factsOf(ids.candidate)).toMatchObject({ active_sniff_tests: 2 });
    await expectConsistent();
    await step(one, "offered", "accepted", "2026-03-10T23:30:00Z");
    expect(await factsOf(ids.candidate)).toMatchObject({ active_sniff_tests: 2 });
    await expectConsistent();
    await step(one, "accepted", "completed", "2026-03-20T10:00:00Z");
    expect(await factsOf(ids.candidate)).toMatchObject({ active_sniff_tests: 1 });
    await expectConsistent();
    // A step's date is its UTC day, whatever the writing session's time zone (there, 1 May).
    await db.transaction().execute(async (trx) => {
      await sql`set local time zone 'Pacific/Auckland'`.execute(trx);
      await sql`update sniff_test_assignment_events set created_at = '2026-04-30T23:30:00Z'
        where assignment_id = ${two}`.execute(trx);
    });
    expect(await factsOf(ids.candidate)).toMatchObject({ last_event_on: "2026-04-30" });
    await expectConsistent();
    await db.deleteFrom("sniff_test_assignment_events").where("assignment_id", "=", two).execute();
    await expectConsistent();
    await db.deleteFrom("sniff_test_assignments").where("id", "=", two).execute();
    expect(await factsOf(ids.candidate)).toMatchObject({ active_sniff_tests: 0 });
    await expectConsistent();
  });

  it("follows coaching plans started, checked in on and ended, with the check-in rule", async () => {
    const plan = await startPlan(ids.candidate, "2026-04-01");
    // No check-in yet: overdue the day after the first was due (FIRST_CHECKIN_DAYS after the start).
    expect(await factsOf(ids.candidate)).toMatchObject({
      has_active_plan: true,
      checkin_due_on: "2026-04-16",
    });
    await expectConsistent();
    await checkIn(plan, "2026-05-10");
    expect(await factsOf(ids.candidate)).toMatchObject({
      checkin_due_on: "2026-06-09",
      last_event_on: "2026-05-10",
    });
    await expectConsistent();
    // A second active plan that is due sooner decides.
    const second = await startPlan(ids.candidate, "2026-05-01");
    expect(await factsOf(ids.candidate)).toMatchObject({ checkin_due_on: "2026-05-16" });
    await expectConsistent();
    await db
      .updateTable("coaching_plans")
      .set({ status: "completed" })
      .where("id", "=", second)
      .execute();
    expect(await factsOf(ids.candidate)).toMatchObject({ checkin_due_on: "2026-06-09" });
    await db
      .updateTable("coaching_plans")
      .set({ status: "abandoned" })
      .where("id", "=", plan)
      .execute();
    expect(await factsOf(ids.candidate)).toMatchObject({
      has_active_plan: false,
      checkin_due_on: null,
      // Its check-in still happened.
      last_event_on: "2026-05-10",
    });
    await expectConsistent();
    await db.deleteFrom("coaching_checkins").where("plan_id", "=", plan).execute();
    await expectConsistent();
    await db.deleteFrom("coaching_plans").where("id", "=", plan).execute();
    await expectConsistent();
  });

  it("leaves a stage move to the candidate's own date, which the board's last activity reads", async () => {
    const before = await factsOf(ids.other);
    const row = await db
      .selectFrom("candidates")
      .select(["version", "stage"])
      .where("id", "=", ids.other)
      .executeTakeFirstOrThrow();
    await db.transaction().execute((trx) =>
      moveStage(trx, {
        id: ids.other,
        version: row.version,
        from: row.stage,
        to: "exploring",
        changedBy: ids.ann,
        reason: "Offered a project",
        now: new Date("2026-06-01T08:00:00Z"),
      }),
    );
    expect(await factsOf(ids.other)).toEqual(before);
    await expectConsistent();
    const cards = await listPipelineCards(db, {
      filters: {},
      today: "2026-06-15",
      dimensions: await listBoardDimensions(db),
      sort: "last_activity",
    });
    expect(cards.find((c) => c.id === ids.other)?.last_activity_on).toBe("2026-06-01");
    // Casey's newest thing is a sniff-test step of 2026-03-20 (the rest was deleted), older than the
    // move: the stalest comes first.
    const order = cards.filter((c) => [ids.candidate, ids.other].includes(c.id)).map((c) => c.id);
    expect(order).toEqual([ids.candidate, ids.other]);
  });

  it("forgets an erased person, and their cascaded notes, flags and plans put nothing back", async () => {
    const gone = await insertCandidate("Erin Erased");
    await note(ids.ann, gone, "2026-02-03");
    await openFlag(gone, "2026-02-04");
    await step(await offer(gone), "offered", "accepted", "2026-02-05T10:00:00Z");
    await checkIn(await startPlan(gone, "2026-02-01"), "2026-02-06");
    expect(await factsOf(gone)).toMatchObject({ observers: 1, open_flags: 1 });
    await db.deleteFrom("candidates").where("id", "=", gone).execute();
    const stored = await expectConsistent();
    expect(stored.some((r) => r.candidate_id === gone)).toBe(false);
  });

  it("stays exact when 24 writers of different kinds change one person at the same time", async () => {
    // On PostgreSQL these run on separate connections and really overlap: each transaction holds its
    // write a moment before committing, so without the advisory lock a later writer's recomputation,
    // from a snapshot without an earlier writer's row, overwrites the facts. On PGlite they queue.
    const person = await insertCandidate("Paula Parallel");
    const plan = await startPlan(person, "2026-06-01");
    const assignments = await Promise.all([offer(person), offer(person)]);
    const flags = await Promise.all([
      openFlag(person, "2026-06-02"),
      openFlag(person, "2026-06-03"),
    ]);
    const day = (i: number) => String(i + 1).padStart(2, "0");
    const writers: ((trx: DB, i: number) => Promise<unknown>)[] = [
      (trx, i) => note(i % 4 ? ids.ann : ids.bob, person, `2026-07-${day(i)}`, trx),
      (trx, i) => openFlag(person, `2026-07-${day(i)}`, trx),
      (trx) => offer(person, trx),
      (trx, i) => checkIn(plan, `2026-07-${day(i)}`, trx),
      (trx, i) => startPlan(person, `2026-07-${day(i)}`, trx),
      (trx, i) =>
        i < 12
          ? step(assignments[0], "offered", "accepted", `2026-07-${day(i)}T10:00:00Z`, trx)
          : trx
              .updateTable("flags")
              .set({ discussed_with_candidate_on: `2026-07-${day(i)}` })
              .where("id", "=", flags[0])
              .execute(),
    ];
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await writers[i % writers.length](trx, i);
          await sql`select pg_sleep(0.02)`.execute(trx);
        }),
      ),
    );
    const stored = await expectConsistent();
    // Two flags opened before and four now, one of them discussed; two tests offered before and four now.
    expect(stored.find((r) => r.candidate_id === person)).toMatchObject({
      observers: 2,
      open_flags: 6,
      undiscussed_flags: 5,
      active_sniff_tests: 6,
      has_active_plan: true,
    });
  });
});
