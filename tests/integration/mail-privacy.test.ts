/**
 * Privacy of mail (issue 20, "what is sent"): a message names the person and what is due, with a link —
 * never what anyone wrote. Every text field of the records the messages are about holds a marked text
 * ("SECRET-OBSERVATION-…", "SECRET-FLAG-…", …); every kind of message is made (each reminder, the
 * digest, the calendar invitation and its cancellation); no stored message may hold a mark anywhere
 * (subject, text, HTML, iCalendar, headers, address). A control shows the check bites: a message made
 * by a deliberately leaking template is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import { cancelMeetingInvitations, inviteToMeeting } from "../../app/calendar/invitations.server";
import { queueMail } from "../../app/mail/mail.server";
import { scanDigests } from "../../app/notify/digest.server";
import { scanReminders } from "../../app/notify/reminders.server";
import { createTestDb } from "../helpers/db";
import { at, MAIL_ENV, seedNotifyWorld, type NotifyWorld } from "../helpers/notify-world";

const MARK = /SECRET-[A-Z]+-/;
const secret = (kind: string, field: string) => `SECRET-${kind}-${field}`;

let handle: DbHandle;
let db: DB;
let world: NotifyWorld;
const ctxAt = (iso: string) => ({ db, env: MAIL_ENV, now: () => at(iso) });

/** Every stored message with a mark anywhere in it, and where. */
async function findLeaks(database: DB) {
  const rows = await database.selectFrom("mail_messages").selectAll().execute();
  const leaks: { key: string; field: string; mark: string }[] = [];
  for (const row of rows) {
    const fields: Record<string, string> = {
      subject: row.subject,
      text_body: row.text_body,
      html_body: row.html_body,
      ics: row.ics ?? "",
      headers: JSON.stringify(row.headers),
      to_address: row.to_address,
    };
    for (const [field, value] of Object.entries(fields)) {
      const found = value.match(new RegExp(`${MARK.source}[\\w-]*`));
      if (found) leaks.push({ key: row.key, field, mark: found[0] });
    }
  }
  return { rows: rows.length, kinds: new Set(rows.map((r) => r.kind)), leaks };
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  world = await seedNotifyWorld(db, secret);
  // Every kind of message: the reminders and digests of Monday in Berlin and Los Angeles, a late
  // sniff test, the meeting's invitation and its cancellation.
  for (const iso of ["2026-12-07T07:00:00Z", "2026-12-07T16:00:00Z", "2026-12-10T09:00:00Z"]) {
    await scanReminders(ctxAt(iso));
    await scanDigests(ctxAt(iso));
  }
  await inviteToMeeting(ctxAt("2026-12-07T10:00:00Z"), world.ids.meeting);
  await db
    .updateTable("calibration_meetings")
    .set({
      status: "cancelled",
      cancelled_at: at("2026-12-08T10:00:00Z"),
      version: 2,
    })
    .where("id", "=", world.ids.meeting)
    .execute();
  await cancelMeetingInvitations(ctxAt("2026-12-08T10:00:00Z"), world.ids.meeting);
});
afterAll(async () => {
  await handle?.close();
});

describe("mail privacy", () => {
  it("the fixture holds marked texts in every text field the messages are about", async () => {
    const texts = [
      (await db.selectFrom("observations").select("situation").executeTakeFirstOrThrow()).situation,
      (await db.selectFrom("flags").select("behavior").executeTakeFirstOrThrow()).behavior,
      (await db.selectFrom("calibration_prereads").select("view").executeTakeFirstOrThrow()).view,
      (await db.selectFrom("coaching_checkins").select("notes").executeTakeFirstOrThrow()).notes,
      (await db.selectFrom("calibration_decisions").select("rationale").executeTakeFirstOrThrow())
        .rationale,
      (await db.selectFrom("coaching_plans").select("goal").executeTakeFirstOrThrow()).goal,
      (await db.selectFrom("candidates").select("nominated_reason").executeTakeFirstOrThrow())
        .nominated_reason,
      (await db.selectFrom("coaching_actions").select("title").executeTakeFirstOrThrow()).title,
      (await db.selectFrom("sniff_test_assignment_events").select("note").executeTakeFirstOrThrow())
        .note,
    ];
    for (const kind of [
      "OBSERVATION",
      "FLAG",
      "PREREAD",
      "CHECKIN",
      "DECISION",
      "GOAL",
      "REASON",
      "ACTION",
      "NOTE",
    ])
      expect(texts.some((t) => t.startsWith(`SECRET-${kind}-`))).toBe(true);
  });

  it("every kind of message was made, and none holds a marked text anywhere", async () => {
    const { rows, kinds, leaks } = await findLeaks(db);
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        "digest.weekly",
        "reminder.action",
        "reminder.assignment",
        "reminder.checkin",
        "reminder.flag",
        "reminder.preread",
      ]),
    );
    // The calendar's invitation and its cancellation (their kinds are the calendar module's).
    expect([...kinds].filter((k) => k.startsWith("invitation")).length).toBeGreaterThanOrEqual(2);
    // Five reminders (Mona two, Theo three), three digests (Mona, Lena, Theo).
    expect(rows).toBeGreaterThanOrEqual(8 + 2);
    expect(leaks).toEqual([]);
  });

  it("the names and links are there: the check reads the real messages", async () => {
    const rows = await db.selectFrom("mail_messages").select(["kind", "text_body"]).execute();
    const digest = rows.filter((r) => r.kind === "digest.weekly").map((r) => r.text_body);
    expect(digest.join("\n")).toContain("Ada Lovelace");
    expect(digest.join("\n")).toContain("https://noseworthy.example.test/");
  });

  it("control: a message made by a leaking template is caught", async () => {
    const flag = await db
      .selectFrom("flags")
      .select("situation")
      .where("id", "=", world.ids.f1)
      .executeTakeFirstOrThrow();
    const plan = await db
      .selectFrom("coaching_plans")
      .select("goal")
      .where("id", "=", world.ids.p1)
      .executeTakeFirstOrThrow();
    await queueMail(ctxAt("2026-12-07T07:00:00Z"), {
      key: "control:leaking-template",
      kind: "reminder.control",
      userId: world.users.mona.id,
      subject: "A flag on Ada Lovelace",
      body: {
        paragraphs: [`You wrote: ${flag.situation}`],
        items: [{ text: `Goal: ${plan.goal}`, url: "https://noseworthy.example.test/" }],
      },
      list: "reminders",
    });
    const { leaks } = await findLeaks(db);
    expect(leaks.map((l) => l.key)).toContain("control:leaking-template");
    expect(leaks.map((l) => l.field)).toEqual(expect.arrayContaining(["text_body", "html_body"]));
    expect(new Set(leaks.map((l) => l.key))).toEqual(new Set(["control:leaking-template"]));
    await db.deleteFrom("mail_messages").where("key", "=", "control:leaking-template").execute();
  });
});
