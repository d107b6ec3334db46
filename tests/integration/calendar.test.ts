/**
 * The calendar (issue 20, part 5): calibration meetings as iCalendar invitations attached to mail — a
 * REQUEST when planned or moved, a CANCEL when cancelled, the same UID and a growing SEQUENCE, times in
 * UTC from the organiser's own time zone — each (meeting, version, person) once; moving and cancelling a
 * planned meeting; and the personal calendar feed behind a secret, revocable token. No message or
 * calendar entry carries a meeting's title, a candidate's name or any text of a judgement.
 */
import ical, { type VEvent } from "node-ical";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { Env } from "../../app/env.server";
import {
  CALENDAR_INVITATIONS_JOB,
  calendarInvitationsJob,
  inviteToMeeting,
} from "../../app/calendar/invitations.server";
import { runDueJobs, type JobContext } from "../../app/jobs/queue.server";
import { MAIL_SEND_JOB, mailSendJob } from "../../app/mail/mail.server";
import { setListOff } from "../../app/mail/preferences.server";
import { getMyWeek } from "../../app/models/my-week.server";
import { loader as feedLoader } from "../../app/routes/calendar.$token[.]ics";
import { loader as listLoader } from "../../app/routes/calibrations._index";
import EditMeeting, {
  action as editAction,
  loader as editLoader,
} from "../../app/routes/calibrations.$meetingId.edit";
import {
  action as meetingAction,
  loader as meetingLoader,
} from "../../app/routes/calibrations.$meetingId._index";
import { action as newAction } from "../../app/routes/calibrations.new";
import CalendarSettings, {
  action as settingsAction,
  loader as settingsLoader,
} from "../../app/routes/settings.calendar";
import {
  BASE,
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

// Pages are rendered on the server with the loader's and action's real answers, as Remix would.
const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
}));
vi.mock("@remix-run/react", async (importOriginal) => {
  const { createElement: h } = await import("react");
  return {
    ...(await importOriginal<object>()),
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
    useNavigate: () => () => undefined,
  };
});
async function render(page: () => unknown, loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(page as () => null));
}

const clock: TestClock = { now: new Date("2026-12-01T10:00:00Z") };
let handle: DbHandle;
type U = Awaited<ReturnType<typeof makeUser>>;
const u: Record<string, U> = {};
const cookies: Record<string, string> = {};
let candidateId = "";
let keyCounter = 0;
const key = () => `00000000-0000-4000-8000-${String(++keyCounter).padStart(12, "0")}`;

// Marked texts: wherever a person writes something, none of it may reach a mail or a calendar.
const CANDIDATE = "Zed Quillfeather";
const TITLE = "TITLE-MARK talk about Zed";
const SECRET = "SECRET-MARK";

const ctx = () => makeContext(handle.db, clock);
const jobEnv = {
  NODE_ENV: "test",
  APP_URL: "https://nw.example.test",
  HOST: "127.0.0.1",
  PORT: 3000,
  SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
  MAIL_FROM: "Noseworthy <noseworthy@example.test>",
  SMTP_URL: undefined,
  DATABASE_URL: process.env.DATABASE_URL,
} as unknown as Env;
const jobCtx = (): JobContext => ({
  db: handle.db,
  env: jobEnv,
  now: () => clock.now,
  workerId: "calendar-test",
});
const runJobs = () =>
  runDueJobs(jobCtx(), {
    [CALENDAR_INVITATIONS_JOB]: calendarInvitationsJob,
    [MAIL_SEND_JOB]: (c, payload) => mailSendJob(c, payload),
  });

/** node-ical's date, as an instant. */
const iso = (d: unknown) => new Date(d as string).toISOString();

function eventOf(ics: string) {
  const parsed = ical.sync.parseICS(ics);
  const events = Object.values(parsed).filter((c): c is VEvent => c?.type === "VEVENT");
  expect(events).toHaveLength(1);
  const method = (parsed.vcalendar as unknown as { method?: string } | undefined)?.method;
  return { event: events[0], method };
}

async function messagesOf(meetingId: string) {
  return handle.db
    .selectFrom("mail_messages")
    .select(["key", "user_id", "subject", "text_body", "html_body", "ics", "kind"])
    .where("key", "like", `invitation:calibration:${meetingId}:%`)
    .orderBy("created_at")
    .orderBy("key")
    .execute();
}

function expectNothingWritten(...texts: (string | null)[]) {
  for (const text of texts) {
    expect(text).not.toContain("Zed");
    expect(text).not.toContain("Quillfeather");
    expect(text).not.toContain("TITLE-MARK");
    expect(text).not.toContain(SECRET);
  }
}

async function plan(organiser: U, scheduledFor: string, attendees: U[]) {
  const response = await call(
    newAction,
    post(
      "/calibrations/new",
      {
        title: TITLE,
        scheduledFor,
        timeboxMinutes: "",
        facilitatorId: organiser.id,
        attendeeIds: attendees.map((a) => a.id),
        candidateIds: [candidateId],
        idempotencyKey: key(),
      },
      cookies[organiser.name],
    ),
    ctx(),
  );
  expect(response.status).toBe(302);
  return response.headers.get("Location")!.split("/").pop()!;
}

const setZone = (user: U, zone: string) =>
  handle.db.updateTable("users").set({ time_zone: zone }).where("id", "=", user.id).execute();

beforeAll(async () => {
  handle = await createTestDb();
  for (const [name, roles] of [
    ["Fran Facilitator", ["leader"]],
    ["Lea Leader", ["leader"]],
    ["Mia Manager", ["manager"]],
    ["Milo Mentor", ["mentor"]],
    ["Otto Outsider", ["manager"]],
    ["Ada Admin", ["admin"]],
  ] as const) {
    u[name] = await makeUser(handle.db, [...roles], name);
    cookies[name] = await sessionCookie(ctx(), u[name].id);
  }
  const candidate = await handle.db
    .insertInto("candidates")
    .values({
      name: CANDIDATE,
      team: "Payments",
      track: "people_leadership",
      manager_id: u["Mia Manager"].id,
      nominated_by: u["Mia Manager"].id,
      nominated_reason: `${SECRET} nomination`,
      stage: "coaching",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  candidateId = candidate.id;
});
afterAll(async () => {
  await handle?.close();
});

let berlin = "";

describe("invitations", () => {
  it("a meeting planned at 09:00 by an organiser in Europe/Berlin starts at 08:00 UTC; each attendee and the facilitator get one REQUEST, with no title, candidate or text", async () => {
    await setZone(u["Fran Facilitator"], "Europe/Berlin");
    berlin = await plan(u["Fran Facilitator"], "2026-12-10T09:00", [
      u["Mia Manager"],
      u["Milo Mentor"],
    ]);
    // The invitations go out through a job enqueued with the meeting: nothing is sent before it runs.
    expect(await messagesOf(berlin)).toEqual([]);
    await runJobs();
    const messages = await messagesOf(berlin);
    expect(messages.map((m) => m.user_id).sort()).toEqual(
      [u["Fran Facilitator"].id, u["Mia Manager"].id, u["Milo Mentor"].id].sort(),
    );
    for (const m of messages) {
      const { event, method } = eventOf(m.ics!);
      expect(method).toBe("REQUEST");
      expect(iso(event.start)).toBe("2026-12-10T08:00:00.000Z");
      expect(iso(event.end)).toBe("2026-12-10T09:00:00.000Z");
      expect(event.uid).toBe(`calibration-${berlin}@noseworthy.calendar`);
      expect(Number(event.sequence)).toBe(1);
      expect(event.summary).toBe("Calibration meeting");
      expect(event.url).toBe(`https://nw.example.test/calibrations/${berlin}`);
      expect(m.text_body).toContain(`https://nw.example.test/calibrations/${berlin}`);
      expect(m.subject).toMatch(/^Invitation: calibration meeting on /);
      expectNothingWritten(m.subject, m.text_body, m.html_body, m.ics);
    }
  });

  it("the same meeting planned by an organiser in America/New_York starts at 14:00 UTC; who turned invitations off gets none", async () => {
    await setZone(u["Lea Leader"], "America/New_York");
    await setListOff(handle.db, u["Milo Mentor"].id, "invitations");
    const york = await plan(u["Lea Leader"], "2026-12-10T09:00", [
      u["Mia Manager"],
      u["Milo Mentor"],
    ]);
    await runJobs();
    const messages = await messagesOf(york);
    expect(messages.map((m) => m.user_id).sort()).toEqual(
      [u["Lea Leader"].id, u["Mia Manager"].id].sort(),
    );
    for (const m of messages)
      expect(iso(eventOf(m.ics!).event.start)).toBe("2026-12-10T14:00:00.000Z");
    // The mail says the time in the reader's own zone: Mia's is UTC.
    const mia = messages.find((m) => m.user_id === u["Mia Manager"].id)!;
    expect(mia.text_body).toContain("14:00 (UTC)");
  });

  it("each attendee gets one invitation per version: running the invitations again sends nothing", async () => {
    const before = (await messagesOf(berlin)).length;
    expect(await inviteToMeeting(jobCtx(), berlin)).toBe(0);
    expect(await inviteToMeeting(jobCtx(), berlin)).toBe(0);
    expect(await messagesOf(berlin)).toHaveLength(before);
    const jobs = await handle.db
      .selectFrom("jobs")
      .select(["key", "status"])
      .where("kind", "=", CALENDAR_INVITATIONS_JOB)
      .execute();
    expect(jobs.every((j) => j.status === "done")).toBe(true);
  });
});

describe("/calibrations/:id/edit", () => {
  it("is for the facilitator or a leader: an attendee gets an audited 403, someone outside the meeting and an admin 404, nobody signed in goes to the login", async () => {
    const path = `/calibrations/${berlin}/edit`;
    const params = { meetingId: berlin };
    expect(
      (await call(editLoader, get(path, cookies["Fran Facilitator"]), ctx(), params)).status,
    ).toBe(200);
    expect((await call(editLoader, get(path, cookies["Lea Leader"]), ctx(), params)).status).toBe(
      200,
    );
    expect((await call(editLoader, get(path, cookies["Mia Manager"]), ctx(), params)).status).toBe(
      403,
    );
    expect(
      (await call(editLoader, get(path, cookies["Otto Outsider"]), ctx(), params)).status,
    ).toBe(404);
    expect((await call(editLoader, get(path, cookies["Ada Admin"]), ctx(), params)).status).toBe(
      404,
    );
    expect((await call(editLoader, get(path), ctx(), params)).status).toBe(302);
    const move = { intent: "move", scheduledFor: "2026-12-11T10:00", version: "1" };
    expect(
      (await call(editAction, post(path, move, cookies["Mia Manager"]), ctx(), params)).status,
    ).toBe(403);
    expect(
      (await call(editAction, post(path, move, cookies["Otto Outsider"]), ctx(), params)).status,
    ).toBe(404);
    expect(
      (
        await call(editLoader, get("/calibrations/nope/edit", cookies["Lea Leader"]), ctx(), {
          meetingId: "nope",
        })
      ).status,
    ).toBe(404);
    const denied = await handle.db
      .selectFrom("audit_events")
      .select(["action", "actor_id"])
      .where("outcome", "=", "denied")
      .where("entity_id", "=", berlin)
      .execute();
    expect(denied).toContainEqual({ action: "calibration.edit", actor_id: u["Mia Manager"].id });
    // Nothing moved.
    const row = await handle.db
      .selectFrom("calibration_meetings")
      .select(["version"])
      .where("id", "=", berlin)
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(1);
  });

  it("shows the time in the editor's zone, and the meeting page links to it for them only", async () => {
    const page = await body(
      await call(
        editLoader,
        get(`/calibrations/${berlin}/edit`, cookies["Fran Facilitator"]),
        ctx(),
        { meetingId: berlin },
      ),
    );
    expect(page.meeting.scheduledLocal).toBe("2026-12-10T09:00");
    expect(page.timeZone).toBe("Europe/Berlin");
    const forFran = await body(
      await call(
        meetingLoader,
        get(`/calibrations/${berlin}`, cookies["Fran Facilitator"]),
        ctx(),
        { meetingId: berlin },
      ),
    );
    expect(forFran.mayReschedule).toBe(true);
    const forMia = await body(
      await call(meetingLoader, get(`/calibrations/${berlin}`, cookies["Mia Manager"]), ctx(), {
        meetingId: berlin,
      }),
    );
    expect(forMia.mayReschedule).toBe(false);
  });

  it("refuses a date that does not exist with 400, the field's message and the values kept", async () => {
    const response = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "move", scheduledFor: "2026-02-30T09:00", timeboxMinutes: "15", version: "1" },
        cookies["Fran Facilitator"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(response.status).toBe(400);
    const answer = await body(response);
    expect(answer.fieldErrors.scheduledFor[0]).toMatch(/real date and time/);
    expect(answer.values).toMatchObject({ scheduledFor: "2026-02-30T09:00", timeboxMinutes: "15" });
    const html = await render(
      EditMeeting,
      await call(
        editLoader,
        get(`/calibrations/${berlin}/edit`, cookies["Fran Facilitator"]),
        ctx(),
        { meetingId: berlin },
      ),
      response,
    );
    expect(html).toContain('value="2026-02-30T09:00"');
    expect(html).toContain('value="15"');
    expect(html).toContain("Enter the new date and time as a real date and time.");
    expect(html).toContain("New date and time (Europe/Berlin)");
    const past = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "move", scheduledFor: "2026-11-30T09:00", version: "1" },
        cookies["Fran Facilitator"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(past.status).toBe(400);
    expect((await body(past)).fieldErrors.scheduledFor).toEqual([
      "Choose a date and time in the future.",
    ]);
  });

  it('moves the meeting ("Meeting moved."), audited; the update keeps the UID, raises SEQUENCE and has the new time', async () => {
    const response = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "move", scheduledFor: "2026-12-11T10:00", timeboxMinutes: "20", version: "1" },
        cookies["Fran Facilitator"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/calibrations/${berlin}`);
    expect(response.headers.get("Set-Cookie")).toContain(encodeURIComponent("Meeting moved."));
    const row = await handle.db
      .selectFrom("calibration_meetings")
      .select(["version", "scheduled_for", "timebox_minutes", "status"])
      .where("id", "=", berlin)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ version: 2, timebox_minutes: 20, status: "planned" });
    expect(new Date(row.scheduled_for).toISOString()).toBe("2026-12-11T09:00:00.000Z");
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "outcome"])
      .where("action", "=", "calibration.move")
      .where("entity_id", "=", berlin)
      .execute();
    expect(audited).toEqual([{ actor_id: u["Fran Facilitator"].id, outcome: "ok" }]);

    await runJobs();
    await runJobs();
    const updates = (await messagesOf(berlin)).filter((m) => m.key.includes(`:${berlin}:2:`));
    // Milo turned invitations off meanwhile (above): the update goes to the other two.
    expect(updates.map((m) => m.user_id).sort()).toEqual(
      [u["Fran Facilitator"].id, u["Mia Manager"].id].sort(),
    );
    for (const m of updates) {
      const { event, method } = eventOf(m.ics!);
      expect(method).toBe("REQUEST");
      expect(event.uid).toBe(`calibration-${berlin}@noseworthy.calendar`);
      expect(Number(event.sequence)).toBe(2);
      expect(iso(event.start)).toBe("2026-12-11T09:00:00.000Z");
      expect(iso(event.end)).toBe("2026-12-11T09:20:00.000Z");
      expect(m.subject).toMatch(/^Moved: /);
      expectNothingWritten(m.subject, m.text_body, m.html_body, m.ics);
    }
  });

  it("answers a change made at an old version with 409, changing nothing", async () => {
    const response = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "move", scheduledFor: "2026-12-12T10:00", version: "1" },
        cookies["Lea Leader"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(response.status).toBe(409);
    const answer = await body(response);
    expect(answer.formError).toMatch(/changed this meeting/);
    expect(answer.values.scheduledFor).toBe("2026-12-12T10:00");
    const cancel = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "cancel", version: "1" },
        cookies["Lea Leader"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(cancel.status).toBe(409);
    const row = await handle.db
      .selectFrom("calibration_meetings")
      .select(["version", "status"])
      .where("id", "=", berlin)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ version: 2, status: "planned" });
  });

  it('cancels it ("Meeting cancelled."), audited; the cancellation has METHOD:CANCEL, STATUS:CANCELLED, the same UID and a higher SEQUENCE', async () => {
    const response = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "cancel", version: "2" },
        cookies["Lea Leader"],
      ),
      ctx(),
      { meetingId: berlin },
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Set-Cookie")).toContain(encodeURIComponent("Meeting cancelled."));
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id"])
      .where("action", "=", "calibration.cancel")
      .where("entity_id", "=", berlin)
      .execute();
    expect(audited).toEqual([{ actor_id: u["Lea Leader"].id }]);
    await runJobs();
    const cancellations = (await messagesOf(berlin)).filter((m) => m.key.includes(`:${berlin}:3:`));
    expect(cancellations.map((m) => m.user_id).sort()).toEqual(
      [u["Fran Facilitator"].id, u["Mia Manager"].id].sort(),
    );
    for (const m of cancellations) {
      const { event, method } = eventOf(m.ics!);
      expect(method).toBe("CANCEL");
      expect(event.status).toBe("CANCELLED");
      expect(event.uid).toBe(`calibration-${berlin}@noseworthy.calendar`);
      expect(Number(event.sequence)).toBe(3);
      expect(m.subject).toMatch(/^Cancelled: /);
      expectNothingWritten(m.subject, m.text_body, m.html_body, m.ics);
    }
  });

  it("a cancelled meeting says so, cannot be moved, started or closed, and is not listed as upcoming", async () => {
    const params = { meetingId: berlin };
    const page = await body(
      await call(
        editLoader,
        get(`/calibrations/${berlin}/edit`, cookies["Fran Facilitator"]),
        ctx(),
        params,
      ),
    );
    expect(page.notPlanned).toBe("This meeting was cancelled.");
    const move = await call(
      editAction,
      post(
        `/calibrations/${berlin}/edit`,
        { intent: "move", scheduledFor: "2026-12-12T10:00", version: "3" },
        cookies["Fran Facilitator"],
      ),
      ctx(),
      params,
    );
    expect(move.status).toBe(409);
    const meeting = await body(
      await call(
        meetingLoader,
        get(`/calibrations/${berlin}`, cookies["Fran Facilitator"]),
        ctx(),
        params,
      ),
    );
    expect(meeting.meeting.status).toBe("cancelled");
    expect(meeting.mayReschedule).toBe(false);
    for (const intent of ["start", "close"]) {
      const response = await call(
        meetingAction,
        post(`/calibrations/${berlin}`, { intent, anyway: "yes" }, cookies["Fran Facilitator"]),
        ctx(),
        params,
      );
      expect(response.status).toBe(409);
      expect((await body(response)).formError).toMatch(/cancelled/);
    }
    const row = await handle.db
      .selectFrom("calibration_meetings")
      .select(["status"])
      .where("id", "=", berlin)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("cancelled");
    const list = await body(
      await call(listLoader, get("/calibrations", cookies["Fran Facilitator"]), ctx()),
    );
    expect(list.upcoming.map((m: { id: string }) => m.id)).not.toContain(berlin);
    expect(list.past.map((m: { id: string }) => m.id)).toContain(berlin);
    const week = await getMyWeek(handle.db, {
      viewer: { id: u["Fran Facilitator"].id, roles: ["leader"] },
      today: "2026-12-01",
    });
    expect(week.meeting?.id).not.toBe(berlin);
    expect(week.prereads.map((m) => m.id)).not.toContain(berlin);
    // Nothing more is sent for it.
    expect(await inviteToMeeting(jobCtx(), berlin)).toBe(0);
  });
});

describe("the calendar feed", () => {
  let token = "";
  let feedId = "";
  const feedGet = (t: string) =>
    call(feedLoader, new Request(`${BASE}/calendar/${t}.ics`), ctx(), { token: t });

  beforeAll(async () => {
    // Milo mentors Zed's plan: its next check-in and an open action are his to see in his calendar.
    const plan = await handle.db
      .insertInto("coaching_plans")
      .values({
        candidate_id: candidateId,
        mentor_id: u["Milo Mentor"].id,
        created_by: u["Mia Manager"].id,
        goal: `${SECRET} goal`,
        started_on: "2026-11-01",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto("coaching_checkins")
      .values({
        plan_id: plan.id,
        author_id: u["Milo Mentor"].id,
        held_on: "2026-11-20",
        notes: `${SECRET} check-in notes`,
        next_on: "2026-12-04",
      })
      .execute();
    await handle.db
      .insertInto("coaching_actions")
      .values({
        plan_id: plan.id,
        title: `${SECRET} action`,
        position: 1,
        due_on: "2026-12-08",
        created_by: u["Milo Mentor"].id,
      })
      .execute();
    // And he offered Zed a sniff test, due on 9 December.
    const dimension = await handle.db
      .insertInto("dimensions")
      .values({ key: "feed_test", name: "Feed test", position: 99 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const test = await handle.db
      .insertInto("sniff_tests")
      .values({
        title: `${SECRET} test title`,
        dimension_id: dimension.id,
        assignment: `${SECRET} assignment`,
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 14,
        created_by: u["Milo Mentor"].id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const revision = await handle.db
      .insertInto("sniff_test_revisions")
      .values({
        sniff_test_id: test.id,
        version: 1,
        title: `${SECRET} test title`,
        dimension_id: dimension.id,
        assignment: `${SECRET} assignment`,
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 14,
        edited_by: u["Milo Mentor"].id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto("sniff_test_assignments")
      .values({
        sniff_test_id: test.id,
        sniff_test_revision_id: revision.id,
        candidate_id: candidateId,
        assigned_by: u["Milo Mentor"].id,
        offered_on: "2026-11-25",
        due_on: "2026-12-09",
      })
      .execute();
  });

  it("is made on /settings/calendar, shown once in a no-store answer, audited; nobody signed in goes to the login", async () => {
    expect((await call(settingsLoader, get("/settings/calendar"), ctx())).status).toBe(302);
    expect(
      (await call(settingsAction, post("/settings/calendar", { intent: "create" }), ctx())).status,
    ).toBe(302);
    const response = await call(
      settingsAction,
      post("/settings/calendar", { intent: "create" }, cookies["Milo Mentor"]),
      ctx(),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const url: string = (await body(response)).created.url;
    expect(url).toMatch(new RegExp(`^${BASE}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    token = url
      .split("/")
      .pop()!
      .replace(/\.ics$/, "");
    const shown = await render(
      CalendarSettings,
      await call(settingsLoader, get("/settings/calendar", cookies["Milo Mentor"]), ctx()),
      response,
    );
    expect(shown).toContain(url);
    const later = await render(
      CalendarSettings,
      await call(settingsLoader, get("/settings/calendar", cookies["Milo Mentor"]), ctx()),
    );
    expect(later).not.toContain(token);
    expect(later).toContain("Revoke the link");
    const stored = await handle.db
      .selectFrom("calendar_feeds")
      .select(["id", "token_hash", "user_id"])
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toContain(token);
    expect(stored[0].user_id).toBe(u["Milo Mentor"].id);
    feedId = stored[0].id;
    const page = await body(
      await call(settingsLoader, get("/settings/calendar", cookies["Milo Mentor"]), ctx()),
    );
    expect(JSON.stringify(page)).not.toContain(token);
    expect(page.live.id).toBe(feedId);
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id"])
      .where("action", "=", "calendar_feed.create")
      .execute();
    expect(audited).toEqual([{ actor_id: u["Milo Mentor"].id }]);
  });

  it("answers with the token alone: the meetings, the check-in and the action as neutral entries with links, no names or texts; it stamps the last use", async () => {
    const response = await feedGet(token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/calendar; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const text = await response.text();
    expectNothingWritten(text);
    const events = Object.values(ical.sync.parseICS(text)).filter(
      (c): c is VEvent => c?.type === "VEVENT",
    );
    const summaries = events.map((e) => e.summary).sort();
    // The cancelled Berlin meeting is gone; Lea's New York meeting (Milo attends) stays.
    expect(summaries).toEqual([
      "Calibration meeting",
      "Coaching action due",
      "Coaching check-in",
      "Sniff test due",
    ]);
    expect(text).toContain("DTSTART;VALUE=DATE:20261209");
    const meeting = events.find((e) => e.summary === "Calibration meeting")!;
    expect(iso(meeting.start)).toBe("2026-12-10T14:00:00.000Z");
    const checkin = events.find((e) => e.summary === "Coaching check-in")!;
    expect(checkin.datetype).toBe("date");
    expect(text).toContain("DTSTART;VALUE=DATE:20261204");
    expect(text).toContain("/coaching/");
    const stamped = await handle.db
      .selectFrom("calendar_feeds")
      .select("last_used_at")
      .where("id", "=", feedId)
      .executeTakeFirstOrThrow();
    expect(new Date(stamped.last_used_at!).toISOString()).toBe(clock.now.toISOString());
  });

  it("answers 404 to a wrong token, the same as to a revoked one; revoking is audited, idempotent, and only one's own", async () => {
    const wrong = await feedGet("A".repeat(43));
    expect(wrong.status).toBe(404);
    const wrongText = await wrong.text();
    const others = await call(
      settingsAction,
      post("/settings/calendar", { intent: "revoke", feedId }, cookies["Mia Manager"]),
      ctx(),
    );
    expect(others.status).toBe(404);
    expect((await feedGet(token)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const revoked = await call(
        settingsAction,
        post("/settings/calendar", { intent: "revoke", feedId }, cookies["Milo Mentor"]),
        ctx(),
      );
      expect(revoked.status).toBe(302);
      expect(revoked.headers.get("Set-Cookie")).toContain("nw_flash=");
    }
    const gone = await feedGet(token);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toBe(wrongText);
    expect(gone.headers.get("Content-Type")).toBe(wrong.headers.get("Content-Type"));
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "entity_id"])
      .where("action", "=", "calendar_feed.revoke")
      .execute();
    expect(audited).toEqual([{ actor_id: u["Milo Mentor"].id, entity_id: feedId }]);
  });

  it("a new link replaces the old one: the old token stops working", async () => {
    const first = await body(
      await call(
        settingsAction,
        post("/settings/calendar", { intent: "create" }, cookies["Mia Manager"]),
        ctx(),
      ),
    );
    const second = await body(
      await call(
        settingsAction,
        post("/settings/calendar", { intent: "create" }, cookies["Mia Manager"]),
        ctx(),
      ),
    );
    const tokenOf = (u: string) =>
      u
        .split("/")
        .pop()!
        .replace(/\.ics$/, "");
    expect((await feedGet(tokenOf(first.created.url))).status).toBe(404);
    expect((await feedGet(tokenOf(second.created.url))).status).toBe(200);
  });
});
