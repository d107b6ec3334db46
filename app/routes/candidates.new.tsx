import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { requireRole } from "../auth/policy.server";
import { CandidateDetailsFields } from "../components/candidate-details-fields";
import { Button, FormError, TextArea } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { audit } from "../models/audit.server";
import {
  CandidateDetailsSchema,
  createCandidate,
  findCandidateByIdempotencyKey,
  isActiveUserWithRole,
  isPersonTaken,
  nominationEmailError,
  toCandidateDetails,
} from "../models/candidate.server";
import { listActiveUsers } from "../models/user.server";
import { badRequest, type FieldErrors, formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { useFormResult } from "../utils/form-result";
import { Breadcrumbs } from "../components/back-link";

export const meta: MetaFunction = () => [{ title: "Nominate a candidate · Noseworthy" }];

const NominateSchema = CandidateDetailsSchema.extend({ idempotencyKey: IdempotencyKeySchema });

/** Anyone leading may spot potential: mentors, managers and leaders nominate. */
const NOMINATORS = ["leader", "manager", "mentor"] as const;

const ALREADY_IN_PIPELINE = "The person with this email address is already in the pipeline.";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, NOMINATORS);
  const managers = await listActiveUsers(context.db, { withRole: "manager" });
  return json({
    managers: managers.map((m) => ({ id: m.id, name: m.name })),
    defaultManagerId: viewer.roles.includes("manager") ? viewer.id : "",
    idempotencyKey: newIdempotencyKey(),
  });
}

// No name in the flash: cookies should not carry personal data.
const nominated = (id: string) => redirectWithFlash(`/candidates/${id}`, "Candidate nominated.");

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, NOMINATORS);
  const formData = await request.formData();
  const parsed = parseForm(NominateSchema, formData);
  if (!parsed.ok) return parsed.response;
  const { idempotencyKey } = parsed.data;
  const values = formValues(formData);
  const details = toCandidateDetails(parsed.data);

  return saveOnce(context.db, {
    find: (db) => findCandidateByIdempotencyKey(db, idempotencyKey),
    isRepeat: (candidate) => candidate.nominated_by === viewer.id,
    check: async () => {
      const fieldErrors: FieldErrors = {};
      const emailError = await nominationEmailError(context.db, details.email);
      if (emailError) fieldErrors.email = [emailError];
      if (
        !(await isActiveUserWithRole(context.db, { userId: details.managerId, roles: ["manager"] }))
      )
        fieldErrors.managerId = ["Choose an active manager from the list."];
      return Object.keys(fieldErrors).length ? badRequest("", values, fieldErrors) : null;
    },
    create: async (trx) => {
      const created = await createCandidate(trx, {
        details,
        nominatedBy: viewer.id,
        idempotencyKey,
        now: context.now(),
      });
      await audit(trx, {
        actorId: viewer.id,
        action: "candidate.create",
        entity: "candidate",
        entityId: created.id,
        requestId: context.requestId,
        details: { managerId: details.managerId, track: details.track },
      });
      return created;
    },
    answer: (candidate) => nominated(candidate.id),
    values,
  }).catch((error: unknown) => {
    // Someone nominated the person with this address between the check and the insert.
    if (isPersonTaken(error) === "candidate")
      return badRequest("", values, { email: [ALREADY_IN_PIPELINE] });
    throw error;
  });
}

export default function NominateCandidate() {
  const { managers, defaultManagerId, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

  return (
    <div className="max-w-2xl">
      <Breadcrumbs trail={[{ to: "/candidates", label: "Candidates" }]} />
      <h1 className="mt-1 text-2xl font-semibold">Nominate a candidate</h1>
      <p className="mt-1 text-stone-600">
        Someone whose everyday work made you notice leadership potential. They start at “spotted”;
        what you saw is the first piece of evidence.
      </p>
      <Form
        method="post"
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <IdempotencyKeyField value={result.key(idempotencyKey)} />
        <FormError message={result.summary} />
        <p className="text-sm text-stone-600">
          When the email is the work address of someone in{" "}
          <Link to="/people" className="text-brand-700 underline">
            the directory
          </Link>
          , the candidate is that person: their name, title and team come from the directory, and
          the sniff tests offered to them come into their record. To start from the directory, open
          the person there and choose “Nominate”.
        </p>
        <CandidateDetailsFields
          value={(name) => result.value(name, name === "managerId" ? defaultManagerId : "")}
          errors={result.errors}
          managers={managers}
          nominating
        />
        <TextArea
          label="Why you nominate them"
          name="nominatedReason"
          required
          rows={5}
          maxLength={10_000}
          hint="What did you see them do? A concrete situation helps, e.g. “Ran the incident review and got two teams to agree on the fix.”"
          defaultValue={result.value("nominatedReason")}
          errors={result.errors.nominatedReason}
        />
        <div className="flex items-center gap-4">
          <Button disabled={busy}>{busy ? "Nominating…" : "Nominate"}</Button>
          <Link to="/candidates" className="text-sm text-brand-700 underline">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}
