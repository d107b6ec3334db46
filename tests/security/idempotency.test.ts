/**
 * Idempotency keys of every create form (app/utils/idempotency.server.ts › saveOnce): a repeat of the
 * same submission (same key, same target, same author) answers as the first did and stores nothing
 * more; the same key sent for anything else — another candidate, plan, meeting item, author — is a
 * 409 with a clear message and the input kept, and stores nothing (no row, no audit row, no status
 * change). Concurrent identical submits are covered by each form's integration test.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  body,
  call,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { buildWorld, fillPath, routeFiles, type World } from "./fixture";

let handle: DbHandle;
let world: World;
let admin2Cookie: string;
let seq = 0;
let leader2Cookie = "";
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const TODAY = "2026-03-02";
const uuid = () => crypto.randomUUID();
type Fields = Record<string, string | string[]>;
type Who = "leader" | "managerIn" | "leader2" | "admin" | "admin2";

beforeAll(async () => {
  handle = await createTestDb();
  world = await buildWorld(handle.db, makeContext(handle.db, clock));
  const leader2 = await makeUser(handle.db, ["leader"], "Lee Secondleader");
  leader2Cookie = await sessionCookie(makeContext(handle.db, clock), leader2.id);
  const admin2 = await makeUser(handle.db, ["admin"], "Ari Secondadmin");
  admin2Cookie = await sessionCookie(makeContext(handle.db, clock), admin2.id);
});
afterAll(async () => {
  await handle?.close();
});

const ctx = () => makeContext(handle.db, clock, { requestId: "idempotency" });

/** One submission: a route module, its URL params, the form without its key, and who sends it. */
interface Submission {
  route: string;
  params: Record<string, string>;
  fields: Fields;
  who: Who;
}

async function submit(s: Submission, key: string) {
  const route = routeFiles().find((r) => r.file === `${s.route}.tsx`)!;
  const { path: url, params } = fillPath(route, s.params);
  const mod = await import(path.resolve("app/routes", route.file));
  const cookie =
    s.who === "leader2" ? leader2Cookie : s.who === "admin2" ? admin2Cookie : world.cookies[s.who];
  return call(mod.action, post(url, { ...s.fields, idempotencyKey: key }, cookie), ctx(), params);
}

// ---- Fresh rows, so each case starts from its own targets ---------------------------------------------

async function freshCandidate() {
  const { id } = await handle.db
    .insertInto("candidates")
    .values({
      name: "Kim Keyholder",
      track: "technical_leadership",
      manager_id: world.users.managerIn.id,
      nominated_by: world.users.managerIn.id,
      nominated_reason: "Seen",
      stage: "coaching",
      idempotency_key: uuid(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}
async function freshAssignment() {
  const candidateId = await freshCandidate();
  const revision = await handle.db
    .selectFrom("sniff_test_revisions")
    .select("id")
    .where("sniff_test_id", "=", world.ids.sniffTestId)
    .executeTakeFirstOrThrow();
  const { id } = await handle.db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: world.ids.sniffTestId,
      sniff_test_revision_id: revision.id,
      candidate_id: candidateId,
      assigned_by: world.users.managerIn.id,
      offered_on: "2026-02-01",
      due_on: "2026-03-20",
      status: "accepted",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { candidateId, assignmentId: id };
}
async function freshPlan() {
  const candidateId = await freshCandidate();
  const { id: planId } = await handle.db
    .insertInto("coaching_plans")
    .values({
      candidate_id: candidateId,
      mentor_id: world.users.mentor.id,
      created_by: world.users.managerIn.id,
      goal: "Write decisions down",
      started_on: "2026-01-10",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await handle.db
    .insertInto("coaching_plan_dimensions")
    .values({ plan_id: planId, dimension_id: world.ids.dimensionId })
    .execute();
  await handle.db
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: planId,
      to_status: "active",
      to_mentor_id: world.users.mentor.id,
      changed_by: world.users.managerIn.id,
      changed_on: "2026-01-10",
    })
    .execute();
  return { candidateId, planId };
}
/** An in-progress meeting facilitated by the leader, with two opened candidates, each with one observation; optionally decided. */
async function freshMeeting(decided: boolean) {
  const { id: meetingId } = await handle.db
    .insertInto("calibration_meetings")
    .values({
      title: "Q1",
      scheduled_for: new Date("2026-03-01T10:00:00Z"),
      facilitator_id: world.users.leader.id,
      created_by: world.users.leader.id,
      status: "in_progress",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await handle.db
    .insertInto("calibration_attendees")
    .values({ meeting_id: meetingId, user_id: world.users.leader.id })
    .execute();
  const items = [];
  for (const position of [1, 2]) {
    const candidateId = await freshCandidate();
    const { id: observationId } = await handle.db
      .insertInto("observations")
      .values({
        candidate_id: candidateId,
        author_id: world.users.managerIn.id,
        observed_on: "2026-02-20",
        situation: "",
        behavior: "Asked first",
        impact: "",
        signal: "strength",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { id: itemId } = await handle.db
      .insertInto("calibration_items")
      .values({ meeting_id: meetingId, candidate_id: candidateId, position, opened_at: clock.now })
      .returning("id")
      .executeTakeFirstOrThrow();
    let decisionId = "";
    if (decided) {
      ({ id: decisionId } = await handle.db
        .insertInto("calibration_decisions")
        .values({
          item_id: itemId,
          outcome: "insufficient_evidence",
          rationale: "Too early",
          decided_by: world.users.leader.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow());
    }
    items.push({ itemId, observationId, decisionId });
  }
  return { meetingId, items };
}

// Single values: the input comes back as formValues gives it (a one-item list as a string).
const observation = () => ({
  observedOn: TODAY,
  situation: "In the retro",
  behavior: "Asked the quiet ones first",
  impact: "Two new ideas",
  signal: "strength",
  dimensionIds: world.ids.dimensionId,
});
const count = async (
  table:
    | "candidates"
    | "people"
    | "sniff_test_offerings"
    | "observations"
    | "flags"
    | "coaching_plans"
    | "sniff_test_assignments"
    | "sniff_tests"
    | "coaching_actions"
    | "coaching_checkins"
    | "calibration_meetings"
    | "calibration_decisions"
    | "audit_events",
) =>
  Number(
    (
      await handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
const status = async (table: "coaching_plans" | "sniff_test_assignments", id: string) =>
  (await handle.db
    .selectFrom(table)
    .select(["status", "version"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow()) as { status: string; version: number };

interface Case {
  name: string;
  /** The form sent first (and repeated), the same key sent for something else, the table rows go to, and any state that must not move. */
  setup: () => Promise<{
    first: Submission;
    elsewhere: Submission;
    table: Parameters<typeof count>[0];
    untouched?: () => Promise<unknown>;
  }>;
}

/** Someone in the directory, outside the pipeline. */
async function freshPerson() {
  seq += 1;
  const { id } = await handle.db
    .insertInto("people")
    .values({ name: `Dana Directory ${seq}`, email: `dana.${seq}@example.test`, team: "Platform" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

const CASES: Case[] = [
  {
    name: "adding a person to the directory, by another admin",
    setup: async () => {
      seq += 1;
      const fields = {
        name: `Ren Added ${seq}`,
        email: `ren.${seq}@example.test`,
        title: "",
        team: "",
      };
      return {
        first: { route: "people.new", params: {}, fields, who: "admin" },
        elsewhere: { route: "people.new", params: {}, fields, who: "admin2" },
        table: "people",
      };
    },
  },
  {
    name: "nominating a person from the directory, another person",
    setup: async () => {
      const route = "people.$personId.nominate";
      const fields = {
        track: "technical_leadership",
        managerId: world.users.managerIn.id,
        nominatedReason: "Led the incident review",
      };
      return {
        first: { route, params: { personId: await freshPerson() }, fields, who: "leader" },
        elsewhere: { route, params: { personId: await freshPerson() }, fields, who: "leader" },
        table: "candidates",
      };
    },
  },
  {
    name: "offering a sniff test to a group, by another leader",
    setup: async () => {
      await freshPerson();
      const route = "sniff-tests.$sniffTestId.offer";
      const params = { sniffTestId: world.ids.sniffTestId };
      seq += 1;
      const fields = { intent: "team", team: "Platform", offeredOn: TODAY, dueOn: "" };
      return {
        first: { route, params, fields, who: "leader" },
        elsewhere: { route, params, fields, who: "leader2" },
        table: "sniff_test_offerings",
      };
    },
  },
  {
    name: "nominating a candidate, by another nominator",
    setup: async () => {
      const fields = {
        name: "Fay Fischer",
        email: "",
        title: "Engineer",
        team: "Platform",
        track: "technical_leadership",
        managerId: world.users.managerIn.id,
        nominatedReason: "Untangled the pipeline",
      };
      return {
        first: { route: "candidates.new", params: {}, fields, who: "leader" },
        elsewhere: { route: "candidates.new", params: {}, fields, who: "managerIn" },
        table: "candidates",
      };
    },
  },
  {
    name: "an observation, on another candidate",
    setup: async () => {
      const fields = observation();
      const route = "candidates.$candidateId.observations.new";
      return {
        first: { route, params: { candidateId: await freshCandidate() }, fields, who: "leader" },
        elsewhere: {
          route,
          params: { candidateId: await freshCandidate() },
          fields,
          who: "leader",
        },
        table: "observations",
      };
    },
  },
  {
    name: "an observation, by another author on the same candidate",
    setup: async () => {
      const fields = observation();
      const route = "candidates.$candidateId.observations.new";
      const candidateId = await freshCandidate();
      return {
        first: { route, params: { candidateId }, fields, who: "leader" },
        elsewhere: { route, params: { candidateId }, fields, who: "managerIn" },
        table: "observations",
      };
    },
  },
  {
    name: "a flag, on another candidate",
    setup: async () => {
      const fields = {
        antiPatternId: world.ids.antiPatternId,
        observedOn: TODAY,
        situation: "Planning",
        behavior: "Took the task from a junior",
        impact: "The junior had nothing to show at the demo",
      };
      const route = "candidates.$candidateId.flags.new";
      return {
        first: { route, params: { candidateId: await freshCandidate() }, fields, who: "leader" },
        elsewhere: {
          route,
          params: { candidateId: await freshCandidate() },
          fields,
          who: "leader",
        },
        table: "flags",
      };
    },
  },
  {
    name: "a coaching plan, for another candidate",
    setup: async () => {
      const fields = {
        mentorId: world.users.mentor.id,
        goal: "Write it down",
        dimensionIds: world.ids.dimensionId,
        startedOn: TODAY,
        targetOn: "",
      };
      const route = "candidates.$candidateId.plans.new";
      return {
        first: { route, params: { candidateId: await freshCandidate() }, fields, who: "leader" },
        elsewhere: {
          route,
          params: { candidateId: await freshCandidate() },
          fields,
          who: "leader",
        },
        table: "coaching_plans",
      };
    },
  },
  {
    name: "offering a sniff test from the candidate's page, to another candidate",
    setup: async () => {
      const fields = { sniffTestId: world.ids.sniffTestId, offeredOn: TODAY, dueOn: "" };
      const route = "candidates.$candidateId.assignments.new";
      return {
        first: { route, params: { candidateId: await freshCandidate() }, fields, who: "leader" },
        elsewhere: {
          route,
          params: { candidateId: await freshCandidate() },
          fields,
          who: "leader",
        },
        table: "sniff_test_assignments",
      };
    },
  },
  {
    name: "offering a sniff test from its own page, to another candidate",
    setup: async () => {
      const route = "sniff-tests.$sniffTestId._index";
      const params = { sniffTestId: world.ids.sniffTestId };
      const fields = (candidateId: string) => ({
        intent: "assign",
        candidateId,
        offeredOn: TODAY,
        dueOn: "",
      });
      return {
        first: { route, params, fields: fields(await freshCandidate()), who: "leader" },
        elsewhere: { route, params, fields: fields(await freshCandidate()), who: "leader" },
        table: "sniff_test_assignments",
      };
    },
  },
  {
    name: "the debrief of a completed sniff test, on another assignment (its status does not move)",
    setup: async () => {
      const route = "candidates.$candidateId.assignments.$assignmentId";
      const a = await freshAssignment();
      const b = await freshAssignment();
      const fields = {
        intent: "completed",
        version: "1",
        note: "",
        situation: "",
        behavior: "Ran the retro",
        impact: "",
        signal: "strength",
      };
      return {
        first: { route, params: a, fields, who: "leader" },
        elsewhere: { route, params: b, fields, who: "leader" },
        table: "observations",
        untouched: () => status("sniff_test_assignments", b.assignmentId),
      };
    },
  },
  {
    name: "a sniff test, by another author",
    setup: async () => {
      const fields = {
        title: "Run a model",
        dimensionId: world.ids.dimensionId,
        assignment: "Download and run it",
        rationale: "Nobody has to",
        signals: "Goes beyond",
        redFlags: "Silence",
        timeboxDays: "14",
      };
      return {
        first: { route: "sniff-tests.new", params: {}, fields, who: "leader" },
        elsewhere: { route: "sniff-tests.new", params: {}, fields, who: "managerIn" },
        table: "sniff_tests",
      };
    },
  },
  ...(
    [
      [
        "a coaching action",
        () => ({ intent: "add-action", title: "Draft an ADR", dueOn: "" }),
        "coaching_actions",
      ],
      [
        "a check-in",
        () => ({ intent: "checkin", heldOn: TODAY, notes: "Went well", nextOn: "" }),
        "coaching_checkins",
      ],
      [
        "an observation from a plan",
        () => ({ intent: "observation", ...observation() }),
        "observations",
      ],
    ] as const
  ).map(([what, form, table]): Case => ({
    name: `${what}, on another plan`,
    setup: async () => {
      const fields = form();
      return {
        first: {
          route: "coaching.$planId._index",
          params: { planId: (await freshPlan()).planId },
          fields,
          who: "leader",
        },
        elsewhere: {
          route: "coaching.$planId._index",
          params: { planId: (await freshPlan()).planId },
          fields,
          who: "leader",
        },
        table,
      };
    },
  })),
  {
    name: "completing a plan with its closing observation, on another plan (that plan stays active)",
    setup: async () => {
      const a = await freshPlan();
      const b = await freshPlan();
      const fields = {
        intent: "complete",
        version: "1",
        changedOn: TODAY,
        reason: "Done",
        ...observation(),
      };
      return {
        first: {
          route: "coaching.$planId.edit",
          params: { planId: a.planId },
          fields,
          who: "leader",
        },
        elsewhere: {
          route: "coaching.$planId.edit",
          params: { planId: b.planId },
          fields,
          who: "leader",
        },
        table: "observations",
        untouched: () => status("coaching_plans", b.planId),
      };
    },
  },
  {
    name: "a calibration meeting, by another leader",
    setup: async () => {
      const fields = {
        title: "Q2",
        scheduledFor: "2026-04-01T10:00",
        facilitatorId: world.users.leader.id,
        candidateIds: await freshCandidate(),
        timeboxMinutes: "",
      };
      return {
        first: { route: "calibrations.new", params: {}, fields, who: "leader" },
        elsewhere: { route: "calibrations.new", params: {}, fields, who: "leader2" },
        table: "calibration_meetings",
      };
    },
  },
  {
    name: "a calibration decision, on another candidate of the meeting",
    setup: async () => {
      const m = await freshMeeting(false);
      const fields = (i: (typeof m.items)[number]) => ({
        intent: "decide",
        itemId: i.itemId,
        outcome: "insufficient_evidence",
        rationale: "We agreed",
        evidence: `observation:${i.observationId}`,
        dissent: "",
        nextSteps: "",
        revisitOn: "",
        // Past the writing check's notes ("Save anyway"), and deciding before the final leanings.
        writingCheck: "seen",
        proceedAnyway: "yes",
      });
      const route = "calibrations.$meetingId._index";
      return {
        first: {
          route,
          params: { meetingId: m.meetingId },
          fields: fields(m.items[0]),
          who: "leader",
        },
        elsewhere: {
          route,
          params: { meetingId: m.meetingId },
          fields: fields(m.items[1]),
          who: "leader",
        },
        table: "calibration_decisions",
      };
    },
  },
  {
    name: "an amended decision, on another candidate of the meeting",
    setup: async () => {
      const m = await freshMeeting(true);
      const fields = (i: (typeof m.items)[number]) => ({
        intent: "amend",
        itemId: i.itemId,
        supersedes: i.decisionId,
        amendmentReason: "New evidence",
        outcome: "insufficient_evidence",
        rationale: "We agreed again",
        evidence: `observation:${i.observationId}`,
        dissent: "",
        nextSteps: "",
        revisitOn: "",
        writingCheck: "seen",
      });
      const route = "calibrations.$meetingId.items.$itemId";
      return {
        first: {
          route,
          params: { meetingId: m.meetingId, itemId: m.items[0].itemId },
          fields: fields(m.items[0]),
          who: "leader",
        },
        elsewhere: {
          route,
          params: { meetingId: m.meetingId, itemId: m.items[1].itemId },
          fields: fields(m.items[1]),
          who: "leader",
        },
        table: "calibration_decisions",
      };
    },
  },
];

describe("an idempotency key reused for another target", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { first, elsewhere, table, untouched } = await c.setup();
      const key = uuid();

      const saved = await submit(first, key);
      expect(saved.status).toBe(302);
      const rows = await count(table);
      const audits = await count("audit_events");

      // The same submission again: the same answer, nothing more stored.
      const again = await submit(first, key);
      expect(again.status).toBe(302);
      expect(again.headers.get("Location")).toBe(saved.headers.get("Location"));
      expect(await count(table)).toBe(rows);
      expect(await count("audit_events")).toBe(audits);

      // The same key for something else: 409, a clear message, the input kept, nothing stored or moved.
      const before = untouched ? await untouched() : null;
      const refused = await submit(elsewhere, key);
      expect(refused.status).toBe(409);
      const data = await body(refused);
      expect(data.formError).toMatch(/already used for something else.*Reload the page/);
      expect(data.values).toMatchObject({ ...elsewhere.fields, idempotencyKey: key });
      expect(await count(table)).toBe(rows);
      expect(await count("audit_events")).toBe(audits);
      if (untouched) expect(await untouched()).toEqual(before);
    });
  }
});

describe("the same submission sent three times at once", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { first, table } = await c.setup();
      const key = uuid();
      const rows = await count(table);
      const answers = await Promise.all([1, 2, 3].map(() => submit(first, key)));
      // One row; every submit gets the first one's answer (never a conflict with its own twin).
      expect(answers.map((a) => a.status)).toEqual([302, 302, 302]);
      expect(new Set(answers.map((a) => a.headers.get("Location"))).size).toBe(1);
      expect(await count(table)).toBe(rows + 1);
    });
  }
});
