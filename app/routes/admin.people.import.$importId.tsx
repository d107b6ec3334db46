import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { isUuid, requireRole } from "../auth/policy.server";
import { Link } from "../components/ui/link";
import { Button, FormError } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import {
  type AppliedSummary,
  applyImport,
  ERRORS_SHOWN,
  getImport,
  LIST_SHOWN,
  MISSING_SHOWN,
  parsePeopleCsv,
  planImport,
} from "../models/people-import.server";
import { formatDate, isoDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { Breadcrumbs } from "../components/back-link";

export const meta: MetaFunction = () => [{ title: "Import preview · Noseworthy" }];

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  title: "Title",
  team: "Team",
  manager: "Manager",
  status: "Status",
  account: "Account",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  if (!isUuid(params.importId)) throw notFound();
  const stored = await getImport(context.db, params.importId);
  if (!stored) throw notFound();
  const base = { id: stored.id, fileName: stored.file_name, uploadedAt: stored.created_at };
  if (stored.applied_at || stored.content === null) {
    return json({
      ...base,
      applied: {
        at: stored.applied_at,
        by: stored.applied_by_name,
        summary: stored.summary as AppliedSummary | null,
      },
      preview: null,
    });
  }
  const plan = await planImport(context.db, parsePeopleCsv(stored.content), isoDate(context.now()));
  return json({
    ...base,
    applied: null,
    preview: {
      counts: {
        created: plan.creates.length,
        changed: plan.changes.length,
        unchanged: plan.unchanged,
        missing: plan.missing.length,
      },
      creates: plan.creates.slice(0, LIST_SHOWN).map((c) => ({
        line: c.line,
        email: c.email,
        name: c.name,
        title: c.title,
        team: c.team,
        managerEmail: c.managerEmail,
        left: c.leftOn !== null,
      })),
      changes: plan.changes.slice(0, LIST_SHOWN).map((c) => ({
        line: c.line,
        email: c.email,
        name: c.name,
        changes: c.changes,
      })),
      missing: plan.missing.slice(0, MISSING_SHOWN),
      errors: plan.errors.slice(0, ERRORS_SHOWN),
      errorCount: plan.errors.length,
      withoutEmail: plan.withoutEmail,
      ignoredColumns: plan.ignoredColumns,
      fingerprint: plan.fingerprint,
    },
  });
}

const ApplySchema = z.object({
  intent: z.literal("apply", { error: "Use the Apply button on this page." }),
  fingerprint: z
    .string({ error: "This preview has expired: reload the page and check it again." })
    .regex(/^[0-9a-f]{64}$/, "This preview has expired: reload the page and check it again."),
  markMissingLeft: z
    .enum(["on"])
    .optional()
    .transform((v) => v === "on"),
});

function summaryText(s: AppliedSummary): string {
  return `${s.created} created, ${s.changed} changed, ${s.unchanged} unchanged, ${s.markedLeft} marked as left.`;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  if (!isUuid(params.importId)) throw notFound();
  const formData = await request.formData();
  const parsed = parseForm(ApplySchema, formData);
  if (!parsed.ok) return parsed.response;
  const values = formValues(formData);
  const importId = params.importId;
  const outcome = await applyImport(context.db, {
    importId,
    actorId: admin.id,
    requestId: context.requestId,
    today: isoDate(context.now()),
    markMissingLeft: parsed.data.markMissingLeft,
    fingerprint: parsed.data.fingerprint,
  });
  if (outcome.kind === "not_found") throw notFound();
  if (outcome.kind === "applied") {
    return redirectWithFlash(
      `/admin/people/import/${importId}`,
      `Import applied: ${summaryText(outcome.summary)}`,
    );
  }
  const refused = (reason: string) =>
    audit(context.db, {
      actorId: admin.id,
      action: "people_import.apply",
      entity: "people_import",
      entityId: importId,
      outcome: "denied",
      requestId: context.requestId,
      details: { reason },
    });
  if (outcome.kind === "already_applied") {
    await refused("already_applied");
    return invalid(
      values,
      {},
      `This import was already applied on ${formatDate(outcome.appliedAt)}: nothing was changed again.`,
      409,
    );
  }
  if (outcome.kind === "expired") {
    await refused("expired");
    return invalid(
      values,
      {},
      "This preview is more than a day old, and its file is no longer kept: nothing was applied. Upload the file again.",
      409,
    );
  }
  if (outcome.kind === "plan_changed") {
    await refused("plan_changed");
    return invalid(
      values,
      {},
      "The directory changed since this preview was shown. Nothing was applied: check the preview below again.",
      409,
    );
  }
  await refused("errors");
  return invalid(
    values,
    {},
    "The file has errors: nothing was applied. Correct the file and upload it again.",
  );
}

export default function ImportPreview() {
  const { fileName, uploadedAt, applied, preview } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

  return (
    <div className="max-w-4xl">
      <Breadcrumbs trail={[{ to: "/admin/people/import", label: "Import people" }]} />
      <h1 className="mt-1 text-2xl font-semibold">
        {applied ? "Import applied" : "Import preview"}
      </h1>
      <p className="mt-1 text-stone-600">
        {fileName || "Untitled file"}, uploaded {formatDate(uploadedAt)}.
      </p>
      <div className="mt-4">
        <FormError message={result.formError} />
      </div>

      {applied ? (
        <section
          aria-labelledby="done-heading"
          className="mt-4 rounded-lg border border-green-200 bg-green-50 p-4"
        >
          <h2 id="done-heading" className="font-semibold text-green-900">
            Applied{applied.at ? ` on ${formatDate(applied.at)}` : ""}
            {applied.by ? ` by ${applied.by}` : ""}
          </h2>
          {applied.summary ? (
            <p className="mt-1 text-green-900">{summaryText(applied.summary)}</p>
          ) : null}
          <p className="mt-2 text-sm text-stone-700">
            The uploaded file is no longer kept. To import again, upload a new file; an unchanged
            file changes nothing.
          </p>
          <p className="mt-2 text-sm">
            <Link to="/people" className="text-brand-700 underline">
              See the directory
            </Link>
          </p>
        </section>
      ) : preview ? (
        <Preview preview={preview} busy={busy} />
      ) : null}
    </div>
  );
}

type PreviewData = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["preview"]>;

function More({ shown, total }: { shown: number; total: number }) {
  if (total <= shown) return null;
  return <p className="mt-1 text-sm text-stone-600">… and {total - shown} more.</p>;
}

/** One list of the preview under its heading, and how many more there are; nothing when `rows` is empty. */
function PreviewList({
  id,
  title,
  rows,
  total,
  children,
}: {
  id: string;
  title: string;
  rows: readonly unknown[];
  total: number;
  children: ReactNode;
}) {
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby={`${id}-heading`} className="mt-6">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
      <More shown={rows.length} total={total} />
    </section>
  );
}

function Preview({ preview, busy }: { preview: PreviewData; busy: boolean }) {
  const { counts } = preview;
  const hasErrors = preview.errorCount > 0;
  return (
    <>
      {hasErrors ? (
        <section
          aria-labelledby="errors-heading"
          className="mt-4 rounded-lg border border-red-300 bg-red-50 p-4"
        >
          <h2 id="errors-heading" className="font-semibold text-red-900">
            The file has {preview.errorCount === 1 ? "an error" : `${preview.errorCount} errors`}:
            nothing can be applied
          </h2>
          <p className="mt-1 text-sm text-red-900">
            Correct the file and upload it again. Line numbers count the header as line 1.
          </p>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-red-900">
            {preview.errors.map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
          <More shown={preview.errors.length} total={preview.errorCount} />
        </section>
      ) : null}

      <section aria-labelledby="counts-heading" className="mt-4">
        <h2 id="counts-heading" className="text-lg font-semibold">
          {hasErrors ? "What the lines without errors would do" : "What applying it will do"}
        </h2>
        <ul className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-stone-800">
          <li>{counts.created} to create</li>
          <li>{counts.changed} to change</li>
          <li>{counts.unchanged} unchanged</li>
          <li>{counts.missing} in the directory but not in the file</li>
        </ul>
        {preview.ignoredColumns.length ? (
          <p className="mt-2 text-sm text-stone-700">
            Columns ignored (not part of the format): {preview.ignoredColumns.join(", ")}.
          </p>
        ) : null}
        {preview.withoutEmail > 0 ? (
          <p className="mt-2 text-sm text-stone-700">
            {preview.withoutEmail} {preview.withoutEmail === 1 ? "person" : "people"} in the
            directory {preview.withoutEmail === 1 ? "has" : "have"} no email, so no file can name
            them: they are left alone.
          </p>
        ) : null}
      </section>

      <PreviewList id="created" title="To create" rows={preview.creates} total={counts.created}>
        <div className="mt-2 overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <thead className="text-stone-600">
              <tr>
                <th className="py-1 pr-4 font-medium">Line</th>
                <th className="py-1 pr-4 font-medium">Name</th>
                <th className="py-1 pr-4 font-medium">Email</th>
                <th className="py-1 pr-4 font-medium">Title</th>
                <th className="py-1 pr-4 font-medium">Team</th>
                <th className="py-1 pr-4 font-medium">Manager</th>
                <th className="py-1 pr-4 font-medium">Status</th>
              </tr>
            </thead>
            <tbody>
              {preview.creates.map((c) => (
                <tr key={c.email} className="border-t border-stone-200">
                  <td className="py-1 pr-4">{c.line}</td>
                  <td className="py-1 pr-4">{c.name}</td>
                  <td className="py-1 pr-4">{c.email}</td>
                  <td className="py-1 pr-4">{c.title}</td>
                  <td className="py-1 pr-4">{c.team}</td>
                  <td className="py-1 pr-4">{c.managerEmail ?? ""}</td>
                  <td className="py-1 pr-4">{c.left ? "left" : "active"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PreviewList>

      <PreviewList id="changed" title="To change" rows={preview.changes} total={counts.changed}>
        <ul className="mt-2 space-y-2 text-sm">
          {preview.changes.map((c) => (
            <li key={c.email}>
              <span className="font-medium">{c.name}</span>{" "}
              <span className="text-stone-600">
                ({c.email}, line {c.line})
              </span>
              <ul className="ml-5 list-disc">
                {c.changes.map((x) => (
                  <li key={x.field}>
                    {FIELD_LABELS[x.field] ?? x.field}: {x.before ? `“${x.before}”` : "none"} →{" "}
                    {x.after ? `“${x.after}”` : "none"}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </PreviewList>

      <PreviewList
        id="missing"
        title="In the directory but not in the file"
        rows={preview.missing}
        total={counts.missing}
      >
        <p className="mt-1 text-sm text-stone-700">
          They are left as they are unless you tick the box below.
        </p>
        <ul className="mt-2 columns-1 text-sm sm:columns-2">
          {preview.missing.map((m) => (
            <li key={m.id}>
              {m.name} <span className="text-stone-600">({m.email})</span>
            </li>
          ))}
        </ul>
      </PreviewList>

      {hasErrors ? null : (
        <Form
          method="post"
          className="mt-6 space-y-3 rounded-lg border border-stone-200 bg-white p-4"
        >
          <input type="hidden" name="intent" value="apply" />
          <input type="hidden" name="fingerprint" value={preview.fingerprint} />
          {counts.missing > 0 ? (
            <label className="flex items-center gap-2 text-sm text-stone-800">
              <input type="checkbox" name="markMissingLeft" value="on" />
              {counts.missing === 1
                ? "Mark this person as left"
                : `Mark these ${counts.missing} people as left`}
            </label>
          ) : null}
          <p className="text-sm text-stone-700">
            {counts.created + counts.changed + counts.missing === 0
              ? "The file matches the directory: applying it changes nothing."
              : "Everything above is applied at once, or nothing is. Every change is recorded in the audit log."}
          </p>
          <Button disabled={busy}>{busy ? "Applying…" : "Apply"}</Button>
        </Form>
      )}
    </>
  );
}
