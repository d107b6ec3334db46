import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { recentlyAuthenticated } from "../auth/login-stages.server";
import { requireRole } from "../auth/policy.server";
import { confirmUrl, requireRecentAuthentication } from "../auth/reauthenticate.server";
import { ConfirmNotice } from "../components/confirm-notice";
import { ColumnHeads } from "../components/ui/column-heads";
import { Button, FormError, TextField } from "../components/ui/forms";
import {
  eraseCandidate,
  findErasableCandidate,
  listErasableCandidates,
} from "../models/erasure.server";
import {
  getRetentionMonths,
  MAX_RETENTION_MONTHS,
  setRetentionMonths,
} from "../models/retention.server";
import { formatDate } from "../utils/dates";
import { id } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Erase candidates · Noseworthy" }];

const EraseSchema = z.object({
  intent: z.literal("erase"),
  candidateId: id("Choose a candidate from the list."),
  confirmName: z.string().max(500, "Type the candidate's name exactly."),
});

const RetentionSchema = z.object({
  intent: z.literal("retention"),
  months: z
    .string()
    .trim()
    .refine(
      (v) =>
        v === "" || (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_RETENTION_MONTHS),
      {
        message: `Enter a whole number of months from 1 to ${MAX_RETENTION_MONTHS}, or leave it empty to keep archived candidates.`,
      },
    ),
});

const ActionSchema = z.discriminatedUnion("intent", [EraseSchema, RetentionSchema], {
  error: "Unknown action.",
});

const HERE = "/admin/candidates";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const [candidates, retentionMonths] = await Promise.all([
    listErasableCandidates(context.db),
    getRetentionMonths(context.db),
  ]);
  return json({
    candidates,
    retentionMonths,
    confirmed: recentlyAuthenticated(admin, context.now()),
    confirmUrl: confirmUrl(HERE),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  const parsed = parseForm(ActionSchema, formData);
  if (!parsed.ok) return parsed.response;
  const data = parsed.data;
  if (data.intent === "retention") {
    const months = data.months === "" ? null : Number(data.months);
    await setRetentionMonths(context.db, {
      months,
      actorId: admin.id,
      requestId: context.requestId,
    });
    return redirectWithFlash(
      "/admin/candidates",
      months === null
        ? "Retention is off: archived candidates are kept."
        : `Archived candidates will be erased ${months} months after archiving.`,
    );
  }
  const values = formValues(formData);
  // Erasure cannot be undone: a session left open is not enough, its owner proves who they are again.
  const refused = await requireRecentAuthentication(context, {
    user: admin,
    action: "candidate.erase",
    entity: "candidate",
    entityId: data.candidateId,
    values,
    redirectTo: HERE,
  });
  if (refused) return refused;
  const candidate = await findErasableCandidate(context.db, { candidateId: data.candidateId });
  if (!candidate) return badRequest("That candidate is not archived or no longer exists.", values);
  // Typed confirmation: the name exactly as recorded (no trimming, no case folding).
  if (data.confirmName !== candidate.name) {
    return invalid(values, { confirmName: ["Type the candidate's name exactly as shown."] });
  }
  const outcome = await eraseCandidate(context.db, {
    candidateId: candidate.id,
    actorId: admin.id,
    requestId: context.requestId,
    via: "admin",
  });
  if (outcome === "missing")
    return badRequest("That candidate is not archived or no longer exists.", values);
  return redirectWithFlash(
    "/admin/candidates",
    "The candidate and everything recorded about them have been erased.",
  );
}

export default function AdminCandidates() {
  const { candidates, retentionMonths, confirmed, confirmUrl } = useLoaderData<typeof loader>();
  const erase = useFormResult("erase");
  const retention = useFormResult("retention");
  const failedId = erase.value("candidateId") || undefined;

  return (
    <div>
      <h1 className="text-2xl font-semibold">Erase candidates</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Erasing removes an archived candidate and everything recorded about them — observations,
        flags, assignments, coaching plans and calibration items. It cannot be undone. The audit log
        keeps the events (who did what, and when) without their details. A candidate must be
        archived by their manager or a leader before they appear here.
      </p>

      <section aria-labelledby="archived-heading" className="mt-6">
        <h2 id="archived-heading" className="text-lg font-semibold">
          Archived candidates{" "}
          <span className="text-sm font-normal text-stone-600">({candidates.length})</span>
        </h2>
        {candidates.length > 0 && !confirmed ? (
          <div className="mt-2">
            <ConfirmNotice confirmUrl={confirmUrl} what="Erasing a candidate" />
          </div>
        ) : null}
        {candidates.length === 0 ? (
          <p className="mt-2 text-stone-600">
            No archived candidates. When a manager archives a candidate, they appear here for
            erasure.
          </p>
        ) : (
          <div className="mt-3 overflow-x-auto rounded-lg border border-stone-200 bg-white">
            <table className="min-w-full divide-y divide-stone-200 text-sm">
              <thead className="bg-stone-50 text-left text-stone-700">
                <ColumnHeads
                  className="px-3 py-2 font-semibold"
                  labels={["Name", "Archived", "Erase"]}
                />
              </thead>
              <tbody className="divide-y divide-stone-100">
                {candidates.map((c) => {
                  const failed = failedId === c.id;
                  return (
                    <tr key={c.id}>
                      <td className="px-3 py-2 font-medium">{c.name}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{formatDate(c.archived_at)}</td>
                      <td className="px-3 py-2">
                        <Form method="post" className="flex flex-wrap items-end gap-2" noValidate>
                          <input type="hidden" name="intent" value="erase" />
                          <input type="hidden" name="candidateId" value={c.id} />
                          {failed ? <FormError message={erase.formError} /> : null}
                          <TextField
                            label={`Type “${c.name}” to confirm`}
                            name="confirmName"
                            autoComplete="off"
                            errors={failed ? erase.errors.confirmName : undefined}
                          />
                          <Button>Erase</Button>
                        </Form>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {!failedId ? <FormError message={erase.formError} /> : null}
      </section>

      <section
        aria-labelledby="retention-heading"
        className="mt-8 max-w-xl rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="retention-heading" className="text-lg font-semibold">
          Retention
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          {retentionMonths === null
            ? "Off: archived candidates are kept until an admin erases them."
            : `Archived candidates are erased ${retentionMonths} months after archiving, when npm run db:retention runs.`}
        </p>
        <Form method="post" className="mt-4 space-y-4" noValidate>
          <input type="hidden" name="intent" value="retention" />
          <TextField
            label="Erase archived candidates after (months)"
            name="months"
            inputMode="numeric"
            defaultValue={retention.value("months", retentionMonths?.toString() ?? "")}
            hint="Leave empty to turn retention off."
            errors={retention.errors.months}
          />
          <Button>Save retention</Button>
        </Form>
      </section>
    </div>
  );
}
