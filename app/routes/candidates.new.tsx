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
  toCandidateDetails,
} from "../models/candidate.server";
import { listActiveUsers } from "../models/user.server";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { IdempotencyKeySchema, newIdempotencyKey, saveOnce } from "../utils/idempotency.server";
import { useFormResult } from "../utils/form-result";

export const meta: MetaFunction = () => [{ title: "Nominate a candidate · Noseworthy" }];

const NominateSchema = CandidateDetailsSchema.extend({ idempotencyKey: IdempotencyKeySchema });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["manager", "leader"]);
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
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const formData = await request.formData();
  const parsed = parseForm(NominateSchema, formData);
  if (!parsed.ok) return parsed.response;
  const { idempotencyKey } = parsed.data;
  const values = formValues(formData);
  const details = toCandidateDetails(parsed.data);

  return saveOnce(context.db, {
    find: (db) => findCandidateByIdempotencyKey(db, idempotencyKey),
    isRepeat: (candidate) => candidate.nominated_by === viewer.id,
    check: async () =>
      (await isActiveUserWithRole(context.db, { userId: details.managerId, roles: ["manager"] }))
        ? null
        : badRequest("", values, { managerId: ["Choose an active manager from the list."] }),
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
  });
}

export default function NominateCandidate() {
  const { managers, defaultManagerId, idempotencyKey } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

  return (
    <div className="max-w-2xl">
      <p className="text-sm">
        <Link to="/candidates" className="text-brand-700 underline">
          Candidates
        </Link>
      </p>
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
