import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { SIGNALS, TRACKS } from "../../db/schema";
import { denyAsNotFound, isUuid, requireRole, type Viewer } from "../auth/policy.server";
import type { SessionUser } from "../auth/session.server";
import { ChoiceSelect } from "../components/choice-select";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { ObservationFields } from "../components/observation-form";
import { Button, FormError, TextArea } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  type AssignmentForNomination,
  createCandidate,
  findCandidateByIdempotencyKey,
  getClosedAssignmentForNomination,
  getPersonForNomination,
  isActiveUserWithRole,
  isPersonTaken,
  nominationRefusal,
  type PersonForNomination,
} from "../models/candidate.server";
import { createObservation, findActiveDimensionIds } from "../models/observation.server";
import { listActiveUsers } from "../models/user.server";
import { formatDate, isoDate } from "../utils/dates";
import { id, idList, optionalText, text } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { TRACK_LABELS } from "../utils/labels";
import { Breadcrumbs } from "../components/back-link";

// Anyone leading may spot potential: mentors, managers and leaders nominate anyone in the
// directory. The person's directory facts become the candidate's; what the nominator adds is the track,
// the manager who will hold the record in Noseworthy, and what they saw. From a sniff test the person
// completed (or did not), the nomination also writes the test's debrief into the new record.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Nominate ${data?.person.name ?? "a person"} · Noseworthy` },
];

const NOMINATORS = ["leader", "manager", "mentor"] as const;

const NominationSchema = z.object({
  track: z.enum(TRACKS, { error: "Choose people leadership or technical leadership." }),
  managerId: id("Choose the person's manager."),
  nominatedReason: text("Say what you saw that made you nominate them."),
  idempotencyKey: IdempotencyKeySchema,
});

const DebriefSchema = NominationSchema.extend({
  situation: optionalText(),
  behavior: text(
    "Describe what the person did, or did not do, with the sniff test: the debrief needs a behaviour.",
  ),
  impact: optionalText(),
  signal: z.enum(SIGNALS, { error: "Choose strength, concern or context." }),
  dimensionIds: idList("Choose dimensions from the list.", 50),
});

/** The person named by the URL, or an audited 404 (a bad id and an unknown person answer alike). */
async function requirePerson(context: AppContext, viewer: Viewer, personId: string | undefined) {
  if (!isUuid(personId)) throw await denyAsNotFound(context, viewer, "person", personId);
  const person = await getPersonForNomination(context.db, { personId, viewer });
  if (!person) throw await denyAsNotFound(context, viewer, "person", personId);
  return person;
}

/**
 * The sniff test named by ?assignment=, when there is one: the person's, closed as completed or not,
 * and visible to the viewer; anything else is an audited 404.
 */
async function requireAssignment(
  context: AppContext,
  viewer: Viewer,
  person: PersonForNomination,
  request: Request,
): Promise<AssignmentForNomination | null> {
  const assignmentId = new URL(request.url).searchParams.get("assignment");
  if (assignmentId === null) return null;
  if (!isUuid(assignmentId))
    throw await denyAsNotFound(context, viewer, "assignment", assignmentId);
  const assignment = await getClosedAssignmentForNomination(context.db, {
    assignmentId,
    personId: person.id,
    viewer,
  });
  if (!assignment) throw await denyAsNotFound(context, viewer, "assignment", assignmentId);
  return assignment;
}

async function load(context: AppContext, request: Request, personId: string | undefined) {
  const viewer: SessionUser = await requireRole(context, request, NOMINATORS);
  const person = await requirePerson(context, viewer, personId);
  const assignment = await requireAssignment(context, viewer, person, request);
  return { viewer, person, assignment };
}

/** A refused nomination is audited: it tells the viewer that the person left or is in the pipeline. */
function auditRefusal(
  context: AppContext,
  viewer: Viewer,
  person: { id: string; left_on: string | null },
) {
  return audit(context.db, {
    actorId: viewer.id,
    action: "person.nominate",
    entity: "person",
    entityId: person.id,
    outcome: "denied",
    requestId: context.requestId,
    details: { reason: person.left_on ? "left" : "already_in_pipeline" },
  });
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer, person, assignment } = await load(context, request, params.personId);
  const refusal = nominationRefusal(person);
  if (refusal) await auditRefusal(context, viewer, person);
  const shownPerson = {
    id: person.id,
    name: person.name,
    title: person.title,
    team: person.team,
    left_on: person.left_on,
    // Their record is linked only for someone who may open it.
    candidate_id: person.candidate_visible ? person.candidate_id : null,
  };
  if (refusal) {
    return json(
      {
        person: shownPerson,
        refusal,
        managers: [] as { id: string; name: string }[],
        defaultManagerId: "",
        assignment: null,
        dimensions: [] as { id: string; name: string }[],
        idempotencyKey: "",
      },
      { status: 409 },
    );
  }
  const [managers, dimensions] = await Promise.all([
    listActiveUsers(context.db, { withRole: "manager" }),
    assignment
      ? context.db
          .selectFrom("dimensions")
          .select(["id", "name"])
          .where("archived_at", "is", null)
          .where("id", "<>", assignment.dimension_id)
          .orderBy("position")
          .orderBy("name")
          .execute()
      : Promise.resolve([]),
  ]);
  const defaultManagerId =
    person.manager_user_id ?? (viewer.roles.includes("manager") ? viewer.id : "");
  return json({
    person: shownPerson,
    refusal: null,
    managers: managers.map((m) => ({ id: m.id, name: m.name })),
    defaultManagerId,
    assignment: assignment
      ? {
          id: assignment.id,
          title: assignment.title,
          status: assignment.status,
          offered_on: assignment.offered_on,
          closed_on: assignment.closed_on,
          closing_note: assignment.closing_note ?? "",
        }
      : null,
    dimensions,
    idempotencyKey: newIdempotencyKey(),
  });
}

// No name in the flash: cookies should not carry personal data.
const nominated = (candidateId: string) =>
  redirectWithFlash(`/candidates/${candidateId}`, "Candidate nominated.");

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer, person, assignment } = await load(context, request, params.personId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(assignment ? DebriefSchema : NominationSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data as z.infer<typeof NominationSchema> &
    Partial<z.infer<typeof DebriefSchema>>;
  const { idempotencyKey } = input;
  const today = isoDate(context.now());

  return saveOnce(context.db, {
    find: (db) => findCandidateByIdempotencyKey(db, idempotencyKey),
    isRepeat: (candidate) =>
      candidate.nominated_by === viewer.id && candidate.person_id === person.id,
    check: async () => {
      const refusal = nominationRefusal(person);
      if (refusal) {
        await auditRefusal(context, viewer, person);
        return invalid(values, {}, refusal, 409);
      }
      const fieldErrors: Record<string, string[]> = {};
      if (
        !(await isActiveUserWithRole(context.db, { userId: input.managerId, roles: ["manager"] }))
      )
        fieldErrors.managerId = ["Choose an active manager from the list."];
      const extra = input.dimensionIds ?? [];
      if (extra.length) {
        const active = new Set(await findActiveDimensionIds(context.db, extra));
        if (extra.some((d) => !active.has(d)))
          fieldErrors.dimensionIds = ["Choose dimensions from the list."];
      }
      return Object.keys(fieldErrors).length ? badRequest("", values, fieldErrors) : null;
    },
    create: async (trx) => {
      const now = context.now();
      const created = await createCandidate(trx, {
        personId: person.id,
        // The database copies the directory's facts over these.
        details: {
          name: person.name,
          email: person.email,
          title: person.title,
          team: person.team,
          track: input.track,
          managerId: input.managerId,
          nominatedReason: input.nominatedReason,
        },
        nominatedBy: viewer.id,
        idempotencyKey,
        now,
      });
      await audit(trx, {
        actorId: viewer.id,
        action: "candidate.create",
        entity: "candidate",
        entityId: created.id,
        requestId: context.requestId,
        details: {
          personId: person.id,
          managerId: input.managerId,
          track: input.track,
          ...(assignment ? { assignmentId: assignment.id } : {}),
        },
      });
      if (assignment && input.behavior !== undefined && input.signal !== undefined) {
        const dimensionIds = [
          assignment.dimension_id,
          ...(input.dimensionIds ?? []).filter((d) => d !== assignment.dimension_id),
        ];
        // The debrief is evidence of the day the test closed; the same form key, in its own table.
        const debrief = await createObservation(trx, {
          candidateId: created.id,
          authorId: viewer.id,
          assignmentId: assignment.id,
          observedOn: assignment.closed_on ?? today,
          situation: input.situation ?? "",
          behavior: input.behavior,
          impact: input.impact ?? "",
          signal: input.signal,
          dimensionIds,
          idempotencyKey,
          now,
        });
        await audit(trx, {
          actorId: viewer.id,
          action: "observation.create",
          entity: "observation",
          entityId: debrief.id,
          requestId: context.requestId,
          details: {
            candidateId: created.id,
            dimensionIds,
            signal: input.signal,
            assignmentId: assignment.id,
          },
        });
      }
      return created;
    },
    answer: (candidate) => nominated(candidate.id),
    values,
  }).catch(async (error: unknown) => {
    // Someone nominated them, or took their address, between the check and the insert.
    if (isPersonTaken(error) === "candidate") {
      await auditRefusal(context, viewer, { id: person.id, left_on: null });
      return invalid(values, {}, "They are already in the pipeline: nothing was saved.", 409);
    }
    throw error;
  });
}

const STATUS_WORDS: Record<string, string> = {
  completed: "completed",
  not_completed: "not completed",
};

export default function NominatePerson() {
  const { person, refusal, managers, defaultManagerId, assignment, dimensions, idempotencyKey } =
    useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const here = `/people/${person.id}/nominate${assignment ? `?assignment=${assignment.id}` : ""}`;
  const facts = [person.title, person.team].filter(Boolean).join(", ");

  return (
    <div className="max-w-2xl">
      <Breadcrumbs
        trail={[
          { to: "/people", label: "People" },
          { to: `/people/${person.id}`, label: person.name },
        ]}
      />
      <h1 className="mt-1 text-2xl font-semibold">Nominate {person.name}</h1>
      {facts ? <p className="mt-1 text-stone-600">{facts}</p> : null}
      {refusal ? (
        <div className="mt-6 space-y-2">
          <FormError message={refusal} />
          {person.candidate_id ? (
            <p>
              <Link to={`/candidates/${person.candidate_id}`} className="text-brand-700 underline">
                Open their record
              </Link>
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <p className="mt-1 text-stone-600">
            Someone whose everyday work made you notice leadership potential. Their name, email,
            title and team come from the directory; they start at “spotted”, and what you saw is the
            first piece of evidence. Sniff tests offered to them before come into their record.
          </p>
          <Form
            method="post"
            action={here}
            className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
            noValidate
          >
            <IdempotencyKeyField value={result.key(idempotencyKey)} />
            <FormError message={result.summary} />
            <ChoiceSelect
              label="Track"
              name="track"
              required
              defaultValue={result.value("track")}
              errors={result.errors.track}
              choices={TRACKS.map((t) => ({ id: t, name: TRACK_LABELS[t] ?? t }))}
              placeholder="Choose a track"
            />
            <ChoiceSelect
              label="Their manager in Noseworthy"
              name="managerId"
              required
              hint="The manager who holds their record. Their manager in the directory is chosen when they have a manager's account."
              defaultValue={result.value("managerId", defaultManagerId)}
              errors={result.errors.managerId}
              choices={managers}
              placeholder="Choose their manager"
            />
            <TextArea
              label="What you spotted"
              name="nominatedReason"
              required
              rows={5}
              maxLength={10_000}
              hint="What did you see them do? A concrete situation helps, e.g. “Ran the incident review and got two teams to agree on the fix.”"
              defaultValue={result.value("nominatedReason")}
              errors={result.errors.nominatedReason}
            />
            {assignment ? (
              <fieldset className="space-y-4 border-t border-stone-200 pt-4">
                <legend className="pt-4 font-semibold">
                  {`The debrief of “${assignment.title}”`}
                </legend>
                <p className="text-sm text-stone-600">
                  {`Offered on ${formatDate(assignment.offered_on)}${
                    assignment.closed_on
                      ? `, ${STATUS_WORDS[assignment.status] ?? assignment.status} on ${formatDate(assignment.closed_on)}`
                      : ""
                  }. `}
                  The debrief goes into their record as evidence, linked to the sniff test and
                  tagged with its dimension.
                </p>
                <ObservationFields
                  dimensions={dimensions}
                  result={result}
                  values={{
                    situation: `Sniff test “${assignment.title}”`,
                    behavior: assignment.closing_note,
                  }}
                  labels={{ dimensions: "Other dimensions it showed (optional)" }}
                />
              </fieldset>
            ) : null}
            <div className="flex items-center gap-4">
              <Button disabled={busy}>{busy ? "Nominating…" : "Nominate"}</Button>
              <Link to={`/people/${person.id}`} className="text-sm text-brand-700 underline">
                Cancel
              </Link>
            </div>
          </Form>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
