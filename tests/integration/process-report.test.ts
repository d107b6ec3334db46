/**
 * The process report (issue 22, mechanism 6): leaders only; per meeting and per quarter, the share of
 * decisions resting on two or more observers, discussion time against the timebox, revisits that
 * changed a decision, decisions that differed from the majority of final leanings. Never a name or a
 * figure about a person in what reaches the browser.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { Leaning } from "../../db/schema";
import type { AppContext } from "../../app/context";
import { majorityOf, quarterOf } from "../../app/models/process-report.server";
import { loader } from "../../app/routes/reports.process";
import { body, call, get, makeContext, makeUser, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let ctx: AppContext;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};
const names: string[] = [];

async function meeting(title: string, at: string, status: string, timebox: number | null) {
  return (
    await handle.db
      .insertInto("calibration_meetings")
      .values({
        title,
        scheduled_for: new Date(at),
        facilitator_id: ids.leader,
        created_by: ids.leader,
        status: status as "closed",
        timebox_minutes: timebox,
        closed_at: status === "closed" ? new Date(at) : null,
        cancelled_at: status === "cancelled" ? new Date(at) : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
}

async function item(
  meetingId: string,
  candidateId: string,
  position: number,
  extra: { seconds?: number; revealedEarly?: boolean; decidedEarly?: boolean } = {},
) {
  return (
    await handle.db
      .insertInto("calibration_items")
      .values({
        meeting_id: meetingId,
        candidate_id: candidateId,
        position,
        discussion_seconds: extra.seconds ?? 0,
        revealed_at: extra.revealedEarly ? new Date() : null,
        revealed_early_by: extra.revealedEarly ? ids.leader : null,
        decided_early_by: extra.decidedEarly ? ids.leader : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
}

async function decision(
  itemId: string,
  outcome: Leaning,
  evidence: { observation?: string; flag?: string }[] = [],
  superseded = false,
) {
  const d = await handle.db
    .insertInto("calibration_decisions")
    .values({
      item_id: itemId,
      outcome,
      rationale: "Because of the evidence",
      revisit_on: outcome === "not_yet" ? "2027-03-01" : null,
      decided_by: ids.leader,
      superseded_at: superseded ? new Date() : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const e of evidence)
    await handle.db
      .insertInto("calibration_decision_evidence")
      .values({ decision_id: d.id, observation_id: e.observation ?? null, flag_id: e.flag ?? null })
      .execute();
  return d.id;
}

async function leanings(itemId: string, values: Leaning[]) {
  for (const [i, leaning] of values.entries())
    await handle.db
      .insertInto("calibration_final_leanings")
      .values({ item_id: itemId, user_id: ids[`att${i}`], leaning })
      .execute();
}

async function observation(candidateId: string, authorId: string) {
  return (
    await handle.db
      .insertInto("observations")
      .values({
        candidate_id: candidateId,
        author_id: authorId,
        observed_on: "2026-11-01",
        situation: "",
        behavior: "Ran the review",
        impact: "Two fixes shipped",
        signal: "strength",
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db);
  for (const [who, roles] of [
    ["leader", ["leader"]],
    ["manager", ["manager"]],
    ["mentor", ["mentor"]],
    ["admin", ["admin"]],
    ["att0", ["manager"]],
    ["att1", ["manager"]],
    ["att2", ["mentor"]],
  ] as const) {
    const name = `Person ${who} Zed`;
    names.push(name);
    ids[who] = (await makeUser(db, [...roles], name)).id;
    cookies[who] = await sessionCookie(ctx, ids[who]);
  }
  const cand = async (name: string) => {
    names.push(name);
    return (
      await db
        .insertInto("candidates")
        .values({
          name,
          track: "people_leadership",
          manager_id: ids.att0,
          nominated_by: ids.att0,
          nominated_reason: "Ran the incident review",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  };
  const [c1, c2, c3, c4] = [
    await cand("Quinn Alpha"),
    await cand("Rory Beta"),
    await cand("Sam Gamma"),
    await cand("Tess Delta"),
  ];
  const ap = await db
    .insertInto("anti_patterns")
    .values({ key: "hoarding", name: "Hoarding", description: "", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const flag = await db
    .insertInto("flags")
    .values({
      candidate_id: c1,
      anti_pattern_id: ap.id,
      raised_by: ids.att1,
      observed_on: "2026-11-02",
      situation: "",
      behavior: "Kept the keys",
      impact: "",
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  // Autumn (2026 Q4), closed, timebox 10 minutes an item.
  const m1 = await meeting("Autumn round", "2026-11-20T10:00:00Z", "closed", 10);
  const i1 = await item(m1, c1, 1, { seconds: 900 });
  const before = await decision(i1, "not_yet", [], true);
  await decision(i1, "ready_now", [
    { observation: await observation(c1, ids.att0) },
    { flag: flag.id },
  ]);
  await leanings(i1, ["ready_now", "ready_now", "not_yet"]);
  await db
    .insertInto("calibration_revisits")
    .values({ item_id: i1, opened_by: ids.leader, decision_before: before })
    .execute();

  const i2 = await item(m1, c2, 2, { seconds: 300, revealedEarly: true, decidedEarly: true });
  const kept = await decision(i2, "not_yet", [
    { observation: await observation(c2, ids.att0) },
    { observation: await observation(c2, ids.att0) },
  ]);
  await leanings(i2, ["ready_now", "ready_now", "not_yet"]);
  await db
    .insertInto("calibration_revisits")
    .values({ item_id: i2, opened_by: ids.leader, decision_before: kept })
    .execute();

  await item(m1, c3, 3);

  // Winter (2027 Q1), in progress, no timebox.
  const m2 = await meeting("Winter round", "2027-01-10T10:00:00Z", "in_progress", null);
  const i4 = await item(m2, c4, 1, { seconds: 120 });
  await decision(i4, "insufficient_evidence");
  await leanings(i4, ["ready_now", "not_yet"]);

  // Neither a planned nor a cancelled meeting counts.
  await item(await meeting("Planned round", "2027-02-01T10:00:00Z", "planned", 10), c1, 1, {
    seconds: 60,
  });
  await meeting("Cancelled round", "2026-12-01T10:00:00Z", "cancelled", 10);
});
afterAll(() => handle.close());

describe("who may read it", () => {
  it("is for leaders: anyone else signed in gets 403, someone signed out is sent to sign in", async () => {
    expect((await call(loader, get("/reports/process", cookies.leader), ctx)).status).toBe(200);
    for (const who of ["manager", "mentor", "admin"])
      expect((await call(loader, get("/reports/process", cookies[who]), ctx)).status).toBe(403);
    const out = await call(loader, get("/reports/process"), ctx);
    expect(out.status).toBe(302);
    expect(out.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("the figures", () => {
  it("per meeting: observers, time against the timebox, revisits, the majority of final leanings", async () => {
    const data = await body(await call(loader, get("/reports/process", cookies.leader), ctx));
    expect(data.perMeeting.map((m: { title: string }) => m.title)).toEqual([
      "Winter round",
      "Autumn round",
    ]);
    const autumn = data.perMeeting[1];
    expect(autumn.quarter).toBe("2026-Q4");
    expect(autumn.figures).toEqual({
      meetings: 1,
      items: 3,
      decisions: 2,
      twoOrMoreObservers: 1,
      timedItems: 2,
      medianSeconds: 600,
      longestSeconds: 900,
      itemsWithTimebox: 2,
      overTimebox: 1,
      revisited: 2,
      revisitChanged: 1,
      withMajority: 2,
      differedFromMajority: 1,
      revealedEarly: 1,
      decidedEarly: 1,
    });
    expect(autumn.times).toEqual([
      { position: 1, seconds: 900 },
      { position: 2, seconds: 300 },
      { position: 3, seconds: 0 },
    ]);
    const winter = data.perMeeting[0];
    expect(winter.figures).toMatchObject({
      decisions: 1,
      twoOrMoreObservers: 0,
      itemsWithTimebox: 0,
      overTimebox: 0,
      withMajority: 0,
      differedFromMajority: 0,
    });
  });

  it("per quarter, the meetings of the quarter together", async () => {
    const data = await body(await call(loader, get("/reports/process", cookies.leader), ctx));
    expect(data.perQuarter.map((q: { quarter: string }) => q.quarter)).toEqual([
      "2027-Q1",
      "2026-Q4",
    ]);
    expect(data.perQuarter[1].figures).toMatchObject({ meetings: 1, items: 3, decisions: 2 });
    expect(data.perQuarter[0].figures).toMatchObject({ meetings: 1, items: 1, decisions: 1 });
  });

  it("carries no name and no id of a person or candidate", async () => {
    const text = JSON.stringify(
      await body(await call(loader, get("/reports/process", cookies.leader), ctx)),
    );
    for (const name of names) expect(text).not.toContain(name);
    for (const [key, id] of Object.entries(ids))
      if (key !== "meeting") expect(text).not.toContain(id);
    expect(text).not.toMatch(/candidate|user_id|author/i);
  });
});

describe("the rules", () => {
  it("a majority is more than half; a tie is none", () => {
    expect(majorityOf(["ready_now", "ready_now", "not_yet"])).toBe("ready_now");
    expect(majorityOf(["ready_now", "not_yet"])).toBeNull();
    expect(majorityOf([])).toBeNull();
  });

  it("a quarter is read from the meeting's time in UTC", () => {
    expect(quarterOf(new Date("2026-12-31T23:30:00Z"))).toBe("2026-Q4");
    expect(quarterOf(new Date("2027-01-01T00:00:00Z"))).toBe("2027-Q1");
  });
});
