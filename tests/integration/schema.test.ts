import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import { createTestDb } from "../helpers/db";
import { makeUser } from "../helpers/app";

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});

async function rejects(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ code });
}

describe("migrations", () => {
  it("apply to an empty database and a second run applies nothing", async () => {
    expect(await migrateToLatest(handle.db)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`.execute(
      handle.db,
    );
    const names = tables.rows.map((r) => r.table_name);
    for (const t of [
      "users",
      "sessions",
      "dimensions",
      "anti_patterns",
      "candidates",
      "candidate_observers",
      "stage_changes",
      "sniff_tests",
      "sniff_test_assignments",
      "observations",
      "observation_dimensions",
      "observation_revisions",
      "flags",
      "coaching_plans",
      "coaching_plan_dimensions",
      "coaching_plan_flags",
      "coaching_actions",
      "coaching_checkins",
      "calibration_meetings",
      "calibration_attendees",
      "calibration_items",
      "calibration_prereads",
      "calibration_decisions",
      "calibration_decision_evidence",
      "audit_events",
    ]) {
      expect(names).toContain(t);
    }
  });

  it("has no column that scores, rates or ranks people", async () => {
    const cols = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_schema = 'public'`.execute(
      handle.db,
    );
    const offending = cols.rows.filter((c) =>
      /score|rating|rank|percentile|potential/i.test(c.column_name),
    );
    expect(offending).toEqual([]);
  });
});

describe("constraints", () => {
  it("reject bad rows", async () => {
    const db = handle.db;
    const manager = await makeUser(db, ["manager"]);
    // Unknown role, duplicate email, upper-case email.
    await rejects(
      db
        .insertInto("users")
        .values({
          email: "x@example.test",
          name: "X",
          password_hash: "h",
          roles: ["superuser" as never],
        })
        .execute(),
      "23514",
    );
    await db
      .insertInto("users")
      .values({ email: "dup@example.test", name: "A", password_hash: "h" })
      .execute();
    await rejects(
      db
        .insertInto("users")
        .values({ email: "dup@example.test", name: "B", password_hash: "h" })
        .execute(),
      "23505",
    );
    await rejects(
      db
        .insertInto("users")
        .values({ email: "Upper@example.test", name: "B", password_hash: "h" })
        .execute(),
      "23514",
    );

    const base = {
      name: "Casey",
      track: "people_leadership" as const,
      manager_id: manager.id,
      nominated_by: manager.id,
      nominated_reason: "Runs the incident reviews",
    };
    // Enum CHECKs, foreign keys, paused needs a revisit date.
    await rejects(
      db
        .insertInto("candidates")
        .values({ ...base, track: "wizard" as never })
        .execute(),
      "23514",
    );
    await rejects(
      db
        .insertInto("candidates")
        .values({ ...base, stage: "legendary" as never })
        .execute(),
      "23514",
    );
    await rejects(
      db
        .insertInto("candidates")
        .values({ ...base, manager_id: "00000000-0000-0000-0000-000000000000" })
        .execute(),
      "23503",
    );
    await rejects(
      db
        .insertInto("candidates")
        .values({ ...base, stage: "paused" })
        .execute(),
      "23514",
    );
    const { id: candidateId } = await db
      .insertInto("candidates")
      .values(base)
      .returning("id")
      .executeTakeFirstOrThrow();

    // Idempotency keys are unique.
    const key = "6f1c2d8e-0b7a-4c59-9f3e-2a1b0c9d8e7f";
    await db
      .insertInto("candidates")
      .values({ ...base, idempotency_key: key })
      .execute();
    await rejects(
      db
        .insertInto("candidates")
        .values({ ...base, idempotency_key: key })
        .execute(),
      "23505",
    );

    // Observations need a behaviour and a known signal.
    const obs = {
      candidate_id: candidateId,
      author_id: manager.id,
      observed_on: "2026-01-02",
      situation: "",
      impact: "",
    };
    await rejects(
      db
        .insertInto("observations")
        .values({ ...obs, behavior: "  ", signal: "strength" })
        .execute(),
      "23514",
    );
    await rejects(
      db
        .insertInto("observations")
        .values({ ...obs, behavior: "Asked why", signal: "great" as never })
        .execute(),
      "23514",
    );

    // Ready is reached only through a calibration decision.
    await rejects(
      db
        .insertInto("stage_changes")
        .values({
          candidate_id: candidateId,
          from_stage: "coaching",
          to_stage: "ready",
          changed_by: manager.id,
          reason: "Feels ready",
        })
        .execute(),
      "23514",
    );

    // A resolved flag needs its resolution.
    const [pattern] = await db
      .insertInto("anti_patterns")
      .values({ key: "territoriality", name: "Territoriality", position: 1 })
      .returning("id")
      .execute();
    await rejects(
      db
        .insertInto("flags")
        .values({
          candidate_id: candidateId,
          anti_pattern_id: pattern.id,
          raised_by: manager.id,
          observed_on: "2026-01-02",
          situation: "",
          behavior: "Blocked a PR",
          impact: "",
          status: "resolved",
        })
        .execute(),
      "23514",
    );
  });

  it("keep one current decision per calibration item", async () => {
    const db = handle.db;
    const leader = await makeUser(db, ["leader"]);
    const candidate = await db
      .insertInto("candidates")
      .values({
        name: "Dana",
        track: "technical_leadership",
        manager_id: leader.id,
        nominated_by: leader.id,
        nominated_reason: "Design reviews",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const meeting = await db
      .insertInto("calibration_meetings")
      .values({
        title: "Q1",
        scheduled_for: new Date(),
        facilitator_id: leader.id,
        created_by: leader.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto("calibration_items")
      .values({ meeting_id: meeting.id, candidate_id: candidate.id, position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const decision = {
      item_id: item.id,
      outcome: "insufficient_evidence" as const,
      rationale: "Only one observer",
      decided_by: leader.id,
    };
    await db.insertInto("calibration_decisions").values(decision).execute();
    await rejects(db.insertInto("calibration_decisions").values(decision).execute(), "23505");
    await rejects(
      db
        .insertInto("calibration_decisions")
        .values({ ...decision, outcome: "not_yet", rationale: "x" })
        .execute(),
      "23514",
    );
    // Evidence rows cite exactly one thing.
    const d = await db.selectFrom("calibration_decisions").select("id").executeTakeFirstOrThrow();
    await rejects(
      db.insertInto("calibration_decision_evidence").values({ decision_id: d.id }).execute(),
      "23514",
    );
  });
});

describe("audit_events", () => {
  it("is append-only: the database refuses UPDATE and DELETE", async () => {
    const db = handle.db;
    await db
      .insertInto("audit_events")
      .values({ action: "test", entity: "test", outcome: "ok" })
      .execute();
    await expect(
      db.updateTable("audit_events").set({ action: "changed" }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_events").execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom("audit_events").select("action").execute();
    expect(rows.map((r) => r.action)).toContain("test");
    expect(rows.map((r) => r.action)).not.toContain("changed");
  });
});
