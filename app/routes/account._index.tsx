/**
 * /account: every signed-in person's own account — who they are, their password, the sessions they
 * are signed in with (device, last seen; end one or all the others), their second factors and their
 * mail and calendar settings. Every change audited.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import type { LoginMethod } from "../../db/schema";
import { mfaRequiredRoles } from "../auth/login-stages.server";
import { requireUser } from "../auth/session.server";
import { secondFactorSummary } from "../auth/totp.server";
import { Button, FormError } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { endOwnSession, listOwnSessions } from "../models/account.server";
import { audit } from "../models/audit.server";
import { formatInstant } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { badRequest, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Your account · Noseworthy" }];

const AccountActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("end_session"),
      session: z.string().trim().min(1, "Reload the page and try again.").max(64),
    }),
    z.object({ intent: z.literal("end_others") }),
  ],
  { error: "Unknown action." },
);

const METHOD_WORDS: Record<LoginMethod, string> = {
  password: "password",
  sso: "single sign-on",
  passkey: "a passkey",
  invitation: "an invitation link",
  setup: "the first set-up",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const [sessions, factors, required] = await Promise.all([
    listOwnSessions(context.db, {
      userId: user.id,
      currentSessionId: user.sessionId,
      now: context.now(),
    }),
    secondFactorSummary(context.db, user.id),
    mfaRequiredRoles(context.db),
  ]);
  return json(
    {
      me: { name: user.name, email: user.email, roles: user.roles, method: user.method },
      sessions: sessions.map((s) => ({ ...s, method: METHOD_WORDS[s.method] ?? s.method })),
      factors,
      mfaRequired: user.roles.some((r) => required.includes(r)),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const parsed = parseForm(AccountActionSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const base = { actorId: user.id, entity: "session", requestId: context.requestId };
  if (input.intent === "end_others") {
    const rows = await context.db
      .deleteFrom("sessions")
      .where("user_id", "=", user.id)
      .where("id", "!=", user.sessionId)
      .returning("id")
      .execute();
    await audit(context.db, {
      ...base,
      action: "session.end_others",
      entityId: user.id,
      details: { ended: rows.length },
    });
    return redirectWithFlash(
      "/account",
      rows.length
        ? `Signed out everywhere else: ${rows.length === 1 ? "1 other session" : `${rows.length} other sessions`} ended.`
        : "You had no other sessions: nothing to end.",
    );
  }
  const ended = await endOwnSession(context.db, { userId: user.id, handle: input.session });
  if (!ended) {
    await audit(context.db, {
      ...base,
      action: "session.end",
      entityId: user.id,
      outcome: "denied",
      details: { reason: "unknown_session" },
    });
    return badRequest("That session has already ended. The list below is up to date.", {
      intent: "end_session",
    });
  }
  await audit(context.db, {
    ...base,
    action: "session.end",
    entityId: user.id,
    details: { current: ended === user.sessionId },
  });
  if (ended === user.sessionId)
    return redirectWithFlash("/login", "You ended this session: you are signed out.");
  return redirectWithFlash("/account", "Session ended: that device is signed out.");
}

export default function Account() {
  const { me, sessions, factors, mfaRequired } = useLoaderData<typeof loader>();
  const end = useFormResult("end_session");
  const others = sessions.filter((s) => !s.current).length;
  const sso = me.method === "sso";
  const hasFactor = Boolean(factors.totpEnabledAt) || factors.passkeys > 0;

  return (
    <div className="max-w-3xl">
      <h1 className="text-2xl font-semibold">Your account</h1>
      <dl className="mt-3 grid grid-cols-[auto,1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">Name</dt>
        <dd>{me.name}</dd>
        <dt className="font-medium">Email</dt>
        <dd className="break-all">{me.email}</dd>
        <dt className="font-medium">Roles</dt>
        <dd>{me.roles.length ? me.roles.join(", ") : "None yet: an admin gives roles."}</dd>
      </dl>

      <section className="mt-8" aria-labelledby="password-heading">
        <h2 id="password-heading" className="text-lg font-semibold">
          Password
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          {sso
            ? "You signed in through single sign-on: your identity provider looks after your password. A Noseworthy password is only needed where password login is allowed."
            : "Changing it signs you out everywhere else."}
        </p>
        <p className="mt-2">
          <Link to="/account/password" className="font-medium text-brand-800 underline">
            Change your password
          </Link>
        </p>
      </section>

      <section className="mt-8" aria-labelledby="mfa-heading">
        <h2 id="mfa-heading" className="text-lg font-semibold">
          Two-step sign-in
        </h2>
        {sso ? (
          <p className="mt-1 text-sm text-stone-600">
            With single sign-on, your identity provider&apos;s own two-step sign-in applies. What
            you set up here is for password logins.
          </p>
        ) : null}
        {mfaRequired && !hasFactor ? (
          <p className="mt-1 text-sm text-amber-900">
            Your role needs a second factor: you will be asked to set one up at your next password
            login.
          </p>
        ) : null}
        <ul className="mt-2 space-y-2 text-sm">
          <li>
            <span className="font-medium">Authenticator app: </span>
            {factors.totpEnabledAt
              ? `on since ${formatInstant(factors.totpEnabledAt, "")}, ${factors.unusedRecoveryCodes} unused recovery ${factors.unusedRecoveryCodes === 1 ? "code" : "codes"}.`
              : "not set up."}{" "}
            <Link to="/account/two-factor" className="font-medium text-brand-800 underline">
              {factors.totpEnabledAt
                ? "Manage the authenticator app"
                : "Set up an authenticator app"}
            </Link>
          </li>
          <li>
            <span className="font-medium">Passkeys: </span>
            {factors.passkeys
              ? `${factors.passkeys} registered.`
              : "none yet. A passkey signs you in with your device's lock (fingerprint, face or PIN)."}{" "}
            <Link to="/account/passkeys" className="font-medium text-brand-800 underline">
              {factors.passkeys ? "Manage passkeys" : "Add a passkey"}
            </Link>
          </li>
        </ul>
      </section>

      <section className="mt-8" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Where you are signed in
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          If you do not recognise a device, end its session and change your password.
        </p>
        <FormError message={end.formError} />
        <ul className="mt-3 divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white">
          {sessions.map((s) => (
            <li key={s.handle} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2">
              <div className="min-w-0 flex-1 text-sm">
                <p className="font-medium">
                  {s.device}
                  {s.current ? (
                    <span className="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs font-semibold text-green-900">
                      This session
                    </span>
                  ) : null}
                </p>
                <p className="text-stone-600">
                  Signed in {formatInstant(s.createdAt, "")} with {s.method}; last seen{" "}
                  {s.current ? "now" : formatInstant(s.lastSeenAt, "")}
                </p>
              </div>
              <Form method="post">
                <input type="hidden" name="intent" value="end_session" />
                <input type="hidden" name="session" value={s.handle} />
                <Button
                  variant="secondary"
                  aria-label={`End the session on ${s.device}${s.current ? " (this session: signs you out)" : ""}`}
                >
                  {s.current ? "Sign out here" : "End session"}
                </Button>
              </Form>
            </li>
          ))}
        </ul>
        {others ? (
          <Form method="post" className="mt-3">
            <input type="hidden" name="intent" value="end_others" />
            <Button variant="danger">Sign out everywhere else</Button>
          </Form>
        ) : (
          <p className="mt-3 text-sm text-stone-600">This is your only session.</p>
        )}
      </section>

      <section className="mt-8" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="text-lg font-semibold">
          Mail and calendar
        </h2>
        <ul className="mt-2 space-y-1 text-sm">
          <li>
            <Link to="/settings/mail" className="font-medium text-brand-800 underline">
              Mail settings
            </Link>{" "}
            — the weekly digest, reminders and calendar invitations.
          </li>
          <li>
            <Link to="/settings/calendar" className="font-medium text-brand-800 underline">
              Calendar feed
            </Link>{" "}
            — your meetings in your own calendar app.
          </li>
        </ul>
      </section>
    </div>
  );
}
