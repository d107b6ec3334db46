import type { Signal } from "../../db/schema";
import type { AppContext } from "../context";
import { audit } from "./audit.server";
import { createObservation } from "./observation.server";

/**
 * Creates an observation linked to a plan (logged from the plan page, or the closing observation of
 * its completion), with its audit row. Call inside a transaction.
 */
export async function recordPlanObservation(
  trx: AppContext["db"],
  context: AppContext,
  user: { id: string },
  plan: { id: string; candidate_id: string },
  input: {
    observedOn: string;
    situation: string;
    behavior: string;
    impact: string;
    signal: Signal;
    dimensionIds: string[];
    idempotencyKey: string;
  },
) {
  const created = await createObservation(trx, {
    ...input,
    candidateId: plan.candidate_id,
    authorId: user.id,
    assignmentId: null,
    coachingPlanId: plan.id,
    now: context.now(),
  });
  if (created.created) {
    await audit(trx, {
      actorId: user.id,
      requestId: context.requestId,
      action: "observation.create",
      entity: "observation",
      entityId: created.id,
      details: {
        candidateId: plan.candidate_id,
        coachingPlanId: plan.id,
        dimensionIds: input.dimensionIds,
        signal: input.signal,
      },
    });
  }
  return created;
}
