/**
 * The world the security tests attack: one user of each kind, and a candidate with a row in every
 * table about them (the same shape as tests/integration/export.test.ts), whose text is secret.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { DB } from "../../db/client";
import type { AppContext } from "../../app/context";
import { makeUser, sessionCookie } from "../helpers/app";

export const KINDS = [
  "leader",
  "managerIn",
  "managerOut",
  "mentor",
  "otherMentor",
  "admin",
  "anonymous",
  "disabled",
] as const;
export type Kind = (typeof KINDS)[number];

/** Text that only the candidate's circle (and leaders) may ever receive. */
export const SECRETS = {
  name: "Robin Secretcandidate",
  reason: "Nominated because zq-reason-7731",
  behavior: "Wrote the ADR unprompted zq-obs-4410",
  flag: "Kept the deploy keys zq-flag-9920",
  goal: "Write decisions down zq-goal-5521",
  checkin: "Check-in went well zq-checkin-3310",
  rationale: "Strong commitment zq-decision-1177",
  preread: "Promising zq-preread-8801",
  /** What a person outside the pipeline did with a sniff test: for their circle only. */
  response: "Rewrote the on-call guide zq-response-6620",
};

export interface World {
  users: Record<Exclude<Kind, "anonymous">, { id: string; roles: string[]; name: string }>;
  cookies: Record<Kind, string | undefined>;
  ids: {
    candidateId: string;
    otherCandidateId: string;
    observationId: string;
    flagId: string;
    assignmentId: string;
    planId: string;
    otherPlanId: string;
    meetingId: string;
    itemId: string;
    sniffTestId: string;
    /** A person outside the pipeline, below managerIn in the directory, offered a test by them. */
    personId: string;
    offeringId: string;
    /** A CSV upload waiting for its preview to be applied. */
    importId: string;
    /** A stored mail message about the candidate (a reminder naming them, in the outbox). */
    messageId: string;
    userId: string;
    observerId: string;
    dimensionId: string;
    antiPatternId: string;
    /** A readiness role (issue 22) nobody has been judged ready for. */
    roleId: string;
  };
}

let seq = 0;
/** A candidate with a row in every table that refers to candidates. */
export async function fullRecord(
  db: DB,
  {
    name,
    managerId,
    mentorId,
    leaderId,
    observerId,
    secret = true,
  }: {
    name: string;
    managerId: string;
    mentorId: string;
    leaderId: string;
    observerId?: string;
    secret?: boolean;
  },
) {
  seq += 1;
  const t = (s: string) => (secret ? s : `${s.replace(/zq-[a-z]+-\d+/, "")}other ${seq}`);
  const { id: dimensionId } = await db
    .insertInto("dimensions")
    .values({ key: `commitment_${seq}_${Date.now() % 100000}`, name: "Commitment", position: seq })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: antiPatternId } = await db
    .insertInto("anti_patterns")
    .values({
      key: `territoriality_${seq}_${Date.now() % 100000}`,
      name: "Territoriality",
      position: seq,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto("candidates")
    .values({
      name,
      track: "technical_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: t(SECRETS.reason),
      stage: "coaching",
      idempotency_key: crypto.randomUUID(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (observerId)
    await db
      .insertInto("candidate_observers")
      .values({ candidate_id: id, user_id: observerId, added_by: managerId })
      .execute();
  const { id: sniffTestId } = await db
    .insertInto("sniff_tests")
    .values({
      title: `Run the retro ${seq}`,
      dimension_id: dimensionId,
      assignment: "Facilitate the retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      created_by: managerId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: revisionId } = await db
    .insertInto("sniff_test_revisions")
    .values({
      sniff_test_id: sniffTestId,
      version: 1,
      title: `Run the retro ${seq}`,
      dimension_id: dimensionId,
      assignment: "Facilitate the retro",
      rationale: "",
      signals: "",
      red_flags: "",
      timebox_days: 14,
      edited_by: managerId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: assignmentId } = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: sniffTestId,
      sniff_test_revision_id: revisionId,
      candidate_id: id,
      assigned_by: managerId,
      offered_on: "2026-01-05",
      due_on: "2026-01-19",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("sniff_test_assignment_events")
    .values({ assignment_id: assignmentId, to_status: "offered", changed_by: managerId })
    .execute();
  const { id: planId } = await db
    .insertInto("coaching_plans")
    .values({
      candidate_id: id,
      mentor_id: mentorId,
      created_by: managerId,
      goal: t(SECRETS.goal),
      started_on: "2026-01-10",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("coaching_plan_changes")
    .values({
      plan_id: planId,
      to_status: "active",
      to_mentor_id: mentorId,
      changed_by: managerId,
      changed_on: "2026-01-10",
    })
    .execute();
  await db
    .insertInto("coaching_plan_dimensions")
    .values({ plan_id: planId, dimension_id: dimensionId })
    .execute();
  await db
    .insertInto("coaching_actions")
    .values({ plan_id: planId, title: "Draft an ADR", position: 1, created_by: mentorId })
    .execute();
  await db
    .insertInto("coaching_checkins")
    .values({
      plan_id: planId,
      author_id: mentorId,
      held_on: "2026-01-20",
      notes: t(SECRETS.checkin),
    })
    .execute();
  const { id: observationId } = await db
    .insertInto("observations")
    .values({
      candidate_id: id,
      author_id: managerId,
      observed_on: "2026-01-12",
      situation: "",
      behavior: t(SECRETS.behavior),
      impact: "",
      signal: "strength",
      assignment_id: assignmentId,
      coaching_plan_id: planId,
      version: 2,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("observation_dimensions")
    .values({ observation_id: observationId, dimension_id: dimensionId })
    .execute();
  await db
    .insertInto("observation_revisions")
    .values({
      observation_id: observationId,
      version: 1,
      observed_on: "2026-01-12",
      situation: "",
      behavior: t(SECRETS.behavior),
      impact: "",
      signal: "strength",
      dimension_ids: [dimensionId],
      edited_by: managerId,
    })
    .execute();
  const { id: flagId } = await db
    .insertInto("flags")
    .values({
      candidate_id: id,
      anti_pattern_id: antiPatternId,
      raised_by: managerId,
      observed_on: "2026-01-14",
      situation: "",
      behavior: t(SECRETS.flag),
      impact: "",
      status: "addressing",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("flag_events")
    .values({ flag_id: flagId, kind: "raised", to_status: "open", changed_by: managerId })
    .execute();
  await db.insertInto("coaching_plan_flags").values({ plan_id: planId, flag_id: flagId }).execute();
  const { id: meetingId } = await db
    .insertInto("calibration_meetings")
    .values({
      title: `Q1 calibration ${seq}`,
      scheduled_for: new Date("2026-02-14T10:00:00Z"),
      facilitator_id: leaderId,
      created_by: leaderId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: itemId } = await db
    .insertInto("calibration_items")
    .values({ meeting_id: meetingId, candidate_id: id, position: 1 })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_packet_reads")
    .values({ item_id: itemId, user_id: leaderId })
    .execute();
  await db
    .insertInto("calibration_prereads")
    .values({
      item_id: itemId,
      user_id: leaderId,
      view: t(SECRETS.preread),
      leaning: "ready_with_development",
    })
    .execute();
  const { id: decisionId } = await db
    .insertInto("calibration_decisions")
    .values({
      item_id: itemId,
      outcome: "ready_with_development",
      rationale: t(SECRETS.rationale),
      decided_by: leaderId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("calibration_decision_evidence")
    .values({ decision_id: decisionId, observation_id: observationId })
    .execute();
  // The rounds of issue 22: a final leaning, evidence added in the unique-evidence round, a revisit.
  await db
    .insertInto("calibration_final_leanings")
    .values({ item_id: itemId, user_id: leaderId, leaning: "ready_with_development" })
    .execute();
  await db
    .insertInto("calibration_item_additions")
    .values({ item_id: itemId, observation_id: observationId, added_by: leaderId })
    .execute();
  await db
    .insertInto("calibration_revisits")
    .values({
      item_id: itemId,
      opened_by: leaderId,
      decision_before: decisionId,
      opened_at: new Date("2026-01-01T00:00:00Z"),
    })
    .execute();
  await db
    .insertInto("stage_changes")
    .values({
      candidate_id: id,
      from_stage: "exploring",
      to_stage: "coaching",
      changed_by: leaderId,
      reason: "Calibration decision",
      calibration_decision_id: decisionId,
    })
    .execute();
  return {
    candidateId: id,
    revisionId,
    observationId,
    flagId,
    assignmentId,
    planId,
    meetingId,
    itemId,
    sniffTestId,
    dimensionId,
    antiPatternId,
  };
}

export async function buildWorld(db: DB, ctx: AppContext): Promise<World> {
  const users = {
    leader: await makeUser(db, ["leader"], "Lena Leader"),
    managerIn: await makeUser(db, ["manager"], "Mia Manager"),
    managerOut: await makeUser(db, ["manager"], "Oona Outsider"),
    mentor: await makeUser(db, ["mentor"], "Mo Mentor"),
    otherMentor: await makeUser(db, ["mentor"], "Otto Othermentor"),
    admin: await makeUser(db, ["admin"], "Ada Admin"),
    disabled: await makeUser(db, ["leader", "manager"], "Dee Disabled"),
  };
  // An observer of the secret candidate (not one of the kinds attacked): candidate_observers gets a row.
  const observer = await makeUser(db, ["manager"], "Obi Observer");
  const a = await fullRecord(db, {
    name: SECRETS.name,
    managerId: users.managerIn.id,
    mentorId: users.mentor.id,
    leaderId: users.leader.id,
    observerId: observer.id,
  });
  const b = await fullRecord(db, {
    name: "Sam Someone",
    managerId: users.managerOut.id,
    mentorId: users.otherMentor.id,
    leaderId: users.leader.id,
    secret: false,
  });
  const { personId, offeringId } = await personOutsideThePipeline(db, {
    managerId: users.managerIn.id,
    sniffTestId: a.sniffTestId,
    revisionId: a.revisionId,
  });
  const { id: importId } = await db
    .insertInto("people_imports")
    .values({
      uploaded_by: users.admin.id,
      file_name: "people.csv",
      content: "email,name\nnew.hire@example.test,New Hire\n",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  // Stored mail: a reminder about the candidate, a digest naming them among others (no
  // candidate_id, as a digest has), and a reminder about the other candidate.
  const mail = (key: string, candidateId: string | null, name: string) => ({
    key,
    kind: "reminder.assignment",
    user_id: users.managerIn.id,
    candidate_id: candidateId,
    to_address: "manager@example.test",
    subject: `A sniff test for ${name} is due`,
    text_body: `A sniff test for ${name} is due on 4 March.`,
    html_body: `<p>A sniff test for ${name} is due on 4 March.</p>`,
    status: "outbox" as const,
  });
  const { id: messageId } = await db
    .insertInto("mail_messages")
    .values(mail("fixture:about", a.candidateId, SECRETS.name))
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("mail_messages")
    .values([
      { ...mail("fixture:digest", null, SECRETS.name), kind: "digest.weekly" },
      mail("fixture:other", b.candidateId, "Olive Othercandidate"),
    ])
    .execute();
  const { id: roleId } = await db
    .insertInto("readiness_roles")
    .values({ title: "Engineering manager", team: "Payments", created_by: users.leader.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  const cookies = { anonymous: undefined } as Record<Kind, string | undefined>;
  for (const [kind, u] of Object.entries(users))
    cookies[kind as Kind] = await sessionCookie(ctx, u.id);
  await db
    .updateTable("users")
    .set({ disabled_at: ctx.now() })
    .where("id", "=", users.disabled.id)
    .execute();
  return {
    users,
    cookies,
    ids: {
      ...a,
      personId,
      offeringId,
      importId,
      messageId,
      roleId,
      otherCandidateId: b.candidateId,
      otherPlanId: b.planId,
      userId: users.managerIn.id,
      observerId: observer.id,
    },
  };
}

/**
 * Pat, in the directory below managerIn's own person and not nominated, who completed a sniff test
 * managerIn offered to their team; the closing note is secret.
 */
async function personOutsideThePipeline(
  db: DB,
  {
    managerId,
    sniffTestId,
    revisionId,
  }: { managerId: string; sniffTestId: string; revisionId: string },
) {
  const manager = await db
    .selectFrom("people")
    .select("id")
    .where("user_id", "=", managerId)
    .executeTakeFirstOrThrow();
  const { id: personId } = await db
    .insertInto("people")
    .values({
      name: "Pat Directoryonly",
      email: "pat.directoryonly@example.test",
      team: "Platform",
      manager_id: manager.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: offeringId } = await db
    .insertInto("sniff_test_offerings")
    .values({
      sniff_test_id: sniffTestId,
      sniff_test_revision_id: revisionId,
      offered_by: managerId,
      audience: "Platform",
      offered_on: "2026-02-02",
      due_on: "2026-02-16",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const { id: assignmentId } = await db
    .insertInto("sniff_test_assignments")
    .values({
      sniff_test_id: sniffTestId,
      sniff_test_revision_id: revisionId,
      person_id: personId,
      offering_id: offeringId,
      assigned_by: managerId,
      offered_on: "2026-02-02",
      due_on: "2026-02-16",
      status: "completed",
      closed_on: "2026-02-10",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("sniff_test_assignment_events")
    .values([
      { assignment_id: assignmentId, to_status: "offered", changed_by: managerId },
      {
        assignment_id: assignmentId,
        from_status: "offered",
        to_status: "completed",
        changed_by: managerId,
        note: SECRETS.response,
      },
    ])
    .execute();
  return { personId, offeringId };
}

export interface RouteInfo {
  file: string;
  /** URL path with :params. */
  pattern: string;
  params: string[];
}

/** Every route module in app/routes, with the URL Remix's flat routes give it. */
export function routeFiles(): RouteInfo[] {
  const dir = path.resolve("app/routes");
  return readdirSync(dir)
    .filter((f) => /\.(tsx|ts)$/.test(f))
    .sort()
    .map((file) => {
      const base = file.replace(/\.(tsx|ts)$/, "");
      const segments: string[] = [];
      const params: string[] = [];
      for (const raw of base.split(/\.(?![^[]*\])/)) {
        if (raw === "_index") continue;
        const seg = raw.replace(/_$/, "").replace(/\[(.)\]/g, "$1");
        if (seg === "$") {
          segments.push(":*");
          params.push("*");
        } else if (seg.startsWith("$")) {
          // A parameter, perhaps followed by escaped text (`$token[.]ics` is `:token.ics`).
          const [, name, rest] = /^\$(\w+)(.*)$/.exec(seg)!;
          segments.push(`:${name}${rest}`);
          params.push(name);
        } else segments.push(seg);
      }
      return { file, pattern: `/${segments.join("/")}`, params };
    });
}

export function fillPath(
  route: RouteInfo,
  values: Record<string, string>,
): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  for (const p of route.params) params[p] = values[p] ?? "no-such-page";
  const p = route.pattern.replace(/:([*\w]+)/g, (_, name: string) => params[name]);
  return { path: p.replace(/\/\.csv$/, ".csv"), params };
}
