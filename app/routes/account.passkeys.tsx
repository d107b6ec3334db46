/**
 * The signed-in person's passkeys: the list (name, kind, added, last used), add one (the WebAuthn
 * ceremony, so JavaScript; a session confirmed in the last ten minutes), rename one, remove one (a
 * recent confirmation too, ASVS 7.5.1; and not the last second factor of a role the admin's policy
 * requires one of). Every change and refusal audited; another person's passkey is not there (404).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  hasSecondFactor,
  mfaRequiredRoles,
  recentlyAuthenticated,
} from "../auth/login-stages.server";
import { listPasskeys, removePasskey, renamePasskey } from "../auth/passkeys.server";
import { denyAsNotFound } from "../auth/policy.server";
import { confirmUrl, requireRecentAuthentication } from "../auth/reauthenticate.server";
import { requireUser } from "../auth/session.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { PasskeyRegister } from "../components/passkey-button";
import { ConfirmButton } from "../components/ui/confirm";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { audit } from "../models/audit.server";
import { formatInstant } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Passkeys · Noseworthy" }];

const PATH = "/account/passkeys";
const PasskeyId = z.string().min(1, "Reload the page and try again.").max(1400);

const PasskeyActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("rename"),
      passkeyId: PasskeyId,
      name: z
        .string()
        .trim()
        .min(1, "Give the passkey a name.")
        .max(100, "A passkey's name is at most 100 characters."),
    }),
    z.object({ intent: z.literal("remove"), passkeyId: PasskeyId }),
  ],
  { error: "Unknown action." },
);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(context, request);
  return json({
    passkeys: await listPasskeys(context.db, viewer.id),
    confirmed: recentlyAuthenticated(viewer, context.now()),
    confirmUrl: confirmUrl(PATH),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(context, request);
  const formData = await request.formData();
  const parsed = parseForm(PasskeyActionSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const base = {
    actorId: viewer.id,
    entity: "passkey",
    entityId: input.passkeyId,
    requestId: context.requestId,
  };
  const owned = await context.db
    .selectFrom("passkeys")
    .select(["id", "name"])
    .where("id", "=", input.passkeyId)
    .where("user_id", "=", viewer.id)
    .executeTakeFirst();
  if (!owned) throw await denyAsNotFound(context, viewer, "passkey", undefined);

  if (input.intent === "rename") {
    await context.db.transaction().execute(async (trx) => {
      await renamePasskey(trx, { userId: viewer.id, id: input.passkeyId, name: input.name });
      await audit(trx, { ...base, action: "passkey.rename" });
    });
    return redirectWithFlash(PATH, `Passkey renamed to “${input.name}”.`);
  }

  const refusal = await requireRecentAuthentication(context, {
    user: viewer,
    action: "passkey.remove",
    entity: "passkey",
    entityId: input.passkeyId,
    values: formValues(formData),
    redirectTo: PATH,
  });
  if (refusal) return refusal;
  const removed = await context.db
    .transaction()
    .execute(async (trx) => {
      await removePasskey(trx, { userId: viewer.id, id: input.passkeyId });
      if (!(await hasSecondFactor(trx, viewer.id))) {
        const required = await mfaRequiredRoles(trx);
        if (viewer.roles.some((r) => required.includes(r))) {
          // The removal is rolled back with the refusal; the refusal's audit row is written after.
          throw new LastFactor();
        }
      }
      await audit(trx, { ...base, action: "passkey.remove" });
      return true;
    })
    .catch(async (error: unknown) => {
      if (!(error instanceof LastFactor)) throw error;
      await audit(context.db, {
        ...base,
        action: "passkey.remove",
        outcome: "denied",
        details: { reason: "last_required_factor" },
      });
      return false;
    });
  if (!removed)
    return invalid(
      formValues(formData),
      {},
      "Your role needs a second factor: set up an authenticator app or another passkey before removing this one.",
      { status: 409 },
    );
  return redirectWithFlash(PATH, `Passkey “${owned.name}” removed: it can no longer sign you in.`);
}

class LastFactor extends Error {}

export default function AccountPasskeys() {
  const { passkeys, confirmed, confirmUrl: confirmHref } = useLoaderData<typeof loader>();
  const rename = useFormResult("rename");
  const remove = useFormResult("remove");

  return (
    <div className="max-w-3xl">
      <p className="text-sm">
        <Link to="/account">← Your account</Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold">Passkeys</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        A passkey signs you in with your device's fingerprint, face or PIN instead of a password,
        and also works as your second factor. It lives on your device or in your password manager;
        Noseworthy keeps only its public half.
      </p>

      <section className="mt-6" aria-labelledby="list-heading">
        <h2 id="list-heading" className="text-lg font-semibold">
          Your passkeys
        </h2>
        <FormError message={remove.summary ?? rename.summary} />
        {passkeys.length === 0 ? (
          <p className="mt-2 rounded-lg border border-dashed border-stone-300 bg-white p-4 text-stone-700">
            You have no passkeys yet.
          </p>
        ) : (
          <ul className="mt-2 space-y-3">
            {passkeys.map((p) => (
              <li key={p.id} className="rounded-lg border border-stone-200 bg-white p-4 text-sm">
                <p className="font-medium">{p.name}</p>
                <p className="text-stone-600">
                  {p.backedUp ? "Synced through your password manager or account" : "On one device"}
                  {" · "}Added {formatInstant(p.createdAt, "never")}
                  {" · "}Last used {formatInstant(p.lastUsedAt, "never")}
                </p>
                <div className="mt-3 flex flex-col gap-3 sm:flex-row sm:items-end">
                  <Form method="post" className="flex items-end gap-2">
                    <input type="hidden" name="intent" value="rename" />
                    <input type="hidden" name="passkeyId" value={p.id} />
                    <TextField
                      label={`New name for ${p.name}`}
                      name="name"
                      maxLength={100}
                      required
                      defaultValue={
                        rename.value("passkeyId") === p.id ? rename.value("name") : p.name
                      }
                      errors={rename.value("passkeyId") === p.id ? rename.errors.name : undefined}
                    />
                    <Button variant="secondary">Rename</Button>
                  </Form>
                  {confirmed ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="passkeyId" value={p.id} />
                      <ConfirmButton
                        label={`Remove ${p.name}`}
                        confirmLabel="Yes, remove it"
                        question="This passkey will no longer sign you in."
                      />
                    </Form>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="mt-8" aria-labelledby="add-heading">
        <h2 id="add-heading" className="text-lg font-semibold">
          {passkeys.length ? "Add another passkey" : "Add a passkey"}
        </h2>
        {confirmed ? (
          <div className="mt-2">
            <PasskeyRegister redirectTo={PATH} />
          </div>
        ) : (
          <p className="mt-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
            Confirm it's you first: adding or removing a passkey needs your password, a code or a
            passkey from the last ten minutes. <Link to={confirmHref}>Confirm it's you</Link>
          </p>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
