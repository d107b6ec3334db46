/**
 * One-click unsubscribe (RFC 8058). The link in a message's List-Unsubscribe header and footer carries a
 * token (an HMAC of the user and the list, app/mail/mail.server.ts): no session is needed, and none is
 * used. GET shows what will be turned off and a button; POST with List-Unsubscribe=One-Click — sent by
 * the mail provider's own servers, or by that button — turns the list off. A bad token changes nothing.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Button } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { LIST_LABELS } from "../mail/layout.server";
import { type MailList, readUnsubscribeToken } from "../mail/mail.server";
import { setListOff } from "../mail/preferences.server";
import { audit } from "../models/audit.server";

export const meta: MetaFunction = () => [{ title: "Unsubscribe · Noseworthy" }];

const BAD_LINK =
  "This unsubscribe link is not valid: it may have been cut short when it was copied. Open it from the message again, or change what Noseworthy sends you in your mail settings after logging in.";

/** The user and list of the token in the URL, or an audited 400 (nothing changes). */
async function requireToken(context: AppContext, request: Request) {
  const token = new URL(request.url).searchParams.get("token");
  const found = readUnsubscribeToken(context.env.SESSION_SECRET, token);
  if (found) {
    const user = await context.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", found.userId)
      .executeTakeFirst();
    if (user) return { ...found, token: token! };
  }
  await audit(context.db, {
    actorId: null,
    action: "mail_preferences.unsubscribe",
    entity: "user",
    entityId: null,
    outcome: "denied",
    requestId: context.requestId,
    details: { reason: found ? "unknown_user" : "bad_token" },
  });
  throw json({ message: BAD_LINK }, { status: 400 });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { list, token } = await requireToken(context, request);
  return json(
    { list, label: LIST_LABELS[list], token },
    // The token is the key to this page: not kept by caches, not sent on as a Referer.
    { headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, list } = await requireToken(context, request);
  // RFC 8058: the body says List-Unsubscribe=One-Click (urlencoded or multipart, both read here).
  const form = await request.formData();
  if (form.get("List-Unsubscribe") !== "One-Click")
    throw json(
      { message: "A one-click unsubscribe request says List-Unsubscribe=One-Click." },
      { status: 400 },
    );
  // Audited by setListOff itself (mail_preferences.unsubscribe).
  await setListOff(context.db, userId, list);
  return json(
    { done: true as const, list: list as MailList, label: LIST_LABELS[list] },
    { headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } },
  );
}

export default function Unsubscribe() {
  const { label, token } = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-xl py-8">
      <h1 className="text-2xl font-semibold">Unsubscribe from {label}</h1>
      {done ? (
        <div role="status" className="mt-4 rounded border border-green-200 bg-green-50 p-4">
          <p className="text-green-900">
            Done: Noseworthy will no longer send you {done.label}. Other mail is not changed.
          </p>
        </div>
      ) : (
        <>
          <p className="mt-3 max-w-prose text-stone-700">
            This turns off {label} for the account this message was sent to. Other mail (and the
            rest of your settings) stays as it is.
          </p>
          <Form
            method="post"
            action={`/mail/unsubscribe?token=${encodeURIComponent(token)}`}
            className="mt-6"
          >
            <input type="hidden" name="List-Unsubscribe" value="One-Click" />
            <Button>Turn off {label}</Button>
          </Form>
        </>
      )}
      <p className="mt-6 text-sm text-stone-600">
        You can turn it back on, or choose what else Noseworthy sends you, in your{" "}
        <Link to="/settings/mail" className="text-brand-700 underline">
          mail settings
        </Link>{" "}
        (after logging in).
      </p>
    </div>
  );
}
