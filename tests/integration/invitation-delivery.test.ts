/**
 * Invitations end to end: a calibration meeting planned and moved, and a coaching check-in that plans
 * the next one, go through the job queue (the handlers the server runs) and a real SMTP server on
 * loopback; what arrives is parsed with mailparser and its .ics with node-ical. Attendees in two time
 * zones read the same instant, each mail says it in the reader's own time, the update keeps the UID
 * with a higher SEQUENCE, and no mail or event carries the meeting's title or a check-in's notes.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import ical from "node-ical";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { queueCheckinInvitation } from "../../app/calendar/checkin-invitations.server";
import { queueMeetingInvitations } from "../../app/calendar/invitations.server";
import { parseEnv } from "../../app/env.server";
import { jobHandlers } from "../../app/jobs/handlers.server";
import { runDueJobs } from "../../app/jobs/queue.server";
import { makeUser, TEST_SECRET } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle & { url?: string };
let smtp: SMTPServer;
const arrived: ParsedMail[] = [];

beforeAll(async () => {
  handle = await createTestDb();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        void simpleParser(Buffer.concat(chunks)).then((parsed) => {
          arrived.push(parsed);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await handle?.close();
});

function jobContext() {
  const env = parseEnv({
    NODE_ENV: "test",
    SESSION_SECRET: TEST_SECRET,
    DATABASE_URL: handle.url ?? "",
    APP_URL: "https://noseworthy.example.test",
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
    MAIL_FROM: "Noseworthy <noseworthy@example.test>",
  });
  return { db: handle.db, env, now: () => new Date(), workerId: "test" };
}

/** Runs every due job with the server's own handlers until none is left. */
async function drain() {
  while ((await runDueJobs(jobContext(), jobHandlers)) > 0);
  const failed = await handle.db
    .selectFrom("jobs")
    .select(["kind", "last_error"])
    .where("status", "!=", "done")
    .execute();
  expect(failed).toEqual([]);
}

async function person(name: string, roles: Parameters<typeof makeUser>[1], timeZone: string) {
  const user = await makeUser(handle.db, roles, name);
  await handle.db
    .updateTable("users")
    .set({ time_zone: timeZone })
    .where("id", "=", user.id)
    .execute();
  const { email } = await handle.db
    .selectFrom("users")
    .select("email")
    .where("id", "=", user.id)
    .executeTakeFirstOrThrow();
  return { ...user, email };
}

const to = (mail: ParsedMail) =>
  (Array.isArray(mail.to) ? mail.to : [mail.to])
    .flatMap((a) => a?.value ?? [])
    .map((v) => v.address);

function eventOf(mail: ParsedMail) {
  const attachment = mail.attachments.find((a) => a.contentType.startsWith("text/calendar"));
  expect(attachment, mail.subject).toBeTruthy();
  const text = attachment!.content.toString("utf8");
  const event = Object.values(ical.sync.parseICS(text)).find((c) => c?.type === "VEVENT");
  return { text, event: event as ical.VEvent };
}

describe("invitations through the job queue and SMTP", () => {
  it("a planned meeting reaches attendees in Berlin and Los Angeles at the same instant, each told in their own time; a move keeps the UID and raises SEQUENCE", async () => {
    const lena = await person("Lena Facilitator", ["leader"], "Europe/Berlin");
    const larry = await person("Larry Attendee", ["leader"], "America/Los_Angeles");
    const title = "SECRET-MEETING-TITLE Ada's promotion";
    const meeting = await handle.db
      .insertInto("calibration_meetings")
      .values({
        title,
        scheduled_for: new Date("2026-12-10T08:00:00Z"),
        facilitator_id: lena.id,
        created_by: lena.id,
        timebox_minutes: 90,
      })
      .returning(["id", "version"])
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto("calibration_attendees")
      .values([lena, larry].map((u) => ({ meeting_id: meeting.id, user_id: u.id })))
      .execute();
    await queueMeetingInvitations(handle.db, {
      meetingId: meeting.id,
      version: meeting.version,
      method: "REQUEST",
      runAt: new Date(),
    });
    await drain();

    const invited = arrived.filter((m) => m.subject?.startsWith("Invitation"));
    expect(invited.map(to).flat().sort()).toEqual([lena.email, larry.email].sort());
    const berlin = invited.find((m) => to(m).includes(lena.email))!;
    const la = invited.find((m) => to(m).includes(larry.email))!;
    for (const mail of [berlin, la]) {
      const { text, event } = eventOf(mail);
      expect(text).toContain("METHOD:REQUEST");
      expect(event.start.toISOString()).toBe("2026-12-10T08:00:00.000Z");
      expect(event.end?.toISOString()).toBe("2026-12-10T09:30:00.000Z");
      for (const part of [mail.subject, mail.text, mail.html, text])
        expect(String(part)).not.toContain("SECRET-MEETING-TITLE");
    }
    // 08:00 UTC is 09:00 in Berlin and midnight in Los Angeles.
    expect(berlin.text).toMatch(/09:00/);
    expect(la.text).toMatch(/00:00|12:00\s*am/i);
    const first = eventOf(berlin).event;

    const moved = await handle.db
      .updateTable("calibration_meetings")
      .set((eb) => ({
        scheduled_for: new Date("2026-12-11T13:00:00Z"),
        version: eb("version", "+", 1),
      }))
      .where("id", "=", meeting.id)
      .returning("version")
      .executeTakeFirstOrThrow();
    await queueMeetingInvitations(handle.db, {
      meetingId: meeting.id,
      version: moved.version,
      method: "REQUEST",
      runAt: new Date(),
    });
    await drain();
    const updates = arrived.filter((m) => m.subject?.startsWith("Moved"));
    expect(updates.map(to).flat().sort()).toEqual([lena.email, larry.email].sort());
    const update = eventOf(updates[0]).event;
    expect(update.uid).toBe(first.uid);
    expect(Number(update.sequence)).toBeGreaterThan(Number(first.sequence));
    expect(update.start.toISOString()).toBe("2026-12-11T13:00:00.000Z");

    // Running the jobs again sends nothing new.
    const count = arrived.length;
    await queueMeetingInvitations(handle.db, {
      meetingId: meeting.id,
      version: moved.version,
      method: "REQUEST",
      runAt: new Date(),
    });
    await drain();
    expect(arrived.length).toBe(count);
  });

  it("a check-in that plans the next one sends the mentor an all-day invitation for that day, without the notes; a later check-in moves the same event", async () => {
    const mona = await person("Mona Manager", ["manager"], "Europe/Berlin");
    const theo = await person("Theo Mentor", ["mentor"], "America/Los_Angeles");
    const { id: candidateId } = await handle.db
      .insertInto("candidates")
      .values({
        name: "Ada Lovelace",
        track: "people_leadership",
        manager_id: mona.id,
        nominated_by: mona.id,
        nominated_reason: "SECRET-REASON",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { id: planId } = await handle.db
      .insertInto("coaching_plans")
      .values({
        candidate_id: candidateId,
        mentor_id: theo.id,
        goal: "SECRET-GOAL",
        created_by: mona.id,
        started_on: "2026-12-01",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const checkin = async (heldOn: string, nextOn: string) => {
      const { id } = await handle.db
        .insertInto("coaching_checkins")
        .values({
          plan_id: planId,
          author_id: theo.id,
          held_on: heldOn,
          next_on: nextOn,
          notes: "SECRET-CHECKIN-NOTES",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await queueCheckinInvitation(handle.db, { checkinId: id, runAt: new Date() });
      await drain();
      return arrived.filter((m) => m.subject?.startsWith("Coaching check-in")).at(-1)!;
    };
    const first = await checkin("2026-12-01", "2026-12-15");
    expect(to(first)).toEqual([theo.email]);
    expect(first.subject).toContain("Ada Lovelace");
    const a = eventOf(first);
    expect(a.text).toContain("METHOD:REQUEST");
    expect(a.text).toContain("DTSTART;VALUE=DATE:20261215");
    for (const part of [first.subject, first.text, first.html, a.text])
      for (const secret of ["SECRET-CHECKIN-NOTES", "SECRET-GOAL", "SECRET-REASON"])
        expect(String(part)).not.toContain(secret);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await checkin("2026-12-15", "2027-01-05");
    const b = eventOf(second);
    expect(b.text).toContain("DTSTART;VALUE=DATE:20270105");
    expect(b.event.uid).toBe(a.event.uid);
    expect(Number(b.event.sequence)).toBeGreaterThan(Number(a.event.sequence));
  });
});
