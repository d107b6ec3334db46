/**
 * Hostile input (docs/security.md §2). Every stored text field — create forms, edits, transitions,
 * notes, coaching, calibration and admin forms — takes 10,000 characters of arbitrary Unicode and
 * stores it exactly (after the trimming of surrounding whitespace every form does) or refuses it with
 * 400 and a message; so does erasure's typed confirmation; NUL is refused everywhere; extra fields are
 * ignored; random forms posted to every action never produce a 500.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { NUL_MESSAGE } from "../../app/utils/forms.server";
import { call, makeContext, makeUser, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { expectConsoleErrors } from "../helpers/setup";
import { buildWorld, fillPath, routeFiles, type Kind, type World } from "./fixture";

let handle: DbHandle;
let world: World;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const TODAY = "2026-03-02";

beforeAll(async () => {
  handle = await createTestDb();
  world = await buildWorld(handle.db, makeContext(handle.db, clock));
});
afterAll(async () => {
  await handle?.close();
});

const ctx = () => makeContext(handle.db, clock, { requestId: "hostile" });
const uuid = () => crypto.randomUUID();

interface CreateForm {
  route: string;
  url: () => string;
  params: () => Record<string, string>;
  fields: () => Record<string, string | string[]>;
  table: "candidates" | "observations" | "flags" | "sniff_tests" | "coaching_plans";
  columns: Record<string, string>;
}

const FORMS: CreateForm[] = [
  {
    route: "candidates.new",
    url: () => "/candidates/new",
    params: () => ({}),
    fields: () => ({
      idempotencyKey: uuid(),
      name: "Fay Fischer",
      email: "",
      title: "Engineer",
      team: "Platform",
      track: "technical_leadership",
      managerId: world.users.managerIn.id,
      nominatedReason: "Untangled the pipeline",
    }),
    table: "candidates",
    columns: { name: "name", title: "title", team: "team", nominatedReason: "nominated_reason" },
  },
  {
    route: "candidates.$candidateId.observations.new",
    url: () => `/candidates/${world.ids.candidateId}/observations/new`,
    params: () => ({ candidateId: world.ids.candidateId }),
    fields: () => ({
      idempotencyKey: uuid(),
      observedOn: TODAY,
      situation: "In the retro",
      behavior: "Asked the quiet ones first",
      impact: "Two new ideas",
      dimensionIds: [world.ids.dimensionId],
      signal: "strength",
      // The writing check is a nudge the author may pass ("Save anyway"); these tests are about storage.
      writingCheck: "seen",
    }),
    table: "observations",
    columns: { situation: "situation", behavior: "behavior", impact: "impact" },
  },
  {
    route: "candidates.$candidateId.flags.new",
    url: () => `/candidates/${world.ids.candidateId}/flags/new`,
    params: () => ({ candidateId: world.ids.candidateId }),
    fields: () => ({
      idempotencyKey: uuid(),
      antiPatternId: world.ids.antiPatternId,
      observedOn: TODAY,
      situation: "Planning",
      behavior: "Took the task from a junior",
      impact: "",
      writingCheck: "seen",
    }),
    table: "flags",
    columns: { situation: "situation", behavior: "behavior", impact: "impact" },
  },
  {
    route: "sniff-tests.new",
    url: () => "/sniff-tests/new",
    params: () => ({}),
    fields: () => ({
      idempotencyKey: uuid(),
      title: "Run a model",
      dimensionId: world.ids.dimensionId,
      assignment: "Download and run it",
      rationale: "Nobody has to",
      signals: "Goes beyond",
      redFlags: "Silence",
      timeboxDays: "14",
    }),
    table: "sniff_tests",
    columns: {
      title: "title",
      assignment: "assignment",
      rationale: "rationale",
      signals: "signals",
      redFlags: "red_flags",
    },
  },
];

/** Exactly 10,000 UTF-16 code units of arbitrary Unicode (astral characters included). */
const tenThousand = fc.string({ unit: "binary", minLength: 1000, maxLength: 5000 }).map((s) => {
  const padded = s + "x".repeat(Math.max(0, 10_000 - s.length));
  return padded.length > 10_000 ? padded.slice(0, 10_000).replace(/[\uD800-\uDBFF]$/, "y") : padded;
});

async function stored(form: CreateForm, key: string) {
  return handle.db
    .selectFrom(form.table)
    .selectAll()
    .where("idempotency_key", "=", key)
    .executeTakeFirst() as Promise<Record<string, unknown> | undefined>;
}

async function submit(form: CreateForm, fields: Record<string, string | string[]>) {
  const mod = await import(path.resolve("app/routes", `${form.route}.tsx`));
  return call(mod.action, post(form.url(), fields, world.cookies.managerIn), ctx(), form.params());
}

describe("10,000 characters of arbitrary Unicode in every text field of every create form", () => {
  for (const form of FORMS) {
    for (const field of Object.keys(form.columns)) {
      it(`${form.route}: ${field}`, async () => {
        await fc.assert(
          fc.asyncProperty(tenThousand, async (value) => {
            const fields: Record<string, string | string[]> = { ...form.fields(), [field]: value };
            const response = await submit(form, fields);
            const key = fields.idempotencyKey as string;
            if (response.status === 302) {
              const row = await stored(form, key);
              expect(row, "a 302 means the row exists").toBeTruthy();
              expect(row![form.columns[field]]).toBe(value.trim());
            } else {
              expect(response.status).toBe(400);
              const data = await response.json();
              const messages = [...(data.fieldErrors?.[field] ?? []), data.formError].filter(
                Boolean,
              );
              expect(messages.length, "a 400 names what is wrong").toBeGreaterThan(0);
              expect(data.values[field], "the input is kept").toBe(value);
              expect(await stored(form, key)).toBeUndefined();
            }
          }),
          { numRuns: 3 },
        );
      });
    }

    it(`${form.route}: a NUL character is refused with 400 and a message, never a 500`, async () => {
      for (const field of Object.keys(form.columns)) {
        const fields: Record<string, string | string[]> = {
          ...form.fields(),
          [field]: "before\u0000after",
        };
        const response = await submit(form, fields);
        expect(response.status, field).toBe(400);
        const data = await response.json();
        expect(data.fieldErrors[field]).toEqual([NUL_MESSAGE]);
        expect(data.values[field]).toBe("before\u0000after");
      }
    });

    it(`${form.route}: text at exactly the limit is stored as typed`, async () => {
      const field = Object.keys(form.columns).find((f) => !["name", "title", "team"].includes(f))!;
      const value = "é".repeat(9_999) + "😀".slice(0, 1).replace(/[\uD800-\uDFFF]/, "z");
      const fields: Record<string, string | string[]> = { ...form.fields(), [field]: value };
      const response = await submit(form, fields);
      expect(response.status).toBe(302);
      expect((await stored(form, fields.idempotencyKey as string))![form.columns[field]]).toBe(
        value,
      );
    });
  }
});

// ---- Every other text field: edits, transitions, notes, coaching, calibration, admin -----------

type Fields = Record<string, string | string[]>;
interface TextCase {
  /** Route module (app/routes/<route>.tsx). */
  route: string;
  /** The form, as the intent or the page names it. */
  form: string;
  field: string;
  who: Exclude<Kind, "anonymous">;
  /** The field's documented limit in UTF-16 units: shorter arbitrary text is tried too, so storing is exercised. */
  max: number;
  /** A valid value for the "valid form saves" check; by default some non-ASCII text with spaces around it. */
  sample?: string;
  /** What a successful save stores; by default the input with surrounding whitespace trimmed. */
  expected?: (value: string) => unknown;
  /** Fresh rows for one run: the URL params, a valid form, and how to read back what the field saved. */
  setup: () => Promise<{
    params: Record<string, string>;
    fields: Fields;
    read: () => Promise<unknown>;
  }>;
}

const first = async <T>(q: { executeTakeFirst: () => Promise<T | undefined> }) =>
  q.executeTakeFirst();

async function freshCandidate(
  stage: "exploring" | "spotted" | "coaching" | "archived" = "exploring",
) {
  const { id } = await handle.db
    .insertInto("candidates")
    .values({
      name: "Hal Hostile",
      track: "technical_leadership",
      manager_id: world.users.managerIn.id,
      nominated_by: world.users.managerIn.id,
      nominated_reason: "Seen",
      stage,
      idempotency_key: uuid(),
      archived_at: stage === "archived" ? clock.now : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}
const version = async (
  table:
    | "candidates"
    | "observations"
    | "flags"
    | "sniff_tests"
    | "sniff_test_assignments"
    | "coaching_plans"
    | "coaching_actions"
    | "users",
  id: string,
) =>
  String(
    (
      await handle.db
        .selectFrom(table)
        .select("version")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).version,
  );

async function freshObservation(candidateId: string) {
  const { id } = await handle.db
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
  await handle.db
    .insertInto("observation_dimensions")
    .values({ observation_id: id, dimension_id: world.ids.dimensionId })
    .execute();
  return id;
}
async function freshFlag(candidateId: string) {
  const { id } = await handle.db
    .insertInto("flags")
    .values({
      candidate_id: candidateId,
      anti_pattern_id: world.ids.antiPatternId,
      raised_by: world.users.managerIn.id,
      observed_on: "2026-01-14",
      situation: "",
      behavior: "Kept the keys",
      impact: "",
      status: "open",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}
async function freshAssignment(status: "offered" | "accepted") {
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
      status,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { candidateId, assignmentId: id };
}
async function freshPlan() {
  const candidateId = await freshCandidate("coaching");
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
/** A meeting facilitated by the leader with one fresh candidate on the agenda (and one observation as evidence). */
async function freshMeeting({ started, decided }: { started: boolean; decided?: boolean }) {
  const candidateId = await freshCandidate();
  const observationId = await freshObservation(candidateId);
  const { id: meetingId } = await handle.db
    .insertInto("calibration_meetings")
    .values({
      title: "Q1",
      scheduled_for: new Date("2026-03-01T10:00:00Z"),
      facilitator_id: world.users.leader.id,
      created_by: world.users.leader.id,
      status: started ? "in_progress" : "planned",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: itemId } = await handle.db
    .insertInto("calibration_items")
    .values({
      meeting_id: meetingId,
      candidate_id: candidateId,
      position: 1,
      opened_at: started ? clock.now : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  let decisionId: string | undefined;
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
  const decision = (key: string): Fields => ({
    itemId,
    outcome: "insufficient_evidence",
    rationale: "We agreed",
    evidence: `observation:${observationId}`,
    dissent: "",
    nextSteps: "",
    revisitOn: "",
    idempotencyKey: key,
  });
  return { meetingId, itemId, decisionId: decisionId!, decision };
}
async function freshSniffTest() {
  const title = `Hostile ${uuid()}`;
  const base = {
    title,
    dimension_id: world.ids.dimensionId,
    assignment: "Facilitate",
    rationale: "",
    signals: "",
    red_flags: "",
    timebox_days: 14,
  };
  const { id } = await handle.db
    .insertInto("sniff_tests")
    .values({ ...base, created_by: world.users.managerIn.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  await handle.db
    .insertInto("sniff_test_revisions")
    .values({ ...base, sniff_test_id: id, version: 1, edited_by: world.users.managerIn.id })
    .execute();
  return id;
}
async function freshDimension() {
  const { id } = await handle.db
    .insertInto("dimensions")
    .values({
      key: `zzfresh_${uuid().replace(/-/g, "")}`,
      name: "Hostile",
      position: 1000 + Math.floor(Math.random() * 1e6),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

const candidateDetails = (
  field: string,
  column: string,
  max: number,
  expected?: TextCase["expected"],
  sample?: string,
): TextCase => ({
  route: "candidates.$candidateId.edit",
  form: "details",
  field,
  who: "managerIn",
  max,
  expected,
  sample,
  setup: async () => {
    const id = await freshCandidate();
    const fields = {
      intent: "details",
      version: await version("candidates", id),
      name: "Hal Hostile",
      email: "",
      title: "",
      team: "",
      track: "technical_leadership",
      managerId: world.users.managerIn.id,
      nominatedReason: "Seen",
    };
    return {
      params: { candidateId: id },
      fields,
      read: async () =>
        (await first(handle.db.selectFrom("candidates").selectAll().where("id", "=", id)))?.[
          column as "name"
        ],
    };
  },
});

const stageReason = (form: "stage" | "archive" | "restore"): TextCase => ({
  route: "candidates.$candidateId.edit",
  form,
  field: "reason",
  who: "managerIn",
  max: 2000,
  setup: async () => {
    const id = await freshCandidate(form === "restore" ? "archived" : "spotted");
    if (form === "restore")
      await handle.db
        .insertInto("stage_changes")
        .values({
          candidate_id: id,
          from_stage: "exploring",
          to_stage: "archived",
          changed_by: world.users.managerIn.id,
          reason: "Left",
        })
        .execute();
    const fields: Fields = {
      intent: form,
      version: await version("candidates", id),
      reason: "Because",
      ...(form === "stage" ? { to: "exploring", revisitOn: "" } : {}),
      ...(form === "restore" ? { revisitOn: "" } : {}),
    };
    const read = async () =>
      (
        await first(
          handle.db
            .selectFrom("stage_changes")
            .select("reason")
            .where("candidate_id", "=", id)
            .where("reason", "!=", "Left"),
        )
      )?.reason;
    return { params: { candidateId: id }, fields, read };
  },
});

const observationEdit = (field: string): TextCase => ({
  route: "candidates.$candidateId.observations.$observationId",
  form: "edit",
  field,
  who: "managerIn",
  max: 10_000,
  setup: async () => {
    const candidateId = await freshCandidate();
    const id = await freshObservation(candidateId);
    const fields = {
      intent: "edit",
      version: await version("observations", id),
      observedOn: "2026-02-20",
      situation: "",
      behavior: "Asked first",
      impact: "",
      signal: "strength",
      dimensionIds: [world.ids.dimensionId],
      writingCheck: "seen",
    };
    return {
      params: { candidateId, observationId: id },
      fields,
      read: async () =>
        (await first(handle.db.selectFrom("observations").selectAll().where("id", "=", id)))?.[
          field as "situation"
        ],
    };
  },
});

const flagNote = (intent: "discussed" | "resolve" | "dismiss" | "reopen"): TextCase => ({
  route: "candidates.$candidateId.flags.$flagId",
  form: intent,
  field: "note",
  who: "managerIn",
  max: 2000,
  setup: async () => {
    const candidateId = await freshCandidate();
    const id = await freshFlag(candidateId);
    if (intent === "reopen")
      await handle.db
        .updateTable("flags")
        .set({
          status: "dismissed",
          resolution: "Gone",
          resolved_by: world.users.managerIn.id,
          resolved_at: clock.now,
        })
        .where("id", "=", id)
        .execute();
    const fields: Fields = {
      intent,
      version: await version("flags", id),
      note: "Talked",
      ...(intent === "discussed" ? { discussedOn: TODAY } : {}),
      writingCheck: "seen",
    };
    const read = async () =>
      (
        await first(
          handle.db
            .selectFrom("flag_events")
            .select(["note", "kind"])
            .where("flag_id", "=", id)
            .where("kind", "!=", "raised"),
        )
      )?.note;
    return { params: { candidateId, flagId: id }, fields, read };
  },
});

const sniffTestEdit = (field: string, column: string, max: number): TextCase => ({
  route: "sniff-tests.$sniffTestId.edit",
  form: "edit",
  field,
  who: "managerIn",
  max,
  setup: async () => {
    const id = await freshSniffTest();
    const fields = {
      version: await version("sniff_tests", id),
      title: "Run the retro",
      dimensionId: world.ids.dimensionId,
      assignment: "Facilitate",
      rationale: "",
      signals: "",
      redFlags: "",
      timeboxDays: "14",
    };
    return {
      params: { sniffTestId: id },
      fields,
      read: async () =>
        (await first(handle.db.selectFrom("sniff_tests").selectAll().where("id", "=", id)))?.[
          column as "title"
        ],
    };
  },
});

const assignment = (to: "accepted" | "completed", field: string, max: number): TextCase => ({
  route: "candidates.$candidateId.assignments.$assignmentId",
  form: to,
  field,
  who: "managerIn",
  max,
  setup: async () => {
    const { candidateId, assignmentId } = await freshAssignment(
      to === "accepted" ? "offered" : "accepted",
    );
    const key = uuid();
    const fields: Fields = {
      intent: to,
      version: await version("sniff_test_assignments", assignmentId),
      note: "",
      ...(to === "completed"
        ? { situation: "", behavior: "Ran it", impact: "", signal: "strength", idempotencyKey: key }
        : {}),
    };
    const read =
      field === "note"
        ? async () =>
            (
              await first(
                handle.db
                  .selectFrom("sniff_test_assignment_events")
                  .select("note")
                  .where("assignment_id", "=", assignmentId)
                  .where("to_status", "=", to),
              )
            )?.note
        : async () =>
            (
              await first(
                handle.db.selectFrom("observations").selectAll().where("idempotency_key", "=", key),
              )
            )?.[field as "behavior"];
    return { params: { candidateId, assignmentId }, fields, read };
  },
});

const plan = (
  intent: string,
  field: string,
  max: number,
  form: (p: {
    planId: string;
    candidateId: string;
  }) => Promise<{ fields: Fields; read: () => Promise<unknown> }>,
): TextCase => ({
  // The plan itself and its status change on its edit page; the day-to-day work on the plan page.
  route: ["edit-plan", "pause", "resume", "abandon", "complete"].includes(intent)
    ? "coaching.$planId.edit"
    : "coaching.$planId._index",
  form: intent,
  field,
  who: "managerIn",
  max,
  setup: async () => {
    const p = await freshPlan();
    const { fields, read } = await form(p);
    return { params: { planId: p.planId }, fields: { intent, ...fields }, read };
  },
});
const planObservation = {
  situation: "",
  behavior: "Wrote it down",
  impact: "",
  signal: "strength",
  dimensionIds: [] as string[],
};
const planChange = (planId: string, to: "paused" | "abandoned" | "completed") => async () =>
  (
    await first(
      handle.db
        .selectFrom("coaching_plan_changes")
        .select("reason")
        .where("plan_id", "=", planId)
        .where("to_status", "=", to),
    )
  )?.reason;
const byKey =
  (
    table:
      | "observations"
      | "coaching_actions"
      | "coaching_checkins"
      | "coaching_plans"
      | "calibration_meetings"
      | "calibration_decisions",
    key: string,
    column: string,
  ) =>
  async () =>
    (
      (await first(handle.db.selectFrom(table).selectAll().where("idempotency_key", "=", key))) as
        Record<string, unknown> | undefined
    )?.[column];

const decision = (field: string, column: string, amend: boolean): TextCase => ({
  route: amend ? "calibrations.$meetingId.items.$itemId" : "calibrations.$meetingId._index",
  form: amend ? "amend" : "decide",
  field,
  who: "leader",
  max: 10_000,
  // Optional decision texts left empty are stored as NULL.
  expected: ["dissent", "nextSteps"].includes(field) ? (v) => v.trim() || null : undefined,
  setup: async () => {
    const m = await freshMeeting({ started: true, decided: amend });
    const key = uuid();
    const fields: Fields = {
      intent: amend ? "amend" : "decide",
      ...m.decision(key),
      // The author saw the writing check's notes and saves anyway; no attendee has a final leaning.
      writingCheck: "seen",
      ...(amend
        ? { supersedes: m.decisionId, amendmentReason: "New evidence" }
        : { proceedAnyway: "yes" }),
    };
    return {
      params: { meetingId: m.meetingId, itemId: m.itemId },
      fields,
      read: byKey("calibration_decisions", key, column),
    };
  },
});

const TEXT_CASES: TextCase[] = [
  candidateDetails("name", "name", 120),
  // Email addresses are also lower-cased (documented in toCandidateDetails).
  candidateDetails(
    "email",
    "email",
    254,
    (v) => v.trim().toLowerCase() || null,
    " Zoë@Example.ORG ",
  ),
  candidateDetails("title", "title", 120),
  candidateDetails("team", "team", 120),
  candidateDetails("nominatedReason", "nominated_reason", 10_000),
  stageReason("stage"),
  stageReason("archive"),
  stageReason("restore"),
  {
    route: "pipeline",
    form: "move",
    field: "reason",
    who: "leader",
    max: 2000,
    setup: async () => {
      const id = await freshCandidate("spotted");
      const fields = {
        intent: "move",
        candidateId: id,
        version: await version("candidates", id),
        to: "exploring",
        reason: "Because",
        revisitOn: "",
      };
      return {
        params: {},
        fields,
        read: async () =>
          (
            await first(
              handle.db.selectFrom("stage_changes").select("reason").where("candidate_id", "=", id),
            )
          )?.reason,
      };
    },
  },
  observationEdit("situation"),
  observationEdit("behavior"),
  observationEdit("impact"),
  {
    route: "candidates.$candidateId.observations.$observationId",
    form: "retract",
    field: "reason",
    who: "managerIn",
    max: 2000,
    setup: async () => {
      const candidateId = await freshCandidate();
      const id = await freshObservation(candidateId);
      const read = async () =>
        (
          await first(
            handle.db.selectFrom("observations").select("retraction_reason").where("id", "=", id),
          )
        )?.retraction_reason;
      return {
        params: { candidateId, observationId: id },
        fields: { intent: "retract", reason: "Wrong person" },
        read,
      };
    },
  },
  flagNote("discussed"),
  flagNote("resolve"),
  flagNote("dismiss"),
  flagNote("reopen"),
  sniffTestEdit("title", "title", 200),
  sniffTestEdit("assignment", "assignment", 10_000),
  sniffTestEdit("rationale", "rationale", 10_000),
  sniffTestEdit("signals", "signals", 10_000),
  sniffTestEdit("redFlags", "red_flags", 10_000),
  assignment("accepted", "note", 2000),
  assignment("completed", "note", 2000),
  assignment("completed", "situation", 10_000),
  assignment("completed", "behavior", 10_000),
  assignment("completed", "impact", 10_000),
  {
    route: "candidates.$candidateId.plans.new",
    form: "create",
    field: "goal",
    who: "managerIn",
    max: 10_000,
    setup: async () => {
      const candidateId = await freshCandidate();
      const key = uuid();
      const fields = {
        idempotencyKey: key,
        mentorId: world.users.mentor.id,
        goal: "Write it down",
        dimensionIds: [world.ids.dimensionId],
        flagIds: [] as string[],
        startedOn: TODAY,
        targetOn: "",
      };
      return { params: { candidateId }, fields, read: byKey("coaching_plans", key, "goal") };
    },
  },
  plan("edit-plan", "goal", 10_000, async ({ planId }) => ({
    fields: {
      version: await version("coaching_plans", planId),
      goal: "Write it down",
      targetOn: "",
      dimensionIds: [world.ids.dimensionId],
      mentorId: world.users.mentor.id,
      mentorReason: "",
    },
    read: async () =>
      (await first(handle.db.selectFrom("coaching_plans").select("goal").where("id", "=", planId)))
        ?.goal,
  })),
  plan("edit-plan", "mentorReason", 10_000, async ({ planId }) => ({
    fields: {
      version: await version("coaching_plans", planId),
      goal: "Write decisions down",
      targetOn: "",
      dimensionIds: [world.ids.dimensionId],
      mentorId: world.users.otherMentor.id,
      mentorReason: "Moved team",
    },
    read: async () =>
      (
        await first(
          handle.db
            .selectFrom("coaching_plan_changes")
            .select("reason")
            .where("plan_id", "=", planId)
            .where("to_mentor_id", "=", world.users.otherMentor.id),
        )
      )?.reason,
  })),
  plan("add-action", "title", 500, async () => {
    const key = uuid();
    return {
      fields: { title: "Draft an ADR", dueOn: "", idempotencyKey: key },
      read: byKey("coaching_actions", key, "title"),
    };
  }),
  plan("edit-action", "title", 500, async ({ planId }) => {
    const { id } = await handle.db
      .insertInto("coaching_actions")
      .values({
        plan_id: planId,
        title: "Draft an ADR",
        position: 1,
        created_by: world.users.mentor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      fields: {
        actionId: id,
        version: await version("coaching_actions", id),
        title: "Draft two ADRs",
        dueOn: "",
      },
      read: async () =>
        (await first(handle.db.selectFrom("coaching_actions").select("title").where("id", "=", id)))
          ?.title,
    };
  }),
  plan("checkin", "notes", 10_000, async () => {
    const key = uuid();
    return {
      fields: { heldOn: TODAY, notes: "Went well", nextOn: "", idempotencyKey: key },
      read: byKey("coaching_checkins", key, "notes"),
    };
  }),
  plan("pause", "reason", 2000, async ({ planId }) => ({
    fields: {
      version: await version("coaching_plans", planId),
      changedOn: TODAY,
      reason: "Holiday",
    },
    read: planChange(planId, "paused"),
  })),
  plan("abandon", "reason", 2000, async ({ planId }) => ({
    fields: { version: await version("coaching_plans", planId), changedOn: TODAY, reason: "Left" },
    read: planChange(planId, "abandoned"),
  })),
  plan("complete", "reason", 2000, async ({ planId }) => ({
    fields: {
      version: await version("coaching_plans", planId),
      changedOn: TODAY,
      reason: "Done",
      ...planObservation,
      dimensionIds: [world.ids.dimensionId],
      idempotencyKey: uuid(),
    },
    read: planChange(planId, "completed"),
  })),
  ...(["situation", "behavior", "impact"] as const).map((field) =>
    plan("complete", field, 10_000, async ({ planId }) => {
      const key = uuid();
      return {
        fields: {
          version: await version("coaching_plans", planId),
          changedOn: TODAY,
          reason: "Done",
          ...planObservation,
          dimensionIds: [world.ids.dimensionId],
          idempotencyKey: key,
        },
        read: byKey("observations", key, field),
      };
    }),
  ),
  ...(["situation", "behavior", "impact"] as const).map((field) =>
    plan("observation", field, 10_000, async () => {
      const key = uuid();
      return {
        fields: {
          ...planObservation,
          dimensionIds: [world.ids.dimensionId],
          observedOn: TODAY,
          idempotencyKey: key,
        },
        read: byKey("observations", key, field),
      };
    }),
  ),
  plan("resolve-flag", "note", 2000, async ({ planId, candidateId }) => {
    const flagId = await freshFlag(candidateId);
    await handle.db
      .insertInto("coaching_plan_flags")
      .values({ plan_id: planId, flag_id: flagId })
      .execute();
    return {
      fields: { flagId, version: await version("flags", flagId), note: "Sorted" },
      read: async () =>
        (await first(handle.db.selectFrom("flags").select("resolution").where("id", "=", flagId)))
          ?.resolution,
    };
  }),
  {
    route: "calibrations.new",
    form: "create",
    field: "title",
    who: "leader",
    max: 200,
    setup: async () => {
      const key = uuid();
      const fields = {
        idempotencyKey: key,
        title: "Q2",
        scheduledFor: "2026-04-01T10:00",
        facilitatorId: world.users.leader.id,
        attendeeIds: [] as string[],
        candidateIds: [await freshCandidate()],
        timeboxMinutes: "",
      };
      return { params: {}, fields, read: byKey("calibration_meetings", key, "title") };
    },
  },
  {
    route: "calibrations.$meetingId.items.$itemId",
    form: "preread",
    field: "view",
    who: "leader",
    max: 5000,
    setup: async () => {
      const m = await freshMeeting({ started: false });
      const read = async () =>
        (
          await first(
            handle.db
              .selectFrom("calibration_prereads")
              .select("view")
              .where("item_id", "=", m.itemId),
          )
        )?.view;
      return {
        params: { meetingId: m.meetingId, itemId: m.itemId },
        fields: {
          intent: "preread",
          view: "Promising",
          leaning: "ready_with_development",
          version: "",
          writingCheck: "seen",
        },
        read,
      };
    },
  },
  decision("rationale", "rationale", false),
  decision("dissent", "dissent", false),
  decision("nextSteps", "next_steps", false),
  decision("rationale", "rationale", true),
  decision("amendmentReason", "amendment_reason", true),
  {
    route: "admin.users",
    form: "create",
    field: "name",
    who: "admin",
    max: 120,
    setup: async () => {
      const email = `hostile-${uuid()}@example.org`;
      // An admin-only account: a people role would also need the admin's current password (least-privilege.test.ts).
      const fields = {
        intent: "create",
        name: "Hana Hostile",
        email,
        roles: "admin",
        password: "a long enough password",
      };
      return {
        params: {},
        fields,
        read: async () =>
          (await first(handle.db.selectFrom("users").select("name").where("email", "=", email)))
            ?.name,
      };
    },
  },
  {
    route: "admin.users.$userId",
    form: "update",
    field: "name",
    who: "admin",
    max: 120,
    setup: async () => {
      const { id } = await makeUser(handle.db, ["manager"], "Hana Hostile");
      const read = async () =>
        (await first(handle.db.selectFrom("users").select("name").where("id", "=", id)))?.name;
      return {
        params: { userId: id },
        fields: {
          intent: "update",
          version: await version("users", id),
          name: "Hana Hostile",
          roles: "manager",
        },
        read,
      };
    },
  },
  ...(["name", "description"] as const).map((field): TextCase => ({
    route: "admin.framework",
    form: "create",
    field,
    who: "admin",
    max: field === "name" ? 120 : 2000,
    setup: async () => {
      const name = `Hostile ${uuid()}`;
      // The newest dimension: the one this run adds, if any (a refused form must leave it as it was).
      const read = async () =>
        (
          await first(
            handle.db
              .selectFrom("dimensions")
              .select(["name", "description"])
              .where("key", "not like", "zzfresh\\_%")
              .orderBy("created_at", "desc")
              .orderBy("position", "desc"),
          )
        )?.[field];
      return {
        params: {},
        fields: { intent: "create", kind: "dimension", name, description: "" },
        read,
      };
    },
  })),
  ...(["name", "description"] as const).map((field): TextCase => ({
    route: "admin.framework",
    form: "update",
    field,
    who: "admin",
    max: field === "name" ? 120 : 2000,
    setup: async () => {
      const id = await freshDimension();
      const read = async () =>
        (
          await first(
            handle.db.selectFrom("dimensions").select(["name", "description"]).where("id", "=", id),
          )
        )?.[field];
      return {
        params: {},
        fields: {
          intent: "update",
          kind: "dimension",
          id,
          name: `Hostile ${uuid()}`,
          description: "",
        },
        read,
      };
    },
  })),
];

/** Arbitrary Unicode that fits the field's limit (code points can be two UTF-16 units each). */
const fitting = (max: number) =>
  fc.string({ unit: "binary", minLength: 1, maxLength: Math.min(400, Math.floor(max / 2)) });

describe("10,000 characters of arbitrary Unicode in every other text field (edits, transitions, notes, coaching, calibration, admin)", () => {
  const routes = new Map(routeFiles().map((r) => [r.file, r]));

  for (const c of TEXT_CASES) {
    it(`${c.route} ${c.form}: ${c.field}`, async () => {
      const route = routes.get(`${c.route}.tsx`);
      expect(route, `${c.route}.tsx exists`).toBeTruthy();
      const mod = await import(path.resolve("app/routes", route!.file));
      const check = async (value: string) => {
        const { params, fields, read } = await c.setup();
        const before = await read();
        const { path: url } = fillPath(route!, params);
        const response = await call(
          mod.action,
          post(url, { ...fields, [c.field]: value }, world.cookies[c.who]),
          ctx(),
          params,
        );
        if (response.status === 302) {
          expect(await read(), "a 302 stored exactly what was typed (trimmed)").toBe(
            (c.expected ?? ((v: string) => v.trim()))(value),
          );
        } else {
          expect(response.status, (await response.clone().text()).slice(0, 300)).toBe(400);
          const data = await response.json();
          const messages = [...(data.fieldErrors?.[c.field] ?? []), data.formError].filter(Boolean);
          expect(messages.length, "a 400 names what is wrong").toBeGreaterThan(0);
          expect(data.values[c.field], "the input is kept").toBe(value);
          expect(await read(), "nothing changed").toEqual(before);
        }
      };
      await fc.assert(fc.asyncProperty(tenThousand, check), { numRuns: 2 });
      // Most 10,000-unit strings hold a NUL (refused up front): one run without, so the length rule answers.
      await fc.assert(
        fc.asyncProperty(
          tenThousand.map((s) => s.replaceAll("\u0000", "x")),
          check,
        ),
        { numRuns: 1 },
      );
      // Without NUL too, so these runs reach the store.
      await fc.assert(
        fc.asyncProperty(
          fitting(c.max).map((s) => s.replaceAll("\u0000", "x")),
          check,
        ),
        { numRuns: 2 },
      );
      expectConsoleErrors();
    });
  }

  it("a NUL character in any of these fields is refused with 400 and a message", async () => {
    for (const c of TEXT_CASES) {
      const route = routeFiles().find((r) => r.file === `${c.route}.tsx`)!;
      const mod = await import(path.resolve("app/routes", route.file));
      const { params, fields } = await c.setup();
      const response = await call(
        mod.action,
        post(
          fillPath(route, params).path,
          { ...fields, [c.field]: "before\u0000after" },
          world.cookies[c.who],
        ),
        ctx(),
        params,
      );
      expect(response.status, `${c.route} ${c.form}: ${c.field}`).toBe(400);
      expect((await response.json()).fieldErrors[c.field]).toEqual([NUL_MESSAGE]);
    }
  });

  it("the valid form of every case saves (so a 400 above is about the text, not a broken setup)", async () => {
    for (const c of TEXT_CASES) {
      const route = routeFiles().find((r) => r.file === `${c.route}.tsx`)!;
      const mod = await import(path.resolve("app/routes", route.file));
      const { params, fields, read } = await c.setup();
      const value = c.sample ?? " Ünïcødé 😀 text ";
      const response = await call(
        mod.action,
        post(fillPath(route, params).path, { ...fields, [c.field]: value }, world.cookies[c.who]),
        ctx(),
        params,
      );
      expect(
        response.status,
        `${c.route} ${c.form}: ${c.field}: ${(await response.clone().text()).slice(0, 300)}`,
      ).toBe(302);
      expect(await read(), `${c.route} ${c.form}: ${c.field}`).toBe(
        (c.expected ?? ((v: string) => v.trim()))(value),
      );
    }
  });
});

describe("erasure: the typed confirmation takes arbitrary Unicode without a 500", () => {
  it("refuses anything but the exact name with 400, keeping the candidate; the exact name (any Unicode) erases", async () => {
    const { action } = await import(path.resolve("app/routes", "admin.candidates.tsx"));
    const erase = (candidateId: string, confirmName: string) =>
      call(
        action,
        post(
          "/admin/candidates",
          { intent: "erase", candidateId, confirmName },
          world.cookies.admin,
        ),
        ctx(),
        {},
      );
    const exists = async (id: string) =>
      Boolean(await first(handle.db.selectFrom("candidates").select("id").where("id", "=", id)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(tenThousand, fitting(500)), async (typed) => {
        const id = await freshCandidate("archived");
        const response = await erase(id, typed);
        expect(response.status).toBe(400);
        const data = await response.json();
        expect(
          [...(data.fieldErrors?.confirmName ?? []), data.formError].filter(Boolean).length,
        ).toBeGreaterThan(0);
        expect(data.values.confirmName).toBe(typed);
        expect(await exists(id)).toBe(true);
      }),
      { numRuns: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: "binary", minLength: 1, maxLength: 60 })
          .filter((s) => !s.includes("\u0000")),
        async (name) => {
          const id = await freshCandidate("archived");
          await handle.db.updateTable("candidates").set({ name }).where("id", "=", id).execute();
          const response = await erase(id, name);
          expect(response.status).toBe(302);
          expect(await exists(id)).toBe(false);
        },
      ),
      { numRuns: 3 },
    );
  });
});

describe("mass assignment: fields the form does not offer are ignored", () => {
  it("nominating cannot set the stage, version, nominator, archive date or id", async () => {
    const form = FORMS[0];
    const id = uuid();
    const fields: Record<string, string | string[]> = {
      ...form.fields(),
      id,
      stage: "promoted",
      version: "99",
      nominatedBy: world.users.leader.id,
      nominated_by: world.users.leader.id,
      archivedAt: "2020-01-01",
      archived_at: "2020-01-01",
      roles: "admin",
    };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({
      stage: "spotted",
      version: 1,
      nominated_by: world.users.managerIn.id,
      archived_at: null,
    });
    expect(row.id).not.toBe(id);
  });

  it("an observation cannot claim another author, candidate, version or retraction", async () => {
    const form = FORMS[1];
    const fields: Record<string, string | string[]> = {
      ...form.fields(),
      authorId: world.users.leader.id,
      author_id: world.users.leader.id,
      candidateId: world.ids.otherCandidateId,
      candidate_id: world.ids.otherCandidateId,
      version: "7",
      retractedAt: "2026-01-01",
      retracted_by: world.users.leader.id,
    };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({
      author_id: world.users.managerIn.id,
      candidate_id: world.ids.candidateId,
      version: 1,
      retracted_at: null,
      retracted_by: null,
    });
  });

  it("a flag cannot be raised already resolved or in someone else's name", async () => {
    const form = FORMS[2];
    const fields: Record<string, string | string[]> = {
      ...form.fields(),
      status: "resolved",
      raisedBy: world.users.leader.id,
      raised_by: world.users.leader.id,
      resolvedBy: world.users.leader.id,
      candidateId: world.ids.otherCandidateId,
    };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({
      status: "open",
      raised_by: world.users.managerIn.id,
      resolved_by: null,
      candidate_id: world.ids.candidateId,
    });
  });

  it("a sniff test cannot be created in someone else's name or at another version", async () => {
    const form = FORMS[3];
    const fields: Record<string, string | string[]> = {
      ...form.fields(),
      createdBy: world.users.leader.id,
      created_by: world.users.leader.id,
      version: "5",
      archivedAt: "2026-01-01",
    };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({
      created_by: world.users.managerIn.id,
      version: 1,
      archived_at: null,
    });
  });
});

// ---- The fuzzer --------------------------------------------------------------------------------

/** Intents and field names read from the route sources themselves, so new forms are fuzzed too. */
function vocabulary() {
  const intents = new Set<string>();
  const names = new Set<string>([
    "intent",
    "version",
    "id",
    "candidateId",
    "userId",
    "roles",
    "stage",
    "managerId",
    "mentorId",
    "status",
  ]);
  for (const file of routeFiles().map((r) => r.file)) {
    const source = readFileSync(path.resolve("app/routes", file), "utf8");
    for (const m of source.matchAll(/z\.literal\("([\w-]+)"\)/g)) intents.add(m[1]);
    for (const m of source.matchAll(/name="(\w+)"/g)) names.add(m[1]);
    for (const m of source.matchAll(/name=\{?"(\w+)"/g)) names.add(m[1]);
    for (const m of source.matchAll(/intent" value="([\w-]+)"/g)) intents.add(m[1]);
  }
  for (const file of [
    "observation",
    "flag",
    "coaching",
    "calibration",
    "assignment",
    "sniff-test",
    "candidate",
    "framework",
  ]) {
    try {
      const source = readFileSync(path.resolve("app/models", `${file}.server.ts`), "utf8");
      for (const m of source.matchAll(/z\.literal\("([\w-]+)"\)/g)) intents.add(m[1]);
    } catch {
      // a model that does not exist (any more) adds nothing
    }
  }
  return { intents: [...intents], names: [...names] };
}

describe("fuzzer: random forms to every action never produce a 500", () => {
  const { intents, names } = vocabulary();
  // Only the modules that export an action: a route without one would pass without fuzzing anything.
  const actionRoutes = routeFiles().filter(
    (r) =>
      r.file !== "logout.tsx" &&
      /export (async function|const) action\b/.test(
        readFileSync(path.resolve("app/routes", r.file), "utf8"),
      ),
  );

  it("found a vocabulary to fuzz with, and the actions to fuzz", () => {
    expect(actionRoutes.length).toBeGreaterThan(15);
    expect(intents.length).toBeGreaterThan(10);
    expect(names.length).toBeGreaterThan(20);
  });

  for (const route of actionRoutes) {
    it(route.file, async () => {
      const mod = await import(path.resolve("app/routes", route.file));
      expect(mod.action, "the route exports an action").toBeTypeOf("function");
      const idPool = () => [
        ...Object.values(world.ids),
        ...Object.values(world.users).map((u) => u.id),
      ];
      const value = fc.oneof(
        fc.constantFrom(...idPool()),
        fc.uuid(),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom(
          "",
          " ",
          "0",
          "-1",
          "99999999999999999999",
          "1e309",
          "NaN",
          "2026-02-30",
          TODAY,
          "9999-12-31",
          "true",
          "null",
          "[]",
          "{}",
          "' OR 1=1 --",
          "<script>",
          "../../etc/passwd",
          "%00",
        ),
        fc.integer({ min: -5, max: 1_000_000 }).map(String),
      );
      const form = fc.record({
        intent: fc.oneof(fc.constantFrom(...intents), fc.string({ maxLength: 12 })),
        fields: fc.dictionary(
          fc.constantFrom(...names),
          fc.oneof(value, fc.array(value, { maxLength: 3 })),
          { maxKeys: 10 },
        ),
        who: fc.constantFrom("leader", "managerOut", "managerIn", "admin") as fc.Arbitrary<
          "leader" | "managerOut" | "managerIn" | "admin"
        >,
        params: fc.oneof(fc.constant("fixture"), fc.constant("random"), fc.constant("junk")),
      });
      await fc.assert(
        fc.asyncProperty(form, async ({ intent, fields, who, params: how }) => {
          const values = Object.fromEntries(
            route.params.map((p) => [
              p,
              how === "fixture"
                ? ((world.ids as Record<string, string>)[p] ?? "x")
                : how === "random"
                  ? uuid()
                  : "not-a-uuid",
            ]),
          );
          const { path: url, params } = fillPath(route, values);
          const response = await call(
            mod.action,
            post(url, { intent, ...fields }, world.cookies[who]),
            ctx(),
            params,
          );
          expect(
            response.status,
            `POST ${url} as ${who}: ${JSON.stringify({ intent, ...fields }).slice(0, 300)}`,
          ).toBeLessThan(500);
        }),
        { numRuns: 30 },
      );
      expectConsoleErrors();
    });
  }
});
