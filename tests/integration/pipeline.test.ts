import { type KyselyPlugin, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AssignmentStatus, Stage, Track } from "../../db/schema";
import { csvField, toCsv } from "../../app/models/pipeline.server";
import { action as pipelineAction, loader as pipelineLoader } from "../../app/routes/pipeline";
import { loader as csvLoader } from "../../app/routes/pipeline[.]csv";
import { loader as coverageLoader } from "../../app/routes/pipeline_.coverage";
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
const clock: TestClock = { now: new Date("2026-06-15T10:00:00Z") };
type U = Awaited<ReturnType<typeof makeUser>>;
const u: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
const dims: Record<string, string> = {};

const ctx = () => makeContext(handle.db, clock);

async function insertCandidate(
  name: string,
  {
    manager,
    team = "",
    track = "people_leadership",
    stage = "spotted",
    changedAt = "2026-06-01T09:00:00Z",
  }: { manager: U; team?: string; track?: Track; stage?: Stage; changedAt?: string },
) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      team,
      track,
      manager_id: manager.id,
      nominated_by: manager.id,
      nominated_reason: "Ran the incident review",
      stage,
      stage_changed_at: changedAt,
      archived_at: stage === "archived" ? clock.now : null,
      revisit_on: stage === "paused" ? "2026-09-01" : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await handle.db
    .insertInto("stage_changes")
    .values({
      candidate_id: row.id,
      from_stage: null,
      to_stage: stage,
      changed_by: manager.id,
      reason: "Fixture",
      created_at: changedAt,
    })
    .execute();
  return row.id;
}

async function observe(
  candidateId: string,
  author: U,
  observedOn: string,
  dimensionIds: string[],
  behavior = "Asked the quiet engineer first",
) {
  const o = await handle.db
    .insertInto("observations")
    .values({
      candidate_id: candidateId,
      author_id: author.id,
      observed_on: observedOn,
      situation: "",
      behavior,
      impact: "",
      signal: "strength",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const d of dimensionIds)
    await handle.db
      .insertInto("observation_dimensions")
      .values({ observation_id: o.id, dimension_id: d })
      .execute();
  return o.id;
}

async function assign(candidateId: string, status: AssignmentStatus) {
  await handle.db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: ids.test,
      sniff_test_revision_id: ids.revision,
      candidate_id: candidateId,
      assigned_by: u.leader.id,
      offered_on: "2026-05-01",
      due_on: "2026-06-30",
      status,
      closed_on: status === "offered" || status === "accepted" ? null : "2026-05-20",
    })
    .execute();
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  u.leader = await makeUser(db, ["leader"], "Lena Leader");
  u.m1 = await makeUser(db, ["manager"], "Mara Manager");
  u.m2 = await makeUser(db, ["manager"], "Nils Manager");
  u.admin = await makeUser(db, ["admin"]);
  for (const [key, user] of Object.entries(u)) cookies[key] = await sessionCookie(ctx(), user.id);

  for (const [key, name, position, archived] of [
    ["curiosity", "Curiosity", 1, false],
    ["commitment", "Commitment", 2, false],
    ["retired", "Retired", 3, true],
  ] as const) {
    const row = await db
      .insertInto("dimensions")
      .values({ key, name, position, archived_at: archived ? clock.now : null })
      .returning("id")
      .executeTakeFirstOrThrow();
    dims[key] = row.id;
  }
  const ap = await db
    .insertInto("anti_patterns")
    .values({ key: "territoriality", name: "Territoriality", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.antiPattern = ap.id;
  const test = await db
    .insertInto("sniff_tests")
    .values({
      title: "Run a model",
      dimension_id: dims.commitment,
      assignment: "Run it",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      created_by: u.leader.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.test = test.id;
  const revision = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: test.id,
      version: 1,
      title: "Run a model",
      dimension_id: dims.commitment,
      assignment: "Run it",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      edited_by: u.leader.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.revision = revision.id;

  // The CSV fixture: team "Csv" holds two people whose names test quoting and formula neutralising.
  ids.formula = await insertCandidate('=HYPERLINK("http://x")', {
    manager: u.m1,
    team: "Csv",
    stage: "exploring",
    changedAt: "2026-06-05T09:00:00Z",
  });
  ids.quoted = await insertCandidate('Ada "Ace" Lovelace', {
    manager: u.m2,
    team: "Csv",
    track: "technical_leadership",
    changedAt: "2026-05-16T09:00:00Z",
  });
  await observe(ids.formula, u.m1, "2026-06-01", [dims.curiosity, dims.retired]);
  await observe(ids.formula, u.leader, "2026-05-20", [dims.curiosity]);
  await db
    .insertInto("flags")
    .values({
      candidate_id: ids.formula,
      anti_pattern_id: ap.id,
      raised_by: u.m1.id,
      observed_on: "2026-06-02",
      situation: "",
      behavior: "Kept the runbook",
      impact: "",
    })
    .execute();
  await assign(ids.formula, "accepted");
  await assign(ids.formula, "completed");
  await db
    .insertInto("coaching_plans")
    .values({
      candidate_id: ids.quoted,
      mentor_id: u.m1.id,
      created_by: u.m2.id,
      goal: "Delegate",
      started_on: "2026-04-01",
    })
    .execute();

  // Archived people are never on the board.
  ids.archived = await insertCandidate("Zoe Archived", {
    manager: u.m1,
    team: "Csv",
    stage: "archived",
  });
});
afterAll(async () => {
  await handle?.close();
});

async function board(query = "", c = ctx()) {
  const response = await call(pipelineLoader, get(`/pipeline${query}`, cookies.leader), c);
  return { response, data: response.status === 200 ? await body(response) : null };
}
type Card = {
  id: string;
  name: string;
  coverage: number[];
  nudges: string[];
  [k: string]: unknown;
};
const cardsOf = (data: { columns: { stage: string; cards: Card[] }[] }) =>
  data.columns.flatMap((c) => c.cards);

describe("who reaches the pipeline", () => {
  it("only leaders: a manager and an admin get 403 on the board, the coverage view and the CSV", async () => {
    for (const who of ["m1", "admin"]) {
      expect((await call(pipelineLoader, get("/pipeline", cookies[who]), ctx())).status).toBe(403);
      expect(
        (await call(coverageLoader, get("/pipeline/coverage", cookies[who]), ctx())).status,
      ).toBe(403);
      expect((await call(csvLoader, get("/pipeline.csv", cookies[who]), ctx())).status).toBe(403);
      expect(
        (await call(pipelineAction, post("/pipeline", { intent: "move" }, cookies[who]), ctx()))
          .status,
      ).toBe(403);
    }
    expect((await board()).response.status).toBe(200);
    const anonymous = await call(pipelineLoader, get("/pipeline"), ctx());
    expect(anonymous.status).toBe(302);
  });
});

describe("the board", () => {
  it("offers the teams of people on the board, not of archived people", async () => {
    const id = await insertCandidate("Ola Archived", {
      manager: u.m1,
      team: "Only Archived",
      stage: "archived",
    });
    const active = await handle.db
      .selectFrom("candidates")
      .select("team")
      .distinct()
      .where("team", "<>", "")
      .where("archived_at", "is", null)
      .orderBy("team")
      .execute();
    const { data } = await board();
    expect(data.teams).toEqual(active.map((r) => r.team));
    expect(data.teams).toContain("Csv");
    expect(data.teams).not.toContain("Only Archived");
    await handle.db.deleteFrom("stage_changes").where("candidate_id", "=", id).execute();
    await handle.db.deleteFrom("candidates").where("id", "=", id).execute();
  });

  it("has a column per stage, no archived people, and the facts of each card side by side", async () => {
    const { data } = await board("?team=Csv");
    expect(data.columns.map((c: { stage: string }) => c.stage)).toEqual([
      "spotted",
      "exploring",
      "coaching",
      "ready",
      "promoted",
      "paused",
    ]);
    const cards = cardsOf(data);
    expect(cards.map((c) => c.id).sort()).toEqual([ids.formula, ids.quoted].sort());
    const formula = cards.find((c) => c.id === ids.formula)!;
    // Only non-archived dimensions, in framework order (named once for the board); a cell is the
    // number of observations (observers and dates are in the coverage view and the CSV).
    expect(data.dimensionNames).toEqual(["Curiosity", "Commitment"]);
    expect(formula.coverage).toEqual([2, 0]);
    expect(formula).toMatchObject({
      open_flags: 1,
      active_sniff_tests: 1,
      coaching: "none",
      days_in_stage: 10,
      last_activity_on: "2026-06-05",
    });
    expect(formula.nudges).toEqual(["undiscussed_flag", "unobserved_dimension"]);
    const quoted = cards.find((c) => c.id === ids.quoted)!;
    expect(quoted).toMatchObject({
      open_flags: 0,
      active_sniff_tests: 0,
      coaching: "active",
      days_in_stage: 30,
    });
    // Plan started 2026-04-01 with no check-in: more than 30 days.
    expect(quoted.nudges).toEqual([
      "single_observer",
      "no_recent_evidence",
      "unobserved_dimension",
      "plan_without_checkin",
    ]);
  });

  it("filters by nudge, manager and track, and sorts only by name, days in stage or last activity", async () => {
    expect(
      cardsOf((await board("?team=Csv&nudge=plan_without_checkin")).data).map((c) => c.id),
    ).toEqual([ids.quoted]);
    expect(cardsOf((await board(`?team=Csv&manager=${u.m1.id}`)).data).map((c) => c.id)).toEqual([
      ids.formula,
    ]);
    expect(
      cardsOf((await board("?team=Csv&track=technical_leadership")).data).map((c) => c.id),
    ).toEqual([ids.quoted]);
    // An unknown sort or filter value is ignored, not an error.
    const odd = await board("?team=Csv&sort=observations&nudge=nonsense");
    expect(odd.response.status).toBe(200);
    expect(odd.data.query.sort).toBeUndefined();
  });

  it("costs the same number of statements for 3 candidates as for 30", async () => {
    const counted = async () => {
      let statements = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const c = makeContext(handle.db.withPlugin(counter), clock);
      const { response } = await board("?team=Bulk", c);
      expect(response.status).toBe(200);
      return statements;
    };
    for (let i = 0; i < 3; i++) {
      const id = await insertCandidate(`Bulk ${i}`, { manager: u.m1, team: "Bulk" });
      await observe(id, u.m1, "2026-06-01", [dims.curiosity]);
    }
    const few = await counted();
    for (let i = 3; i < 30; i++) {
      const id = await insertCandidate(`Bulk ${i}`, {
        manager: u.m2,
        team: "Bulk",
        stage: "coaching",
      });
      await observe(id, u.m2, "2026-05-01", [dims.commitment]);
      await assign(id, "offered");
    }
    const many = await counted();
    // A column shows a page of 8 cards; the fourth page of coaching has the last 3 of its 27.
    expect(cardsOf((await board("?team=Bulk")).data)).toHaveLength(3 + 8);
    expect(cardsOf((await board("?team=Bulk&page_coaching=4")).data)).toHaveLength(3 + 3);
    expect(many).toBe(few);
    expect(few).toBeLessThanOrEqual(8);
  });
});

describe("paging each column", () => {
  type Column = {
    stage: string;
    total: number;
    first: number;
    prevSearch: string | null;
    nextSearch: string | null;
    cards: Card[];
  };
  const column = (data: { columns: Column[] }, stage: string) =>
    data.columns.find((c) => c.stage === stage)!;
  const names = (c: Column) => c.cards.map((card) => card.name);
  const two = (n: number) => String(n).padStart(2, "0");
  // A query string's parameters, in any order.
  const params = (search: string) => Object.fromEntries(new URLSearchParams(search));
  const people: Record<string, string> = {};

  beforeAll(async () => {
    // 26 people in coaching and 14 spotted in team Pages; the coaching ones with an even number have
    // notes by two people, and their last activity runs backwards from their number.
    for (let n = 1; n <= 26; n++) {
      const id = await insertCandidate(`Page ${two(n)}`, {
        manager: u.m1,
        team: "Pages",
        stage: "coaching",
        changedAt: "2026-01-02T09:00:00Z",
      });
      people[`Page ${two(n)}`] = id;
      await observe(id, u.m1, `2026-05-${two(31 - n)}`, [dims.curiosity, dims.commitment]);
      if (n % 2 === 0) await observe(id, u.m2, "2026-02-01", [dims.curiosity]);
    }
    for (let n = 1; n <= 14; n++)
      await insertCandidate(`Spot ${two(n)}`, { manager: u.m2, team: "Pages" });
  });

  it("shows 8 cards a column, and links to the next page that keep the filters", async () => {
    const { data } = await board("?team=Pages");
    const coaching = column(data, "coaching");
    expect(coaching.total).toBe(26);
    expect(names(coaching)).toEqual(Array.from({ length: 8 }, (_, i) => `Page ${two(i + 1)}`));
    expect(coaching.first).toBe(1);
    expect(coaching.prevSearch).toBeNull();
    expect(params(coaching.nextSearch!)).toEqual(params("?team=Pages&page_coaching=2"));
    expect(column(data, "spotted").total).toBe(14);
    expect(column(data, "exploring")).toMatchObject({ total: 0, nextSearch: null, cards: [] });
  });

  it("puts the 9th card first on page 2, and keeps the other columns' pages", async () => {
    const { data } = await board("?team=Pages&page_coaching=2&page_spotted=2");
    const coaching = column(data, "coaching");
    expect(coaching.first).toBe(9);
    expect(names(coaching)).toEqual(Array.from({ length: 8 }, (_, i) => `Page ${two(i + 9)}`));
    expect(names(column(data, "spotted"))).toEqual(
      Array.from({ length: 6 }, (_, i) => `Spot ${two(i + 9)}`),
    );
    expect(params(coaching.prevSearch!)).toEqual(params("?team=Pages&page_spotted=2"));
    expect(params(coaching.nextSearch!)).toEqual(
      params("?team=Pages&page_coaching=3&page_spotted=2"),
    );
    expect(column(data, "spotted").nextSearch).toBeNull();
    // A move made from page 2 comes back to page 2.
    expect(params(data.search)).toEqual(params("?team=Pages&page_coaching=2&page_spotted=2"));
    // The coverage view and the CSV show everyone: their links carry only the filters.
    expect(data.filterSearch).toBe("?team=Pages");
  });

  it("shows the last page for a page past the end, and the first for a page that is not one", async () => {
    const past = column((await board("?team=Pages&page_coaching=99")).data, "coaching");
    expect(past.first).toBe(25);
    expect(names(past)).toEqual(["Page 25", "Page 26"]);
    expect(past.nextSearch).toBeNull();
    expect(new URLSearchParams(past.prevSearch!).get("page_coaching")).toBe("3");
    for (const odd of ["0", "-1", "two", "1.5", "", "1e400"]) {
      const { response, data } = await board(`?team=Pages&page_coaching=${odd}`);
      expect(response.status, odd).toBe(200);
      expect(names(column(data, "coaching"))[0], odd).toBe("Page 01");
    }
    // A column with nobody in it stays empty whatever page is asked for.
    expect(column((await board("?team=Pages&page_exploring=3")).data, "exploring")).toMatchObject({
      total: 0,
      cards: [],
      prevSearch: null,
    });
  });

  it("pages the cards a nudge filter and a sort pick", async () => {
    // Odd numbers have one observer: 13 in coaching, and every spotted person (nobody observed them).
    const single = await board("?team=Pages&nudge=single_observer&page_coaching=2");
    const coaching = column(single.data, "coaching");
    expect(coaching.total).toBe(13);
    expect(names(coaching)).toEqual(["Page 17", "Page 19", "Page 21", "Page 23", "Page 25"]);
    expect(column(single.data, "spotted").total).toBe(14);
    for (const card of cardsOf(single.data)) expect(card.nudges).toContain("single_observer");
    // Every coaching person has notes on both live dimensions (nobody on the archived one, which
    // does not count); nobody spotted has any.
    const unobserved = await board("?team=Pages&nudge=unobserved_dimension");
    expect(column(unobserved.data, "coaching").total).toBe(0);
    expect(column(unobserved.data, "spotted").total).toBe(14);
    // The stalest first: Page 26's last note is the oldest.
    const stalest = await board("?team=Pages&sort=last_activity&page_coaching=2");
    expect(names(column(stalest.data, "coaching"))).toEqual(
      Array.from({ length: 8 }, (_, i) => `Page ${two(18 - i)}`),
    );
    expect(new URLSearchParams(column(stalest.data, "coaching").nextSearch!).get("sort")).toBe(
      "last_activity",
    );
  });
});

describe("stage moves from the board", () => {
  const move = (fields: Record<string, string>, version?: number) =>
    call(
      pipelineAction,
      post(
        "/pipeline",
        {
          intent: "move",
          candidateId: ids.quoted,
          reason: "Offered a sniff test",
          version: String(version ?? 1),
          ...fields,
        },
        cookies.leader,
      ),
      ctx(),
    );
  const version = async (id: string) =>
    await handle.db
      .selectFrom("candidates")
      .select(["version", "stage"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  it("refuses ready and promoted: those come only from a calibration decision", async () => {
    const { version: v } = await version(ids.quoted);
    for (const to of ["ready", "promoted"]) {
      const response = await move({ to }, v);
      expect(response.status).toBe(400);
      expect((await body(response)).fieldErrors.to[0]).toMatch(/calibration decision/);
    }
    expect((await version(ids.quoted)).stage).toBe("spotted");
  });

  it("needs a reason, and a future revisit date for a pause", async () => {
    const { version: v } = await version(ids.quoted);
    const noReason = await move({ to: "exploring", reason: "" }, v);
    expect(noReason.status).toBe(400);
    expect((await body(noReason)).values.to).toBe("exploring");
    const noDate = await move({ to: "paused" }, v);
    expect(noDate.status).toBe(400);
    expect((await body(noDate)).fieldErrors.revisitOn).toBeTruthy();
  });

  it("moves with the candidate's version, records the history and audits; a stale version gets 409", async () => {
    const { version: v } = await version(ids.quoted);
    const ok = await call(
      pipelineAction,
      post(
        "/pipeline",
        {
          intent: "move",
          candidateId: ids.quoted,
          version: String(v),
          to: "exploring",
          reason: "Offered a sniff test",
          returnTo: "?team=Csv",
        },
        cookies.leader,
      ),
      ctx(),
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/pipeline?team=Csv");
    expect((await version(ids.quoted)).stage).toBe("exploring");
    const history = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", ids.quoted)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(history).toMatchObject({
      from_stage: "spotted",
      to_stage: "exploring",
      changed_by: u.leader.id,
      reason: "Offered a sniff test",
    });
    const audited = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "candidate.stage")
      .where("entity_id", "=", ids.quoted)
      .execute();
    expect(audited).toHaveLength(1);

    const stale = await move({ to: "coaching" }, v);
    expect(stale.status).toBe(409);
    expect((await version(ids.quoted)).stage).toBe("exploring");
  });

  it("returns to the board's query only when it is a query a Location can carry as given; anything else returns to /pipeline, never a 500", async () => {
    const id = await insertCandidate("Rhea Return", { manager: u.m1, team: "Returns" });
    const moveTo = async (returnTo: string) => {
      const { version: v, stage } = await version(id);
      const response = await call(
        pipelineAction,
        post(
          "/pipeline",
          {
            intent: "move",
            candidateId: id,
            version: String(v),
            to: stage === "spotted" ? "exploring" : "spotted",
            reason: "Back and forth",
            returnTo,
          },
          cookies.leader,
        ),
        ctx(),
      );
      expect(response.status, JSON.stringify(returnTo)).toBe(302);
      expect((await version(id)).version, JSON.stringify(returnTo)).toBe(v + 1);
      return response.headers.get("Location");
    };
    for (const kept of [
      "",
      "?team=Returns",
      "?team=Returns&stage=spotted&sort=name",
      "?q=Zo%C3%AB",
    ])
      expect(await moveTo(kept)).toBe(`/pipeline${kept}`);
    const refused = [
      "?team=x\nSet-Cookie: a=b",
      "?team=x\r\nINFO forged",
      "?team=x\r",
      "?q=Zo\u00eb",
      "?q=\u2028",
      "?q=\u20ac",
      "?a b",
      "?x#frag",
      "team=x",
      "/evil",
      "//evil.example",
      "?\t//evil.example",
    ];
    for (const to of refused) expect(await moveTo(to), JSON.stringify(to)).toBe("/pipeline");
  });
});

describe("the CSV export", () => {
  it("quotes every field, doubles inner quotes and neutralises formulas", () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("=1+1")).toBe(`"'=1+1"`);
    expect(csvField("+1")).toBe(`"'+1"`);
    expect(csvField("-1")).toBe(`"'-1"`);
    expect(csvField("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvField(null)).toBe('""');
    expect(
      toCsv([
        ["a", 1],
        ["b,c", "line\nbreak"],
      ]),
    ).toBe('"a","1"\r\n"b,c","line\nbreak"\r\n');
  });

  it("exports the board's facts on a fixture, with download headers, and audits the export", async () => {
    const response = await call(csvLoader, get("/pipeline.csv?team=Csv", cookies.leader), ctx());
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="pipeline-2026-06-15.csv"',
    );
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A UTF-8 byte-order mark first, so spreadsheet programs read names with accents correctly.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).split("\r\n");
    expect(lines).toEqual([
      '"Name","Team","Track","Manager","Stage","Days in stage","Curiosity: observations","Curiosity: observers","Curiosity: last observed","Commitment: observations","Commitment: observers","Commitment: last observed","Open flags","Active sniff tests","Coaching","Nudges"',
      `"'=HYPERLINK(""http://x"")","Csv","People leadership","Mara Manager","Exploring","10","2","2","2026-06-01","0","0","","1","1","No active plan","Flag not discussed with the person; Dimension not yet observed"`,
      // Board order: stage columns first (Ada moved to exploring above, today), then name (punctuation sorts before letters).
      '"Ada ""Ace"" Lovelace","Csv","Technical leadership","Nils Manager","Exploring","0","0","0","","0","0","","0","0","Active plan","Single observer; No evidence in 90 days; Dimension not yet observed; Coaching check-in overdue"',
      "",
    ]);
    const audited = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "pipeline.export")
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor_id: u.leader.id, outcome: "ok" });
    expect(JSON.stringify(audited[0].details)).not.toContain("Lovelace");
  });
});

describe("the coverage view", () => {
  it("shows candidates × dimensions with counts, in name order, with the board's filters", async () => {
    const response = await call(
      coverageLoader,
      get("/pipeline/coverage?team=Csv", cookies.leader),
      ctx(),
    );
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.dimensions.map((d: { name: string }) => d.name)).toEqual([
      "Curiosity",
      "Commitment",
    ]);
    expect(data.rows.map((r: { id: string }) => r.id)).toEqual([ids.formula, ids.quoted]);
    expect(data.rows[0].coverage[0]).toMatchObject({ observations: 2, observers: 2 });
    expect(data.rows[1].coverage.every((c: { observations: number }) => c.observations === 0)).toBe(
      true,
    );
  });

  it("filters the board, the coverage view and the CSV by part of the manager's name", async () => {
    expect(cardsOf((await board("?team=Csv&managerName=mara")).data).map((c) => c.id)).toEqual([
      ids.formula,
    ]);
    const coverage = await body(
      await call(
        coverageLoader,
        get("/pipeline/coverage?team=Csv&managerName=nils", cookies.leader),
        ctx(),
      ),
    );
    expect(coverage.rows.map((r: { id: string }) => r.id)).toEqual([ids.quoted]);
    const csv = await (
      await call(csvLoader, get("/pipeline.csv?team=Csv&managerName=nils", cookies.leader), ctx())
    ).text();
    expect(csv).toContain("Lovelace");
    expect(csv).not.toContain("HYPERLINK");
  });
});

describe("nudges wait for a grace period after the nomination", () => {
  it("a person nominated today has no evidence nudges; one nominated 40 days ago with no notes has them", async () => {
    const fresh = await insertCandidate("Gus Grace", { manager: u.m1, team: "Grace" });
    const older = await insertCandidate("Olga Grace", { manager: u.m1, team: "Grace" });
    await sql`update candidates set created_at = ${clock.now} where id = ${fresh}`.execute(
      handle.db,
    );
    await sql`update candidates set created_at = '2026-05-06T09:00:00Z' where id = ${older}`.execute(
      handle.db,
    );
    const cards = cardsOf((await board("?team=Grace")).data);
    const card = (id: string) => cards.find((c) => c.id === id)!;
    expect(card(fresh).nudges).not.toContain("single_observer");
    expect(card(fresh).nudges).not.toContain("no_recent_evidence");
    expect(card(older).nudges).toEqual(
      expect.arrayContaining(["single_observer", "no_recent_evidence"]),
    );
    expect(card(older).nudge_tags).toEqual(
      expect.arrayContaining([
        { key: "single_observer", label: "No observer yet" },
        { key: "no_recent_evidence", label: "No observations yet" },
      ]),
    );
    for (const nudge of ["single_observer", "no_recent_evidence"]) {
      const filtered = cardsOf((await board(`?team=Grace&nudge=${nudge}`)).data);
      expect(filtered.map((c) => c.id)).toEqual([older]);
    }
  });
});

describe("the board's coaching nudge follows the plan pages' rule", () => {
  it("a plan's first check-in is due two weeks after its start; later ones every 30 days", async () => {
    const plan = async (name: string, startedOn: string, checkinOn?: string) => {
      const id = await insertCandidate(name, { manager: u.m1, team: "Plans" });
      const { id: planId } = await handle.db
        .insertInto("coaching_plans")
        .values({
          candidate_id: id,
          mentor_id: u.m1.id,
          created_by: u.m1.id,
          goal: "Grow",
          started_on: startedOn,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (checkinOn)
        await sql`insert into coaching_checkins (plan_id, held_on, notes, author_id)
          values (${planId}, ${checkinOn}::date, 'Talked', ${u.m1.id})`.execute(handle.db);
      return id;
    };
    // Today is 2026-06-15.
    const newPlan = await plan("Nia New", "2026-06-05"); // 10 days: not yet due
    const dueDay = await plan("Dee Due", "2026-06-01"); // 14 days: due today, not overdue
    const overdue = await plan("Otto Overdue", "2026-05-26"); // 20 days, no check-in
    const recent = await plan("Rae Recent", "2026-04-01", "2026-05-25"); // last check-in 21 days ago
    const stale = await plan("Sam Stale", "2026-04-01", "2026-05-16"); // 30 days ago
    const cards = cardsOf((await board("?team=Plans")).data);
    const nudged = (id: string) =>
      cards.find((c) => c.id === id)!.nudges.includes("plan_without_checkin");
    expect([newPlan, dueDay, overdue, recent, stale].map(nudged)).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
    const filtered = cardsOf((await board("?team=Plans&nudge=plan_without_checkin")).data);
    expect(filtered.map((c) => c.id).sort()).toEqual([overdue, stale].sort());
  });
});

describe("searching the board by name", () => {
  it("keeps cards whose name contains q in any case, with the other filters, in a constant number of statements", async () => {
    await insertCandidate("Quentin Searchable", { manager: u.m1, team: "Search" });
    await insertCandidate("Quinn Other", { manager: u.m2, team: "Search" });
    const found = await board("?team=Search&q=SEARCHAB");
    expect(cardsOf(found.data).map((c) => c.name)).toEqual(["Quentin Searchable"]);
    expect(found.data.total).toBe(1);
    expect(found.data.query.q).toBe("SEARCHAB");
    expect(found.data.search).toContain("q=SEARCHAB");
    // A % or _ is a character to find, not a wildcard.
    expect(cardsOf((await board("?team=Search&q=%25")).data)).toEqual([]);
  });
});

describe("adding a candidate to a calibration from the board", () => {
  const addRoute = () => import("../../app/routes/pipeline_.$candidateId.add-to-calibration");
  async function meeting(
    title: string,
    status: "planned" | "in_progress" | "closed",
    facilitatorId = u.leader.id,
  ) {
    const row = await handle.db
      .insertInto("calibration_meetings")
      .values({
        title,
        scheduled_for: new Date("2026-07-01T09:00:00Z"),
        facilitator_id: facilitatorId,
        created_by: u.leader.id,
        status,
        closed_at: status === "closed" ? clock.now : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it("lists planned meetings to a leader, adds once with an audit, and says when the person is already there", async () => {
    const { loader, action } = await addRoute();
    const who = await insertCandidate("Cal Candidate", { manager: u.m1, team: "Cal" });
    const planned = await meeting("July calibration", "planned");
    const started = await meeting("June calibration", "in_progress");
    const url = `/pipeline/${who}/add-to-calibration`;
    const page = await call(loader, get(url, cookies.leader), ctx(), { candidateId: who });
    expect(page.status).toBe(200);
    const data = await body(page);
    expect(data.meetings.map((m: { id: string }) => m.id)).toContain(planned);
    expect(data.meetings.map((m: { id: string }) => m.id)).not.toContain(started);

    const added = await call(
      action,
      post(url, { intent: "add", meetingId: planned }, cookies.leader),
      ctx(),
      { candidateId: who },
    );
    expect(added.status).toBe(302);
    const items = await handle.db
      .selectFrom("calibration_items")
      .select("position")
      .where("meeting_id", "=", planned)
      .where("candidate_id", "=", who)
      .execute();
    expect(items).toHaveLength(1);
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["action", "entity_id"])
      .where("action", "=", "calibration.item.add")
      .execute();
    expect(audited).toEqual([{ action: "calibration.item.add", entity_id: planned }]);
    const after = await body(
      await call(loader, get(url, cookies.leader), ctx(), { candidateId: who }),
    );
    expect(after.meetings.find((m: { id: string }) => m.id === planned).on_agenda).toBe(true);

    const again = await call(
      action,
      post(url, { intent: "add", meetingId: planned }, cookies.leader),
      ctx(),
      { candidateId: who },
    );
    expect(again.status).toBe(409);
    expect((await body(again)).formError).toBe(
      "Cal Candidate is already on the agenda of “July calibration”. Nothing was changed.",
    );
  });

  it("refuses a meeting that has started or closed, and refuses managers", async () => {
    const { loader, action } = await addRoute();
    const who = await insertCandidate("Cora Candidate", { manager: u.m1, team: "Cal" });
    const url = `/pipeline/${who}/add-to-calibration`;
    for (const status of ["in_progress", "closed"] as const) {
      const id = await meeting(`A ${status} meeting`, status);
      const refused = await call(
        action,
        post(url, { intent: "add", meetingId: id }, cookies.leader),
        ctx(),
        { candidateId: who },
      );
      expect(refused.status).toBe(409);
      expect((await body(refused)).formError).toMatch(/already started or is closed/);
    }
    const planned = await meeting("August calibration", "planned");
    // The candidate's own manager is not a leader: 403 on the page and on the post.
    expect((await call(loader, get(url, cookies.m1), ctx(), { candidateId: who })).status).toBe(
      403,
    );
    expect(
      (
        await call(action, post(url, { intent: "add", meetingId: planned }, cookies.m1), ctx(), {
          candidateId: who,
        })
      ).status,
    ).toBe(403);
    const none = await handle.db
      .selectFrom("calibration_items")
      .select("id")
      .where("candidate_id", "=", who)
      .execute();
    expect(none).toEqual([]);
  });

  it("leaves other facilitators' agendas alone: not listed, and a post is refused and audited", async () => {
    const { loader, action } = await addRoute();
    const who = await insertCandidate("Fay Candidate", { manager: u.m1, team: "Cal" });
    const theirs = await meeting("Someone else's calibration", "planned", u.m2.id);
    const url = `/pipeline/${who}/add-to-calibration`;
    const page = await body(
      await call(loader, get(url, cookies.leader), ctx(), { candidateId: who }),
    );
    expect(page.meetings.map((m: { id: string }) => m.id)).not.toContain(theirs);
    const refused = await call(
      action,
      post(url, { intent: "add", meetingId: theirs }, cookies.leader),
      ctx(),
      { candidateId: who },
    );
    expect(refused.status).toBe(403);
    const items = await handle.db
      .selectFrom("calibration_items")
      .select("id")
      .where("meeting_id", "=", theirs)
      .execute();
    expect(items).toEqual([]);
    const denial = await handle.db
      .selectFrom("audit_events")
      .select(["outcome", "entity_id"])
      .where("action", "=", "calibration.item.add")
      .where("outcome", "=", "denied")
      .execute();
    expect(denial).toEqual([{ outcome: "denied", entity_id: theirs }]);
  });
});
