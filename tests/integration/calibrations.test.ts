import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { shuffle } from "../../app/models/calibration.server";
import { getTimeline } from "../../app/models/timeline.server";
import { loader as listLoader } from "../../app/routes/calibrations._index";
import { action as newAction, loader as newLoader } from "../../app/routes/calibrations.new";
import {
  action as meetingAction,
  loader as meetingLoader,
} from "../../app/routes/calibrations.$meetingId._index";
import {
  action as itemAction,
  loader as itemLoader,
} from "../../app/routes/calibrations.$meetingId.items.$itemId";
import { loader as summaryLoader } from "../../app/routes/calibrations.$meetingId.summary";
import { loader as profileLoader } from "../../app/routes/candidates.$candidateId._index";
import { action as observationAction } from "../../app/routes/candidates.$candidateId.observations.$observationId";
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
import { countingStatements, createTestDb } from "../helpers/db";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-06-15T10:00:00Z") };
type U = Awaited<ReturnType<typeof makeUser>>;
const u: Record<string, U> = {};
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
const obs: Record<string, string[]> = {};
let keyCounter = 0;
const key = () => `00000000-0000-4000-8000-${String(++keyCounter).padStart(12, "0")}`;

const ctx = () => makeContext(handle.db, clock);

async function insertCandidate(
  name: string,
  manager: U,
  stage: "spotted" | "exploring" | "coaching" = "exploring",
) {
  const row = await handle.db
    .insertInto("candidates")
    .values({
      name,
      team: "Payments",
      track: "people_leadership",
      manager_id: manager.id,
      nominated_by: manager.id,
      nominated_reason: "Seen leading",
      stage,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function observe(candidateId: string, author: U, behavior: string) {
  const o = await handle.db
    .insertInto("observations")
    .values({
      candidate_id: candidateId,
      author_id: author.id,
      observed_on: "2026-06-01",
      situation: "Planning",
      behavior,
      impact: "",
      signal: "strength",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  (obs[candidateId] ??= []).push(o.id);
  return o.id;
}

beforeAll(async () => {
  handle = await createTestDb();
  const db = handle.db;
  u.leader = await makeUser(db, ["leader"], "Lena Leader");
  u.leader2 = await makeUser(db, ["leader"], "Leo Leader");
  u.m1 = await makeUser(db, ["manager"], "Mara Manager");
  u.m2 = await makeUser(db, ["manager"], "Nils Manager");
  u.outsider = await makeUser(db, ["manager"], "Olga Outsider");
  u.admin = await makeUser(db, ["admin"]);
  for (const [k, user] of Object.entries(u)) cookies[k] = await sessionCookie(ctx(), user.id);

  const dim = await db
    .insertInto("dimensions")
    .values({ key: "curiosity", name: "Curiosity", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.dimension = dim.id;
  const ap = await db
    .insertInto("anti_patterns")
    .values({ key: "territoriality", name: "Territoriality", position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();

  // Ana is in Mara's circle; Ben and Cy are Nils's, outside Mara's circle.
  ids.ana = await insertCandidate("Ana Archer", u.m1);
  ids.ben = await insertCandidate("Ben Baker", u.m2);
  ids.cy = await insertCandidate("Cy Cooper", u.m2, "spotted");
  ids.dee = await insertCandidate("Dee Dunn", u.outsider);
  for (const c of [ids.ana, ids.ben, ids.cy, ids.dee]) {
    await observe(c, u.m1, "Asked the quiet engineer first");
    await observe(c, u.m2, "Wrote down the decision for the next team");
  }
  const flag = await db
    .insertInto("flags")
    .values({
      candidate_id: ids.ben,
      anti_pattern_id: ap.id,
      raised_by: u.m2.id,
      observed_on: "2026-05-02",
      situation: "",
      behavior: "Kept the runbook private",
      impact: "",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  ids.benFlag = flag.id;
});
afterAll(async () => {
  await handle?.close();
});

async function createMeeting(fields: Record<string, string | string[]> = {}, who = "leader") {
  const response = await call(
    newAction,
    post(
      "/calibrations/new",
      {
        title: "Summer calibration",
        // The clock's day: starting it needs no confirmation.
        scheduledFor: "2026-06-15T14:00",
        facilitatorId: u.leader.id,
        attendeeIds: [u.m1.id, u.m2.id],
        candidateIds: [ids.ana, ids.ben, ids.cy],
        timeboxMinutes: "10",
        idempotencyKey: key(),
        ...fields,
      },
      cookies[who],
    ),
    ctx(),
  );
  return response;
}

const meetingIdFrom = (response: Response) => response.headers.get("Location")!.split("/").pop()!;
const items = (meetingId: string) =>
  handle.db
    .selectFrom("calibration_items")
    .select(["id", "candidate_id", "position", "opened_at"])
    .where("meeting_id", "=", meetingId)
    .orderBy("position")
    .execute();
const itemFor = async (meetingId: string, candidateId: string) =>
  (await items(meetingId)).find((i) => i.candidate_id === candidateId)!;

const loadMeeting = (meetingId: string, who: string) =>
  call(meetingLoader, get(`/calibrations/${meetingId}`, cookies[who]), ctx(), { meetingId });
const loadItem = (meetingId: string, itemId: string, who: string) =>
  call(itemLoader, get(`/calibrations/${meetingId}/items/${itemId}`, cookies[who]), ctx(), {
    meetingId,
    itemId,
  });
const control = (meetingId: string, who: string, fields: Record<string, string>) =>
  call(meetingAction, post(`/calibrations/${meetingId}`, fields, cookies[who]), ctx(), {
    meetingId,
  });
const decide = (meetingId: string, who: string, fields: Record<string, string | string[]>) =>
  call(
    meetingAction,
    post(
      `/calibrations/${meetingId}`,
      {
        intent: "decide",
        // The writing check's nudge is tested in calibration-rounds.test.ts; these are about decisions.
        writingCheck: "seen",
        outcome: "ready_with_development",
        rationale: "Strong outcome orientation, one clear development area.",
        idempotencyKey: key(),
        ...fields,
      },
      cookies[who],
    ),
    ctx(),
    { meetingId },
  );
const preread = (meetingId: string, itemId: string, who: string, fields: Record<string, string>) =>
  call(
    itemAction,
    post(
      `/calibrations/${meetingId}/items/${itemId}`,
      { intent: "preread", writingCheck: "seen", ...fields },
      cookies[who],
    ),
    ctx(),
    { meetingId, itemId },
  );

describe("planning a meeting", () => {
  it("only leaders plan meetings", async () => {
    expect((await call(newLoader, get("/calibrations/new", cookies.m1), ctx())).status).toBe(403);
    expect((await createMeeting({}, "m1")).status).toBe(403);
    expect((await call(newLoader, get("/calibrations/new", cookies.leader), ctx())).status).toBe(
      200,
    );
  });

  it("refuses bad input with 400 and keeps it", async () => {
    const response = await createMeeting({ title: "", candidateIds: [], facilitatorId: u.m1.id });
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(Object.keys(data.fieldErrors).sort()).toEqual(["candidateIds", "title"]);
    const notLeader = await createMeeting({ facilitatorId: u.m1.id });
    expect(notLeader.status).toBe(400);
    expect((await body(notLeader)).fieldErrors.facilitatorId).toBeTruthy();
    expect((await body(notLeader)).values.attendeeIds).toEqual([u.m1.id, u.m2.id]);
  });

  it("an empty or malformed date and time gets exactly one message", async () => {
    const empty = await createMeeting({ scheduledFor: "" });
    expect(empty.status).toBe(400);
    expect((await body(empty)).fieldErrors.scheduledFor).toEqual(["Choose the date and time."]);
    const malformed = await createMeeting({ scheduledFor: "2026-02-30T09:30" });
    expect(malformed.status).toBe(400);
    expect((await body(malformed)).fieldErrors.scheduledFor).toEqual([
      "Enter the date and time as a real date and time.",
    ]);
  });

  it("puts every candidate on the agenda exactly once, in shuffled positions, and a double submit makes one meeting", async () => {
    const fields = { idempotencyKey: key() };
    const first = await createMeeting(fields);
    expect(first.status).toBe(302);
    const again = await createMeeting(fields);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    const meetingId = meetingIdFrom(first);
    const agenda = await items(meetingId);
    expect(agenda.map((i) => i.candidate_id).sort()).toEqual([ids.ana, ids.ben, ids.cy].sort());
    expect(agenda.map((i) => i.position)).toEqual([1, 2, 3]);
    const attendees = await handle.db
      .selectFrom("calibration_attendees")
      .select("user_id")
      .where("meeting_id", "=", meetingId)
      .execute();
    expect(attendees.map((a) => a.user_id).sort()).toEqual([u.leader.id, u.m1.id, u.m2.id].sort());
    const audited = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "calibration.create")
      .where("entity_id", "=", meetingId)
      .execute();
    expect(audited).toHaveLength(1);
  });

  it("shuffles into a permutation, and over many draws not always the same order", () => {
    const input = Array.from({ length: 10 }, (_, i) => i);
    const orders = new Set<string>();
    for (let n = 0; n < 50; n++) {
      const out = shuffle(input);
      expect([...out].sort((a, b) => a - b)).toEqual(input);
      orders.add(out.join(","));
    }
    expect(orders.size).toBeGreaterThan(1);
    // Fisher–Yates with a fixed source is deterministic: the last element swaps with index 0 each step.
    expect(shuffle([1, 2, 3, 4], () => 0)).toEqual([2, 3, 4, 1]);
  });
});

describe("who reaches a meeting", () => {
  let meetingId: string;
  beforeAll(async () => {
    meetingId = meetingIdFrom(await createMeeting());
  });

  it("leaders and attendees do; anyone else gets 404, the same as for a meeting that does not exist, and it is audited", async () => {
    for (const who of ["leader", "leader2", "m1", "m2"])
      expect((await loadMeeting(meetingId, who)).status).toBe(200);
    for (const who of ["outsider", "admin"]) {
      expect((await loadMeeting(meetingId, who)).status).toBe(404);
      expect(
        (
          await call(
            summaryLoader,
            get(`/calibrations/${meetingId}/summary`, cookies[who]),
            ctx(),
            { meetingId },
          )
        ).status,
      ).toBe(404);
      const item = await itemFor(meetingId, ids.ana);
      expect((await loadItem(meetingId, item.id, who)).status).toBe(404);
      expect((await control(meetingId, who, { intent: "start" })).status).toBe(404);
    }
    expect((await loadMeeting("00000000-0000-4000-8000-999999999999", "leader")).status).toBe(404);
    expect((await loadMeeting("not-a-uuid", "leader")).status).toBe(404);
    const denied = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "calibration_meeting.view")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it("the list shows leaders every meeting, attendees theirs, and others nothing", async () => {
    const list = async (who: string) => {
      const data = await body(await call(listLoader, get("/calibrations", cookies[who]), ctx()));
      return [...data.upcoming, ...data.past].map((m: { id: string }) => m.id);
    };
    expect(await list("leader2")).toContain(meetingId);
    expect(await list("m1")).toContain(meetingId);
    expect(await list("outsider")).toEqual([]);
    expect(await list("admin")).toEqual([]);
  });

  it("an attendee outside a candidate's circle reads the packet through the meeting, but not the profile", async () => {
    const ben = await itemFor(meetingId, ids.ben);
    const response = await loadItem(meetingId, ben.id, "m1");
    expect(response.status).toBe(200);
    const data = await body(response);
    expect(data.canViewCandidate).toBe(false);
    expect(data.packet.observations).toHaveLength(2);
    expect(data.packet.flags.map((f: { id: string }) => f.id)).toEqual([ids.benFlag]);
    // Outside the meeting the circle rule holds.
    const profile = await call(profileLoader, get(`/candidates/${ids.ben}`, cookies.m1), ctx(), {
      candidateId: ids.ben,
    });
    expect(profile.status).toBe(404);
  });

  it("opening a packet records no read, so a cross-site link cannot mark it read; the attendee's “Mark as read” form (a POST) does", async () => {
    const ben = await itemFor(meetingId, ids.ben);
    const reads = () =>
      handle.db
        .selectFrom("calibration_packet_reads")
        .selectAll()
        .where("item_id", "=", ben.id)
        .execute();
    const crossSite = new Request(
      `http://localhost:3000/calibrations/${meetingId}/items/${ben.id}`,
      {
        headers: {
          Cookie: cookies.m1,
          "Sec-Fetch-Site": "cross-site",
          "Sec-Fetch-Mode": "navigate",
          Referer: "https://evil.example/",
        },
      },
    );
    expect((await call(itemLoader, crossSite, ctx(), { meetingId, itemId: ben.id })).status).toBe(
      200,
    );
    expect((await loadItem(meetingId, ben.id, "m1")).status).toBe(200);
    expect(await reads()).toEqual([]);
    expect((await body(await loadItem(meetingId, ben.id, "m1"))).readAt).toBeNull();

    const markRead = (who: string) =>
      call(
        itemAction,
        post(`/calibrations/${meetingId}/items/${ben.id}`, { intent: "read" }, cookies[who]),
        ctx(),
        { meetingId, itemId: ben.id },
      );
    // Only attendees read packets for the room.
    expect((await markRead("leader2")).status).toBe(403);
    expect((await markRead("m1")).status).toBe(302);
    expect((await markRead("m1")).status).toBe(302);
    expect((await reads()).map((r) => r.user_id)).toEqual([u.m1.id]);
    expect((await body(await loadItem(meetingId, ben.id, "m1"))).readAt).not.toBeNull();
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "outcome"])
      .where("action", "=", "calibration.packet_read")
      .where("entity_id", "=", ben.id)
      .orderBy("id")
      .execute();
    expect(audited).toEqual([
      { actor_id: u.leader2.id, outcome: "denied" },
      { actor_id: u.m1.id, outcome: "ok" },
    ]);
    // The agenda shows who has read which packet.
    const agenda = await body(await loadMeeting(meetingId, "leader"));
    const row = agenda.items.find((i: { id: string }) => i.id === ben.id);
    expect(row.reads.map((r: { user_id: string }) => r.user_id)).toEqual([u.m1.id]);
  });

  it("a meeting's item of another meeting is 404", async () => {
    const other = meetingIdFrom(await createMeeting({ candidateIds: [ids.dee] }));
    const dee = await itemFor(other, ids.dee);
    expect((await loadItem(meetingId, dee.id, "leader")).status).toBe(404);
  });
});

describe("pre-reads, the agenda order and meeting mode", () => {
  let meetingId: string;
  let ana: { id: string };
  const VIEW = "Mara's independent view: strong on curiosity, thin on commitment evidence.";
  beforeAll(async () => {
    meetingId = meetingIdFrom(await createMeeting());
    ana = await itemFor(meetingId, ids.ana);
  });

  it("an attendee records a pre-read; only attendees may", async () => {
    const missing = await preread(meetingId, ana.id, "m1", { view: "", leaning: "sideways" });
    expect(missing.status).toBe(400);
    expect(Object.keys((await body(missing)).fieldErrors).sort()).toEqual(["leaning", "view"]);
    const saved = await preread(meetingId, ana.id, "m1", {
      view: VIEW,
      leaning: "ready_with_development",
    });
    expect(saved.status).toBe(302);
    expect(
      (await preread(meetingId, ana.id, "leader2", { view: "Not attending", leaning: "not_yet" }))
        .status,
    ).toBe(403);
    // Editing uses the version; a stale version gets 409 with both texts.
    const row = await handle.db
      .selectFrom("calibration_prereads")
      .selectAll()
      .where("item_id", "=", ana.id)
      .executeTakeFirstOrThrow();
    expect(
      (
        await preread(meetingId, ana.id, "m1", {
          view: `${VIEW} Updated.`,
          leaning: "ready_with_development",
          version: String(row.version),
        })
      ).status,
    ).toBe(302);
    const stale = await preread(meetingId, ana.id, "m1", {
      view: "Older tab",
      leaning: "not_yet",
      version: String(row.version),
    });
    expect(stale.status).toBe(409);
    const staleData = await body(stale);
    expect(staleData.values.view).toBe("Older tab");
    expect(staleData.saved.view).toBe(`${VIEW} Updated.`);
  });

  it("other people's pre-reads are absent from the loader data until the facilitator opens the item", async () => {
    for (const who of ["m2", "leader", "leader2"]) {
      const meeting = await body(await loadMeeting(meetingId, who));
      expect(JSON.stringify(meeting)).not.toContain("independent view");
      const packet = await body(await loadItem(meetingId, ana.id, who));
      expect(JSON.stringify(packet)).not.toContain("independent view");
      expect(packet.prereads).toEqual([]);
      // That someone recorded one is not hidden: only what they wrote.
      expect(packet.prereadCount).toBe(1);
    }
    const own = await body(await loadItem(meetingId, ana.id, "m1"));
    expect(own.prereads.map((p: { view: string }) => p.view)).toEqual([`${VIEW} Updated.`]);
  });

  it("the facilitator reorders while planned; nobody else may", async () => {
    const before = await items(meetingId);
    expect((await control(meetingId, "m1", { intent: "down", itemId: before[0].id })).status).toBe(
      403,
    );
    expect(
      (await control(meetingId, "leader", { intent: "down", itemId: before[0].id })).status,
    ).toBe(302);
    const after = await items(meetingId);
    expect(after.map((i) => i.id)).toEqual([before[1].id, before[0].id, before[2].id]);
    // Moving the first one up changes nothing.
    expect((await control(meetingId, "leader", { intent: "up", itemId: after[0].id })).status).toBe(
      302,
    );
    expect(
      (await control(meetingId, "leader", { intent: "up", itemId: before[0].id })).status,
    ).toBe(302);
    const restored = await items(meetingId);
    expect(restored.map((i) => i.id)).toEqual(before.map((i) => i.id));
    expect(restored.map((i) => i.position)).toEqual([1, 2, 3]);
    expect(
      await handle.db
        .selectFrom("audit_events")
        .select("id")
        .where("action", "=", "calibration.reorder")
        .execute(),
    ).toHaveLength(2);
  });

  it("opening needs a started meeting; opening reveals the pre-reads to everyone and locks them", async () => {
    expect((await control(meetingId, "leader", { intent: "open", itemId: ana.id })).status).toBe(
      409,
    );
    expect((await control(meetingId, "m1", { intent: "start" })).status).toBe(403);
    expect((await control(meetingId, "leader", { intent: "start" })).status).toBe(302);
    // The agenda is fixed once the meeting runs.
    expect((await control(meetingId, "leader", { intent: "up", itemId: ana.id })).status).toBe(409);
    expect((await control(meetingId, "leader", { intent: "open", itemId: ana.id })).status).toBe(
      302,
    );

    const meeting = await body(await loadMeeting(meetingId, "m2"));
    expect(meeting.currentItemId).toBe(ana.id);
    const item = meeting.items.find((i: { id: string }) => i.id === ana.id);
    expect(
      item.prereads.map((p: { view: string; user_id: string }) => [p.user_id, p.view]),
    ).toEqual([[u.m1.id, `${VIEW} Updated.`]]);
    // Ten-minute timebox, opened just now.
    expect(meeting.remainingSeconds).toBe(600);
    expect(meeting.packet.observations).toHaveLength(2);
    const packet = await body(await loadItem(meetingId, ana.id, "leader2"));
    expect(packet.prereads).toHaveLength(1);
    // Another item stays hidden.
    const ben = await itemFor(meetingId, ids.ben);
    await preread(meetingId, ben.id, "m1", {
      view: "Ben needs a second observer",
      leaning: "insufficient_evidence",
    });
    expect(JSON.stringify(await body(await loadMeeting(meetingId, "m2")))).not.toContain(
      "second observer",
    );
    // After the reveal a pre-read can no longer change.
    expect(
      (await preread(meetingId, ana.id, "m2", { view: "Late view", leaning: "not_yet" })).status,
    ).toBe(409);
  });
});

describe("decisions", () => {
  let meetingId: string;
  let ana: { id: string };
  let ben: { id: string };
  let cy: { id: string };
  beforeAll(async () => {
    meetingId = meetingIdFrom(await createMeeting());
    ana = await itemFor(meetingId, ids.ana);
    ben = await itemFor(meetingId, ids.ben);
    cy = await itemFor(meetingId, ids.cy);
    await control(meetingId, "leader", { intent: "start" });
    // Every attendee's final leaning is in (the rounds themselves are tested in calibration-rounds.test.ts):
    // these tests are about the decision.
    await handle.db
      .insertInto("calibration_final_leanings")
      .values(
        [ana, ben, cy].flatMap((item) =>
          [u.leader, u.m1, u.m2].map((user) => ({
            item_id: item.id,
            user_id: user.id,
            leaning: "ready_with_development" as const,
          })),
        ),
      )
      .execute();
  });

  it("needs an open item, a rationale and at least one piece of this candidate's evidence (400)", async () => {
    const closedItem = await decide(meetingId, "leader", {
      itemId: ana.id,
      evidence: `observation:${obs[ids.ana][0]}`,
    });
    expect(closedItem.status).toBe(409);
    await control(meetingId, "leader", { intent: "open", itemId: ana.id });
    const noRationale = await decide(meetingId, "leader", {
      itemId: ana.id,
      rationale: "  ",
      evidence: `observation:${obs[ids.ana][0]}`,
    });
    expect(noRationale.status).toBe(400);
    expect((await body(noRationale)).fieldErrors.rationale).toBeTruthy();
    const noEvidence = await decide(meetingId, "leader", { itemId: ana.id });
    expect(noEvidence.status).toBe(400);
    expect((await body(noEvidence)).fieldErrors.evidence).toBeTruthy();
    const garbage = await decide(meetingId, "leader", {
      itemId: ana.id,
      evidence: "observation:'; drop table",
    });
    expect(garbage.status).toBe(400);
    const someoneElses = await decide(meetingId, "leader", {
      itemId: ana.id,
      evidence: `observation:${obs[ids.ben][0]}`,
    });
    expect(someoneElses.status).toBe(400);
    const notYetNoDate = await decide(meetingId, "leader", {
      itemId: ana.id,
      outcome: "not_yet",
      evidence: `observation:${obs[ids.ana][0]}`,
    });
    expect(notYetNoDate.status).toBe(400);
    expect((await body(notYetNoDate)).fieldErrors.revisitOn).toBeTruthy();
    expect(
      await handle.db
        .selectFrom("calibration_decisions")
        .select("id")
        .where("item_id", "=", ana.id)
        .execute(),
    ).toEqual([]);
  });

  it("only the facilitator or a leader attending decides", async () => {
    const response = await decide(meetingId, "m1", {
      itemId: ana.id,
      evidence: `observation:${obs[ids.ana][0]}`,
    });
    expect(response.status).toBe(403);
    const notAttending = await decide(meetingId, "leader2", {
      itemId: ana.id,
      evidence: `observation:${obs[ids.ana][0]}`,
    });
    expect(notAttending.status).toBe(403);
  });

  it("two concurrent submits leave exactly one current decision and no 500; the stage moves with it", async () => {
    const evidence = [`observation:${obs[ids.ana][0]}`, `observation:${obs[ids.ana][1]}`];
    const [a, b] = await Promise.all([
      decide(meetingId, "leader", { itemId: ana.id, evidence }),
      decide(meetingId, "leader", { itemId: ana.id, evidence, outcome: "insufficient_evidence" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([302, 409]);
    const refused = a.status === 409 ? a : b;
    expect((await body(refused)).formError).toMatch(/already recorded/);
    const current = await handle.db
      .selectFrom("calibration_decisions")
      .selectAll()
      .where("item_id", "=", ana.id)
      .where("superseded_at", "is", null)
      .execute();
    expect(current).toHaveLength(1);
    const decision = current[0];
    const cited = await handle.db
      .selectFrom("calibration_decision_evidence")
      .selectAll()
      .where("decision_id", "=", decision.id)
      .execute();
    expect(cited.map((c) => c.observation_id).sort()).toEqual([...obs[ids.ana]].sort());

    const candidate = await handle.db
      .selectFrom("candidates")
      .select(["stage", "version"])
      .where("id", "=", ids.ana)
      .executeTakeFirstOrThrow();
    const changes = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("calibration_decision_id", "=", decision.id)
      .execute();
    if (decision.outcome === "ready_with_development") {
      expect(candidate.stage).toBe("coaching");
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        candidate_id: ids.ana,
        from_stage: "exploring",
        to_stage: "coaching",
        changed_by: u.leader.id,
      });
      expect(changes[0].reason).toMatch(/^Calibration decision: /);
    } else {
      expect(candidate.stage).toBe("exploring");
      expect(changes).toHaveLength(0);
    }
    const audited = await handle.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "calibration.decision")
      .where("entity_id", "=", decision.id)
      .execute();
    expect(audited).toHaveLength(1);
    expect(JSON.stringify(audited[0].details)).not.toContain("Strong outcome");
  });

  it("ready now moves to ready with the decision cited and shows on the timeline; an archived person is not moved", async () => {
    await control(meetingId, "leader", { intent: "open", itemId: ben.id });
    const response = await decide(meetingId, "leader", {
      itemId: ben.id,
      outcome: "ready_now",
      evidence: [`observation:${obs[ids.ben][0]}`, `flag:${ids.benFlag}`],
      dissent: "Mara would wait one more cycle.",
    });
    expect(response.status).toBe(302);
    const decision = await handle.db
      .selectFrom("calibration_decisions")
      .selectAll()
      .where("item_id", "=", ben.id)
      .executeTakeFirstOrThrow();
    const change = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", ids.ben)
      .where("to_stage", "=", "ready")
      .executeTakeFirstOrThrow();
    expect(change.calibration_decision_id).toBe(decision.id);
    expect(
      (
        await handle.db
          .selectFrom("candidates")
          .select("stage")
          .where("id", "=", ids.ben)
          .executeTakeFirstOrThrow()
      ).stage,
    ).toBe("ready");
    // The candidate's timeline shows the decision.
    const timeline = await getTimeline(handle.db, {
      candidateId: ids.ben,
      filters: { kind: "decision", dimensionId: null, page: 1 },
    });
    expect(timeline.entries.map((e) => [e.to_status, e.link_id])).toEqual([
      ["ready_now", meetingId],
    ]);

    await control(meetingId, "leader", { intent: "open", itemId: cy.id });
    await handle.db
      .updateTable("candidates")
      .set({ stage: "archived", archived_at: clock.now })
      .where("id", "=", ids.cy)
      .execute();
    const archived = await decide(meetingId, "leader", {
      itemId: cy.id,
      outcome: "not_yet",
      revisitOn: "2026-09-01",
      evidence: `observation:${obs[ids.cy][0]}`,
    });
    // Archived people are not moved by a decision; the decision is still recorded.
    expect(archived.status).toBe(302);
    expect(
      (
        await handle.db
          .selectFrom("candidates")
          .select("stage")
          .where("id", "=", ids.cy)
          .executeTakeFirstOrThrow()
      ).stage,
    ).toBe("archived");
    await handle.db
      .updateTable("candidates")
      .set({ stage: "spotted", archived_at: null })
      .where("id", "=", ids.cy)
      .execute();
  });

  it("closing locks the meeting: every change is refused afterwards", async () => {
    expect((await control(meetingId, "leader", { intent: "close" })).status).toBe(302);
    const meeting = await handle.db
      .selectFrom("calibration_meetings")
      .selectAll()
      .where("id", "=", meetingId)
      .executeTakeFirstOrThrow();
    expect(meeting.status).toBe("closed");
    expect(meeting.closed_at).not.toBeNull();
    const refused = [
      await control(meetingId, "leader", { intent: "open", itemId: ana.id }),
      await control(meetingId, "leader", { intent: "up", itemId: ben.id }),
      await control(meetingId, "leader", { intent: "start" }),
      await control(meetingId, "leader", { intent: "close" }),
      await decide(meetingId, "leader", {
        itemId: cy.id,
        evidence: `observation:${obs[ids.cy][0]}`,
      }),
      await preread(meetingId, cy.id, "m2", { view: "Too late", leaning: "not_yet" }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(409);
      expect((await body(response)).formError).toMatch(/closed/);
    }
    // Reading still works, and the summary lists the decisions.
    const summary = await body(
      await call(summaryLoader, get(`/calibrations/${meetingId}/summary`, cookies.m2), ctx(), {
        meetingId,
      }),
    );
    const benItem = summary.items.find((i: { id: string }) => i.id === ben.id);
    expect(benItem.decisions[0]).toMatchObject({
      outcome: "ready_now",
      dissent: "Mara would wait one more cycle.",
    });
    expect(
      benItem.decisions[0].evidence
        .map(
          (e: { anti_pattern: string | null; behavior: string | null }) =>
            e.anti_pattern ?? e.behavior,
        )
        .sort(),
    ).toEqual(["Asked the quiet engineer first", "Territoriality"].sort());
  });

  it("a leader amends a decision after closing: the old one is superseded, kept, and the stage follows the new outcome", async () => {
    const old = await handle.db
      .selectFrom("calibration_decisions")
      .selectAll()
      .where("item_id", "=", ben.id)
      .where("superseded_at", "is", null)
      .executeTakeFirstOrThrow();
    const amend = (who: string, fields: Record<string, string | string[]>) =>
      call(
        itemAction,
        post(
          `/calibrations/${meetingId}/items/${ben.id}`,
          {
            intent: "amend",
            writingCheck: "seen",
            itemId: ben.id,
            supersedes: old.id,
            amendmentReason: "New evidence from the incident review.",
            outcome: "not_yet",
            rationale: "The flag recurred after the meeting.",
            revisitOn: "2026-10-01",
            evidence: `flag:${ids.benFlag}`,
            idempotencyKey: key(),
            ...fields,
          },
          cookies[who],
        ),
        ctx(),
        { meetingId, itemId: ben.id },
      );
    // Mara attended but Ben is outside her circle: after the close the meeting no longer shows him to her.
    expect((await amend("m1", {})).status).toBe(404);
    expect((await amend("m2", {})).status).toBe(403);
    expect((await amend("leader2", { amendmentReason: "" })).status).toBe(400);
    expect((await amend("leader2", { evidence: [] })).status).toBe(400);
    const ok = await amend("leader2", {});
    expect(ok.status).toBe(302);

    const all = await handle.db
      .selectFrom("calibration_decisions")
      .selectAll()
      .where("item_id", "=", ben.id)
      .orderBy("decided_at")
      .orderBy("created_at")
      .execute();
    expect(all).toHaveLength(2);
    const [before, after] = [all.find((d) => d.id === old.id)!, all.find((d) => d.id !== old.id)!];
    expect(before.superseded_at).not.toBeNull();
    expect(before.superseded_by).toBe(after.id);
    expect(before.rationale).toBe(old.rationale);
    expect(after).toMatchObject({
      outcome: "not_yet",
      superseded_at: null,
      amendment_reason: "New evidence from the incident review.",
      decided_by: u.leader2.id,
    });
    const candidate = await handle.db
      .selectFrom("candidates")
      .select(["stage", "revisit_on"])
      .where("id", "=", ids.ben)
      .executeTakeFirstOrThrow();
    expect(candidate).toEqual({ stage: "paused", revisit_on: "2026-10-01" });
    const change = await handle.db
      .selectFrom("stage_changes")
      .selectAll()
      .where("calibration_decision_id", "=", after.id)
      .executeTakeFirstOrThrow();
    expect(change).toMatchObject({ from_stage: "ready", to_stage: "paused" });
    expect(
      await handle.db
        .selectFrom("audit_events")
        .select("id")
        .where("action", "=", "calibration.amend")
        .where("entity_id", "=", after.id)
        .execute(),
    ).toHaveLength(1);

    // Amending from a stale page (the old decision is no longer current) is refused.
    expect((await amend("leader", {})).status).toBe(409);
    // The history shows both, the superseded one marked.
    const packet = await body(await loadItem(meetingId, ben.id, "leader"));
    expect(
      packet.decisions.map((d: { id: string; superseded_at: string | null }) => [
        d.id,
        Boolean(d.superseded_at),
      ]),
    ).toEqual([
      [after.id, false],
      [before.id, true],
    ]);
  });
});

describe("after the meeting closes", () => {
  let meetingId: string;
  let ana: { id: string };
  let ben: { id: string };
  const packetOf = async (who: string, itemId = ben.id) =>
    body(await loadItem(meetingId, itemId, who));
  const behaviours = (packet: { packet: { observations: { behavior: string }[] } }) =>
    packet.packet.observations.map((o) => o.behavior).sort();

  beforeAll(async () => {
    meetingId = meetingIdFrom(await createMeeting({ title: "Autumn calibration" }));
    ana = await itemFor(meetingId, ids.ana);
    ben = await itemFor(meetingId, ids.ben);
    await control(meetingId, "leader", { intent: "start" });
    await control(meetingId, "leader", { intent: "close" });
  });

  it("an attendee outside a candidate's circle no longer reaches that packet (404, audited); their own circle's still opens; leaders keep every packet", async () => {
    const before = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "calibration_item.view")
      .where("outcome", "=", "denied")
      .where("entity_id", "=", ben.id)
      .execute();
    expect((await loadItem(meetingId, ben.id, "m1")).status).toBe(404);
    const read = await call(
      itemAction,
      post(`/calibrations/${meetingId}/items/${ben.id}`, { intent: "read" }, cookies.m1),
      ctx(),
      { meetingId, itemId: ben.id },
    );
    expect(read.status).toBe(404);
    const after = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "calibration_item.view")
      .where("outcome", "=", "denied")
      .where("entity_id", "=", ben.id)
      .execute();
    expect(after.length).toBe(before.length + 2);
    expect((await loadItem(meetingId, ana.id, "m1")).status).toBe(200);
    expect((await loadItem(meetingId, ben.id, "m2")).status).toBe(200);
    for (const who of ["leader", "leader2"])
      expect((await loadItem(meetingId, ben.id, who)).status).toBe(200);
  });

  it("the agenda and the summary show such an attendee only the candidates in their circle", async () => {
    const agenda = await loadMeeting(meetingId, "m1");
    expect(agenda.status).toBe(200);
    const data = await body(agenda);
    expect(data.items.map((i: { id: string }) => i.id)).toEqual([ana.id]);
    expect(data.hiddenItems).toBe(2);
    const summary = await body(
      await call(summaryLoader, get(`/calibrations/${meetingId}/summary`, cookies.m1), ctx(), {
        meetingId,
      }),
    );
    expect(summary.items.map((i: { id: string }) => i.id)).toEqual([ana.id]);
    for (const text of [JSON.stringify(data), JSON.stringify(summary)]) {
      expect(text).not.toContain("Ben Baker");
      expect(text).not.toContain("Cy Cooper");
    }
    expect((await body(await loadMeeting(meetingId, "leader2"))).items).toHaveLength(3);
    expect(
      (
        await body(
          await call(
            summaryLoader,
            get(`/calibrations/${meetingId}/summary`, cookies.leader2),
            ctx(),
            { meetingId },
          ),
        )
      ).items,
    ).toHaveLength(3);
  });

  it("the packet is the evidence as it was at close: later notes, edits and flag changes do not appear; a note withdrawn since shows without its text", async () => {
    const frozen = await packetOf("leader2");
    expect(behaviours(frozen)).toEqual([
      "Asked the quiet engineer first",
      "Wrote down the decision for the next team",
    ]);
    const [first, second] = obs[ids.ben];
    const added = await observe(ids.ben, u.m2, "Added after the meeting closed");
    await handle.db
      .insertInto("observation_dimensions")
      .values({ observation_id: added, dimension_id: ids.dimension })
      .execute();
    // The live coverage moved on (so the frozen one below is not equal by accident).
    expect(
      await handle.db
        .selectFrom("evidence_coverage")
        .select("observations")
        .where("candidate_id", "=", ids.ben)
        .execute(),
    ).toEqual([{ observations: 1 }]);
    await handle.db
      .updateTable("observations")
      .set({ behavior: "Edited after the meeting closed" })
      .where("id", "=", first)
      .execute();
    await handle.db
      .updateTable("observations")
      .set({ retracted_at: new Date(), retracted_by: u.m2.id, retraction_reason: "Wrong person" })
      .where("id", "=", second)
      .execute();
    await handle.db
      .updateTable("flags")
      .set({
        status: "dismissed",
        resolution: "Dismissed after the meeting closed",
        resolved_by: u.m2.id,
        resolved_at: new Date(),
      })
      .where("id", "=", ids.benFlag)
      .execute();

    for (const who of ["leader2", "m2"]) {
      const packet = await packetOf(who);
      expect(packet.frozenAt).toBeTruthy();
      const byId = new Map(packet.packet.observations.map((o: { id: string }) => [o.id, o]));
      expect([...byId.keys()].sort()).toEqual([first, second].sort());
      expect(byId.get(first)).toMatchObject({
        behavior: "Asked the quiet engineer first",
        withdrawn: false,
      });
      expect(byId.get(second)).toMatchObject({
        behavior: "",
        situation: "",
        impact: "",
        withdrawn: true,
      });
      expect(packet.packet.flags).toEqual([
        expect.objectContaining({ id: ids.benFlag, status: "open", resolution: null }),
      ]);
      expect(packet.packet.coverage).toEqual(frozen.packet.coverage);
      expect(JSON.stringify(packet)).not.toContain("after the meeting closed");
    }
  });

  it("a meeting closed before packets were kept is cut at its close: nothing created later appears", async () => {
    const legacy = await handle.db
      .insertInto("calibration_meetings")
      .values({
        title: "Old calibration",
        scheduled_for: new Date("2026-05-01T10:00:00Z"),
        facilitator_id: u.leader.id,
        created_by: u.leader.id,
        status: "closed",
        closed_at: new Date("2026-05-01T12:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await handle.db
      .insertInto("calibration_items")
      .values({ meeting_id: legacy.id, candidate_id: ids.cy, position: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`update observations set created_at = '2026-04-20T09:00:00Z' where id = ${obs[ids.cy][0]}`.execute(
      handle.db,
    );
    const data = await body(
      await call(
        itemLoader,
        get(`/calibrations/${legacy.id}/items/${item.id}`, cookies.leader),
        ctx(),
        { meetingId: legacy.id, itemId: item.id },
      ),
    );
    expect(data.packet.observations.map((o: { id: string }) => o.id)).toEqual([obs[ids.cy][0]]);
    expect(data.frozenAt).toBeTruthy();
  });
});

describe("a note deleted or retracted after the meeting closes", () => {
  const snapshotsHolding = async (text: string) =>
    (
      await sql<{
        id: string;
      }>`select id from calibration_items where packet_snapshot::text like ${`%${text}%`}`.execute(
        handle.db,
      )
    ).rows;
  const withdraw = (observationId: string, who: string, fields: Record<string, string>) =>
    call(
      observationAction,
      post(`/candidates/${ids.ben}/observations/${observationId}`, fields, cookies[who]),
      ctx(),
      { candidateId: ids.ben, observationId },
    );

  it("leaves no text of it in any stored packet of any meeting; the packet lists it as withdrawn", async () => {
    const note = async (behavior: string) => {
      const id = await observe(ids.ben, u.m2, behavior);
      // Written an hour ago by the app's clock, so still inside the author's deletion window.
      await sql`update observations set created_at = ${new Date(clock.now.getTime() - 3_600_000)} where id = ${id}`.execute(
        handle.db,
      );
      return id;
    };
    const deleted = await note("Said something to be deleted completely");
    const retracted = await note("Said something to be retracted later");
    await note("Said something that stays");
    // Two closed meetings hold both notes in their packets.
    const meetings: { meetingId: string; itemId: string }[] = [];
    for (const title of ["Deletion calibration", "Second deletion calibration"]) {
      const meetingId = meetingIdFrom(await createMeeting({ title }));
      await control(meetingId, "leader", { intent: "start" });
      await control(meetingId, "leader", { intent: "close" });
      meetings.push({ meetingId, itemId: (await itemFor(meetingId, ids.ben)).id });
    }
    expect(await snapshotsHolding("to be deleted completely")).toHaveLength(2);
    expect(await snapshotsHolding("to be retracted later")).toHaveLength(2);

    expect((await withdraw(deleted, "m2", { intent: "delete" })).status).toBe(302);
    expect(
      await handle.db.selectFrom("observations").select("id").where("id", "=", deleted).execute(),
    ).toEqual([]);
    expect(await snapshotsHolding("to be deleted completely")).toEqual([]);

    // A refused retraction (no reason) changes no packet.
    expect((await withdraw(retracted, "m2", { intent: "retract", reason: "" })).status).toBe(400);
    expect(await snapshotsHolding("to be retracted later")).toHaveLength(2);
    expect(
      (await withdraw(retracted, "m2", { intent: "retract", reason: "Wrong meeting" })).status,
    ).toBe(302);
    expect(await snapshotsHolding("to be retracted later")).toEqual([]);
    // The retracted note itself stays in the record, with its text, for the candidate's circle.
    expect(
      await handle.db
        .selectFrom("observations")
        .select("behavior")
        .where("id", "=", retracted)
        .executeTakeFirstOrThrow(),
    ).toEqual({ behavior: "Said something to be retracted later" });

    for (const { meetingId, itemId } of meetings) {
      const raw = await handle.db
        .selectFrom("calibration_items")
        .select("packet_snapshot")
        .where("id", "=", itemId)
        .executeTakeFirstOrThrow();
      const stored = (raw.packet_snapshot as { observations: { id: string }[] }).observations;
      for (const id of [deleted, retracted]) {
        expect(stored.find((o) => o.id === id)).toMatchObject({
          situation: "",
          behavior: "",
          impact: "",
          withdrawn: true,
        });
      }
      // The other notes of the packet keep their text.
      expect(stored.filter((o) => ![deleted, retracted].includes(o.id))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ behavior: "Said something that stays" }),
        ]),
      );
      const packet = await body(await loadItem(meetingId, itemId, "leader"));
      const shown = packet.packet.observations.filter((o: { id: string }) =>
        [deleted, retracted].includes(o.id),
      );
      expect(shown).toEqual([
        expect.objectContaining({ withdrawn: true, behavior: "" }),
        expect.objectContaining({ withdrawn: true, behavior: "" }),
      ]);
    }
  });
});

describe("what the deciders read beside the evidence", () => {
  let solo: string;
  beforeAll(async () => {
    // Eve was nominated by Nils; all her notes are Mara's, the latest from February.
    const row = await handle.db
      .insertInto("candidates")
      .values({
        name: "Eve Ellis",
        team: "Payments",
        track: "people_leadership",
        manager_id: u.m1.id,
        nominated_by: u.m2.id,
        nominated_reason: "Ran the outage review without blaming anyone",
        stage: "exploring",
        created_at: new Date("2026-01-10T09:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    solo = row.id;
    for (const [day, behavior] of [
      ["2026-01-20", "Paired with the new hire on the incident"],
      ["2026-02-03", "Summarised the trade-offs for the team"],
    ]) {
      const id = await observe(solo, u.m1, behavior);
      await sql`update observations set observed_on = ${day} where id = ${id}`.execute(handle.db);
    }
  });

  it("the packet and meeting mode carry the nomination and the facts about the evidence", async () => {
    const meetingId = meetingIdFrom(
      await createMeeting({ title: "Facts calibration", candidateIds: [solo, ids.ana] }),
    );
    const eve = await itemFor(meetingId, solo);
    const ana = await itemFor(meetingId, ids.ana);
    const packet = (await body(await loadItem(meetingId, eve.id, "m1"))).packet;
    expect(packet.nomination).toEqual({
      reason: "Ran the outage review without blaming anyone",
      nominated_by_name: "Nils Manager",
      nominated_at: "2026-01-10T09:00:00.000Z",
    });
    expect(packet.facts).toEqual({
      observers: 1,
      last_observed_on: "2026-02-03",
      stale: true,
    });
    const anaPacket = (await body(await loadItem(meetingId, ana.id, "m1"))).packet;
    expect(anaPacket.facts).toMatchObject({ observers: 2, stale: false });
    // The facts are counted on the server: the page gets the authors' names, not their ids.
    expect(anaPacket.observations.length).toBeGreaterThan(0);
    for (const o of anaPacket.observations) {
      expect(o).not.toHaveProperty("author_id");
      expect(o.author_name).toEqual(expect.any(String));
    }

    await control(meetingId, "leader", { intent: "start" });
    await control(meetingId, "leader", { intent: "open", itemId: eve.id });
    const meeting = await body(await loadMeeting(meetingId, "leader"));
    expect(meeting.packet.nomination.reason).toBe("Ran the outage review without blaming anyone");
    expect(meeting.packet.facts).toMatchObject({ observers: 1, stale: true });
    // The agenda does not carry every candidate's nomination to the browser.
    expect(JSON.stringify(meeting.items)).not.toContain("outage review");

    // Frozen at close: a later edit of the nomination and a later note by someone else do not change it.
    await control(meetingId, "leader", { intent: "close" });
    await handle.db
      .updateTable("candidates")
      .set({ nominated_reason: "Rewritten after the meeting" })
      .where("id", "=", solo)
      .execute();
    await observe(solo, u.m2, "Noted after the meeting closed");
    const raw = await handle.db
      .selectFrom("calibration_items")
      .select("packet_snapshot")
      .where("id", "=", eve.id)
      .executeTakeFirstOrThrow();
    expect(raw.packet_snapshot).toMatchObject({
      nomination: { reason: "Ran the outage review without blaming anyone" },
      facts: { observers: 1, last_observed_on: "2026-02-03", stale: true },
    });
    const frozen = (await body(await loadItem(meetingId, eve.id, "leader"))).packet;
    expect(frozen.nomination.reason).toBe("Ran the outage review without blaming anyone");
    expect(frozen.facts).toEqual({ observers: 1, last_observed_on: "2026-02-03", stale: true });
  });

  it("a packet frozen before nominations and facts were kept still opens, with facts from its notes", async () => {
    const meetingId = meetingIdFrom(
      await createMeeting({ title: "Old snapshot calibration", candidateIds: [ids.ana] }),
    );
    await control(meetingId, "leader", { intent: "start" });
    await control(meetingId, "leader", { intent: "close" });
    const ana = await itemFor(meetingId, ids.ana);
    await sql`update calibration_items set packet_snapshot = packet_snapshot - 'nomination' - 'facts' where id = ${ana.id}`.execute(
      handle.db,
    );
    const response = await loadItem(meetingId, ana.id, "leader");
    expect(response.status).toBe(200);
    const packet = (await body(response)).packet;
    expect(packet.nomination).toBeNull();
    expect(packet.facts).toMatchObject({ observers: 2, last_observed_on: "2026-06-01" });
  });
});

describe("starting a meeting away from its date", () => {
  it("more than a day early asks first; “Start anyway” starts it; on the day needs nothing", async () => {
    const early = meetingIdFrom(await createMeeting({ scheduledFor: "2026-06-22T14:00" }));
    const asked = await control(early, "leader", { intent: "start" });
    expect(asked.status).toBe(409);
    const answer = await body(asked);
    expect(answer.formError).toContain("22 Jun 2026");
    expect(answer.formError).toContain("7 days");
    expect(answer.values.intent).toBe("start");
    // The question is marked as such, so the page offers "Start anyway" for it and nothing else.
    expect(answer.startQuestion).toBe(answer.formError);
    const status = async (id: string) =>
      (
        await handle.db
          .selectFrom("calibration_meetings")
          .select("status")
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status(early)).toBe("planned");
    expect((await control(early, "leader", { intent: "start", anyway: "yes" })).status).toBe(302);
    expect(await status(early)).toBe("in_progress");
    // A second "Start anyway" (a double click, a stale tab) is an error, not the question again.
    const again = await control(early, "leader", { intent: "start", anyway: "yes" });
    expect(again.status).toBe(409);
    const refused = await body(again);
    expect(refused.formError).toMatch(/already started/i);
    expect(refused.startQuestion).toBeUndefined();

    const late = meetingIdFrom(await createMeeting({ scheduledFor: "2026-06-01T14:00" }));
    expect((await control(late, "leader", { intent: "start" })).status).toBe(409);
    const dayBefore = meetingIdFrom(await createMeeting({ scheduledFor: "2026-06-16T09:00" }));
    expect((await control(dayBefore, "leader", { intent: "start" })).status).toBe(302);
    const onTheDay = meetingIdFrom(await createMeeting({ scheduledFor: "2026-06-15T08:00" }));
    expect((await control(onTheDay, "leader", { intent: "start" })).status).toBe(302);
  });
});

describe("the packet page's cost", () => {
  let meetingId: string;
  let ana: { id: string };
  let ben: { id: string };
  const statements = async (itemId: string, who: string) => {
    const { db, counter } = countingStatements(handle.db);
    const response = await call(
      itemLoader,
      get(`/calibrations/${meetingId}/items/${itemId}`, cookies[who]),
      makeContext(db, clock),
      { meetingId, itemId },
    );
    expect(response.status, who).toBe(200);
    return counter.statements;
  };

  beforeAll(async () => {
    meetingId = meetingIdFrom(await createMeeting({ title: "Counted calibration" }));
    ana = await itemFor(meetingId, ids.ana);
    ben = await itemFor(meetingId, ids.ben);
  });

  it("is at most 8 statements, whoever reads it and whatever the meeting's state", async () => {
    const counts: Record<string, number> = {};
    // Planned: an attendee's evidence round (the note form's choices), and a leader who does not attend.
    counts.attendeeBefore = await statements(ben.id, "m1");
    counts.leaderBefore = await statements(ben.id, "leader2");
    await control(meetingId, "leader", { intent: "start" });
    await handle.db
      .insertInto("calibration_final_leanings")
      .values(
        [u.leader, u.m1, u.m2].map((user) => ({
          item_id: ana.id,
          user_id: user.id,
          leaning: "ready_with_development" as const,
        })),
      )
      .execute();
    await control(meetingId, "leader", { intent: "open", itemId: ana.id });
    expect(
      (
        await decide(meetingId, "leader", {
          itemId: ana.id,
          evidence: [`observation:${obs[ids.ana][0]}`],
        })
      ).status,
    ).toBe(302);
    // A decision: a leader may amend it, so the readiness roles are read too.
    counts.leaderDecided = await statements(ana.id, "leader");
    await control(meetingId, "leader", { intent: "close" });
    // Closed: the frozen packet, and an attendee's own circle checked again.
    counts.leaderClosed = await statements(ana.id, "leader");
    counts.circleClosed = await statements(ana.id, "m1");
    for (const [when, count] of Object.entries(counts)) expect(count, when).toBeLessThanOrEqual(8);
  });
});
