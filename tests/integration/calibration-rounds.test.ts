import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { earlyCount } from "../../app/models/calibration-rounds.server";
import { action as newAction } from "../../app/routes/calibrations.new";
import {
  action as meetingAction,
  loader as meetingLoader,
} from "../../app/routes/calibrations.$meetingId._index";
import {
  action as itemAction,
  loader as itemLoader,
} from "../../app/routes/calibrations.$meetingId.items.$itemId";
import { loader as summaryLoader } from "../../app/routes/calibrations.$meetingId.summary";
import { loader as listLoader } from "../../app/routes/calibrations._index";
import { loader as homeLoader } from "../../app/routes/_index";
import { loader as exportLoader } from "../../app/routes/candidates.$candidateId.export";
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
let keyCounter = 0;
const key = () => `00000000-0000-4000-8000-${String(++keyCounter).padStart(12, "0")}`;
const ctx = () => makeContext(handle.db, clock);
const tick = (seconds: number) => {
  clock.now = new Date(clock.now.getTime() + seconds * 1000);
};

async function insertCandidate(name: string, manager: U) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      team: "Payments",
      track: "people_leadership",
      manager_id: manager.id,
      nominated_by: manager.id,
      nominated_reason: "Seen leading",
      stage: "exploring",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const o = await handle.db
    .insertInto("observations")
    .values({
      candidate_id: row.id,
      author_id: manager.id,
      observed_on: "2026-06-01",
      situation: "Planning",
      behavior: "Asked the quiet engineer first",
      impact: "",
      signal: "strength",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids[`obs:${row.id}`] = o.id;
  return row.id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  u.fac = await makeUser(db, ["leader"], "Faye Facilitator");
  u.m1 = await makeUser(db, ["manager"], "Mara Manager");
  u.m2 = await makeUser(db, ["manager"], "Nils Manager");
  u.leader = await makeUser(db, ["leader"], "Leo Leader"); // a leader who does not attend
  u.outsider = await makeUser(db, ["manager"], "Olga Outsider");
  for (const [k, user] of Object.entries(u)) cookies[k] = await sessionCookie(ctx(), user.id);
  const dim = await db
    .insertInto("dimensions")
    .values({ key: "curiosity", name: "Curiosity", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.dimension = dim.id;
  ids.ana = await insertCandidate("Ana Archer", u.m1);
  ids.ben = await insertCandidate("Ben Baker", u.m2);
  ids.cy = await insertCandidate("Cy Cooper", u.m2);
});
afterAll(async () => {
  await handle?.close();
});

async function createMeeting() {
  const response = await call(
    newAction,
    post(
      "/calibrations/new",
      {
        title: "Rounds calibration",
        scheduledFor: "2026-06-15T14:00",
        facilitatorId: u.fac.id,
        attendeeIds: [u.m1.id, u.m2.id],
        candidateIds: [ids.ana, ids.ben, ids.cy],
        timeboxMinutes: "10",
        idempotencyKey: key(),
      },
      cookies.fac,
    ),
    ctx(),
  );
  expect(response.status).toBe(302);
  const meetingId = response.headers.get("Location")!.split("/").pop()!;
  const items = await handle.db
    .selectFrom("calibration_items")
    .select(["id", "candidate_id", "position"])
    .where("meeting_id", "=", meetingId)
    .orderBy("position")
    .execute();
  return { meetingId, items };
}

const loadMeeting = (meetingId: string, who: string) =>
  call(meetingLoader, get(`/calibrations/${meetingId}`, cookies[who]), ctx(), { meetingId });
const loadItem = (meetingId: string, itemId: string, who: string) =>
  call(itemLoader, get(`/calibrations/${meetingId}/items/${itemId}`, cookies[who]), ctx(), {
    meetingId,
    itemId,
  });
const loadSummary = (meetingId: string, who: string) =>
  call(summaryLoader, get(`/calibrations/${meetingId}/summary`, cookies[who]), ctx(), {
    meetingId,
  });
const control = (meetingId: string, who: string, fields: Record<string, string>) =>
  call(meetingAction, post(`/calibrations/${meetingId}`, fields, cookies[who]), ctx(), {
    meetingId,
  });
const itemPost = (
  meetingId: string,
  itemId: string,
  who: string,
  fields: Record<string, string | string[]>,
) =>
  call(
    itemAction,
    post(`/calibrations/${meetingId}/items/${itemId}`, fields, cookies[who]),
    ctx(),
    {
      meetingId,
      itemId,
    },
  );
const preread = (meetingId: string, itemId: string, who: string, view: string) =>
  itemPost(meetingId, itemId, who, {
    intent: "preread",
    view: `${view}, which helped the team`,
    leaning: "ready_now",
  });
const final = (
  meetingId: string,
  itemId: string,
  who: string,
  fields: Record<string, string> = {},
) => control(meetingId, who, { intent: "final", itemId, leaning: "ready_now", ...fields });
const decide = (
  meetingId: string,
  itemId: string,
  candidateId: string,
  fields: Record<string, string> = {},
  who = "fac",
) =>
  control(meetingId, who, {
    intent: "decide",
    itemId,
    outcome: "ready_with_development",
    rationale: "Shipped the rollback plan, which helped the team recover within the hour.",
    evidence: `observation:${ids[`obs:${candidateId}`]}`,
    idempotencyKey: key(),
    ...fields,
  });
const text = async (response: Response) => JSON.stringify(await body(response));
const auditRows = (action: string) =>
  handle.db
    .selectFrom("audit_events")
    .select(["actor_id", "action", "entity_id", "details"])
    .where("action", "=", action)
    .execute();

describe("sealed, then revealed", () => {
  let meetingId: string;
  let item: { id: string; candidate_id: string };
  const SECRET = "Mara's sealed view: quietly unblocks the payments team";
  beforeAll(async () => {
    const m = await createMeeting();
    meetingId = m.meetingId;
    item = m.items[0];
    expect((await preread(meetingId, item.id, "m1", SECRET)).status).toBe(302);
  });

  it("no loader gives another attendee, the facilitator or a non-attending leader a sealed pre-read", async () => {
    for (const who of ["m2", "fac", "leader"]) {
      for (const response of [
        await loadMeeting(meetingId, who),
        await loadItem(meetingId, item.id, who),
        await loadSummary(meetingId, who),
        await call(listLoader, get("/calibrations", cookies[who]), ctx()),
        await call(homeLoader, get("/", cookies[who]), ctx()),
      ]) {
        expect(response.status).toBe(200);
        expect(await text(response)).not.toContain("quietly unblocks");
      }
    }
    // Nor does the candidate's export, whoever may make it (their managers, admins): it is the
    // candidate's record, and a pre-read is not part of it until revealed.
    let exported = 0;
    for (const who of Object.keys(cookies)) {
      const response = await call(
        exportLoader,
        get(`/candidates/${item.candidate_id}/export`, cookies[who]),
        ctx(),
        { candidateId: item.candidate_id },
      );
      if (response.status !== 200) continue;
      exported += 1;
      expect(await response.text()).not.toContain("quietly unblocks");
    }
    expect(exported).toBeGreaterThan(0);
    // Its author sees it everywhere it is shown.
    expect(await text(await loadItem(meetingId, item.id, "m1"))).toContain("quietly unblocks");
    expect(await text(await loadSummary(meetingId, "m1"))).toContain("quietly unblocks");
    // The audit row says a pre-read was written, not what it leans to.
    const [row] = await auditRows("calibration.preread_create");
    expect(JSON.stringify(row.details)).not.toContain("ready_now");
  });

  it("an outsider reaches none of it (404)", async () => {
    expect((await loadItem(meetingId, item.id, "outsider")).status).toBe(404);
    expect((await loadSummary(meetingId, "outsider")).status).toBe(404);
  });

  it("the last attendee's pre-read reveals them all together, and locks them", async () => {
    expect((await preread(meetingId, item.id, "m2", "Nils: wrote the rollback plan")).status).toBe(
      302,
    );
    let row = await handle.db
      .selectFrom("calibration_items")
      .select(["revealed_at", "revealed_early_by"])
      .where("id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(row.revealed_at).toBeNull();
    const last = await preread(meetingId, item.id, "fac", "Faye: steady under pressure");
    expect(last.status).toBe(302);
    row = await handle.db
      .selectFrom("calibration_items")
      .select(["revealed_at", "revealed_early_by"])
      .where("id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(row.revealed_at).not.toBeNull();
    expect(row.revealed_early_by).toBeNull();
    for (const who of ["m2", "leader"]) {
      expect(await text(await loadItem(meetingId, item.id, who))).toContain("quietly unblocks");
    }
    const refused = await preread(meetingId, item.id, "m1", "Changed my mind after reading");
    expect(refused.status).toBe(409);
    expect((await body(refused)).formError).toMatch(/revealed, so they are locked/);
  });

  it("the facilitator may open an item anyway: its pre-reads are revealed early, which is recorded and shown", async () => {
    const other = (await createMeeting()).items;
    const meeting2 = other[0];
    const m2id = (
      await handle.db
        .selectFrom("calibration_items")
        .select("meeting_id")
        .where("id", "=", meeting2.id)
        .executeTakeFirstOrThrow()
    ).meeting_id;
    expect(
      (await preread(m2id, meeting2.id, "m1", "Only Mara wrote: early reveal text")).status,
    ).toBe(302);
    expect(await text(await loadItem(m2id, meeting2.id, "m2"))).not.toContain("early reveal text");
    // Opening needs a started meeting, and only the facilitator opens (403, audited).
    expect((await control(m2id, "fac", { intent: "open", itemId: meeting2.id })).status).toBe(409);
    expect((await control(m2id, "fac", { intent: "start" })).status).toBe(302);
    expect((await control(m2id, "m1", { intent: "open", itemId: meeting2.id })).status).toBe(403);
    const opened = await control(m2id, "fac", { intent: "open", itemId: meeting2.id });
    expect(opened.status).toBe(302);
    const row = await handle.db
      .selectFrom("calibration_items")
      .select(["revealed_at", "revealed_early_by"])
      .where("id", "=", meeting2.id)
      .executeTakeFirstOrThrow();
    expect(row.revealed_at).not.toBeNull();
    expect(row.revealed_early_by).toBe(u.fac.id);
    const seen = await body(await loadItem(m2id, meeting2.id, "m2"));
    expect(JSON.stringify(seen)).toContain("early reveal text");
    expect(seen.item.revealed_early_by_name).toBe("Faye Facilitator");
    const meetingView = await body(await loadMeeting(m2id, "m2"));
    expect(meetingView.items[0].revealed_early_by_name).toBe("Faye Facilitator");
    const audits = await auditRows("calibration.open_item");
    expect(audits.some((a) => (a.details as { revealed?: string }).revealed === "early")).toBe(
      true,
    );
    // A pre-read written after the reveal is refused.
    expect((await preread(m2id, meeting2.id, "m2", "Too late now")).status).toBe(409);
  });
});

describe("the unique-evidence round", () => {
  let meetingId: string;
  let item: { id: string; candidate_id: string };
  beforeAll(async () => {
    const m = await createMeeting();
    meetingId = m.meetingId;
    // Ben is Nils's: Mara attends but Ben is outside her circle.
    item = m.items.find((i) => i.candidate_id === ids.ben)!;
  });
  const evidence = (who: string, fields: Record<string, string | string[]> = {}) =>
    itemPost(meetingId, item.id, who, {
      intent: "evidence",
      observedOn: "2026-06-10",
      situation: "Incident review",
      behavior: "Named the missing alert and wrote the fix up for the on-call rota",
      impact: "The next page came with a runbook",
      dimensionIds: [ids.dimension],
      signal: "strength",
      idempotencyKey: key(),
      ...fields,
    });

  it("refuses bad input with 400 and keeps it; a non-attendee is refused (403, audited)", async () => {
    const bad = await evidence("m1", { behavior: "" });
    expect(bad.status).toBe(400);
    const data = await body(bad);
    expect(data.fieldErrors.behavior).toBeTruthy();
    expect(data.values.situation).toBe("Incident review");
    expect((await evidence("leader")).status).toBe(403);
    const denials = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("actor_id", "=", u.leader.id)
      .execute();
    expect(denials.map((d) => d.action).join(" ")).toMatch(/evidence_add/);
  });

  it("an attendee adds an observation of their own with its SBI fields; the item shows who added what, the packet carries it", async () => {
    const k = key();
    const added = await evidence("m1", { idempotencyKey: k });
    expect(added.status).toBe(302);
    // The same form again adds nothing twice.
    expect((await evidence("m1", { idempotencyKey: k })).status).toBe(302);
    const rows = await handle.db
      .selectFrom("calibration_item_additions as a")
      .innerJoin("observations as o", "o.id", "a.observation_id")
      .select(["a.added_by", "o.author_id", "o.candidate_id", "o.situation", "o.impact"])
      .where("a.item_id", "=", item.id)
      .execute();
    expect(rows).toEqual([
      {
        added_by: u.m1.id,
        author_id: u.m1.id,
        candidate_id: ids.ben,
        situation: "Incident review",
        impact: "The next page came with a runbook",
      },
    ]);
    const seen = await body(await loadItem(meetingId, item.id, "m2"));
    expect(seen.rounds.additions).toHaveLength(1);
    expect(seen.rounds.additions[0]).toMatchObject({
      added_by_name: "Mara Manager",
      behavior: "Named the missing alert and wrote the fix up for the on-call rota",
    });
    expect(
      seen.packet.observations.some((o: { behavior: string }) => o.behavior.startsWith("Named")),
    ).toBe(true);
    // One for the addition (the other row is the leader's refusal above).
    expect(
      (await auditRows("calibration.evidence_add")).filter((a) => a.actor_id === u.m1.id),
    ).toHaveLength(1);
  });

  it("ends when the item is opened for discussion (409), and the text is kept", async () => {
    expect((await control(meetingId, "fac", { intent: "start" })).status).toBe(302);
    expect((await control(meetingId, "fac", { intent: "open", itemId: item.id })).status).toBe(302);
    const late = await evidence("m2");
    expect(late.status).toBe(409);
    expect((await body(late)).values.situation).toBe("Incident review");
  });
});

describe("final leanings and the decision", () => {
  let meetingId: string;
  let items: { id: string; candidate_id: string }[];
  beforeAll(async () => {
    const m = await createMeeting();
    meetingId = m.meetingId;
    items = m.items;
    expect((await control(meetingId, "fac", { intent: "start" })).status).toBe(302);
  });

  it("come after the item is opened; only attendees record them (403, audited)", async () => {
    const early = await final(meetingId, items[0].id, "m1");
    expect(early.status).toBe(409);
    expect((await control(meetingId, "fac", { intent: "open", itemId: items[0].id })).status).toBe(
      302,
    );
    expect((await final(meetingId, items[0].id, "leader")).status).toBe(403);
    const bad = await final(meetingId, items[0].id, "m1", { leaning: "genius" });
    expect(bad.status).toBe(400);
  });

  it("stay sealed until every attendee has recorded one; a decision before that is refused unless the decider proceeds, which is recorded", async () => {
    const item = items[0];
    expect(
      (
        await final(meetingId, item.id, "m1", {
          leaning: "not_yet",
          note: "The outage changed my mind",
        })
      ).status,
    ).toBe(302);
    expect(await text(await loadMeeting(meetingId, "m2"))).not.toContain("outage changed my mind");
    const meetingView = await body(await loadMeeting(meetingId, "m2"));
    expect(meetingView.items[0].rounds.finalLeaningsBy).toEqual([u.m1.id]);

    const refused = await decide(meetingId, item.id, item.candidate_id);
    expect(refused.status).toBe(409);
    expect((await body(refused)).formError).toMatch(
      /1 of 3 attendees have recorded a final leaning/,
    );
    expect((await body(refused)).values.rationale).toMatch(/^Shipped the rollback plan/);

    const anyway = await decide(meetingId, item.id, item.candidate_id, { proceedAnyway: "yes" });
    expect(anyway.status).toBe(302);
    const row = await handle.db
      .selectFrom("calibration_items")
      .select("decided_early_by")
      .where("id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(row.decided_early_by).toBe(u.fac.id);
    const [a] = await auditRows("calibration.decision");
    expect(a.details).toMatchObject({ proceededWithoutAllFinalLeanings: true });
    // Decided: the final leanings are open to the room, and locked.
    expect(await text(await loadSummary(meetingId, "m2"))).toContain("outage changed my mind");
    expect((await final(meetingId, item.id, "m2")).status).toBe(409);
  });

  it("once every attendee's final leaning is in, the decision needs nothing extra, and the summary shows both rounds side by side", async () => {
    const item = items[1];
    expect((await preread(meetingId, item.id, "m1", "Mara first round on item two")).status).toBe(
      302,
    );
    expect((await control(meetingId, "fac", { intent: "open", itemId: item.id })).status).toBe(302);
    for (const who of ["m1", "m2", "fac"]) {
      expect((await final(meetingId, item.id, who, { leaning: "ready_now" })).status).toBe(302);
    }
    // An update at a stale version is refused.
    expect((await final(meetingId, item.id, "m1", { version: "7" })).status).toBe(409);
    expect((await decide(meetingId, item.id, item.candidate_id)).status).toBe(302);
    const summary = await body(await loadSummary(meetingId, "m2"));
    const rows = summary.items.find((i: { id: string }) => i.id === item.id).rounds;
    const mara = rows.find((r: { name: string }) => r.name === "Mara Manager");
    expect(mara.preread).toMatchObject({
      leaning: "ready_now",
      view: "Mara first round on item two, which helped the team",
    });
    expect(mara.final).toMatchObject({ leaning: "ready_now" });
    const nils = rows.find((r: { name: string }) => r.name === "Nils Manager");
    expect(nils.preread).toBeNull();
    expect(nils.final).toMatchObject({ leaning: "ready_now" });
  });
});

describe("order and time", () => {
  let meetingId: string;
  let items: { id: string; candidate_id: string; position: number }[];
  beforeAll(async () => {
    const m = await createMeeting();
    meetingId = m.meetingId;
    items = m.items;
    expect((await control(meetingId, "fac", { intent: "start" })).status).toBe(302);
  });
  const seconds = async (itemId: string) =>
    (
      await handle.db
        .selectFrom("calibration_items")
        .select(["discussion_seconds", "discussion_started_at"])
        .where("id", "=", itemId)
        .executeTakeFirstOrThrow()
    ).discussion_seconds;

  it("the meeting timer measures each item from open to the next open or a stop, shown to everyone beside the timebox", async () => {
    expect((await control(meetingId, "fac", { intent: "open", itemId: items[0].id })).status).toBe(
      302,
    );
    tick(7 * 60);
    // Running: the loader counts up to now for everyone.
    const running = await body(await loadMeeting(meetingId, "m2"));
    expect(running.items[0].discussed).toBe(420);
    expect(running.meeting.timebox_minutes).toBe(10);
    expect((await control(meetingId, "fac", { intent: "open", itemId: items[1].id })).status).toBe(
      302,
    );
    expect(await seconds(items[0].id)).toBe(420);
    tick(12 * 60);
    // Only the facilitator stops it (403, audited).
    expect((await control(meetingId, "m1", { intent: "stop" })).status).toBe(403);
    expect((await control(meetingId, "fac", { intent: "stop" })).status).toBe(302);
    expect(await seconds(items[1].id)).toBe(720);
    tick(60);
    expect(await seconds(items[1].id)).toBe(720);
    expect((await body(await loadSummary(meetingId, "m1"))).items[1].discussed).toBe(720);
  });

  it("revisiting the early cases waits until every item was opened, reopens the first third (at least one), and the summary says whether the decision changed", async () => {
    expect(earlyCount(1)).toBe(1);
    expect(earlyCount(3)).toBe(1);
    expect(earlyCount(7)).toBe(2);
    const tooSoon = await control(meetingId, "fac", { intent: "revisit" });
    expect(tooSoon.status).toBe(409);
    expect((await body(tooSoon)).formError).toMatch(/once every candidate/);
    expect((await control(meetingId, "fac", { intent: "open", itemId: items[2].id })).status).toBe(
      302,
    );
    // Decide the first item (all final leanings in).
    expect((await control(meetingId, "fac", { intent: "open", itemId: items[0].id })).status).toBe(
      302,
    );
    for (const who of ["m1", "m2", "fac"])
      expect((await final(meetingId, items[0].id, who)).status).toBe(302);
    expect((await decide(meetingId, items[0].id, items[0].candidate_id)).status).toBe(302);
    expect((await control(meetingId, "m1", { intent: "revisit" })).status).toBe(403);
    const revisit = await control(meetingId, "fac", { intent: "revisit" });
    expect(revisit.status).toBe(302);
    const rows = await handle.db
      .selectFrom("calibration_revisits")
      .innerJoin("calibration_items", "calibration_items.id", "calibration_revisits.item_id")
      .select(["calibration_items.position", "calibration_revisits.decision_before"])
      .where("calibration_items.meeting_id", "=", meetingId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].position).toBe(1);
    expect(rows[0].decision_before).not.toBeNull();
    expect((await control(meetingId, "fac", { intent: "revisit" })).status).toBe(409);
    // The room changes its mind: the revisit's decision supersedes the one that stood.
    expect(
      (await final(meetingId, items[0].id, "m2", { leaning: "not_yet", version: "1" })).status,
    ).toBe(302);
    const changed = await decide(meetingId, items[0].id, items[0].candidate_id, {
      outcome: "ready_now",
    });
    expect(changed.status).toBe(302);
    const decisions = await handle.db
      .selectFrom("calibration_decisions")
      .select(["outcome", "superseded_at"])
      .where("item_id", "=", items[0].id)
      .orderBy("created_at")
      .execute();
    expect(decisions.map((d) => [d.outcome, d.superseded_at !== null])).toEqual([
      ["ready_with_development", true],
      ["ready_now", false],
    ]);
    const summary = await body(await loadSummary(meetingId, "m1"));
    expect(summary.items[0].revisits[0]).toMatchObject({
      outcome_before: "ready_with_development",
      outcome_now: "ready_now",
      changed: true,
    });
    expect(summary.items[1].revisits).toEqual([]);
    // The facilitator's revisit, and Mara's refusal.
    expect((await auditRows("calibration.revisit")).map((a) => a.actor_id).sort()).toEqual(
      [u.fac.id, u.m1.id].sort(),
    );
  });

  it("closing stops the timer and closes the revisit; a revisit after the meeting is closed is refused", async () => {
    tick(90);
    expect((await control(meetingId, "fac", { intent: "close" })).status).toBe(302);
    const open = await handle.db
      .selectFrom("calibration_items")
      .select("id")
      .where("meeting_id", "=", meetingId)
      .where("discussion_started_at", "is not", null)
      .execute();
    expect(open).toEqual([]);
    const refused = await control(meetingId, "fac", { intent: "revisit" });
    expect(refused.status).toBe(409);
    expect((await body(refused)).formError).toMatch(/closed/);
    const revisits = await handle.db
      .selectFrom("calibration_revisits")
      .innerJoin("calibration_items", "calibration_items.id", "calibration_revisits.item_id")
      .select("calibration_revisits.closed_at")
      .where("calibration_items.meeting_id", "=", meetingId)
      .execute();
    expect(revisits.every((r) => r.closed_at !== null)).toBe(true);
    expect((await final(meetingId, items[0].id, "m1")).status).toBe(409);
  });
});

describe("the writing check and the named role, in pre-reads and decisions", () => {
  let meetingId: string;
  let items: { id: string; candidate_id: string }[];
  let roleId: string;
  let archivedRoleId: string;
  beforeAll(async () => {
    const m = await createMeeting();
    meetingId = m.meetingId;
    items = m.items;
    const role = await handle.db
      .insertInto("readiness_roles")
      .values({ title: "Engineering manager", team: "Payments", created_by: u.fac.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    roleId = role.id;
    const archived = await handle.db
      .insertInto("readiness_roles")
      .values({
        title: "Old role",
        team: "Legacy",
        created_by: u.fac.id,
        archived_at: new Date("2026-01-01T00:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    archivedRoleId = archived.id;
  });

  it("a pre-read about personality gets the notes (400, text kept, nothing saved); “Save anyway” saves it; nothing of the check is stored", async () => {
    const draft = { intent: "preread", view: "She is abrasive in reviews", leaning: "not_yet" };
    const noted = await itemPost(meetingId, items[0].id, "m1", draft);
    expect(noted.status).toBe(400);
    const data = await body(noted);
    expect(data.values.view).toBe("She is abrasive in reviews");
    expect(data.writingNotes.some((n: { phrase?: string }) => n.phrase === "abrasive")).toBe(true);
    const none = await handle.db
      .selectFrom("calibration_prereads")
      .select("id")
      .where("item_id", "=", items[0].id)
      .execute();
    expect(none).toEqual([]);
    const saved = await itemPost(meetingId, items[0].id, "m1", { ...draft, writingCheck: "seen" });
    expect(saved.status).toBe(302);
    const audits = await handle.db
      .selectFrom("audit_events")
      .select("details")
      .where("actor_id", "=", u.m1.id)
      .execute();
    expect(JSON.stringify(audits)).not.toContain("abrasive");
  });

  it("a decision names a role that exists and is not archived (400 otherwise), and its wording is checked", async () => {
    const item = items[1];
    expect((await control(meetingId, "fac", { intent: "start" })).status).toBe(302);
    expect((await control(meetingId, "fac", { intent: "open", itemId: item.id })).status).toBe(302);
    for (const who of ["m1", "m2", "fac"])
      expect((await final(meetingId, item.id, who)).status).toBe(302);
    const archived = await decide(meetingId, item.id, item.candidate_id, {
      readinessRoleId: archivedRoleId,
    });
    expect(archived.status).toBe(400);
    expect((await body(archived)).fieldErrors.readinessRoleId).toBeTruthy();
    const notARole = await decide(meetingId, item.id, item.candidate_id, {
      readinessRoleId: "not-a-uuid",
    });
    expect(notARole.status).toBe(400);
    const bossy = await decide(meetingId, item.id, item.candidate_id, {
      rationale: "Too bossy for the role",
      readinessRoleId: roleId,
    });
    expect(bossy.status).toBe(400);
    expect((await body(bossy)).writingNotes.length).toBeGreaterThan(0);
    const ok = await decide(meetingId, item.id, item.candidate_id, { readinessRoleId: roleId });
    expect(ok.status).toBe(302);
    const decision = await handle.db
      .selectFrom("calibration_decisions")
      .select("readiness_role_id")
      .where("item_id", "=", item.id)
      .executeTakeFirstOrThrow();
    expect(decision.readiness_role_id).toBe(roleId);
    const summary = await body(await loadSummary(meetingId, "m2"));
    const row = summary.items.find((i: { id: string }) => i.id === item.id);
    expect(row.decisions[0].readiness_role).toBe("Engineering manager — Payments");
  });
});
