/**
 * The signed-in person's calendar feed: a secret link their calendar program subscribes to, with what
 * is due to them (meetings, sniff tests they offered, check-ins and actions of the plans they mentor),
 * in neutral words with links. The link is shown once, in the answer that made it (no-store); only its
 * SHA-256 is kept. Making a new link revokes the old one; revoking is idempotent. Every change audited.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { denyAsNotFound } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { ConfirmButton } from "../components/ui/confirm";
import { Button, FormError } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { createFeed, feedBelongsTo, listFeeds, revokeFeed } from "../models/calendar-feed.server";
import { id } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { formatInstant } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "Calendar feed · Noseworthy" }];

const CalendarActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("create") }),
    z.object({ intent: z.literal("revoke"), feedId: id("Reload the page and try again.") }),
  ],
  { error: "Unknown action." },
);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  const feeds = await listFeeds(context.db, viewer.id);
  return json({
    live: feeds.find((f) => f.revoked_at === null) ?? null,
    revoked: feeds.filter((f) => f.revoked_at !== null),
  });
}

function feedUrl(request: Request, token: string): string {
  return `${new URL(request.url).origin}/calendar/${token}.ics`;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const parsed = parseForm(CalendarActionSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const now = context.now();
  const base = { actorId: viewer.id, entity: "calendar_feed", requestId: context.requestId };
  if (input.intent === "create") {
    const made = await context.db.transaction().execute(async (trx) => {
      const feed = await createFeed(trx, { userId: viewer.id, now });
      for (const revokedId of feed.revokedIds)
        await audit(trx, {
          ...base,
          action: "calendar_feed.revoke",
          entityId: revokedId,
          details: { via: "replaced" },
        });
      await audit(trx, { ...base, action: "calendar_feed.create", entityId: feed.id });
      return feed;
    });
    // The link is in this answer only: never stored, never in a cookie or a redirect.
    return json(
      { ok: true as const, created: { url: feedUrl(request, made.token) } },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  const revoked = await context.db.transaction().execute(async (trx) => {
    const row = await revokeFeed(trx, { userId: viewer.id, feedId: input.feedId, now });
    if (row) await audit(trx, { ...base, action: "calendar_feed.revoke", entityId: row.id });
    return row;
  });
  // Revoking twice is the same as once; someone else's link is not there for this person.
  if (!revoked && !(await feedBelongsTo(context.db, { userId: viewer.id, feedId: input.feedId })))
    throw await denyAsNotFound(context, viewer, "calendar_feed", input.feedId);
  return redirectWithFlash(
    "/settings/calendar",
    "Calendar link revoked: calendars using it get nothing more.",
  );
}

export default function CalendarSettings() {
  const { live, revoked } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const created = data && "created" in data ? data.created : null;
  const create = useFormResult("create");
  const revoke = useFormResult("revoke");

  return (
    <div className="max-w-3xl">
      <h1 className="text-2xl font-semibold">Calendar feed</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        A private link your calendar program (Outlook, Google Calendar, Apple Calendar) can
        subscribe to. It lists what is due to you: the calibration meetings you run or attend, the
        due dates of sniff tests you offered, and the check-ins and actions of the coaching plans
        you mentor. Each entry says only what it is, with a link into Noseworthy: no names of
        candidates, no notes.
      </p>
      <p className="mt-2 max-w-prose text-sm text-stone-600">
        Anyone who has the link can read the feed, so keep it to yourself. If it gets out, revoke it
        and make a new one.
      </p>

      {created ? (
        <div role="status" className="mt-4 rounded border border-green-300 bg-green-50 p-3">
          <p className="text-sm text-green-900">
            Your new calendar link. Copy it into your calendar program now: it will not be shown
            again.
          </p>
          <code className="mt-2 block break-all font-mono text-sm" data-testid="calendar-url">
            {created.url}
          </code>
        </div>
      ) : null}

      <section className="mt-6" aria-labelledby="feed-heading">
        <h2 id="feed-heading" className="text-lg font-semibold">
          Your link
        </h2>
        {live ? (
          <div className="mt-2 rounded-lg border border-stone-200 bg-white p-4 text-sm">
            <p>Made {formatInstant(live.created_at, "never")}.</p>
            <p>Last read by a calendar: {formatInstant(live.last_used_at, "never")}.</p>
            <Form method="post" className="mt-3">
              <input type="hidden" name="intent" value="revoke" />
              <input type="hidden" name="feedId" value={live.id} />
              <FormError message={revoke.summary} />
              <ConfirmButton
                label="Revoke the link"
                confirmLabel="Yes, revoke it"
                question="Calendars subscribed to this link stop getting anything from Noseworthy."
              />
            </Form>
          </div>
        ) : (
          <p className="mt-2 rounded-lg border border-dashed border-stone-300 bg-white p-4 text-stone-700">
            You have no calendar link.
          </p>
        )}
        <Form method="post" className="mt-4">
          <input type="hidden" name="intent" value="create" />
          <FormError message={create.summary} />
          <Button>{live ? "Make a new link (revokes this one)" : "Make a calendar link"}</Button>
        </Form>
      </section>

      {revoked.length ? (
        <section className="mt-8" aria-labelledby="revoked-heading">
          <h2 id="revoked-heading" className="text-lg font-semibold">
            Revoked links
          </h2>
          <ul className="mt-2 text-sm text-stone-700">
            {revoked.map((f) => (
              <li key={f.id}>
                Made {formatInstant(f.created_at, "never")}, revoked{" "}
                {formatInstant(f.revoked_at, "never")}, last read{" "}
                {formatInstant(f.last_used_at, "never")}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
