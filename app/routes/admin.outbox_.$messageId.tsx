/**
 * One message of the outbox, as it was made: its headers, its text part, its HTML part and its
 * calendar invitation. Admins only.
 *
 * The HTML is shown in an iframe with an empty sandbox (no scripts, no forms, no same-origin access,
 * no navigation of this page) from srcdoc, so a message can never act as the app. The page's CSP
 * (style-src 'self') also applies inside it, so the preview shows the message's structure — headings,
 * paragraphs, the list, links — without its inline colours; the text part beside it is exactly what
 * a text-only client shows.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import { Link } from "../components/ui/link";
import { getMailMessage } from "../mail/mail.server";
import { mailStatusTexts } from "../mail/outbox-view";
import { formatInstant } from "../utils/dates";
import { isUuid } from "../utils/fields";
import { notFound } from "../utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.message.subject ?? "Message"} · Outbox · Noseworthy` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const id = params.messageId;
  const message = isUuid(id) ? await getMailMessage(context.db, id) : undefined;
  if (!message) throw notFound();
  return json({ message });
}

const STATUS_TEXT = mailStatusTexts("kept in the outbox (no SMTP_URL)");

export default function OutboxMessage() {
  const { message } = useLoaderData<typeof loader>();
  const headers = Object.entries(message.headers ?? {});
  return (
    <div className="max-w-4xl">
      <p className="text-sm">
        <Link to="/admin/outbox" className="text-brand-700 underline">
          Outbox
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold break-words">{message.subject}</h1>
      <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium text-stone-700">To</dt>
        <dd className="break-all">{message.to_address}</dd>
        <dt className="font-medium text-stone-700">Kind</dt>
        <dd className="font-mono text-xs">{message.kind}</dd>
        <dt className="font-medium text-stone-700">Status</dt>
        <dd>{STATUS_TEXT[message.status] ?? message.status}</dd>
        <dt className="font-medium text-stone-700">Made</dt>
        <dd>{formatInstant(message.created_at, "—")}</dd>
        <dt className="font-medium text-stone-700">Sent</dt>
        <dd>{formatInstant(message.sent_at, "—")}</dd>
        {message.last_error ? (
          <>
            <dt className="font-medium text-stone-700">Last error</dt>
            <dd className="break-words text-red-800">{message.last_error}</dd>
          </>
        ) : null}
        {headers.map(([name, value]) => (
          <div key={name} className="contents">
            <dt className="font-medium text-stone-700">{name}</dt>
            <dd className="font-mono text-xs break-all">{value}</dd>
          </div>
        ))}
      </dl>

      <section className="mt-8" aria-labelledby="text-heading">
        <h2 id="text-heading" className="text-lg font-semibold">
          Text part
        </h2>
        <pre
          tabIndex={0}
          className="mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white p-4 text-sm whitespace-pre-wrap"
        >
          {message.text_body}
        </pre>
      </section>

      <section className="mt-8" aria-labelledby="html-heading">
        <h2 id="html-heading" className="text-lg font-semibold">
          HTML part
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          Shown without its colours (this page lets no styles or scripts from a message run).
        </p>
        <iframe
          title={`HTML part of “${message.subject}”`}
          sandbox=""
          srcDoc={message.html_body}
          className="mt-2 h-[32rem] w-full rounded-lg border border-stone-200 bg-white"
        />
        <details className="mt-2">
          <summary className="cursor-pointer text-sm text-brand-700">HTML source</summary>
          <pre
            tabIndex={0}
            className="mt-2 max-h-96 overflow-auto rounded-lg border border-stone-200 bg-white p-4 text-xs whitespace-pre-wrap"
          >
            {message.html_body}
          </pre>
        </details>
      </section>

      {message.ics ? (
        <section className="mt-8" aria-labelledby="ics-heading">
          <h2 id="ics-heading" className="text-lg font-semibold">
            Calendar invitation (.ics)
          </h2>
          <pre
            tabIndex={0}
            className="mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white p-4 text-xs whitespace-pre-wrap"
          >
            {message.ics}
          </pre>
        </section>
      ) : null}
    </div>
  );
}
