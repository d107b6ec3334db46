/**
 * Issue 7 §2: hostile input. Every text field of the create forms takes 10,000 characters of
 * arbitrary Unicode and stores it exactly (after the trimming of surrounding whitespace every form
 * does) or refuses it with 400 and a message; NUL is refused everywhere; extra fields are ignored;
 * random forms posted to every action never produce a 500.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { NUL_MESSAGE } from "../../app/utils/forms.server";
import { call, makeContext, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { expectConsoleErrors } from "../helpers/setup";
import { buildWorld, fillPath, routeFiles, type World } from "./fixture";

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
    fields: () => ({ idempotencyKey: uuid(), name: "Fay Fischer", email: "", title: "Engineer", team: "Platform", track: "technical_leadership", managerId: world.users.managerIn.id, nominatedReason: "Untangled the pipeline" }),
    table: "candidates",
    columns: { name: "name", title: "title", team: "team", nominatedReason: "nominated_reason" },
  },
  {
    route: "candidates.$candidateId.observations.new",
    url: () => `/candidates/${world.ids.candidateId}/observations/new`,
    params: () => ({ candidateId: world.ids.candidateId }),
    fields: () => ({ idempotencyKey: uuid(), observedOn: TODAY, situation: "In the retro", behavior: "Asked the quiet ones first", impact: "Two new ideas", dimensionIds: [world.ids.dimensionId], signal: "strength" }),
    table: "observations",
    columns: { situation: "situation", behavior: "behavior", impact: "impact" },
  },
  {
    route: "candidates.$candidateId.flags.new",
    url: () => `/candidates/${world.ids.candidateId}/flags/new`,
    params: () => ({ candidateId: world.ids.candidateId }),
    fields: () => ({ idempotencyKey: uuid(), antiPatternId: world.ids.antiPatternId, observedOn: TODAY, situation: "Planning", behavior: "Took the task from a junior", impact: "" }),
    table: "flags",
    columns: { situation: "situation", behavior: "behavior", impact: "impact" },
  },
  {
    route: "sniff-tests.new",
    url: () => "/sniff-tests/new",
    params: () => ({}),
    fields: () => ({ idempotencyKey: uuid(), title: "Run a model", dimensionId: world.ids.dimensionId, assignment: "Download and run it", rationale: "Nobody has to", signals: "Goes beyond", redFlags: "Silence", timeboxDays: "14" }),
    table: "sniff_tests",
    columns: { title: "title", assignment: "assignment", rationale: "rationale", signals: "signals", redFlags: "red_flags" },
  },
];

/** Exactly 10,000 UTF-16 code units of arbitrary Unicode (astral characters included). */
const tenThousand = fc.string({ unit: "binary", minLength: 1000, maxLength: 5000 }).map((s) => {
  const padded = s + "x".repeat(Math.max(0, 10_000 - s.length));
  return padded.length > 10_000 ? padded.slice(0, 10_000).replace(/[\uD800-\uDBFF]$/, "y") : padded;
});

async function stored(form: CreateForm, key: string) {
  return handle.db.selectFrom(form.table).selectAll().where("idempotency_key", "=", key).executeTakeFirst() as Promise<Record<string, unknown> | undefined>;
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
              const messages = [...(data.fieldErrors?.[field] ?? []), data.formError].filter(Boolean);
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
        const fields: Record<string, string | string[]> = { ...form.fields(), [field]: "before\u0000after" };
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
      expect((await stored(form, fields.idempotencyKey as string))![form.columns[field]]).toBe(value);
    });
  }
});

describe("mass assignment: fields the form does not offer are ignored", () => {
  it("nominating cannot set the stage, version, nominator, archive date or id", async () => {
    const form = FORMS[0];
    const id = uuid();
    const fields: Record<string, string | string[]> = { ...form.fields(), id, stage: "promoted", version: "99", nominatedBy: world.users.leader.id, nominated_by: world.users.leader.id, archivedAt: "2020-01-01", archived_at: "2020-01-01", roles: "admin" };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({ stage: "spotted", version: 1, nominated_by: world.users.managerIn.id, archived_at: null });
    expect(row.id).not.toBe(id);
  });

  it("an observation cannot claim another author, candidate, version or retraction", async () => {
    const form = FORMS[1];
    const fields: Record<string, string | string[]> = { ...form.fields(), authorId: world.users.leader.id, author_id: world.users.leader.id, candidateId: world.ids.otherCandidateId, candidate_id: world.ids.otherCandidateId, version: "7", retractedAt: "2026-01-01", retracted_by: world.users.leader.id };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({ author_id: world.users.managerIn.id, candidate_id: world.ids.candidateId, version: 1, retracted_at: null, retracted_by: null });
  });

  it("a flag cannot be raised already resolved or in someone else's name", async () => {
    const form = FORMS[2];
    const fields: Record<string, string | string[]> = { ...form.fields(), status: "resolved", raisedBy: world.users.leader.id, raised_by: world.users.leader.id, resolvedBy: world.users.leader.id, candidateId: world.ids.otherCandidateId };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({ status: "open", raised_by: world.users.managerIn.id, resolved_by: null, candidate_id: world.ids.candidateId });
  });

  it("a sniff test cannot be created in someone else's name or at another version", async () => {
    const form = FORMS[3];
    const fields: Record<string, string | string[]> = { ...form.fields(), createdBy: world.users.leader.id, created_by: world.users.leader.id, version: "5", archivedAt: "2026-01-01" };
    expect((await submit(form, fields)).status).toBe(302);
    const row = (await stored(form, fields.idempotencyKey as string))!;
    expect(row).toMatchObject({ created_by: world.users.managerIn.id, version: 1, archived_at: null });
  });
});

// ---- The fuzzer --------------------------------------------------------------------------------

/** Intents and field names read from the route sources themselves, so new forms are fuzzed too. */
function vocabulary() {
  const intents = new Set<string>();
  const names = new Set<string>(["intent", "version", "id", "candidateId", "userId", "roles", "stage", "managerId", "mentorId", "status"]);
  for (const file of routeFiles().map((r) => r.file)) {
    const source = readFileSync(path.resolve("app/routes", file), "utf8");
    for (const m of source.matchAll(/z\.literal\("([\w-]+)"\)/g)) intents.add(m[1]);
    for (const m of source.matchAll(/name="(\w+)"/g)) names.add(m[1]);
    for (const m of source.matchAll(/name=\{?"(\w+)"/g)) names.add(m[1]);
    for (const m of source.matchAll(/intent" value="([\w-]+)"/g)) intents.add(m[1]);
  }
  for (const file of ["observation", "flag", "coaching", "calibration", "assignment", "sniff-test", "candidate", "framework"]) {
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
  const actionRoutes = routeFiles().filter((r) => r.file !== "logout.tsx");

  it("found a vocabulary to fuzz with", () => {
    expect(intents.length).toBeGreaterThan(10);
    expect(names.length).toBeGreaterThan(20);
  });

  for (const route of actionRoutes) {
    it(route.file, async () => {
      const mod = await import(path.resolve("app/routes", route.file));
      if (!mod.action) return;
      const idPool = () => [...Object.values(world.ids), ...Object.values(world.users).map((u) => u.id)];
      const value = fc.oneof(
        fc.constantFrom(...idPool()),
        fc.uuid(),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom("", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "2026-02-30", TODAY, "9999-12-31", "true", "null", "[]", "{}", "' OR 1=1 --", "<script>", "../../etc/passwd", "%00"),
        fc.integer({ min: -5, max: 1_000_000 }).map(String),
      );
      const form = fc.record({
        intent: fc.oneof(fc.constantFrom(...intents), fc.string({ maxLength: 12 })),
        fields: fc.dictionary(fc.constantFrom(...names), fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxKeys: 10 }),
        who: fc.constantFrom("leader", "managerOut", "managerIn", "admin") as fc.Arbitrary<"leader" | "managerOut" | "managerIn" | "admin">,
        params: fc.oneof(fc.constant("fixture"), fc.constant("random"), fc.constant("junk")),
      });
      await fc.assert(
        fc.asyncProperty(form, async ({ intent, fields, who, params: how }) => {
          const values = Object.fromEntries(route.params.map((p) => [p, how === "fixture" ? ((world.ids as Record<string, string>)[p] ?? "x") : how === "random" ? uuid() : "not-a-uuid"]));
          const { path: url, params } = fillPath(route, values);
          const response = await call(mod.action, post(url, { intent, ...fields }, world.cookies[who]), ctx(), params);
          expect(response.status, `POST ${url} as ${who}: ${JSON.stringify({ intent, ...fields }).slice(0, 300)}`).toBeLessThan(500);
        }),
        { numRuns: 30 },
      );
      expectConsoleErrors();
    });
  }
});
