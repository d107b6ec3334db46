/**
 * A candidate's whole record, for subject-access requests. `tables` holds every row
 * of every table that refers to the candidate, directly or through another such table, keyed by
 * table name, so a test can compare its keys with the foreign keys in the catalogue. `labels`
 * resolves the ids in those rows (people, dimensions, anti-patterns, sniff tests, meetings) to names.
 */
import type { DB } from "../../db/client";
import { withoutWithdrawnText } from "./calibration.server";

export const EXPORT_FORMAT = "noseworthy.candidate-export.v1";

// Internal plumbing, meaningless to the person.
const OMIT = new Set(["idempotency_key"]);

function clean<T extends Record<string, unknown>>(rows: T[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).filter(([key]) => !OMIT.has(key))),
  );
}

/** Columns that hold a user id, across the exported tables. */
const USER_COLUMNS = [
  "manager_id",
  "nominated_by",
  "user_id",
  "added_by",
  "changed_by",
  "author_id",
  "retracted_by",
  "raised_by",
  "resolved_by",
  "mentor_id",
  "created_by",
  "from_mentor_id",
  "to_mentor_id",
  "assigned_by",
  "edited_by",
  "decided_by",
];

export async function exportCandidate(db: DB, { candidateId }: { candidateId: string }) {
  const observationIds = db
    .selectFrom("observations")
    .select("id")
    .where("candidate_id", "=", candidateId);
  const flagIds = db.selectFrom("flags").select("id").where("candidate_id", "=", candidateId);
  const assignmentIds = db
    .selectFrom("sniff_test_assignments")
    .select("id")
    .where("candidate_id", "=", candidateId);
  const planIds = db
    .selectFrom("coaching_plans")
    .select("id")
    .where("candidate_id", "=", candidateId);
  const itemIds = db
    .selectFrom("calibration_items")
    .select("id")
    .where("candidate_id", "=", candidateId);
  const decisionIds = db
    .selectFrom("calibration_decisions")
    .select("id")
    .where("item_id", "in", itemIds);
  // Pre-reads are sealed until revealed, final leanings until the item is decided (issue 22): an
  // export is no way round the seal.
  const revealedItemIds = db
    .selectFrom("calibration_items")
    .select("id")
    .where("candidate_id", "=", candidateId)
    .where("revealed_at", "is not", null);
  const decidedItemIds = db
    .selectFrom("calibration_decisions")
    .select("item_id")
    .where("item_id", "in", itemIds);

  const [
    candidates,
    candidate_observers,
    stage_changes,
    observations,
    observation_dimensions,
    observation_revisions,
    evidence_coverage,
    candidate_card_facts,
    flags,
    flag_events,
    sniff_test_assignments,
    sniff_test_assignment_events,
    coaching_plans,
    coaching_plan_changes,
    coaching_plan_dimensions,
    coaching_plan_flags,
    coaching_actions,
    coaching_checkins,
    calibration_items,
    calibration_packet_reads,
    calibration_prereads,
    calibration_decisions,
    calibration_decision_evidence,
    calibration_final_leanings,
    calibration_item_additions,
    calibration_revisits,
    mail_messages,
  ] = await Promise.all([
    db.selectFrom("candidates").selectAll().where("id", "=", candidateId).execute(),
    db
      .selectFrom("candidate_observers")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("created_at")
      .orderBy("user_id")
      .execute(),
    db
      .selectFrom("stage_changes")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("observations")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("observed_on")
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("observation_dimensions")
      .selectAll()
      .where("observation_id", "in", observationIds)
      .orderBy("observation_id")
      .orderBy("dimension_id")
      .execute(),
    db
      .selectFrom("observation_revisions")
      .selectAll()
      .where("observation_id", "in", observationIds)
      .orderBy("observation_id")
      .orderBy("version")
      .execute(),
    // Derived from the notes above (kept by the database); exported because it is about this person too.
    db
      .selectFrom("evidence_coverage")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("dimension_id")
      .orderBy("author_id")
      .execute(),
    // The board card's facts, derived from the records above in the same way (migration 0016).
    db
      .selectFrom("candidate_card_facts")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .execute(),
    db
      .selectFrom("flags")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("observed_on")
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("flag_events")
      .selectAll()
      .where("flag_id", "in", flagIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("sniff_test_assignments")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("offered_on")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("sniff_test_assignment_events")
      .selectAll()
      .where("assignment_id", "in", assignmentIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("coaching_plans")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("started_on")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("coaching_plan_changes")
      .selectAll()
      .where("plan_id", "in", planIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("coaching_plan_dimensions")
      .selectAll()
      .where("plan_id", "in", planIds)
      .orderBy("plan_id")
      .orderBy("dimension_id")
      .execute(),
    db
      .selectFrom("coaching_plan_flags")
      .selectAll()
      .where((eb) => eb.or([eb("plan_id", "in", planIds), eb("flag_id", "in", flagIds)]))
      .orderBy("plan_id")
      .orderBy("flag_id")
      .execute(),
    db
      .selectFrom("coaching_actions")
      .selectAll()
      .where("plan_id", "in", planIds)
      .orderBy("plan_id")
      .orderBy("position")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("coaching_checkins")
      .selectAll()
      .where("plan_id", "in", planIds)
      .orderBy("held_on")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_items")
      .selectAll()
      .where("candidate_id", "=", candidateId)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_packet_reads")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("read_at")
      .orderBy("user_id")
      .execute(),
    db
      .selectFrom("calibration_prereads")
      .selectAll()
      .where("item_id", "in", revealedItemIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_decisions")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("decided_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_decision_evidence")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb("decision_id", "in", decisionIds),
          eb("observation_id", "in", observationIds),
          eb("flag_id", "in", flagIds),
          eb("assignment_id", "in", assignmentIds),
        ]),
      )
      .orderBy("decision_id")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_final_leanings")
      .selectAll()
      .where("item_id", "in", decidedItemIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_item_additions")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("calibration_revisits")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("opened_at")
      .orderBy("id")
      .execute(),
    // Mail about them, as sent: who it went to, what it said (a name and what is due, never a
    // judgement); not the HTML copy, the calendar file or the headers.
    db
      .selectFrom("mail_messages")
      .select(["id", "kind", "user_id", "subject", "text_body", "status", "created_at", "sent_at"])
      .where("candidate_id", "=", candidateId)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
  ]);

  const tables = {
    candidates: clean(candidates),
    candidate_observers: clean(candidate_observers),
    stage_changes: clean(stage_changes),
    observations: clean(observations),
    observation_dimensions: clean(observation_dimensions),
    observation_revisions: clean(observation_revisions),
    evidence_coverage: clean(evidence_coverage),
    candidate_card_facts: clean(candidate_card_facts),
    flags: clean(flags),
    flag_events: clean(flag_events),
    sniff_test_assignments: clean(sniff_test_assignments),
    sniff_test_assignment_events: clean(sniff_test_assignment_events),
    coaching_plans: clean(coaching_plans),
    coaching_plan_changes: clean(coaching_plan_changes),
    coaching_plan_dimensions: clean(coaching_plan_dimensions),
    coaching_plan_flags: clean(coaching_plan_flags),
    coaching_actions: clean(coaching_actions),
    coaching_checkins: clean(coaching_checkins),
    // A closed meeting's packet as its page shows it: no text of a note withdrawn since (decision 0006).
    calibration_items: clean(
      await Promise.all(
        calibration_items.map(async (item) =>
          item.packet_snapshot
            ? {
                ...item,
                packet_snapshot: await withoutWithdrawnText(
                  db,
                  item.packet_snapshot as { observations: { id: string }[] },
                ),
              }
            : item,
        ),
      ),
    ),
    calibration_packet_reads: clean(calibration_packet_reads),
    calibration_prereads: clean(calibration_prereads),
    calibration_decisions: clean(calibration_decisions),
    calibration_decision_evidence: clean(calibration_decision_evidence),
    calibration_final_leanings: clean(calibration_final_leanings),
    calibration_item_additions: clean(calibration_item_additions),
    calibration_revisits: clean(calibration_revisits),
    mail_messages: clean(mail_messages),
  };

  const userIds = new Set<string>();
  for (const rows of Object.values(tables)) {
    for (const row of rows) {
      for (const column of USER_COLUMNS) {
        const value = row[column];
        if (typeof value === "string") userIds.add(value);
      }
    }
  }
  const revisionIds = [...new Set(sniff_test_assignments.map((a) => a.sniff_test_revision_id))];
  const meetingIds = [...new Set(calibration_items.map((i) => i.meeting_id))];

  const [users, dimensions, antiPatterns, revisions, meetings] = await Promise.all([
    userIds.size
      ? db
          .selectFrom("users")
          .select(["id", "name"])
          .where("id", "in", [...userIds])
          .execute()
      : [],
    db.selectFrom("dimensions").select(["id", "name"]).execute(),
    db.selectFrom("anti_patterns").select(["id", "name"]).execute(),
    revisionIds.length
      ? db
          .selectFrom("sniff_test_revisions")
          .select(["id", "sniff_test_id", "version", "title"])
          .where("id", "in", revisionIds)
          .execute()
      : [],
    meetingIds.length
      ? db
          .selectFrom("calibration_meetings")
          .select(["id", "title", "scheduled_for"])
          .where("id", "in", meetingIds)
          .execute()
      : [],
  ]);
  const byId = <T extends { id: string }, V>(rows: T[], value: (row: T) => V) =>
    Object.fromEntries(rows.map((r) => [r.id, value(r)]));

  return {
    format: EXPORT_FORMAT,
    candidate_id: candidateId,
    labels: {
      users: byId(users, (u) => u.name),
      dimensions: byId(dimensions, (d) => d.name),
      anti_patterns: byId(antiPatterns, (p) => p.name),
      sniff_test_revisions: byId(revisions, ({ sniff_test_id, version, title }) => ({
        sniff_test_id,
        version,
        title,
      })),
      calibration_meetings: byId(meetings, ({ title, scheduled_for }) => ({
        title,
        scheduled_for,
      })),
    },
    tables,
  };
}

export type CandidateExport = Awaited<ReturnType<typeof exportCandidate>>;
