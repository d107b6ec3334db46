import { sql } from "kysely";
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import { computeNudges, getEvidenceCoverage } from "../../app/models/evidence.server";
import { getMyWeek, listRecentCandidates } from "../../app/models/my-week.server";
import {
  getTimeline,
  TIMELINE_PAGE_SIZE,
  TIMELINE_TEXT_LIMIT,
  timelineFiltersFrom,
  type TimelineEntry,
} from "../../app/models/timeline.server";
import { loader as profileLoader } from "../../app/routes/candidates.$candidateId._index";
import { loader as observationLoader } from "../../app/routes/candidates.$candidateId.observations.$observationId";
import { loader as homeLoader } from "../../app/routes/_index";
import {
  body,
  call,
  get,
  makeContext,
  makeUser,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let db: DB;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const TODAY = "2026-03-02";

type U = Awaited<ReturnType<typeof makeUser>>;
const users: Record<string, U> = {};
const cookies: Record<string, string> = {};
const dims: Record<string, string> = {};
let antiPatternId = "";
let covered = ""; // coverage fixture: 3 on commitment by 2 people, 1 on curiosity, 1 retracted
let lonely = ""; // one old observation by one person
let busy = ""; // a timeline with every kind of event, over two pages
const cited: Record<string, string> = {}; // what the calibration decision on busy cites

async function insertCandidate(name: string, managerId: string) {
  const { id } = await db
    .insertInto("candidates")
    .values({
      name,
      title: "Senior engineer",
      team: "Payments",
      track: "people_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Ran the incident review",
      stage_changed_at: new Date("2026-02-20T10:00:00Z"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function observe(
  candidateId: string,
  authorId: string,
  observedOn: string,
  dimensionKeys: string[],
  extra: { createdAt?: string; retracted?: boolean; behavior?: string } = {},
) {
  const { id } = await db
    .insertInto("observations")
    .values({
      candidate_id: candidateId,
      author_id: authorId,
      observed_on: observedOn,
      situation: "Sprint planning",
      behavior: extra.behavior ?? `Did something concrete on ${observedOn}`,
      impact: "The team knew what to do",
      signal: "strength",
      created_at: extra.createdAt ?? `${observedOn}T12:00:00Z`,
      ...(extra.retracted
        ? {
            retracted_at: new Date(`${observedOn}T13:00:00Z`),
            retracted_by: authorId,
            retraction_reason: "Wrong person",
          }
        : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (dimensionKeys.length) {
    await db
      .insertInto("observation_dimensions")
      .values(dimensionKeys.map((k) => ({ observation_id: id, dimension_id: dims[k] })))
      .execute();
  }
  return id;
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  const ctx = makeContext(db, clock);
  users.leader = await makeUser(db, ["leader"], "Lena Leader");
  users.manager = await makeUser(db, ["manager"], "Mia Manager");
  users.observer = await makeUser(db, ["manager"], "Otto Observer");
  users.mentor = await makeUser(db, ["mentor"], "Mo Mentor");
  users.outsider = await makeUser(db, ["manager"], "Oona Outsider");
  users.admin = await makeUser(db, ["admin"], "Ada Admin");
  for (const key of Object.keys(users)) cookies[key] = await sessionCookie(ctx, users[key].id);

  const dimensionRows = [
    ["commitment", "Commitment", 1],
    ["curiosity", "Curiosity", 2],
    ["outcome_orientation", "Outcome orientation", 3],
    ["technical_leadership", "Technical leadership", 4],
    ["people_skills", "People skills", 5],
  ] as const;
  for (const [key, name, position] of dimensionRows) {
    dims[key] = (
      await db
        .insertInto("dimensions")
        .values({ key, name, position })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  }
  dims.retired = (
    await db
      .insertInto("dimensions")
      .values({
        key: "retired",
        name: "Retired dimension",
        position: 0,
        archived_at: new Date("2025-01-01"),
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  antiPatternId = (
    await db
      .insertInto("anti_patterns")
      .values({ key: "territoriality", name: "Territoriality", position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;

  // --- coverage fixture ---
  covered = await insertCandidate("Casey Covered", users.manager.id);
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: covered, user_id: users.observer.id, added_by: users.manager.id })
    .execute();
  await db
    .insertInto("coaching_plans")
    .values({
      candidate_id: covered,
      mentor_id: users.mentor.id,
      created_by: users.manager.id,
      goal: "Delegate more",
      started_on: "2026-01-05",
    })
    .execute();
  await observe(covered, users.manager.id, "2026-02-01", ["commitment"]);
  await observe(covered, users.manager.id, "2026-02-10", ["commitment"]);
  await observe(covered, users.observer.id, "2026-02-20", ["commitment"]);
  await observe(covered, users.manager.id, "2026-01-15", ["curiosity"]);
  await observe(covered, users.mentor.id, "2026-02-25", ["commitment", "people_skills"], {
    retracted: true,
  });
  const flag = (
    status: "open" | "addressing" | "resolved",
    discussed: string | null,
    observedOn: string,
  ) => ({
    candidate_id: covered,
    anti_pattern_id: antiPatternId,
    raised_by: users.manager.id,
    observed_on: observedOn,
    situation: "",
    behavior: "Refused to share the runbook",
    impact: "",
    status,
    discussed_with_candidate_on: discussed,
    ...(status === "resolved"
      ? {
          resolution: "Talked it through",
          resolved_by: users.manager.id,
          resolved_at: new Date("2026-02-15T10:00:00Z"),
        }
      : {}),
  });
  await db
    .insertInto("flags")
    .values([
      flag("open", null, "2026-02-05"),
      flag("addressing", "2026-02-07", "2026-02-06"),
      flag("resolved", null, "2026-02-01"),
    ])
    .execute();

  // --- nudge fixture: one person, long ago ---
  lonely = await insertCandidate("Lou Lonely", users.manager.id);
  await observe(lonely, users.manager.id, "2025-10-01", ["commitment"]);

  // --- timeline fixture ---
  busy = await insertCandidate("Bea Busy", users.manager.id);
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: busy, user_id: users.observer.id, added_by: users.manager.id })
    .execute();
  for (let day = 1; day <= 20; day += 1) {
    await observe(busy, users.manager.id, `2026-01-${String(day).padStart(2, "0")}`, [
      "commitment",
    ]);
  }
  // Two observations written at the same moment about the same day: their order falls to the id.
  await observe(busy, users.observer.id, "2026-01-25", ["curiosity"], {
    createdAt: "2026-01-25T15:00:00Z",
  });
  await observe(busy, users.manager.id, "2026-01-25", ["curiosity", "commitment"], {
    createdAt: "2026-01-25T15:00:00Z",
  });
  const edited = await observe(busy, users.manager.id, "2026-01-21", ["people_skills"]);
  await db
    .insertInto("observation_revisions")
    .values({
      observation_id: edited,
      version: 1,
      observed_on: "2026-01-21",
      situation: "",
      behavior: "First wording",
      impact: "",
      signal: "context",
      dimension_ids: [dims.people_skills],
      edited_by: users.manager.id,
    })
    .execute();
  await db.updateTable("observations").set({ version: 2 }).where("id", "=", edited).execute();
  await observe(busy, users.manager.id, "2026-01-22", ["commitment"], { retracted: true });

  await db
    .insertInto("stage_changes")
    .values({
      candidate_id: busy,
      from_stage: null,
      to_stage: "spotted",
      changed_by: users.manager.id,
      reason: "Nominated",
      created_at: new Date("2025-12-01T09:00:00Z"),
    })
    .execute();
  // Nominated then: the record and its first stage row are made together.
  await sql`update candidates set created_at = '2025-12-01T09:00:00Z' where id = ${busy}`.execute(
    db,
  );
  const { id: flagId } = await db
    .insertInto("flags")
    .values({
      candidate_id: busy,
      anti_pattern_id: antiPatternId,
      raised_by: users.manager.id,
      observed_on: "2026-02-02",
      situation: "",
      behavior: "Kept the deploy keys to himself",
      impact: "",
      created_at: new Date("2026-02-02T10:00:00Z"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("flag_events")
    .values([
      {
        flag_id: flagId,
        kind: "raised",
        to_status: "open",
        changed_by: users.manager.id,
        created_at: new Date("2026-02-02T10:00:00Z"),
      },
      {
        flag_id: flagId,
        kind: "discussed",
        changed_by: users.manager.id,
        note: "Talked in our 1:1",
        created_at: new Date("2026-02-04T10:00:00Z"),
      },
    ])
    .execute();
  const { id: testId } = await db
    .insertInto("sniff_tests")
    .values({
      title: "Run the retro",
      dimension_id: dims.commitment,
      assignment: "Facilitate the next retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      created_by: users.manager.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: revisionId } = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: testId,
      version: 1,
      title: "Run the retro",
      dimension_id: dims.commitment,
      assignment: "Facilitate the next retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      edited_by: users.manager.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: assignmentId } = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: testId,
      sniff_test_revision_id: revisionId,
      candidate_id: busy,
      assigned_by: users.manager.id,
      offered_on: "2026-02-06",
      due_on: "2026-02-20",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: assignmentId,
      from_status: null,
      to_status: "offered",
      changed_by: users.manager.id,
      created_at: new Date("2026-02-06T09:00:00Z"),
    })
    .execute();
  const { id: planId } = await db
    .insertInto("coaching_plans")
    .values({
      candidate_id: busy,
      mentor_id: users.mentor.id,
      created_by: users.manager.id,
      goal: "Own a roadmap",
      started_on: "2026-02-08",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: planId,
      from_status: null,
      to_status: "active",
      to_mentor_id: users.mentor.id,
      changed_by: users.manager.id,
      changed_on: "2026-02-08",
      created_at: new Date("2026-02-08T09:00:00Z"),
    })
    .execute();
  await db
    .insertInto("coaching_checkins")
    .values({
      plan_id: planId,
      author_id: users.mentor.id,
      held_on: "2026-02-12",
      notes: "Private notes",
      created_at: new Date("2026-02-12T16:00:00Z"),
    })
    .execute();
  const { id: meetingId } = await db
    .insertInto("calibration_meetings")
    .values({
      title: "Q1 calibration",
      scheduled_for: new Date("2026-02-14T10:00:00Z"),
      facilitator_id: users.leader.id,
      created_by: users.leader.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: itemId } = await db
    .insertInto("calibration_items")
    .values({ meeting_id: meetingId, candidate_id: busy, position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: decisionId } = await db
    .insertInto("calibration_decisions")
    .values({
      item_id: itemId,
      outcome: "insufficient_evidence",
      rationale: "Only one observer so far",
      decided_by: users.leader.id,
      decided_at: new Date("2026-02-14T11:00:00Z"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  // What the decision cites: its own records, and one row naming another candidate's observation,
  // which the timeline must never show (it is not this candidate's record).
  const observationOn = async (candidateId: string, day: string) =>
    (
      await db
        .selectFrom("observations")
        .select("id")
        .where("candidate_id", "=", candidateId)
        .where("observed_on", "=", day)
        .executeTakeFirstOrThrow()
    ).id;
  cited.observation = await observationOn(busy, "2026-01-20");
  cited.foreign = await observationOn(covered, "2026-01-15");
  await db
    .insertInto("calibration_decision_evidence")
    .values([
      { decision_id: decisionId, observation_id: cited.observation },
      { decision_id: decisionId, flag_id: flagId },
      { decision_id: decisionId, assignment_id: assignmentId },
      { decision_id: decisionId, observation_id: cited.foreign },
    ])
    .execute();
  cited.flag = flagId;
  cited.assignment = assignmentId;
});
afterAll(async () => {
  await handle?.close();
});

function ctx(database: DB = db) {
  return makeContext(database, clock);
}

async function profile(who: string, id: string, query = "") {
  return call(profileLoader, get(`/candidates/${id}${query}`, cookies[who]), ctx(), {
    candidateId: id,
  });
}

/** Counts the SQL statements a piece of code sends. */
function counting(database: DB) {
  const counter = { statements: 0 };
  const plugin: KyselyPlugin = {
    // transformQuery also sees every sub-builder; a result arrives once per statement sent.
    transformQuery(args) {
      return args.node;
    },
    async transformResult(args) {
      counter.statements += 1;
      return args.result;
    },
  };
  return { db: database.withPlugin(plugin), counter };
}

describe("who sees the profile", () => {
  it("answers 200 to the circle and to leaders", async () => {
    for (const who of ["manager", "observer", "mentor", "leader"]) {
      const response = await profile(who, covered);
      expect(response.status, who).toBe(200);
      expect((await body(response)).candidate.name).toBe("Casey Covered");
    }
  });

  it("answers 404 to someone outside the circle, exactly as for a missing or malformed id", async () => {
    const outsider = await profile("outsider", covered);
    const missing = await profile("manager", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    const malformed = await profile("manager", "not-a-uuid");
    expect([outsider.status, missing.status, malformed.status]).toEqual([404, 404, 404]);
    expect(await outsider.text()).toBe(await missing.text());
  });

  it("answers 404 to an admin-only account", async () => {
    expect((await profile("admin", covered)).status).toBe(404);
  });

  it("sends a visitor who is not signed in to the login page", async () => {
    const response = await call(profileLoader, get(`/candidates/${covered}`), ctx(), {
      candidateId: covered,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login?redirectTo=");
  });

  it("offers Edit and Export only to the manager and leaders", async () => {
    expect((await body(await profile("manager", covered))).canManage).toBe(true);
    expect((await body(await profile("leader", covered))).canManage).toBe(true);
    expect((await body(await profile("observer", covered))).canManage).toBe(false);
    expect((await body(await profile("mentor", covered))).canManage).toBe(false);
  });

  it("carries the nomination: who nominated them, when, and what they spotted", async () => {
    const data = await body(await profile("observer", busy));
    expect(data.candidate.nominated_by.name).toBe("Mia Manager");
    expect(data.candidate.nominated_reason).toBe("Ran the incident review");
    expect(data.candidate.nominated_on).toBe("2025-12-01");
  });

  it("gives the quick capture form a fresh idempotency key and this candidate's context", async () => {
    const a = await body(await profile("manager", covered));
    const b = await body(await profile("manager", covered));
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    expect(a.today).toBe(TODAY);
    expect(a.candidate.manager.name).toBe("Mia Manager");
    expect(a.candidate.mentors.map((m: { name: string }) => m.name)).toEqual(["Mo Mentor"]);
    expect(a.daysInStage).toBe(10);
  });
});

describe("evidence coverage", () => {
  it("counts live observations and distinct observers per dimension, in framework order", async () => {
    const coverage = await getEvidenceCoverage(db, { candidateId: covered });
    expect(coverage).toEqual([
      {
        id: dims.commitment,
        name: "Commitment",
        observations: 3,
        observers: 2,
        last_observed_on: "2026-02-20",
      },
      {
        id: dims.curiosity,
        name: "Curiosity",
        observations: 1,
        observers: 1,
        last_observed_on: "2026-01-15",
      },
      {
        id: dims.outcome_orientation,
        name: "Outcome orientation",
        observations: 0,
        observers: 0,
        last_observed_on: null,
      },
      {
        id: dims.technical_leadership,
        name: "Technical leadership",
        observations: 0,
        observers: 0,
        last_observed_on: null,
      },
      // The retracted observation was the only one on people skills: it no longer counts.
      {
        id: dims.people_skills,
        name: "People skills",
        observations: 0,
        observers: 0,
        last_observed_on: null,
      },
    ]);
  });

  it("is one query, whatever the number of dimensions", async () => {
    const { db: counted, counter } = counting(db);
    await getEvidenceCoverage(counted, { candidateId: covered });
    expect(counter.statements).toBe(1);
  });

  it("reaches the page with nudges and open flags", async () => {
    const data = await body(await profile("observer", covered));
    expect(data.coverage).toHaveLength(5);
    // The fixture's plan started long ago and has had no check-in: its coaching nudge shows here too.
    expect(
      data.nudges.map((n: { key: string }) => n.key.replace(/^[0-9a-f-]{36}-/, "plan:")),
    ).toEqual(["unobserved_dimension", "undiscussed_flag", "plan:no_checkin"]);
    expect(data.nudges[0].title).toBe(
      "Not yet observed: Outcome orientation, Technical leadership, People skills",
    );
    expect(
      data.openFlags.map((f: { status: string; discussed_with_candidate_on: string | null }) => [
        f.status,
        f.discussed_with_candidate_on,
      ]),
    ).toEqual([
      ["open", null],
      ["addressing", "2026-02-07"],
    ]);
  });

  it("shows the ten oldest open flags with the total, and still nudges about the rest", async () => {
    const many = await insertCandidate("Fay Flagged", users.manager.id);
    // Twelve open flags; only the newest has not been discussed with them.
    const rows = Array.from({ length: 12 }, (_, i) => ({
      candidate_id: many,
      anti_pattern_id: antiPatternId,
      raised_by: users.manager.id,
      observed_on: `2026-01-${String(i + 1).padStart(2, "0")}`,
      situation: "",
      behavior: `Flag ${i + 1}`,
      impact: "",
      status: "open" as const,
      discussed_with_candidate_on: i === 11 ? null : "2026-02-01",
    }));
    await db.insertInto("flags").values(rows).execute();
    const data = await body(await profile("manager", many));
    expect(data.openFlagsTotal).toBe(12);
    expect(data.openFlags.map((f: { observed_on: string }) => f.observed_on)).toEqual(
      rows.slice(0, 10).map((r) => r.observed_on),
    );
    expect(data.nudges.map((n: { key: string }) => n.key)).toContain("undiscussed_flag");
    await db.deleteFrom("candidates").where("id", "=", many).execute();
  });

  it("nudges about a single, old source of evidence", async () => {
    const data = await body(await profile("manager", lonely));
    expect(data.nudges.map((n: { key: string }) => n.key)).toEqual([
      "single_observer",
      "no_recent_evidence",
      "unobserved_dimension",
    ]);
  });
});

describe("process nudges (pure)", () => {
  const coverage = [
    { id: "a", name: "Commitment", observations: 2, observers: 1, last_observed_on: "2025-11-01" },
    { id: "b", name: "Curiosity", observations: 0, observers: 0, last_observed_on: null },
  ];

  it("raises every nudge the facts call for", () => {
    const nudges = computeNudges({
      coverage,
      totals: { observers: 1, last_observed_on: "2025-11-01" },
      openFlags: [
        { discussed_with_candidate_on: null },
        { discussed_with_candidate_on: "2026-01-01" },
      ],
      today: TODAY,
    });
    expect(nudges.map((n) => n.key)).toEqual([
      "single_observer",
      "no_recent_evidence",
      "unobserved_dimension",
      "undiscussed_flag",
    ]);
    expect(nudges.find((n) => n.key === "undiscussed_flag")?.detail).toMatch(/^One open flag/);
    expect(nudges.find((n) => n.key === "unobserved_dimension")?.title).toBe(
      "Not yet observed: Curiosity",
    );
  });

  it("counts an observation exactly 90 days old as recent, and 91 days as not", () => {
    const facts = { coverage: [], openFlags: [], today: TODAY };
    const at90 = computeNudges({
      ...facts,
      totals: { observers: 2, last_observed_on: "2025-12-02" },
    });
    const at91 = computeNudges({
      ...facts,
      totals: { observers: 2, last_observed_on: "2025-12-01" },
    });
    expect(at90).toEqual([]);
    expect(at91.map((n) => n.key)).toEqual(["no_recent_evidence"]);
  });

  it("says nothing when the evidence is recent, varied and complete", () => {
    const nudges = computeNudges({
      coverage: [
        {
          id: "a",
          name: "Commitment",
          observations: 2,
          observers: 2,
          last_observed_on: "2026-03-01",
        },
      ],
      totals: { observers: 2, last_observed_on: "2026-03-01" },
      openFlags: [{ discussed_with_candidate_on: "2026-02-01" }],
      today: TODAY,
    });
    expect(nudges).toEqual([]);
  });
});

describe("timeline", () => {
  const all = () =>
    getTimeline(db, {
      candidateId: busy,
      filters: { kind: null, dimensionId: null, page: 1 },
      pageSize: 1000,
    });
  const key = (e: TimelineEntry) => `${e.kind}:${e.id}`;

  it("merges every kind of event, newest first, ties broken by id", async () => {
    const { entries } = await all();
    expect(new Set(entries.map((e) => e.kind))).toEqual(
      new Set(["observation", "flag", "sniff_test", "coaching", "stage", "decision"]),
    );
    for (let i = 1; i < entries.length; i += 1) {
      const [a, b] = [entries[i - 1], entries[i]];
      const order = new Date(a.at).getTime() - new Date(b.at).getTime();
      expect(order > 0 || (order === 0 && a.id > b.id), `${key(a)} before ${key(b)}`).toBe(true);
    }
    const tied = entries.filter((e) => e.day === "2026-01-25");
    expect(tied).toHaveLength(2);
    expect(tied[0].id > tied[1].id).toBe(true);
    // Newest: the decision (14 Feb), oldest: the nomination (1 Dec).
    expect(entries[0].kind).toBe("decision");
    expect(entries.at(-1)?.kind).toBe("stage");
    // The 'raised' flag event is not listed twice.
    expect(entries.filter((e) => e.kind === "flag").map((e) => e.event)).toEqual([
      "flag_discussed",
      "flag_raised",
    ]);
  });

  it("marks edited and retracted observations and carries their dimensions", async () => {
    const { entries } = await all();
    const observations = entries.filter((e) => e.kind === "observation");
    expect(observations.filter((e) => e.edited).map((e) => e.day)).toEqual(["2026-01-21"]);
    expect(observations.filter((e) => e.retracted).map((e) => [e.day, e.detail])).toEqual([
      ["2026-01-22", "Wrong person"],
    ]);
    const both = observations.find((e) => e.dimensions.length === 2);
    expect(both?.dimensions.map((d) => d.name)).toEqual(["Commitment", "Curiosity"]);
    // Check-in notes stay on the plan page.
    expect(JSON.stringify(entries)).not.toContain("Private notes");
  });

  it("pages by 10: each page continues exactly where the one before stopped", async () => {
    const full = (await all()).entries.map(key);
    expect(full).toHaveLength(31);
    const pages = [];
    for (const n of [1, 2, 3, 4, 5])
      pages.push((await body(await profile("manager", busy, `?page=${n}`))).timeline);
    expect(pages.map((p) => p.entries.length)).toEqual([10, 10, 10, 1, 0]);
    expect(pages.map((p) => [p.hasNewer, p.hasOlder])).toEqual([
      [false, true],
      [true, true],
      [true, true],
      [true, false],
      [true, false],
    ]);
    const paged = pages.flatMap((p) => p.entries).map(key);
    expect(paged).toEqual(full);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it("fills each request's own values into a page's statement, reused for the same shape", async () => {
    // The same shape twice in a row for two people, then another page: each answers its own.
    const observations = (candidateId: string, page: number) =>
      getTimeline(db, { candidateId, filters: { kind: "observation", dimensionId: null, page } });
    const owners = async (entries: TimelineEntry[]) =>
      (
        await db
          .selectFrom("observations")
          .select("candidate_id")
          .where(
            "id",
            "in",
            entries.map((e) => e.id),
          )
          .execute()
      ).map((r) => r.candidate_id);
    const mine = (await observations(busy, 1)).entries;
    const theirs = (await observations(lonely, 1)).entries;
    const later = await observations(busy, 2);
    expect(mine).toHaveLength(TIMELINE_PAGE_SIZE);
    expect(new Set(await owners(mine))).toEqual(new Set([busy]));
    expect(await owners(theirs)).toEqual([lonely]);
    expect(later.page).toBe(2);
    expect(later.entries.map((e) => e.id)).not.toContain(mine[0].id);
    expect(new Set(await owners(later.entries))).toEqual(new Set([busy]));
  });

  it("sends the page what it shows: no sort key, no version, no ids of the people it names", async () => {
    const data = await body(await profile("manager", busy));
    expect(data.timeline.entries.length).toBeGreaterThan(0);
    for (const entry of data.timeline.entries) expect(entry).not.toHaveProperty("at");
    expect(data.candidate).not.toHaveProperty("version");
    expect(data.candidate).not.toHaveProperty("stage_changed_at");
    expect(data.candidate.manager).toEqual({ name: users.manager.name });
    expect(Object.keys(data.candidate.nominated_by)).toEqual(["name"]);
    expect(data.plans.length).toBeGreaterThan(0);
    for (const plan of data.plans) expect(plan).not.toHaveProperty("nudges");
  });

  it("filters by kind", async () => {
    const stage = await body(await profile("manager", busy, "?kind=stage"));
    expect(
      stage.timeline.entries.map((e: TimelineEntry) => [
        e.kind,
        e.from_status,
        e.to_status,
        e.detail,
      ]),
    ).toEqual([["stage", null, "spotted", "Ran the incident review"]]);
    const coaching = await body(await profile("manager", busy, "?kind=coaching"));
    expect(coaching.timeline.entries.map((e: TimelineEntry) => e.event)).toEqual([
      "checkin",
      "plan_started",
    ]);
    const observations = await body(await profile("manager", busy, "?kind=observation&page=3"));
    expect(observations.timeline.entries).toHaveLength(4);
    expect(observations.timeline.hasOlder).toBe(false);
    expect(
      observations.timeline.entries.every((e: TimelineEntry) => e.kind === "observation"),
    ).toBe(true);
  });

  it("shows the nomination as the nominator's own account of what they spotted", async () => {
    const { entries } = await all();
    const nomination = entries.at(-1);
    expect(nomination).toMatchObject({
      kind: "stage",
      event: "nomination",
      day: "2025-12-01",
      actor: "Mia Manager",
      from_status: null,
      to_status: "spotted",
      detail: "Ran the incident review",
    });
    expect(entries.filter((e) => e.event === "nomination")).toHaveLength(1);
  });

  it("shows the evidence a decision cites, and only this candidate's records", async () => {
    const { entries } = await all();
    const decision = entries.find((e) => e.kind === "decision");
    expect(decision?.evidence).toHaveLength(3);
    expect(decision?.evidence[0]).toMatchObject({
      observation_id: cited.observation,
      observed_on: "2026-01-20",
      behavior: "Did something concrete on 2026-01-20",
      retracted: false,
    });
    expect(decision?.evidence.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          flag_id: cited.flag,
          anti_pattern: "Territoriality",
          flag_observed_on: "2026-02-02",
        }),
        expect.objectContaining({
          assignment_id: cited.assignment,
          assignment_title: "Run the retro",
          assignment_status: "offered",
        }),
      ]),
    );
    // A citation of another candidate's record never reaches this candidate's page.
    const page = await body(await profile("observer", busy, "?kind=decision"));
    expect(JSON.stringify(page)).not.toContain(cited.foreign);
    expect(page.timeline.entries[0].evidence).toHaveLength(3);
    expect(entries.filter((e) => e.kind !== "decision").every((e) => !e.evidence.length)).toBe(
      true,
    );
  });

  it("shows only observations tagged with the dimension when one is chosen", async () => {
    const curiosity = await body(await profile("manager", busy, `?dimension=${dims.curiosity}`));
    expect(curiosity.timeline.entries).toHaveLength(2);
    for (const e of curiosity.timeline.entries as TimelineEntry[]) {
      expect(e.kind).toBe("observation");
      expect(e.dimensions.map((d) => d.id)).toContain(dims.curiosity);
    }
    const people = await body(
      await profile("manager", busy, `?dimension=${dims.people_skills}&kind=observation`),
    );
    expect(people.timeline.entries.map((e: TimelineEntry) => e.day)).toEqual(["2026-01-21"]);
    const none = await body(
      await profile("manager", busy, `?dimension=${dims.curiosity}&kind=flag`),
    );
    expect(none.timeline.entries).toEqual([]);
  });

  it("ignores malformed filters instead of failing", async () => {
    const response = await profile("manager", busy, "?kind=everything&dimension=x'%3B--&page=-3");
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.filters).toEqual({ kind: null, dimensionId: null, page: 1 });
    expect(timelineFiltersFrom(new URLSearchParams("page=2.5")).page).toBe(1);
  });

  it("costs the same small number of statements whatever the page holds", async () => {
    const a = counting(db);
    await getTimeline(a.db, {
      candidateId: busy,
      filters: { kind: null, dimensionId: null, page: 1 },
    });
    expect(a.counter.statements).toBe(1);
    const busyPage = counting(db);
    await call(profileLoader, get(`/candidates/${busy}`, cookies.manager), ctx(busyPage.db), {
      candidateId: busy,
    });
    const quietPage = counting(db);
    await call(profileLoader, get(`/candidates/${lonely}`, cookies.manager), ctx(quietPage.db), {
      candidateId: lonely,
    });
    expect(busyPage.counter.statements).toBe(quietPage.counter.statements);
    expect(busyPage.counter.statements).toBeLessThanOrEqual(8);
  });
});

describe("a long history on the profile", () => {
  // Their own manager, so the other tests' lists of a manager's people stay as they are.
  let long = "";
  let longNote = "";
  let atLimit = "";
  const tail = "and that is the tail nobody should receive on the profile";
  const longText = `${"Walked the new hire through the incident runbook, step by step, ".repeat(8)}${tail}.`;
  const limitText = `${"x".repeat(TIMELINE_TEXT_LIMIT - 6)} ended`;

  beforeAll(async () => {
    users.longManager = await makeUser(db, ["manager"], "Lu Longmanager");
    cookies.longManager = await sessionCookie(ctx(), users.longManager.id);
    long = await insertCandidate("Lee Long", users.longManager.id);
    // Eleven notes, one a day in February; the newest has a long behaviour, the next one exactly the limit.
    for (let day = 1; day <= 11; day += 1) {
      const on = `2026-02-${String(day).padStart(2, "0")}`;
      const behavior = day === 11 ? longText : day === 10 ? limitText : undefined;
      const id = await observe(long, users.longManager.id, on, ["commitment"], { behavior });
      if (day === 11) longNote = id;
      if (day === 10) atLimit = id;
    }
  });

  const page = async (query = "") =>
    (
      await body(
        await call(profileLoader, get(`/candidates/${long}${query}`, cookies.longManager), ctx(), {
          candidateId: long,
        }),
      )
    ).timeline as { entries: TimelineEntry[]; hasOlder: boolean; hasNewer: boolean };

  it("shows the 10 latest entries, and the 11th a page away", async () => {
    expect(TIMELINE_PAGE_SIZE).toBe(10);
    const first = await page();
    expect(first.entries.map((e) => e.day)).toEqual(
      [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((d) => `2026-02-${String(d).padStart(2, "0")}`),
    );
    expect(first.hasOlder).toBe(true);
    const second = await page("?page=2");
    expect(second.entries.map((e) => e.day)).toEqual(["2026-02-01"]);
    expect([second.hasNewer, second.hasOlder]).toEqual([true, false]);
  });

  it("shortens a long text at a word boundary, and sends none of its tail", async () => {
    const response = await call(
      profileLoader,
      get(`/candidates/${long}`, cookies.longManager),
      ctx(),
      { candidateId: long },
    );
    const raw = await response.clone().text();
    const entry = (await body(response)).timeline.entries.find(
      (e: TimelineEntry) => e.id === longNote,
    ) as TimelineEntry;
    expect(entry.shortened).toBe(true);
    expect(entry.behavior?.length).toBeLessThanOrEqual(TIMELINE_TEXT_LIMIT);
    expect(entry.behavior?.endsWith("…")).toBe(true);
    // Cut between words: what comes before the ellipsis is a start of the text ending on a whole word.
    const start = entry.behavior?.slice(0, -1) ?? "";
    expect(longText.startsWith(start)).toBe(true);
    expect(longText[start.length]).toMatch(/[\s,]/);
    expect(raw).not.toContain("tail nobody");
    // The other fields of the same note are short and stay whole.
    expect([entry.situation, entry.impact]).toEqual([
      "Sprint planning",
      "The team knew what to do",
    ]);
  });

  it("keeps the whole text on the observation's own page", async () => {
    const response = await call(
      observationLoader,
      get(`/candidates/${long}/observations/${longNote}`, cookies.longManager),
      ctx(),
      { candidateId: long, observationId: longNote },
    );
    expect(response.status).toBe(200);
    expect((await body(response)).observation.behavior).toBe(longText);
  });

  it("does not cut a text of exactly the limit", async () => {
    const entry = (await page()).entries.find((e) => e.id === atLimit);
    expect(limitText).toHaveLength(TIMELINE_TEXT_LIMIT);
    expect(entry?.behavior).toBe(limitText);
    expect(entry?.shortened).toBe(false);
  });

  it("shortens a retraction's reason the same way", async () => {
    const reason = `${"Written about the wrong person in a hurry after the offsite, ".repeat(6)}end.`;
    await db
      .updateTable("observations")
      .set({
        retracted_at: new Date("2026-02-02T13:00:00Z"),
        retracted_by: users.longManager.id,
        retraction_reason: reason,
      })
      .where("id", "=", atLimit)
      .execute();
    const entry = (await page()).entries.find((e) => e.id === atLimit);
    expect(entry?.detail?.endsWith("…")).toBe(true);
    expect(entry?.detail?.length).toBeLessThanOrEqual(TIMELINE_TEXT_LIMIT);
    expect(entry?.shortened).toBe(true);
  });

  it("keeps a decision's rationale whole: its meeting is not a page every reader of the profile may open", async () => {
    const rationale = `${"The evidence from three observers agreed on the outcome orientation. ".repeat(6)}end of rationale.`;
    const meeting = await db
      .insertInto("calibration_meetings")
      .values({
        title: "Spring calibration",
        scheduled_for: new Date("2026-02-20T10:00:00Z"),
        facilitator_id: users.longManager.id,
        status: "closed",
        created_by: users.longManager.id,
        closed_at: new Date("2026-02-20T12:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto("calibration_items")
      .values({ meeting_id: meeting.id, candidate_id: long, position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("calibration_decisions")
      .values({
        item_id: item.id,
        outcome: "not_yet",
        rationale,
        revisit_on: "2026-05-20",
        decided_by: users.longManager.id,
        decided_at: new Date("2026-02-20T12:00:00Z"),
      })
      .execute();
    const entry = (await page()).entries.find((e) => e.kind === "decision");
    expect(entry?.detail).toBe(rationale);
    expect(entry?.shortened).toBe(false);
  });
});

describe("my week: recent candidates", () => {
  it("lists the viewer's own recent work, newest first, only within their circle", async () => {
    const recent = await listRecentCandidates(db, { viewer: users.observer });
    // The observer wrote about Bea on 25 Jan and about Casey on 20 Feb; they manage nobody.
    expect(recent.map((r) => r.name)).toEqual(["Casey Covered", "Bea Busy"]);
    const outsider = await listRecentCandidates(db, { viewer: users.outsider });
    expect(outsider).toEqual([]);
  });

  it("includes the candidates the viewer manages and stays one query", async () => {
    const { db: counted, counter } = counting(db);
    const recent = await listRecentCandidates(counted, { viewer: users.manager });
    expect(counter.statements).toBe(1);
    expect(recent.map((r) => r.name).sort()).toEqual(["Bea Busy", "Casey Covered", "Lou Lonely"]);
    const week = await getMyWeek(db, { viewer: users.manager, today: TODAY });
    expect(week.recent).toHaveLength(3);
  });

  it("lists a mentor's planned check-ins due within the week, with the last one held", async () => {
    // The fixture's plans for Mo: one with no check-in yet, one whose last check-in planned no next one.
    const before = await getMyWeek(db, { viewer: users.mentor, today: TODAY });
    expect(before.checkins).toEqual([]);
    const { id: planId } = await db
      .insertInto("coaching_plans")
      .values({
        candidate_id: lonely,
        mentor_id: users.mentor.id,
        created_by: users.manager.id,
        goal: "Ask for help earlier",
        started_on: "2026-02-01",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("coaching_checkins")
      .values([
        {
          plan_id: planId,
          author_id: users.mentor.id,
          held_on: "2026-02-10",
          notes: "First",
          next_on: "2026-02-24",
        },
        {
          plan_id: planId,
          author_id: users.mentor.id,
          held_on: "2026-02-24",
          notes: "Second",
          next_on: "2026-03-05",
        },
      ])
      .execute();
    const week = await getMyWeek(db, { viewer: users.mentor, today: TODAY });
    expect(week.checkins).toMatchObject([
      {
        id: planId,
        last_held_on: "2026-02-24",
        next_on: "2026-03-05",
        candidate_name: "Lou Lonely",
      },
    ]);
    // A check-in planned beyond the week is not due yet.
    await db
      .updateTable("coaching_checkins")
      .set({ next_on: "2026-03-20" })
      .where("plan_id", "=", planId)
      .where("notes", "=", "Second")
      .execute();
    expect((await getMyWeek(db, { viewer: users.mentor, today: TODAY })).checkins).toEqual([]);
    await db.deleteFrom("coaching_plans").where("id", "=", planId).execute();
  });

  it("reaches the home page", async () => {
    const response = await call(homeLoader, get("/", cookies.observer), ctx());
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.week.recent.map((r: { id: string }) => r.id)).toEqual([covered, busy]);
    expect(data.week.flags).toBeDefined();
  });
});
