import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { markFlagsAddressing } from "../../app/models/flag.server";
import {
  action as newAction,
  loader as newLoader,
} from "../../app/routes/candidates.$candidateId.flags.new";
import {
  action as flagAction,
  loader as flagLoader,
} from "../../app/routes/candidates.$candidateId.flags.$flagId";
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
let ctx: AppContext;
const clock: TestClock = { now: new Date("2026-11-21T10:00:00Z") };
const TODAY = "2026-11-21";
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  ctx = makeContext(db, clock);
  const manager = await makeUser(db, ["manager"], "Mara Manager");
  const observer = await makeUser(db, ["manager"], "Otto Observer");
  const observer2 = await makeUser(db, ["mentor"], "Ola Observer");
  const leader = await makeUser(db, ["leader"], "Lea Leader");
  const outsider = await makeUser(db, ["manager"], "Oscar Outsider");
  Object.assign(ids, {
    manager: manager.id,
    observer: observer.id,
    observer2: observer2.id,
    leader: leader.id,
    outsider: outsider.id,
  });
  for (const [who, id] of Object.entries(ids)) cookies[who] = await sessionCookie(ctx, id);

  const aps = await db
    .insertInto("anti_patterns")
    .values([
      {
        key: "territoriality",
        name: "Territoriality",
        description: "Guards turf instead of sharing it",
        position: 1,
      },
      { key: "volume", name: "Exercising authority through volume", position: 2 },
      { key: "retired", name: "Retired one", position: 3, archived_at: new Date() },
    ])
    .returning(["id", "key"])
    .execute();
  for (const ap of aps) ids[ap.key] = ap.id;

  const candidate = await db
    .insertInto("candidates")
    .values({
      name: "Casey Candidate",
      track: "technical_leadership",
      manager_id: manager.id,
      nominated_by: manager.id,
      nominated_reason: "Led the migration",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.candidate = candidate.id;
  await db
    .insertInto("candidate_observers")
    .values([
      { candidate_id: candidate.id, user_id: observer.id, added_by: manager.id },
      { candidate_id: candidate.id, user_id: observer2.id, added_by: manager.id },
    ])
    .execute();
});
afterAll(async () => {
  await handle?.close();
});

const newPath = () => `/candidates/${ids.candidate}/flags/new`;
const flagPath = (flagId: string) => `/candidates/${ids.candidate}/flags/${flagId}`;

function flagFields(overrides: Record<string, string> = {}) {
  return {
    idempotencyKey: randomUUID(),
    antiPatternId: ids.territoriality,
    observedOn: "2026-11-18",
    situation: "Planning for the platform split",
    behavior: "Refused to share the deploy scripts with the new team",
    impact: "The new team lost a week",
    ...overrides,
  };
}

const raise = (fields: Record<string, string>, who = "observer") =>
  call(newAction, post(newPath(), fields, cookies[who]), ctx, { candidateId: ids.candidate });
const act = (flagId: string, form: Record<string, string>, who = "manager") =>
  call(flagAction, post(flagPath(flagId), form, cookies[who]), ctx, {
    candidateId: ids.candidate,
    flagId,
  });
const flagRow = (flagId: string) =>
  handle.db.selectFrom("flags").selectAll().where("id", "=", flagId).executeTakeFirstOrThrow();
const events = (flagId: string) =>
  handle.db
    .selectFrom("flag_events")
    .selectAll()
    .where("flag_id", "=", flagId)
    .orderBy("created_at")
    .execute();
const auditRows = (action: string, flagId: string) =>
  handle.db
    .selectFrom("audit_events")
    .selectAll()
    .where("action", "=", action)
    .where("entity_id", "=", flagId)
    .where("outcome", "=", "ok")
    .execute();
async function countFlags() {
  const row = await handle.db
    .selectFrom("flags")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function raised(who = "observer", overrides: Record<string, string> = {}) {
  const fields = flagFields(overrides);
  const response = await raise(fields, who);
  expect(response.status).toBe(302);
  return handle.db
    .selectFrom("flags")
    .selectAll()
    .where("idempotency_key", "=", fields.idempotencyKey)
    .executeTakeFirstOrThrow();
}

describe("raising a flag", () => {
  it("the form offers the live anti-patterns with their descriptions", async () => {
    const response = await call(newLoader, get(newPath(), cookies.observer), ctx, {
      candidateId: ids.candidate,
    });
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.today).toBe(TODAY);
    expect(data.antiPatterns).toEqual([
      {
        id: ids.territoriality,
        name: "Territoriality",
        description: "Guards turf instead of sharing it",
      },
      { id: ids.volume, name: "Exercising authority through volume", description: "" },
    ]);
  });

  it("any circle member may raise one: the flag, its 'raised' event and an audit row", async () => {
    const fields = flagFields();
    const response = await raise(fields, "observer2");
    expect(response.status).toBe(302);
    const flag = await handle.db
      .selectFrom("flags")
      .selectAll()
      .where("idempotency_key", "=", fields.idempotencyKey)
      .executeTakeFirstOrThrow();
    expect(response.headers.get("Location")).toBe(flagPath(flag.id));
    expect(flag).toMatchObject({
      status: "open",
      raised_by: ids.observer2,
      anti_pattern_id: ids.territoriality,
      observed_on: "2026-11-18",
      version: 1,
    });
    expect(flag.discussed_with_candidate_on).toBeNull();
    expect(await events(flag.id)).toMatchObject([
      { kind: "raised", to_status: "open", changed_by: ids.observer2 },
    ]);
    const audit = await auditRows("flag.create", flag.id);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/deploy|Casey/);
  });

  it("the same form twice makes one flag and the same redirect", async () => {
    const fields = flagFields();
    const before = await countFlags();
    const first = await raise(fields);
    const second = await raise(fields);
    expect(second.status).toBe(302);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await countFlags()).toBe(before + 1);
  });

  const invalid: [string, Record<string, string>, string][] = [
    ["an empty behaviour", { behavior: "" }, "behavior"],
    ["a future date", { observedOn: "2026-11-22" }, "observedOn"],
    ["no anti-pattern", { antiPatternId: "" }, "antiPatternId"],
    ["a malformed anti-pattern id", { antiPatternId: "territoriality" }, "antiPatternId"],
    ["an unknown anti-pattern", { antiPatternId: randomUUID() }, "antiPatternId"],
    ["an archived anti-pattern", { antiPatternId: "retired" }, "antiPatternId"],
  ];
  for (const [what, overrides, field] of invalid) {
    it(`refuses ${what} with 400 and keeps the input`, async () => {
      const fixed = { ...overrides };
      if (fixed.antiPatternId === "retired") fixed.antiPatternId = ids.retired;
      const before = await countFlags();
      const response = await raise(flagFields({ ...fixed, impact: "Kept impact" }));
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(Object.keys(data.fieldErrors)).toContain(field);
      expect(data.values.impact).toBe("Kept impact");
      expect(await countFlags()).toBe(before);
    });
  }
});

describe("outsiders", () => {
  it("get 404 on every page and action, and nothing changes", async () => {
    const flag = await raised();
    const before = await countFlags();
    expect(
      (await call(newLoader, get(newPath(), cookies.outsider), ctx, { candidateId: ids.candidate }))
        .status,
    ).toBe(404);
    expect((await raise(flagFields(), "outsider")).status).toBe(404);
    expect(
      (
        await call(flagLoader, get(flagPath(flag.id), cookies.outsider), ctx, {
          candidateId: ids.candidate,
          flagId: flag.id,
        })
      ).status,
    ).toBe(404);
    const forms: Record<string, string>[] = [
      { intent: "discussed", version: "1", discussedOn: TODAY },
      { intent: "resolve", version: "1", note: "Done" },
      { intent: "dismiss", version: "1", note: "Nothing" },
      { intent: "reopen", version: "1" },
    ];
    for (const form of forms) {
      expect((await act(flag.id, form, "outsider")).status).toBe(404);
    }
    expect(await countFlags()).toBe(before);
    expect(await flagRow(flag.id)).toEqual(flag);
  });

  it("a flag id of the wrong shape or of nobody answers 404", async () => {
    for (const flagId of ["nope", randomUUID()]) {
      expect(
        (
          await call(flagLoader, get(flagPath(flagId), cookies.manager), ctx, {
            candidateId: ids.candidate,
            flagId,
          })
        ).status,
      ).toBe(404);
    }
  });
});

describe("a flag's life", () => {
  it("shows the flag with its events, newest first", async () => {
    const flag = await raised();
    expect(
      (
        await act(
          flag.id,
          {
            intent: "discussed",
            version: "1",
            discussedOn: "2026-11-19",
            note: "Talked after standup",
          },
          "observer",
        )
      ).status,
    ).toBe(302);
    const data = await body(
      await call(flagLoader, get(flagPath(flag.id), cookies.observer2), ctx, {
        candidateId: ids.candidate,
        flagId: flag.id,
      }),
    );
    expect(data.flag).toMatchObject({
      anti_pattern_name: "Territoriality",
      raised_by_name: "Otto Observer",
      status: "open",
      discussed_with_candidate_on: "2026-11-19",
    });
    expect(data.events.map((e: { kind: string }) => e.kind)).toEqual(["discussed", "raised"]);
    expect(data.events[0]).toMatchObject({
      note: "Talked after standup",
      changed_by_name: "Otto Observer",
    });
    expect(data.maySetStatus).toBe(false);
  });

  it("'discussed' needs a real date, not in the future and not before the behaviour was seen", async () => {
    const flag = await raised();
    for (const discussedOn of ["2026-11-22", "2026-11-17", "someday", ""]) {
      const response = await act(
        flag.id,
        { intent: "discussed", version: "1", discussedOn, note: "kept note" },
        "observer2",
      );
      expect(response.status).toBe(400);
      const data = await body(response);
      expect(data.fieldErrors.discussedOn).toBeTruthy();
      expect(data.values.note).toBe("kept note");
    }
    expect(
      (
        await act(
          flag.id,
          { intent: "discussed", version: "1", discussedOn: "2026-11-18" },
          "observer2",
        )
      ).status,
    ).toBe(302);
    expect((await flagRow(flag.id)).discussed_with_candidate_on).toBe("2026-11-18");
    expect(await auditRows("flag.discussed", flag.id)).toHaveLength(1);
  });

  it("resolve needs a note; then the flag is resolved, with an event and an audit row", async () => {
    const flag = await raised();
    const noNote = await act(flag.id, { intent: "resolve", version: "1", note: " " });
    expect(noNote.status).toBe(400);
    expect((await body(noNote)).fieldErrors.note).toBeTruthy();
    expect((await flagRow(flag.id)).status).toBe("open");

    expect(
      (await act(flag.id, { intent: "resolve", version: "1", note: "Shares the scripts now" }))
        .status,
    ).toBe(302);
    const now = await flagRow(flag.id);
    expect(now).toMatchObject({
      status: "resolved",
      resolution: "Shares the scripts now",
      resolved_by: ids.manager,
      version: 2,
    });
    expect(now.resolved_at).toBeTruthy();
    const evs = await events(flag.id);
    expect(evs.at(-1)).toMatchObject({
      kind: "status",
      from_status: "open",
      to_status: "resolved",
      note: "Shares the scripts now",
    });
    const audit = await auditRows("flag.resolve", flag.id);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/scripts/);
  });

  it("refuses an invalid transition with 400", async () => {
    const flag = await raised();
    expect((await act(flag.id, { intent: "reopen", version: "1" })).status).toBe(400);
    expect(
      (await act(flag.id, { intent: "dismiss", version: "1", note: "Misread the situation" }))
        .status,
    ).toBe(302);
    expect(
      (await act(flag.id, { intent: "resolve", version: "2", note: "Resolve a dismissed flag" }))
        .status,
    ).toBe(400);
    expect((await act(flag.id, { intent: "escalate", version: "2" })).status).toBe(400);
    expect((await flagRow(flag.id)).status).toBe("dismissed");
  });

  it("reopen clears the resolution and is audited", async () => {
    const flag = await raised();
    expect(
      (await act(flag.id, { intent: "resolve", version: "1", note: "Better now" }, "leader"))
        .status,
    ).toBe(302);
    expect(
      (
        await act(
          flag.id,
          { intent: "reopen", version: "2", note: "It happened again" },
          "observer",
        )
      ).status,
    ).toBe(302);
    const now = await flagRow(flag.id);
    expect(now).toMatchObject({
      status: "open",
      resolution: null,
      resolved_by: null,
      resolved_at: null,
      version: 3,
    });
    expect(await auditRows("flag.resolve", flag.id)).toHaveLength(1);
    expect(await auditRows("flag.reopen", flag.id)).toHaveLength(1);
  });

  it("only the raiser, the manager or a leader may resolve, dismiss or reopen: others get 403", async () => {
    const flag = await raised("observer");
    const response = await act(
      flag.id,
      { intent: "dismiss", version: "1", note: "I disagree" },
      "observer2",
    );
    expect(response.status).toBe(403);
    expect((await flagRow(flag.id)).status).toBe("open");
    // Any circle member may still record the conversation.
    expect(
      (await act(flag.id, { intent: "discussed", version: "1", discussedOn: TODAY }, "observer2"))
        .status,
    ).toBe(302);
  });

  it("a stale version gets 409, keeps the user's note and changes nothing", async () => {
    const flag = await raised();
    expect(
      (await act(flag.id, { intent: "discussed", version: "1", discussedOn: TODAY })).status,
    ).toBe(302);
    const response = await act(flag.id, {
      intent: "resolve",
      version: "1",
      note: "Resolved from an old tab",
    });
    expect(response.status).toBe(409);
    const data = await body(response);
    expect(data.values).toMatchObject({ note: "Resolved from an old tab", version: "2" });
    expect(data.conflict.saved.version).toBe(2);
    const now = await flagRow(flag.id);
    expect(now).toMatchObject({ status: "open", version: 2 });
    expect(await auditRows("flag.resolve", flag.id)).toHaveLength(0);
  });

  it("markFlagsAddressing moves open flags to addressing; resolve works from there", async () => {
    const open = await raised();
    const closed = await raised();
    expect(
      (await act(closed.id, { intent: "dismiss", version: "1", note: "Not a pattern" })).status,
    ).toBe(302);
    const moved = await handle.db
      .transaction()
      .execute((trx) =>
        markFlagsAddressing(trx, { flagIds: [open.id, closed.id, "junk"], actorId: ids.manager }),
      );
    expect(moved).toEqual([open.id]);
    expect(await flagRow(open.id)).toMatchObject({ status: "addressing", version: 2 });
    expect((await flagRow(closed.id)).status).toBe("dismissed");
    expect((await events(open.id)).at(-1)).toMatchObject({
      kind: "status",
      from_status: "open",
      to_status: "addressing",
    });
    expect(await auditRows("flag.addressing", open.id)).toHaveLength(1);

    expect((await act(open.id, { intent: "reopen", version: "2" })).status).toBe(400);
    expect(
      (await act(open.id, { intent: "resolve", version: "2", note: "Coaching worked" })).status,
    ).toBe(302);
    expect((await events(open.id)).at(-1)).toMatchObject({
      from_status: "addressing",
      to_status: "resolved",
    });
  });
});
