import type { Viewer } from "../auth/policy.server";
import type { AppContext } from "../context";
import { badRequest, type Values } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { saveOnce } from "../utils/idempotency.server";
import { findAssignmentByIdempotencyKey, offerSniffTest } from "./assignment.server";

/**
 * Offers a sniff test to a candidate once per idempotency key (the caller has checked the viewer may
 * see the candidate) and answers the form: the new assignment's page, or the refusal with the values
 * as typed. The candidate's page and the sniff test's page both offer through this.
 */
export function saveSniffTestOffer(
  context: AppContext,
  viewer: Viewer,
  offer: {
    sniffTestId: string;
    candidateId: string;
    offeredOn: string;
    dueOn: string | null;
    idempotencyKey: string;
  },
  values: Values,
) {
  return saveOnce(context.db, {
    find: (db) => findAssignmentByIdempotencyKey(db, offer.idempotencyKey),
    isRepeat: (a) =>
      a.candidate_id === offer.candidateId.toLowerCase() &&
      a.sniff_test_id === offer.sniffTestId &&
      a.assigned_by === viewer.id,
    create: async (trx) => {
      const result = await offerSniffTest(trx, {
        viewer,
        sniffTestId: offer.sniffTestId,
        candidateId: offer.candidateId,
        offeredOn: offer.offeredOn,
        dueOn: offer.dueOn,
        idempotencyKey: offer.idempotencyKey,
        now: context.now(),
        requestId: context.requestId,
      });
      return "ok" in result
        ? badRequest(result.formError ?? "", values, result.fieldErrors)
        : result;
    },
    answer: (a) =>
      redirectWithFlash(`/candidates/${a.candidate_id}/assignments/${a.id}`, "Sniff test offered."),
    values,
  });
}
