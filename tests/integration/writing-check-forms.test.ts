/**
 * The writing check wired into observations (new, edit) and flags (new, the notes on a flag), and the
 * admin's word list page. A draft with personality words or no impact comes back once with the notes
 * (400, nothing saved, nothing audited); "Save anyway" (writingCheck=seen) saves it as it is; a clean
 * draft saves at once. The page shows the notes and a "Save anyway" form that works without JavaScript.
 */
import { randomUUID } from "node:crypto";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { WritingNotes } from "../../app/components/writing-notes";
import { action as newObservation } from "../../app/routes/candidates.$candidateId.observations.new";
import { action as observationPage } from "../../app/routes/candidates.$candidateId.observations.$observationId";
import { action as newFlag } from "../../app/routes/candidates.$candidateId.flags.new";
import { action as flagPage } from "../../app/routes/candidates.$candidateId.flags.$flagId";
import { action as adminAction, loader as adminLoader } from "../../app/routes/admin.writing-check";
import { getWritingWords } from "../../app/utils/writing-check.server";
import { body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

const remix = vi.hoisted(() => ({ actionData: undefined as unknown }));
vi.mock("@remix-run/react", async () => {
  const actual = await vi.importActual<object>("@remix-run/react");
  const { createElement: h } = await import("react");
  return {
    ...actual,
    Form: (props: Record<string, unknown>) => h("form", props),
    useActionData: () => remix.actionData,
  };
});

let handle: DbHandle;
let ctx: AppContext;
const ids: Record<string, string> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, { now: new Date("2026-12-02T10:00:00Z") });
  for (const [who, roles] of [
    ["manager", ["manager"]],
    ["admin", ["admin"]],
    ["leader", ["leader"]],
  ] as const) {
    ids[who] = (await makeUser(db, [...roles])).id;
    cookies[who] = await sessionCookie(ctx, ids[who]);
  }
  ids.candidate = (
    await db
      .insertInto("candidates")
      .values({
        name: "Casey Candidate",
        track: "people_leadership",
        manager_id: ids.manager,
        nominated_by: ids.manager,
        nominated_reason: "Ran the incident review",
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.dimension = (
    await db
      .insertInto("dimensions")
      .values({ key: "curiosity", name: "Curiosity", position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  ids.antiPattern = (
    await db
      .insertInto("anti_patterns")
      .values({ key: "territoriality", name: "Territoriality", description: "", position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => handle.close());

const c = () => `/candidates/${ids.candidate}`;
const params = () => ({ candidateId: ids.candidate });

function observationFields(overrides: Record<string, string> = {}) {
  return {
    idempotencyKey: randomUUID(),
    observedOn: "2026-12-01",
    situation: "Friday's payment incident",
    behavior: "Was abrasive with the on-call engineer",
    impact: "",
    dimensionIds: ids.dimension,
    signal: "concern",
    ...overrides,
  };
}

const count = async (table: "observations" | "flags" | "audit_events") =>
  Number(
    (
      await handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("a new observation", () => {
  it("comes back once with the notes, the values kept, nothing saved or audited", async () => {
    const [obs, audits] = [await count("observations"), await count("audit_events")];
    const fields = observationFields();
    const res = await call(
      newObservation,
      post(`${c()}/observations/new`, fields, cookies.manager),
      ctx,
      params(),
    );
    expect(res.status).toBe(400);
    const data = await body(res);
    expect(data.values).toMatchObject({
      behavior: fields.behavior,
      idempotencyKey: fields.idempotencyKey,
    });
    expect(data.fieldErrors).toEqual({});
    expect(data.writingNotes).toEqual([
      expect.objectContaining({ field: "behavior", label: "Behaviour", phrase: "abrasive" }),
      { field: "impact", label: "Impact", missingImpact: true },
    ]);
    expect(await count("observations")).toBe(obs);
    expect(await count("audit_events")).toBe(audits);
  });

  it("is saved as written with Save anyway, and nothing of the check is stored", async () => {
    const fields = { ...observationFields(), writingCheck: "seen" };
    const res = await call(
      newObservation,
      post(`${c()}/observations/new`, fields, cookies.manager),
      ctx,
      params(),
    );
    expect(res.status).toBe(302);
    const row = await handle.db
      .selectFrom("observations")
      .select(["behavior", "impact"])
      .where("idempotency_key", "=", fields.idempotencyKey)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ behavior: fields.behavior, impact: "" });
    const audit = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "observation.create")
      .execute();
    expect(JSON.stringify(audit)).not.toMatch(/abrasive|writing/i);
  });

  it("is saved at once when it describes behaviour and impact", async () => {
    const fields = observationFields({
      behavior: "Asked the on-call engineer to walk her through the alert",
      impact: "The fix addressed the root cause",
    });
    const res = await call(
      newObservation,
      post(`${c()}/observations/new`, fields, cookies.manager),
      ctx,
      params(),
    );
    expect(res.status).toBe(302);
  });

  it("still answers field errors first", async () => {
    const res = await call(
      newObservation,
      post(`${c()}/observations/new`, observationFields({ signal: "" }), cookies.manager),
      ctx,
      params(),
    );
    expect(res.status).toBe(400);
    const data = await body(res);
    expect(data.fieldErrors.signal).toBeDefined();
    expect(data.writingNotes).toBeUndefined();
  });
});

describe("editing an observation", () => {
  it("checks the new text, and saves it with Save anyway", async () => {
    const fields = observationFields({
      behavior: "Walked through the alert",
      impact: "Fixed in ten minutes",
    });
    await call(
      newObservation,
      post(`${c()}/observations/new`, fields, cookies.manager),
      ctx,
      params(),
    );
    const saved = await handle.db
      .selectFrom("observations")
      .select(["id", "version"])
      .where("idempotency_key", "=", fields.idempotencyKey)
      .executeTakeFirstOrThrow();
    const path = `${c()}/observations/${saved.id}`;
    const edit = {
      intent: "edit",
      version: String(saved.version),
      observedOn: "2026-12-01",
      situation: "",
      behavior: "Was bossy about the fix",
      impact: "Fixed in ten minutes",
      dimensionIds: ids.dimension,
      signal: "concern",
    };
    const p = { ...params(), observationId: saved.id };
    const first = await call(observationPage, post(path, edit, cookies.manager), ctx, p);
    expect(first.status).toBe(400);
    expect((await body(first)).writingNotes).toEqual([
      expect.objectContaining({ field: "behavior", phrase: "bossy" }),
    ]);
    const anyway = await call(
      observationPage,
      post(path, { ...edit, writingCheck: "seen" }, cookies.manager),
      ctx,
      p,
    );
    expect(anyway.status).toBe(302);
    const row = await handle.db
      .selectFrom("observations")
      .select("behavior")
      .where("id", "=", saved.id)
      .executeTakeFirstOrThrow();
    expect(row.behavior).toBe("Was bossy about the fix");
  });
});

describe("flags", () => {
  it("a new flag comes back with the notes, then is raised with Save anyway", async () => {
    const fields = {
      idempotencyKey: randomUUID(),
      antiPatternId: ids.antiPattern,
      observedOn: "2026-12-01",
      situation: "",
      behavior: "Not a culture fit: took the task from a junior",
      impact: "",
    };
    const flags = await count("flags");
    const first = await call(
      newFlag,
      post(`${c()}/flags/new`, fields, cookies.manager),
      ctx,
      params(),
    );
    expect(first.status).toBe(400);
    expect(
      (await body(first)).writingNotes.map((n: { phrase?: string }) => n.phrase ?? "impact"),
    ).toEqual(["not a culture fit", "impact"]);
    expect(await count("flags")).toBe(flags);
    const anyway = await call(
      newFlag,
      post(`${c()}/flags/new`, { ...fields, writingCheck: "seen" }, cookies.manager),
      ctx,
      params(),
    );
    expect(anyway.status).toBe(302);
    expect(await count("flags")).toBe(flags + 1);
  });

  it("a note on a flag is checked for the listed words", async () => {
    const flag = await handle.db
      .selectFrom("flags")
      .select(["id", "version"])
      .where("candidate_id", "=", ids.candidate)
      .executeTakeFirstOrThrow();
    const path = `${c()}/flags/${flag.id}`;
    const p = { ...params(), flagId: flag.id };
    const form = {
      intent: "discussed",
      version: String(flag.version),
      discussedOn: "2026-12-02",
      note: "She got emotional",
    };
    const first = await call(flagPage, post(path, form, cookies.manager), ctx, p);
    expect(first.status).toBe(400);
    expect((await body(first)).writingNotes).toEqual([
      expect.objectContaining({ field: "note", phrase: "emotional" }),
    ]);
    const plain = await call(
      flagPage,
      post(
        path,
        { ...form, note: "Talked it through; she agreed to pair next time" },
        cookies.manager,
      ),
      ctx,
      p,
    );
    expect(plain.status).toBe(302);
  });
});

describe("the notes on the page", () => {
  it("lists each note and offers Save anyway as a plain form resending what was sent", () => {
    const values = {
      idempotencyKey: "k-1",
      behavior: "Was bossy",
      dimensionIds: ["d1", "d2"],
      writingCheck: "",
    };
    remix.actionData = { ok: false, fieldErrors: {}, values, writingNotes: [] };
    const html = renderToString(
      createElement(WritingNotes, {
        notes: [
          {
            field: "behavior",
            label: "Behaviour",
            phrase: "bossy",
            suggestion: "Say how they directed the work.",
          },
          { field: "impact", label: "Impact", missingImpact: true },
        ],
      }),
    );
    expect(html).toMatch(/“(<!-- -->)?bossy(<!-- -->)?”/);
    expect(html).toContain("Say how they directed the work.");
    expect(html).toContain("no impact yet");
    expect(html).toMatch(/<form[^>]*method="post"/);
    expect(html).toContain('name="writingCheck" value="seen"');
    expect(html).toContain('name="dimensionIds" value="d1"');
    expect(html).toContain('name="dimensionIds" value="d2"');
    expect(html).toContain('name="idempotencyKey" value="k-1"');
    expect(html.match(/name="writingCheck"/g)).toHaveLength(1);
    expect(html).toContain("Save anyway");
  });

  it("shows nothing without notes", () => {
    remix.actionData = undefined;
    expect(renderToString(createElement(WritingNotes, { notes: [] }))).toBe("");
  });
});

describe("the admin's word list", () => {
  it("is for admins only", async () => {
    expect((await call(adminLoader, get("/admin/writing-check", cookies.admin), ctx)).status).toBe(
      200,
    );
    expect((await call(adminLoader, get("/admin/writing-check", cookies.leader), ctx)).status).toBe(
      403,
    );
    const res = await call(
      adminAction,
      post(
        "/admin/writing-check",
        { intent: "save", version: "1", words: "x -> y" },
        cookies.leader,
      ),
      ctx,
    );
    expect(res.status).toBe(403);
    expect((await getWritingWords(handle.db)).isDefault).toBe(true);
  });

  it("refuses lines without an arrow or with a repeat, keeping the text", async () => {
    const words = "bossy -> Say what they did\nno arrow here\nBossy → again";
    const res = await call(
      adminAction,
      post("/admin/writing-check", { intent: "save", version: "1", words }, cookies.admin),
      ctx,
    );
    expect(res.status).toBe(400);
    const data = await body(res);
    expect(data.values.words).toBe(words);
    expect(data.fieldErrors.words[0]).toMatch(/line 2.*line 3 repeats/);
  });

  it("saves a list the check then uses, refuses a stale version, and resets to the defaults", async () => {
    const words =
      "rockstar -> Say what they shipped and for whom.\n\n  ninja   ->  Say what they built.";
    const res = await call(
      adminAction,
      post("/admin/writing-check", { intent: "save", version: "1", words }, cookies.admin),
      ctx,
    );
    expect(res.status).toBe(302);
    expect((await getWritingWords(handle.db)).words).toEqual([
      { phrase: "rockstar", suggestion: "Say what they shipped and for whom." },
      { phrase: "ninja", suggestion: "Say what they built." },
    ]);
    const loaded = await body(
      await call(adminLoader, get("/admin/writing-check", cookies.admin), ctx),
    );
    expect(loaded.text).toBe(
      "rockstar → Say what they shipped and for whom.\nninja → Say what they built.",
    );
    const stale = await call(
      adminAction,
      post("/admin/writing-check", { intent: "reset", version: "1" }, cookies.admin),
      ctx,
    );
    expect(stale.status).toBe(409);
    const reset = await call(
      adminAction,
      post("/admin/writing-check", { intent: "reset", version: "2" }, cookies.admin),
      ctx,
    );
    expect(reset.status).toBe(302);
    expect(await getWritingWords(handle.db)).toMatchObject({ isDefault: true, version: 3 });
  });
});
