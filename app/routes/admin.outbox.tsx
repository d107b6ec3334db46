/**
 * The outbox: every message Noseworthy made, newest first — sent, waiting to be sent (with the last
 * SMTP error, while its job retries) or, without SMTP_URL, kept here to be read. Admins only.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { ColumnHeads } from "../components/ui/column-heads";
import { Link } from "../components/ui/link";
import { Pager } from "../components/ui/pager";
import { listMailMessages } from "../mail/mail.server";
import { mailStatusTexts } from "../mail/outbox-view";
import { formatInstant } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "Outbox · Noseworthy" }];

const PAGE_SIZE = 50;

// A bookmarked or hand-edited URL with a bad page number shows the first page rather than an error.
const OutboxQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const { page } = OutboxQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await listMailMessages(context.db, {
    limit: PAGE_SIZE + 1,
    offset: (page - 1) * PAGE_SIZE,
  });
  return json({
    messages: rows.slice(0, PAGE_SIZE),
    page,
    hasNext: rows.length > PAGE_SIZE,
    smtp: Boolean(process.env.SMTP_URL),
  });
}

const STATUS_TEXT = mailStatusTexts("kept here (no SMTP_URL)");
const STATUS_STYLE: Record<string, string> = {
  queued: "bg-amber-50 text-amber-900 border-amber-200",
  sent: "bg-green-50 text-green-900 border-green-200",
  outbox: "bg-stone-50 text-stone-800 border-stone-300",
  failed: "bg-red-50 text-red-900 border-red-200",
};

function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-block rounded border px-2 py-0.5 text-xs whitespace-nowrap ${STATUS_STYLE[status] ?? ""}`}
    >
      {STATUS_TEXT[status] ?? status}
    </span>
  );
}

export default function AdminOutbox() {
  const { messages, page, hasNext, smtp } = useLoaderData<typeof loader>();
  return (
    <div>
      <h1 className="text-2xl font-semibold">Outbox</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        {smtp
          ? "Every message Noseworthy has made, newest first. A message waiting to be sent shows the mail server's last answer; it is tried again with growing pauses."
          : "Mail is not configured (SMTP_URL), so messages are kept here instead of being sent: this is what would go out. Newest first."}
      </p>
      {messages.length === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 p-4 text-stone-600">
          {page > 1 ? "No older messages." : "No messages yet."}
        </p>
      ) : (
        <div
          tabIndex={0}
          role="region"
          aria-label="Messages"
          className="relative mt-6 overflow-x-auto rounded-lg border border-stone-200 bg-white"
        >
          <table className="min-w-full divide-y divide-stone-200 text-sm">
            <caption className="sr-only">Messages, newest first</caption>
            <thead className="bg-stone-50 text-left text-stone-700">
              <ColumnHeads
                className="px-3 py-2 font-semibold whitespace-nowrap"
                labels={["Subject", "To", "Kind", "Status", "Made", "Sent", "Last error"]}
              />
            </thead>
            <tbody className="divide-y divide-stone-100 align-top">
              {messages.map((m) => (
                <tr key={m.id}>
                  <td className="px-3 py-2">
                    <Link to={`/admin/outbox/${m.id}`} className="text-brand-700 underline">
                      {m.subject}
                    </Link>
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{m.to_address}</td>
                  <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">{m.kind}</td>
                  <td className="px-3 py-2">
                    <StatusBadge status={m.status} />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <time dateTime={new Date(m.created_at).toISOString()}>
                      {formatInstant(m.created_at, "—")}
                    </time>
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{formatInstant(m.sent_at, "—")}</td>
                  <td className="min-w-48 px-3 py-2 text-xs break-words text-stone-700">
                    {m.last_error ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        page={page}
        hasNext={hasNext}
        href={(p) => (p === 1 ? "/admin/outbox" : `/admin/outbox?page=${p}`)}
      />
    </div>
  );
}
