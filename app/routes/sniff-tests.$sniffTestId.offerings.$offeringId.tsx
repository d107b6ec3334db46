import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import type { AssignmentStatus } from "../../db/schema";
import { denyAsNotFound, isUuid, requireRole } from "../auth/policy.server";
import type { SessionUser } from "../auth/session.server";
import { Button, FormError, TextArea } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { transitionAssignment, transitionRefusal } from "../models/assignment.server";
import {
  describeOfferingFigures,
  getOffering,
  getOfferingFigures,
  getOfferingResponse,
  listOfferingResponses,
  OfferingMoveSchema,
  offeringMoves,
} from "../models/offering.server";
import { formatDate, isoDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { ASSIGNMENT_STATUS_LABELS, ASSIGNMENT_STATUS_WORDS } from "../utils/labels";
import { canMoveAssignment, NEEDS_DEBRIEF } from "../utils/lifecycle";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data ? `${data.offering.title} · ${data.offering.audience}` : "Offering"} · Noseworthy`,
  },
];

const ROLES = ["manager", "leader"] as const;
/** A group larger than this is listed in part; the figures count everyone. */
const RESPONSES_LIMIT = 500;

async function requireOffering(
  context: AppContext,
  viewer: SessionUser,
  sniffTestId: string | undefined,
  offeringId: string | undefined,
) {
  const offering =
    isUuid(sniffTestId) && isUuid(offeringId)
      ? await getOffering(context.db, { sniffTestId, offeringId })
      : undefined;
  if (!offering) throw await denyAsNotFound(context, viewer, "offering", offeringId);
  return offering;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ROLES);
  const offering = await requireOffering(context, viewer, params.sniffTestId, params.offeringId);
  const [figures, responses] = await Promise.all([
    getOfferingFigures(context.db, [offering.id]),
    listOfferingResponses(context.db, {
      offeringId: offering.id,
      viewer,
      limit: RESPONSES_LIMIT,
    }),
  ]);
  const f = figures.get(offering.id)!;
  return json({
    offering,
    figures: f,
    summary: describeOfferingFigures(offering, f),
    responses: responses.map((r) => ({
      id: r.id,
      status: r.status,
      version: r.version,
      closed_on: r.closed_on,
      name: r.name,
      title: r.title,
      team: r.team,
      moves:
        r.candidate_id && !r.candidate_visible ? [] : offeringMoves(r, offering.needs_acceptance),
      // A candidate's response is read (and closed with its debrief) on their assignment page.
      href:
        r.candidate_id && r.candidate_visible
          ? `/candidates/${r.candidate_id}/assignments/${r.id}`
          : null,
      isCandidate: r.candidate_id !== null,
      // Someone who stood out and is not in the pipeline yet: nominate them with this test as evidence.
      nominate:
        r.candidate_id === null && (r.status === "completed" || r.status === "not_completed")
          ? `/people/${r.person_id}/nominate?assignment=${r.id}`
          : null,
    })),
    listedAll: responses.length < RESPONSES_LIMIT,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ROLES);
  const offering = await requireOffering(context, viewer, params.sniffTestId, params.offeringId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(OfferingMoveSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  // Outside the person's circle (or, for a candidate, outside the candidate's): the same 404 as a missing one.
  const response = await getOfferingResponse(context.db, {
    offeringId: offering.id,
    assignmentId: input.assignmentId,
    viewer,
  });
  if (!response || (response.candidate_id && !response.candidate_visible))
    throw await denyAsNotFound(context, viewer, "assignment", input.assignmentId);
  if (input.version !== response.version) return stale(values, response.status);
  if (!offeringMoves(response, offering.needs_acceptance).includes(input.intent)) {
    const refusal =
      response.candidate_id &&
      NEEDS_DEBRIEF.includes(input.intent) &&
      canMoveAssignment(response.status, input.intent, offering.needs_acceptance)
        ? "A candidate's sniff test closes with a debrief: record it on their assignment page."
        : transitionRefusal(response.status, input.intent, offering.needs_acceptance);
    return badRequest(refusal, values);
  }
  const result = await context.db.transaction().execute((trx) =>
    transitionAssignment(trx, {
      assignment: {
        id: response.id,
        candidate_id: response.candidate_id,
        person_id: response.person_id,
        sniff_test_id: response.sniff_test_id,
        dimension_id: offering.dimension_id,
      },
      version: input.version,
      from: response.status,
      to: input.intent,
      changedBy: viewer.id,
      note: input.note,
      debrief: null,
      today: isoDate(context.now()),
      now: context.now(),
      requestId: context.requestId,
    }),
  );
  if (result === "stale") {
    const now = await getOfferingResponse(context.db, {
      offeringId: offering.id,
      assignmentId: response.id,
      viewer,
    });
    return stale(values, now?.status ?? response.status);
  }
  // No status in the flash cookie: how a person's sniff test went is a fact about them.
  return redirectWithFlash(
    `/sniff-tests/${offering.sniff_test_id}/offerings/${offering.id}`,
    "Response recorded.",
  );
}

function stale(values: Record<string, string | string[]>, status: AssignmentStatus) {
  return invalid(
    values,
    {},
    `Someone recorded a change after you opened this page: that response is now ${ASSIGNMENT_STATUS_WORDS[status]}. Nothing was saved; your note is below.`,
    409,
  );
}

const linkClass = "text-brand-700 underline";
const MOVE_LABELS: Partial<Record<AssignmentStatus, string>> = {
  accepted: "Accepted",
  declined: "Declined",
  withdrawn: "Withdraw",
  completed: "Completed",
  not_completed: "Not completed",
};

export default function OfferingPage() {
  const { offering, figures, summary, responses, listedAll } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const failedId = result.failed ? result.value("assignmentId") : "";
  const hidden = figures.total - responses.length;

  return (
    <div className="max-w-4xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to={`/sniff-tests/${offering.sniff_test_id}`} className={linkClass}>
            ← {offering.title}
          </Link>
        </p>
        <h1 className="mt-1 text-2xl font-semibold">
          {offering.title} — {offering.audience}
        </h1>
        <p className="mt-1 text-stone-600">
          Offered {formatDate(offering.offered_on)} by {offering.offered_by_name} · due{" "}
          {formatDate(offering.due_on)} · version {offering.revision_version} of the test
          {offering.needs_acceptance ? "" : " · needs no acceptance"}
        </p>
      </div>

      <section
        aria-labelledby="figures-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="figures-heading" className="text-lg font-semibold">
          How the group responded
        </h2>
        <p className="mt-1 text-stone-700">{summary}</p>
        <p className="mt-2 text-sm text-stone-600">
          Figures about the test and the group, never about one person.
        </p>
      </section>

      {result.failed ? <FormError message={result.summary} /> : null}

      <section aria-labelledby="responses-heading">
        <h2 id="responses-heading" className="text-lg font-semibold">
          Responses in your circle
        </h2>
        {hidden > 0 && listedAll ? (
          <p className="mt-1 text-sm text-stone-600">
            {hidden === 1
              ? "One response is of someone outside your circle: it is counted above, not listed."
              : `${hidden} responses are of people outside your circle: they are counted above, not listed.`}
          </p>
        ) : null}
        {!listedAll ? (
          <p className="mt-1 text-sm text-stone-600">
            The first {responses.length} by name are listed; the figures above count everyone.
          </p>
        ) : null}
        {responses.length === 0 ? (
          <p className="mt-2 text-stone-600">Nobody in this offering is in your circle.</p>
        ) : (
          <ul className="mt-2 space-y-3">
            {responses.map((r) => {
              const failed = failedId === r.id;
              return (
                <li key={r.id} className="rounded-lg border border-stone-200 bg-white p-4">
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <p>
                      {r.href ? (
                        <Link to={r.href} className={`font-medium ${linkClass}`}>
                          {r.name}
                        </Link>
                      ) : (
                        <span className="font-medium">{r.name}</span>
                      )}
                      {r.title || r.team ? (
                        <span className="text-sm text-stone-600">
                          {" "}
                          · {[r.title, r.team].filter(Boolean).join(", ")}
                        </span>
                      ) : null}
                    </p>
                    <p className="text-sm">
                      <span className="font-medium">{ASSIGNMENT_STATUS_LABELS[r.status]}</span>
                      {r.closed_on ? (
                        <span className="text-stone-600"> · {formatDate(r.closed_on)}</span>
                      ) : null}
                    </p>
                  </div>
                  {r.isCandidate ? (
                    <p className="mt-1 text-sm text-stone-600">
                      In the pipeline: completed and not completed are recorded with a debrief on
                      {r.href ? " their assignment page." : " their page, by their circle."}
                    </p>
                  ) : null}
                  {r.moves.length ? (
                    <Form
                      method="post"
                      className="mt-3 space-y-2"
                      noValidate
                      aria-label={`Record ${r.name}'s response`}
                    >
                      <input type="hidden" name="assignmentId" value={r.id} />
                      <input type="hidden" name="version" value={r.version} />
                      <TextArea
                        label="Note (optional)"
                        name="note"
                        rows={1}
                        maxLength={2000}
                        defaultValue={failed ? result.value("note") : ""}
                        errors={failed ? result.errors.note : undefined}
                      />
                      <div className="flex flex-wrap gap-2">
                        {r.moves.map((m) => (
                          <Button
                            key={m}
                            name="intent"
                            value={m}
                            variant={m === "withdrawn" ? "secondary" : "primary"}
                            disabled={busy}
                          >
                            {MOVE_LABELS[m] ?? ASSIGNMENT_STATUS_LABELS[m]}
                          </Button>
                        ))}
                      </div>
                    </Form>
                  ) : null}
                  {r.nominate ? (
                    <p className="mt-2 text-sm">
                      <Link to={r.nominate} className={linkClass}>
                        Nominate {r.name}
                      </Link>{" "}
                      <span className="text-stone-600">with this sniff test as evidence</span>
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
