import type { z } from "zod";
import type { DB } from "../../db/client";
import type { SessionUser } from "../auth/session.server";
import type { AppContext } from "../context";
import { invalid, type Values } from "../utils/forms.server";
import { saveOnce } from "../utils/idempotency.server";
import {
  checkWriting,
  writingCheckResponse,
  writingCheckSeen,
} from "../utils/writing-check.server";
import { audit } from "./audit.server";
import { findOpenReadinessRole } from "./readiness-role.server";
import {
  type DecisionFieldsSchema,
  type DecisionInput,
  filterCandidateEvidence,
  findDecisionByIdempotencyKey,
  isOneCurrentDecisionViolation,
  MeetingRefusal,
  type recordDecision,
} from "./calibration.server";

/**
 * What the meeting page and the packet page do alike when a decision is recorded or amended, so the
 * two actions check the evidence, audit and answer a refusal one way.
 */

/**
 * The writing check on the author's own draft (B's checkWriting): words about personality rather than
 * behaviour, and a missing impact. The form protocol's 400 with the notes and the values kept, or null
 * to go on (no notes, or the author chose "Save anyway"). Nothing of it is stored or audited.
 */
export async function checkDraft(
  db: DB,
  values: Values,
  fields: { name: string; label: string }[],
  impactIn: string,
) {
  if (writingCheckSeen(values)) return null;
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const notes = await checkWriting(
    db,
    fields.map((f) => ({ ...f, text: text(f.name) })),
    { impactIn },
  );
  return notes.length ? writingCheckResponse(values, notes) : null;
}

/** The decision's own words: its rationale (which should say what it led to), dissent and next steps. */
export const DECISION_TEXT = [
  { name: "rationale", label: "Rationale" },
  { name: "dissent", label: "Dissent" },
  { name: "nextSteps", label: "Next steps" },
];

/** A refusal by the meeting's rules (closed, not started, decided meanwhile): its message over the form, the input kept. */
export function meetingRefusal(error: MeetingRefusal, values: Values) {
  return invalid(values, {}, error.message, error.status);
}

type DecisionSubmission = z.infer<ReturnType<typeof DecisionFieldsSchema>>;
type Decided = Awaited<ReturnType<typeof recordDecision>>;

interface DecisionSave<Answer extends Response> {
  viewer: SessionUser;
  meeting: { id: string };
  item: { id: string; candidate_id: string };
  input: DecisionSubmission;
  values: Values;
  /** An amendment (its repeat is recognised by its reason) rather than the meeting's first decision. */
  amends: boolean;
  /** Stores it in the transaction: recordDecision or amendDecision, given the fields both take. */
  write: (trx: DB, fields: DecisionInput) => Promise<Decided>;
  /** The audit action, and details beyond the meeting, item, candidate, outcome and evidence count. */
  audit: { action: string; details?: Record<string, unknown> };
  /** The answer once saved (and to every repeat): `moved` says whether the stage changed. */
  answer: (moved: boolean) => Answer;
  /** What to say when a concurrent submit got its decision in first. */
  raced: string;
}

/**
 * Saves a decision once per form key. The evidence must be this candidate's; a refusal by the meeting's
 * rules comes back as a form refusal with the text kept.
 */
export async function saveDecision<Answer extends Response>(
  context: AppContext,
  {
    viewer,
    meeting,
    item,
    input,
    values,
    amends,
    write,
    audit: auditAs,
    answer,
    raced,
  }: DecisionSave<Answer>,
) {
  let evidence: Awaited<ReturnType<typeof filterCandidateEvidence>> = [];
  let move: Decided["move"] = null;
  try {
    return await saveOnce(context.db, {
      find: (db) => findDecisionByIdempotencyKey(db, input.idempotencyKey),
      isRepeat: (d) =>
        d.item_id === item.id &&
        d.decided_by === viewer.id &&
        (d.amendment_reason !== null) === amends,
      check: async () => {
        evidence = await filterCandidateEvidence(context.db, {
          candidateId: item.candidate_id,
          refs: input.evidence,
        });
        if (evidence.length !== new Set(input.evidence.map((r) => `${r.kind}:${r.id}`)).size)
          return invalid(values, { evidence: ["Pick evidence from this candidate’s packet."] });
        if (
          input.readinessRoleId &&
          !(await findOpenReadinessRole(context.db, input.readinessRoleId))
        )
          return invalid(values, {
            readinessRoleId: ["Choose a role from the list (it may have been archived), or none."],
          });
        return null;
      },
      create: async (trx) => {
        const decided = await write(trx, {
          meetingId: meeting.id,
          itemId: item.id,
          candidateId: item.candidate_id,
          outcome: input.outcome,
          rationale: input.rationale,
          dissent: input.dissent,
          nextSteps: input.nextSteps,
          revisitOn: input.revisitOn ?? null,
          evidence,
          decidedBy: viewer.id,
          idempotencyKey: input.idempotencyKey,
          now: context.now(),
          proceedAnyway: input.proceedAnyway,
          readinessRoleId: input.readinessRoleId,
        });
        if (decided.created) {
          move = decided.move;
          await audit(trx, {
            actorId: viewer.id,
            action: auditAs.action,
            entity: "calibration_decision",
            entityId: decided.id,
            requestId: context.requestId,
            details: {
              meetingId: meeting.id,
              itemId: item.id,
              candidateId: item.candidate_id,
              ...auditAs.details,
              outcome: input.outcome,
              evidence: evidence.length,
              ...(input.proceedAnyway ? { proceededWithoutAllFinalLeanings: true } : {}),
              ...(input.readinessRoleId ? { readinessRoleId: input.readinessRoleId } : {}),
              ...(decided.move ? { stageFrom: decided.move.from, stageTo: decided.move.to } : {}),
            },
          });
        }
        return decided;
      },
      answer: () => answer(move !== null),
      values,
    });
  } catch (error) {
    if (error instanceof MeetingRefusal) return meetingRefusal(error, values);
    // Two submits at once: the one-current-decision index lets exactly one through.
    if (isOneCurrentDecisionViolation(error))
      return meetingRefusal(new MeetingRefusal(409, raced), values);
    throw error;
  }
}
