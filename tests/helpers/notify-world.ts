/**
 * One organisation with something of every kind due on Monday 7 December 2026, for the reminder and
 * digest tests. Every text field of the records the messages are about is made by `mark(kind, field)`,
 * so the privacy test can fill them with marked texts and look for them in the mail.
 */
import type { DB } from "../../db/client";
import type { MailEnv } from "../../app/mail/mail.server";
import { makeUser, TEST_SECRET } from "./app";

export type Mark = (kind: string, field: string) => string;
export const plain: Mark = (kind, field) => `${kind} ${field}`.toLowerCase();

export const MAIL_ENV: MailEnv = {
  APP_URL: "https://noseworthy.example.test",
  HOST: "127.0.0.1",
  PORT: 3000,
  SESSION_SECRET: TEST_SECRET,
  SMTP_URL: undefined,
  MAIL_FROM: "Noseworthy <noseworthy@example.test>",
  DATABASE_URL: undefined,
};

/** A Monday; Berlin is UTC+1 and Los Angeles UTC−8 in December. */
export const MONDAY = "2026-12-07";
export const at = (iso: string) => new Date(iso);

export async function seedNotifyWorld(db: DB, mark: Mark = plain) {
  const user = async (
    name: string,
    roles: Parameters<typeof makeUser>[1],
    timeZone: string,
  ): Promise<{ id: string; name: string; roles: typeof roles }> => {
    const u = await makeUser(db, roles, name);
    await db.updateTable("users").set({ time_zone: timeZone }).where("id", "=", u.id).execute();
    return u;
  };
  const users = {
    mona: await user("Mona Manager", ["manager"], "Europe/Berlin"),
    theo: await user("Theo Mentor", ["mentor"], "America/Los_Angeles"),
    lena: await user("Lena Leader", ["leader"], "Europe/Berlin"),
    otto: await user("Otto Offerer", ["manager"], "UTC"),
    dora: await user("Dora Disabled", ["mentor"], "UTC"),
    quinn: await user("Quinn Quiet", ["mentor"], "UTC"),
    ida: await user("Ida Idle", ["mentor"], "Europe/Berlin"),
  };
  const candidate = async (name: string, nominatedBy: string, createdAt: string) =>
    (
      await db
        .insertInto("candidates")
        .values({
          name,
          track: "people_leadership",
          manager_id: users.mona.id,
          nominated_by: nominatedBy,
          nominated_reason: mark("REASON", `nominated-reason-${name}`),
          created_at: at(createdAt),
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const ada = await candidate("Ada Lovelace", users.mona.id, "2026-01-05T09:00:00Z");
  // Nominated by someone other than her manager two days ago: Mona's week lists the nomination.
  const ben = await candidate("Ben Babbage", users.lena.id, "2026-12-05T09:00:00Z");

  // Otto was an observer and has been removed: he has left Ada's circle. Dora observes her.
  await db
    .insertInto("candidate_observers")
    .values({ candidate_id: ada, user_id: users.dora.id, added_by: users.mona.id })
    .execute();

  const dim = await db
    .insertInto("dimensions")
    .values({ key: "notify_dimension", name: "Judgement", position: 90 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const test = {
    title: mark("TITLE", "sniff-test-title"),
    dimension_id: dim.id,
    assignment: mark("TITLE", "sniff-test-assignment"),
    rationale: mark("TITLE", "sniff-test-rationale"),
    signals: mark("TITLE", "sniff-test-signals"),
    red_flags: mark("TITLE", "sniff-test-red-flags"),
    timebox_days: 7,
  };
  const sniffTest = await db
    .insertInto("sniff_tests")
    .values({ ...test, created_by: users.mona.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  const revision = await db
    .insertInto("sniff_test_revisions")
    .values({ ...test, sniff_test_id: sniffTest.id, version: 1, edited_by: users.mona.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  const assignment = async (assignedBy: string, dueOn: string) =>
    (
      await db
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: sniffTest.id,
          sniff_test_revision_id: revision.id,
          candidate_id: ada,
          assigned_by: assignedBy,
          offered_on: "2026-11-30",
          due_on: dueOn,
          status: "accepted",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const a1 = await assignment(users.mona.id, "2026-12-09");
  const a2 = await assignment(users.otto.id, "2026-12-08");
  const a3 = await assignment(users.mona.id, "2026-12-20");
  await db
    .insertInto("sniff_test_assignment_events")
    .values({
      assignment_id: a1,
      from_status: "offered",
      to_status: "accepted",
      changed_by: users.mona.id,
      note: mark("NOTE", "sniff-test-closing-note"),
    })
    .execute();
  await db
    .insertInto("observations")
    .values({
      candidate_id: ada,
      author_id: users.mona.id,
      observed_on: "2026-12-01",
      situation: mark("OBSERVATION", "situation"),
      behavior: mark("OBSERVATION", "behavior"),
      impact: mark("OBSERVATION", "impact"),
      signal: "strength",
      assignment_id: a1,
    })
    .execute();

  // Coaching: Theo mentors Ada (a check-in due today, an action due today, one done); Quinn mentors
  // Ben and has turned reminders off.
  const plan = async (candidateId: string, mentorId: string) =>
    (
      await db
        .insertInto("coaching_plans")
        .values({
          candidate_id: candidateId,
          mentor_id: mentorId,
          created_by: users.mona.id,
          goal: mark("GOAL", "plan-goal"),
          started_on: "2026-11-01",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const p1 = await plan(ada, users.theo.id);
  const p2 = await plan(ben, users.quinn.id);
  await db
    .insertInto("coaching_checkins")
    .values({
      plan_id: p1,
      author_id: users.theo.id,
      held_on: "2026-11-30",
      notes: mark("CHECKIN", "checkin-notes"),
      next_on: MONDAY,
    })
    .execute();
  const action = async (planId: string, dueOn: string, doneOn: string | null, position: number) =>
    (
      await db
        .insertInto("coaching_actions")
        .values({
          plan_id: planId,
          title: mark("ACTION", `action-title-${position}`),
          position,
          due_on: dueOn,
          done_on: doneOn,
          created_by: users.mona.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const act1 = await action(p1, MONDAY, null, 1);
  await action(p1, MONDAY, "2026-12-05", 2);
  const act3 = await action(p2, "2026-12-06", null, 3);
  // The plan was handed from Quinn to Theo by Lena: Mona's week lists the handover.
  await db
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: p1,
      from_status: "active",
      to_status: "active",
      from_mentor_id: users.quinn.id,
      to_mentor_id: users.theo.id,
      changed_by: users.lena.id,
      reason: mark("REASON", "handover-reason"),
      changed_on: "2026-12-01",
    })
    .execute();

  const antiPattern = await db
    .insertInto("anti_patterns")
    .values({ key: "notify_anti_pattern", name: mark("FLAG", "anti-pattern-name"), position: 90 })
    .returning("id")
    .executeTakeFirstOrThrow();
  const flag = async (raisedBy: string, createdAt: string, discussedOn: string | null = null) =>
    (
      await db
        .insertInto("flags")
        .values({
          candidate_id: ada,
          anti_pattern_id: antiPattern.id,
          raised_by: raisedBy,
          observed_on: createdAt.slice(0, 10),
          situation: mark("FLAG", "flag-situation"),
          behavior: mark("FLAG", "flag-behavior"),
          impact: mark("FLAG", "flag-impact"),
          discussed_with_candidate_on: discussedOn,
          created_at: at(createdAt),
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const f1 = await flag(users.mona.id, "2026-11-23T10:00:00Z");
  const f2 = await flag(users.dora.id, "2026-11-15T10:00:00Z");
  const f3 = await flag(users.mona.id, "2026-12-01T10:00:00Z");
  const f4 = await flag(users.mona.id, "2026-11-10T10:00:00Z", "2026-11-12");
  await db
    .insertInto("flag_events")
    .values({
      flag_id: f1,
      kind: "raised",
      to_status: "open",
      changed_by: users.mona.id,
      note: mark("FLAG", "flag-event-note"),
    })
    .execute();

  // A meeting on Wednesday 10:00 UTC: Lena facilitates and has read both packets; Theo attends and
  // has written nothing.
  const meeting = await db
    .insertInto("calibration_meetings")
    .values({
      title: mark("TITLE", "meeting-title"),
      scheduled_for: at("2026-12-09T10:00:00Z"),
      facilitator_id: users.lena.id,
      created_by: users.lena.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_attendees")
    .values({ meeting_id: meeting.id, user_id: users.theo.id })
    .execute();
  const items = [];
  for (const [position, candidateId] of [ada, ben].entries()) {
    const item = await db
      .insertInto("calibration_items")
      .values({ meeting_id: meeting.id, candidate_id: candidateId, position: position + 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    items.push(item.id);
    await db
      .insertInto("calibration_prereads")
      .values({
        item_id: item.id,
        user_id: users.lena.id,
        view: mark("PREREAD", "preread-view"),
        leaning: "not_yet",
      })
      .execute();
  }
  // A closed meeting's decision on Ada, for the marked decision texts.
  const closed = await db
    .insertInto("calibration_meetings")
    .values({
      title: mark("TITLE", "closed-meeting-title"),
      scheduled_for: at("2026-10-01T10:00:00Z"),
      facilitator_id: users.lena.id,
      created_by: users.lena.id,
      status: "closed",
      closed_at: at("2026-10-01T12:00:00Z"),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const closedItem = await db
    .insertInto("calibration_items")
    .values({ meeting_id: closed.id, candidate_id: ada, position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_decisions")
    .values({
      item_id: closedItem.id,
      outcome: "not_yet",
      rationale: mark("DECISION", "decision-rationale"),
      dissent: mark("DECISION", "decision-dissent"),
      next_steps: mark("DECISION", "decision-next-steps"),
      revisit_on: "2027-03-01",
      decided_by: users.lena.id,
    })
    .execute();

  await db
    .updateTable("users")
    .set({ disabled_at: at("2026-12-02T09:00:00Z") })
    .where("id", "=", users.dora.id)
    .execute();
  await db
    .insertInto("mail_preferences")
    .values({ user_id: users.quinn.id, reminders: false })
    .execute();

  return {
    users,
    ids: { ada, ben, a1, a2, a3, p1, p2, act1, act3, f1, f2, f3, f4, meeting: meeting.id, items },
  };
}

export type NotifyWorld = Awaited<ReturnType<typeof seedNotifyWorld>>;
