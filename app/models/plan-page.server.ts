import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { denyAsNotFound, requirePlanAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { isoDate } from "../utils/dates";
import { formValues, parseForm } from "../utils/forms.server";
import { getPlan, PlanActionSchema } from "./coaching.server";
import type { ObservationKeyRow } from "./observation.server";

/** The plan as the policy hands it over: its id, candidate, mentor, status and version, and whether the user may change it. */
export type PlanAccess = Awaited<ReturnType<typeof requirePlanAccess>>;

/**
 * What the plan page and its edit page load first: the signed-in user, their access to the plan and
 * the plan itself. A plan outside the user's circle, or one that is gone, is the same 404.
 */
export async function loadPlan(
  { request, params, context }: LoaderFunctionArgs,
  options: { edit?: boolean } = {},
) {
  const user = await requireUser(context, request);
  const access = await requirePlanAccess(context, user, params.planId, options);
  const plan = await getPlan(context.db, { planId: access.id });
  if (!plan) throw await denyAsNotFound(context, user, "coaching_plan", params.planId);
  return { user, access, plan };
}

/**
 * A form posted to the plan page or its edit page, read with the one schema both share (each page
 * then refuses the intents that belong on the other). Only someone who may change the plan gets
 * this far. A refused submission comes back as `response`, ready to return.
 */
export async function readPlanForm({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const plan = await requirePlanAccess(context, user, params.planId, { edit: true });
  const formData = await request.formData();
  const values = formValues(formData);
  const today = isoDate(context.now());
  const parsed = parseForm(PlanActionSchema(today), formData);
  if (!parsed.ok) return { ok: false as const, response: parsed.response };
  return {
    ok: true as const,
    user,
    plan,
    values,
    today,
    input: parsed.data,
    base: { actorId: user.id, requestId: context.requestId },
    /** A note written from this plan by this user: what an observation form's key may point at. */
    isPlanNote: (note: ObservationKeyRow) =>
      note.coaching_plan_id === plan.id && note.author_id === user.id,
  };
}
