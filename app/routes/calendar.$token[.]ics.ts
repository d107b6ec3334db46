import type { LoaderFunctionArgs } from "@remix-run/node";
import { feedIcs } from "../calendar/ics.server";
import { audit } from "../models/audit.server";
import { listFeedItems, openFeed } from "../models/calendar-feed.server";
import { isoDate } from "../utils/dates";

/**
 * A person's calendar feed, read by their calendar program with the secret token in the path (no
 * session). An unknown token, a revoked one and a disabled account get the same 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const now = context.now();
  const feed = await openFeed(context.db, { token: params.token ?? "", now });
  if (!feed) {
    // The token is never written down, not even in the audit log.
    await audit(context.db, {
      actorId: null,
      action: "calendar_feed.view",
      entity: "calendar_feed",
      outcome: "denied",
      requestId: context.requestId,
    });
    return new Response("Not found\n", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const origin = new URL(request.url).origin;
  const items = await listFeedItems(context.db, {
    user: { id: feed.userId, roles: feed.roles },
    today: isoDate(now),
    url: (path) => `${origin}${path}`,
  });
  return new Response(feedIcs(items), {
    status: 200,
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="noseworthy.ics"',
      "Cache-Control": "no-store",
    },
  });
}
