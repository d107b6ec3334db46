import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { TRACKS } from "../../db/schema";
import { requireRole } from "../auth/policy.server";
import { Button, FormError, SelectField, TextArea, TextField } from "../components/ui/forms";
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
import { TRACK_LABELS } from "../utils/labels";

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
      const created = await createCandidate(trx, { details, nominatedBy: viewer.id, idempotencyKey, now: context.now() });
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


type FormResult = { formError?: string; fieldErrors?: Record<string, string[]>; values?: Record<string, string | string[]> };

export default function NominateCandidate() {
  const { managers, defaultManagerId, idempotencyKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as FormResult | undefined;
  const navigation = useNavigation();
  const values = actionData?.values ?? {};
  const errors = actionData?.fieldErrors ?? {};
  const text = (name: string, fallback = "") => (typeof values[name] === "string" ? (values[name] as string) : fallback);
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
        Someone whose everyday work made you notice leadership potential. They start at “spotted”; what you saw is the first
        piece of evidence.
      </p>
      <Form method="post" className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4" noValidate>
        <IdempotencyKeyField value={idempotencyKey} />
        <FormError message={actionData?.formError || errors.idempotencyKey?.join(" ")} />
        <TextField label="Name" name="name" required maxLength={120} defaultValue={text("name")} errors={errors.name} autoComplete="off" />
        <TextField
          label="Email (optional)"
          name="email"
          type="email"
          maxLength={254}
          autoComplete="off"
          defaultValue={text("email")}
          errors={errors.email}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Title" name="title" maxLength={120} defaultValue={text("title")} errors={errors.title} hint="e.g. Senior engineer" />
          <TextField label="Team" name="team" maxLength={120} defaultValue={text("team")} errors={errors.team} />
        </div>
        <SelectField label="Track" name="track" required defaultValue={text("track")} errors={errors.track}>
          <option value="">Choose a track</option>
          {TRACKS.map((t) => (
            <option key={t} value={t}>
              {TRACK_LABELS[t]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Manager" name="managerId" required defaultValue={text("managerId", defaultManagerId)} errors={errors.managerId}>
          <option value="">Choose their manager</option>
          {managers.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </SelectField>
        <TextArea
          label="Why you nominate them"
          name="nominatedReason"
          required
          rows={5}
          maxLength={10_000}
          hint="What did you see them do? A concrete situation helps, e.g. “Ran the incident review and got two teams to agree on the fix.”"
          defaultValue={text("nominatedReason")}
          errors={errors.nominatedReason}
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
