import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { ColumnHeads } from "../components/ui/column-heads";
import { Button, TextField } from "../components/ui/forms";
import { listAuditEvents } from "../models/audit.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Noseworthy" }];

const PAGE_SIZE = 50;

// A bookmarked or hand-edited URL with a bad value shows the newest page rather than an error.
const AuditQuerySchema = z.object({
  action: z.string().trim().max(100).optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const query = AuditQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const action = query.action || undefined;
  const { events, hasMore } = await listAuditEvents(context.db, {
    before: query.before,
    action,
    limit: PAGE_SIZE,
  });
  const olderThan = hasMore && events.length ? String(events[events.length - 1].id) : null;
  return json({ events, action: action ?? "", before: query.before ?? null, olderThan });
}

function formatInstant(value: string | Date): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

const OUTCOME_STYLE: Record<string, string> = {
  ok: "bg-green-50 text-green-900 border-green-200",
  denied: "bg-amber-50 text-amber-900 border-amber-200",
  failed: "bg-red-50 text-red-900 border-red-200",
};

export default function AdminAudit() {
  const { events, action, before, olderThan } = useLoaderData<typeof loader>();
  const withAction = (params: Record<string, string>) => {
    const search = new URLSearchParams({ ...(action ? { action } : {}), ...params }).toString();
    return search ? `/admin/audit?${search}` : "/admin/audit";
  };

  return (
    <div>
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Every sign-in, change and refused request, newest first. The log is append-only: the
        database refuses to change or remove it.
      </p>

      <Form method="get" className="mt-4 flex flex-wrap items-end gap-3">
        <div className="w-full max-w-xs">
          <TextField
            label="Action starts with"
            name="action"
            defaultValue={action}
            placeholder="user."
            maxLength={100}
          />
        </div>
        <Button variant="secondary">Filter</Button>
        {action ? (
          <Link to="/admin/audit" className="py-2 text-sm text-brand-700 underline">
            Clear filter
          </Link>
        ) : null}
      </Form>

      {events.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 p-4 text-stone-600">
          {action
            ? `No audit events with an action starting “${action}”.`
            : before
              ? "No older audit events."
              : "No audit events yet."}
        </p>
      ) : (
        <div
          tabIndex={0}
          role="region"
          aria-label="Audit entries"
          className="relative mt-6 overflow-x-auto rounded-lg border border-stone-200 bg-white"
        >
          <table className="min-w-full divide-y divide-stone-200 text-sm">
            <caption className="sr-only">
              Audit events{action ? ` with an action starting “${action}”` : ""}, newest first
            </caption>
            <thead className="bg-stone-50 text-left text-stone-700">
              <ColumnHeads
                className="px-3 py-2 font-semibold whitespace-nowrap"
                labels={[
                  "At (UTC)",
                  "Actor",
                  "Action",
                  "Entity",
                  "Entity id",
                  "Outcome",
                  "Request id",
                  "Details",
                ]}
              />
            </thead>
            <tbody className="divide-y divide-stone-100 align-top">
              {events.map((e) => {
                const details =
                  e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : "";
                return (
                  <tr key={String(e.id)}>
                    <td className="px-3 py-2 whitespace-nowrap">
                      <time dateTime={new Date(e.at).toISOString()}>{formatInstant(e.at)}</time>
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{e.actor_email ?? "—"}</td>
                    <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">{e.action}</td>
                    <td className="px-3 py-2">{e.entity}</td>
                    <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">
                      {e.entity_id ?? "—"}
                    </td>
                    <td className="px-3 py-2">
                      <span
                        className={`inline-block rounded border px-2 py-0.5 text-xs ${OUTCOME_STYLE[e.outcome] ?? ""}`}
                      >
                        {e.outcome}
                      </span>
                    </td>
                    <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">
                      {e.request_id ?? "—"}
                    </td>
                    <td className="min-w-48 px-3 py-2 font-mono text-xs break-words text-stone-700">
                      {details}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Audit log pages" className="mt-4 flex gap-4 text-sm">
        {before ? (
          <Link to={withAction({})} className="text-brand-700 underline">
            Newest
          </Link>
        ) : null}
        {olderThan ? (
          <Link
            to={withAction({ before: olderThan })}
            className="text-brand-700 underline"
            rel="next"
          >
            Older
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
