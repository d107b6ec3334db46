import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import { closeMeeting } from "../../app/models/calibration.server";
import { loader as exportLoader } from "../../app/routes/candidates.$candidateId.export";
import { action as observationAction } from "../../app/routes/candidates.$candidateId.observations.$observationId";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let db: DB;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };

type U = Awaited<ReturnType<typeof makeUser>>;
const users: Record<string, U> = {};
const cookies: Record<string, string> = {};
let candidateId = "";
let otherCandidateId = "";

/** A candidate with at least one row in every table that refers to them. */
async function fullRecord(
  name: string,
  managerId: string,
  mentorId: string,
  leaderId: string,
  observerId: string,
) {
  const { id: dimensionId } = await db
    .insertInto("dimensions")
    .values({
      key: `commitment_${name.toLowerCase().replace(/\W+/g, "_")}`,
      name: "Commitment",
      position: 1,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: antiPatternId } = await db
    .insertInto("anti_patterns")
    .values({
      key: `territoriality_${name.toLowerCase().replace(/\W+/g, "_")}`,
      name: "Territoriality",
      position: 1,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto("candidates")
    .values({
      name,
      track: "technical_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Led the migration",
      idempotency_key: crypto.randomUUID(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: id, user_id: observerId, added_by: managerId })
    .execute();
  const { id: testId } = await db
    .insertInto("sniff_tests")
    .values({
      title: "Run the retro",
      dimension_id: dimensionId,
      assignment: "Facilitate the retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      created_by: managerId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: revisionId } = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: testId,
      version: 1,
      title: "Run the retro",
      dimension_id: dimensionId,
      assignment: "Facilitate the retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      edited_by: managerId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: assignmentId } = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: testId,
      sniff_test_revision_id: revisionId,
      candidate_id: id,
      assigned_by: managerId,
      offered_on: "2026-01-05",
      due_on: "2026-01-19",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("sniff_test_assignment_events")
    .values({ assignment_id: assignmentId, to_status: "offered", changed_by: managerId })
    .execute();
  const { id: planId } = await db
    .insertInto("coaching_plans")
    .values({
      candidate_id: id,
      mentor_id: mentorId,
      created_by: managerId,
      goal: "Write decisions down",
      started_on: "2026-01-10",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: planId,
      to_status: "active",
      to_mentor_id: mentorId,
      changed_by: managerId,
      changed_on: "2026-01-10",
    })
    .execute();
  await db
    .insertInto("coaching_plan_dimensions")
    .values({ plan_id: planId, dimension_id: dimensionId })
    .execute();
  await db
    .insertInto("coaching_actions")
    .values({ plan_id: planId, title: "Draft an ADR", position: 1, created_by: mentorId })
    .execute();
  await db
    .insertInto("coaching_checkins")
    .values({ plan_id: planId, author_id: mentorId, held_on: "2026-01-20", notes: "Went well" })
    .execute();
  const { id: observationId } = await db
    .insertInto("observations")
    .values({
      candidate_id: id,
      author_id: managerId,
      observed_on: "2026-01-12",
      situation: "",
      behavior: "Wrote the ADR unprompted",
      impact: "",
      signal: "strength",
      assignment_id: assignmentId,
      coaching_plan_id: planId,
      version: 2,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("observation_dimensions")
    .values({ observation_id: observationId, dimension_id: dimensionId })
    .execute();
  await db
    .insertInto("observation_revisions")
    .values({
      observation_id: observationId,
      version: 1,
      observed_on: "2026-01-12",
      situation: "",
      behavior: "Wrote an ADR",
      impact: "",
      signal: "strength",
      dimension_ids: [dimensionId],
      edited_by: managerId,
    })
    .execute();
  const { id: flagId } = await db
    .insertInto("flags")
    .values({
      candidate_id: id,
      anti_pattern_id: antiPatternId,
      raised_by: managerId,
      observed_on: "2026-01-14",
      situation: "",
      behavior: "Kept the keys",
      impact: "",
      status: "addressing",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("flag_events")
    .values({ flag_id: flagId, kind: "raised", to_status: "open", changed_by: managerId })
    .execute();
  await db.insertInto("coaching_plan_flags").values({ plan_id: planId, flag_id: flagId }).execute();
  const { id: meetingId } = await db
    .insertInto("calibration_meetings")
    .values({
      title: "Q1 calibration",
      scheduled_for: new Date("2026-02-14T10:00:00Z"),
      facilitator_id: leaderId,
      created_by: leaderId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: itemId } = await db
    .insertInto("calibration_items")
    // Revealed: a sealed pre-read is not part of the export (tests/integration/calibration-rounds.test.ts).
    .values({ meeting_id: meetingId, candidate_id: id, position: 1, revealed_at: new Date() })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_packet_reads")
    .values({ item_id: itemId, user_id: leaderId })
    .execute();
  await db
    .insertInto("calibration_prereads")
    .values({
      item_id: itemId,
      user_id: leaderId,
      view: "Promising",
      leaning: "ready_with_development",
    })
    .execute();
  const { id: decisionId } = await db
    .insertInto("calibration_decisions")
    .values({
      item_id: itemId,
      outcome: "ready_with_development",
      rationale: "Strong commitment",
      decided_by: leaderId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_decision_evidence")
    .values({ decision_id: decisionId, observation_id: observationId })
    .execute();
  // The rounds (issue 22): a final leaning (exported once the item is decided), evidence added in the
  // unique-evidence round, a revisit.
  await db
    .insertInto("calibration_final_leanings")
    .values({ item_id: itemId, user_id: leaderId, leaning: "ready_with_development" })
    .execute();
  await db
    .insertInto("calibration_item_additions")
    .values({ item_id: itemId, observation_id: observationId, added_by: leaderId })
    .execute();
  await db
    .insertInto("calibration_revisits")
    .values({
      item_id: itemId,
      opened_by: leaderId,
      decision_before: decisionId,
      opened_at: new Date("2026-01-01T00:00:00Z"),
    })
    .execute();
  await db
    .insertInto("stage_changes")
    .values({
      candidate_id: id,
      from_stage: "exploring",
      to_stage: "coaching",
      changed_by: leaderId,
      reason: "Calibration decision",
      calibration_decision_id: decisionId,
    })
    .execute();
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  const ctx = makeContext(db, clock);
  users.leader = await makeUser(db, ["leader"], "Lena Leader");
  users.manager = await makeUser(db, ["manager"], "Mia Manager");
  users.mentor = await makeUser(db, ["mentor"], "Mo Mentor");
  users.observer = await makeUser(db, ["manager"], "Otto Observer");
  users.outsider = await makeUser(db, ["manager"], "Oona Outsider");
  users.admin = await makeUser(db, ["admin"], "Ada Admin");
  for (const key of Object.keys(users)) cookies[key] = await sessionCookie(ctx, users[key].id);
  candidateId = await fullRecord(
    "Robin Record",
    users.manager.id,
    users.mentor.id,
    users.leader.id,
    users.observer.id,
  );
  otherCandidateId = await fullRecord(
    "Sam Someone",
    users.outsider.id,
    users.mentor.id,
    users.leader.id,
    users.observer.id,
  );
  // A reminder about each of them, as the mail jobs store it.
  await db
    .insertInto("mail_messages")
    .values(
      [
        [candidateId, "Robin Record"],
        [otherCandidateId, "Sam Someone"],
      ].map(([id, name]) => ({
        key: `test:reminder:${id}`,
        kind: "reminder.assignment",
        user_id: users.manager.id,
        candidate_id: id,
        to_address: "mia@example.test",
        subject: `A sniff test for ${name} is due`,
        text_body: `A sniff test for ${name} is due.`,
        html_body: `<p>A sniff test for ${name} is due.</p>`,
        ics: "BEGIN:VCALENDAR",
      })),
    )
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

function exportAs(who: string | null, id = candidateId) {
  return call(
    exportLoader,
    get(`/candidates/${id}/export`, who ? cookies[who] : undefined),
    makeContext(db, clock, { requestId: `export-${who}` }),
    {
      candidateId: id,
    },
  );
}

/** Every table that refers to candidates(id), directly or through another such table, read from the catalogue. */
async function tablesReferringToCandidates(): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    with recursive referring(oid) as (
      select 'candidates'::regclass::oid
      union
      select c.conrelid from pg_constraint c join referring r on c.confrelid = r.oid where c.contype = 'f'
    )
    select cls.relname::text as table_name from referring join pg_class cls on cls.oid = referring.oid order by 1`.execute(
    db,
  );
  return rows.map((r) => r.table_name);
}

describe("candidate export", () => {
  it("gives the manager the whole record as a JSON download", async () => {
    const response = await exportAs("manager");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="candidate-${candidateId}.json"`,
    );
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const data = await body(response);
    expect(data.candidate_id).toBe(candidateId);
    expect(data.exported_by.name).toBe("Mia Manager");
    expect(data.tables.candidates).toHaveLength(1);
    expect(data.tables.candidates[0]).toMatchObject({
      id: candidateId,
      name: "Robin Record",
      nominated_reason: "Led the migration",
    });
    expect(data.tables.candidates[0]).not.toHaveProperty("idempotency_key");
    expect(data.labels.users[users.manager.id]).toBe("Mia Manager");
    expect(data.labels.users[users.mentor.id]).toBe("Mo Mentor");
    expect(Object.values(data.labels.sniff_test_revisions)).toEqual([
      expect.objectContaining({ title: "Run the retro" }),
    ]);
    expect(Object.values(data.labels.calibration_meetings)).toEqual([
      expect.objectContaining({ title: "Q1 calibration" }),
    ]);
  });

  it("covers every table that refers to candidates, with this candidate's rows only", async () => {
    const derived = await tablesReferringToCandidates();
    // A sanity check on the derivation itself: direct and indirect references are both found.
    expect(derived).toEqual(
      expect.arrayContaining([
        "candidates",
        "observations",
        "observation_revisions",
        "calibration_decision_evidence",
        "coaching_plan_flags",
      ]),
    );
    const data = await body(await exportAs("manager"));
    expect(Object.keys(data.tables).sort()).toEqual([...derived].sort());
    for (const table of derived) expect(data.tables[table].length, table).toBeGreaterThan(0);
    const rows = JSON.stringify(data.tables);
    expect(rows).not.toContain(otherCandidateId);
    expect(rows).not.toContain("Sam Someone");
    for (const table of [
      "candidate_observers",
      "stage_changes",
      "observations",
      "flags",
      "sniff_test_assignments",
      "coaching_plans",
      "calibration_items",
    ]) {
      for (const row of data.tables[table]) expect(row.candidate_id, table).toBe(candidateId);
    }
  });

  it("lets a leader export too", async () => {
    expect((await exportAs("leader")).status).toBe(200);
  });

  it("refuses people in the circle who do not manage the candidate with 403", async () => {
    expect((await exportAs("mentor")).status).toBe(403);
    expect((await exportAs("observer")).status).toBe(403);
  });

  it("answers 404 to outsiders, admin-only accounts and missing ids", async () => {
    expect((await exportAs("outsider")).status).toBe(404);
    expect((await exportAs("admin")).status).toBe(404);
    expect((await exportAs("manager", "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await exportAs("manager", "candidate-1")).status).toBe(404);
    expect((await exportAs(null)).status).toBe(302);
  });

  it("audits each export, with ids and counts only", async () => {
    await exportAs("manager");
    const rows = await db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "candidate.export")
      .where("request_id", "=", "export-manager")
      .orderBy("id", "desc")
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({
      actor_id: users.manager.id,
      entity: "candidate",
      entity_id: candidateId,
      outcome: "ok",
    });
    expect(rows[0].details).toMatchObject({ rows: { candidates: 1, observations: 1 } });
    expect(JSON.stringify(rows[0])).not.toContain("Robin");
    const denied = await db
      .selectFrom("audit_events")
      .select(["outcome", "action"])
      .where("request_id", "=", "export-mentor")
      .execute();
    expect(denied).toEqual([{ outcome: "denied", action: "candidate.manage" }]);
  });
});

describe("a closed meeting's packet in the export", () => {
  it("carries no text of a note deleted or retracted after the close; the retracted note itself is exported", async () => {
    const id = await fullRecord(
      "Kit Closed",
      users.manager.id,
      users.mentor.id,
      users.leader.id,
      users.observer.id,
    );
    const note = async (behavior: string) =>
      (
        await db
          .insertInto("observations")
          // An hour old by the app's clock: inside the author's deletion window.
          .values({
            candidate_id: id,
            author_id: users.manager.id,
            observed_on: "2026-03-01",
            situation: "Standup",
            behavior,
            impact: "",
            signal: "strength",
            created_at: new Date(clock.now.getTime() - 3_600_000),
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    const deleted = await note("Wrote something later deleted completely");
    const retracted = await note("Wrote something later retracted");
    const retractedBehindTheApp = await note("Wrote something retracted outside the app");
    const item = await db
      .selectFrom("calibration_items")
      .select(["id", "meeting_id"])
      .where("candidate_id", "=", id)
      .executeTakeFirstOrThrow();
    await db
      .transaction()
      .execute((trx) => closeMeeting(trx, { meetingId: item.meeting_id, now: clock.now }));
    // Not vacuous: the export carried the packet with both texts before they were withdrawn.
    const before = JSON.stringify(await body(await exportAs("manager", id)));
    expect(before).toContain("later deleted completely");
    expect(before).toContain("later retracted");

    const withdraw = (observationId: string, fields: Record<string, string>) =>
      call(
        observationAction,
        post(`/candidates/${id}/observations/${observationId}`, fields, cookies.manager),
        makeContext(db, clock),
        { candidateId: id, observationId },
      );
    expect((await withdraw(deleted, { intent: "delete" })).status).toBe(302);
    expect((await withdraw(retracted, { intent: "retract", reason: "Wrong person" })).status).toBe(
      302,
    );
    // Even a note withdrawn without going through the app leaves the exported packet without its text.
    await db
      .updateTable("observations")
      .set({
        retracted_at: clock.now,
        retracted_by: users.manager.id,
        retraction_reason: "By hand",
      })
      .where("id", "=", retractedBehindTheApp)
      .execute();

    const data = await body(await exportAs("manager", id));
    expect(JSON.stringify(data)).not.toContain("later deleted completely");
    expect(JSON.stringify(data.tables.calibration_items)).not.toContain("later retracted");
    expect(JSON.stringify(data.tables.calibration_items)).not.toContain(
      "retracted outside the app",
    );
    expect(data.tables.observations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: retracted,
          behavior: "Wrote something later retracted",
          retraction_reason: "Wrong person",
        }),
      ]),
    );
    const [exported] = data.tables.calibration_items;
    const packetNotes = exported.packet_snapshot.observations as { id: string }[];
    expect(
      packetNotes.filter((o) => [deleted, retracted, retractedBehindTheApp].includes(o.id)),
    ).toEqual([
      expect.objectContaining({ withdrawn: true, situation: "", behavior: "", impact: "" }),
      expect.objectContaining({ withdrawn: true, situation: "", behavior: "", impact: "" }),
      expect.objectContaining({ withdrawn: true, situation: "", behavior: "", impact: "" }),
    ]);
    expect(packetNotes).toEqual(
      expect.arrayContaining([expect.objectContaining({ behavior: "Wrote the ADR unprompted" })]),
    );
  });
});
