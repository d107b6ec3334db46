/**
 * /admin/mail: the organisation's mail defaults — the weekly digest (on or off, its day and hour),
 * reminders and calendar invitations — for everyone who has not chosen for themselves at
 * /settings/mail. Admins only (anyone else: an audited 403); saved against the version shown (409 when
 * stale), audited.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import {
  DigestTimeFields,
  MailListBox,
  type MailListName,
} from "../components/mail-choices-fields";
import { Button, FormError } from "../components/ui/forms";
import { getMailDefaults, MailDefaultsSchema, setMailDefaults } from "../mail/preferences.server";
import { WEEKDAYS } from "../utils/time-zones";
import { staleMailChoices } from "../mail/mail-choices-form.server";
import { useFormResult } from "../utils/form-result";
import { parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Mail defaults · Noseworthy" }];

const STALE_MESSAGE =
  "Another admin changed the mail defaults since this page was opened: reload it to see theirs, then save again.";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  return json({ defaults: await getMailDefaults(context.db) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const parsed = parseForm(MailDefaultsSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const { version, ...defaults } = parsed.data;
  const saved = await setMailDefaults(context.db, {
    defaults,
    version,
    actorId: admin.id,
    requestId: context.requestId,
  });
  if (!saved) return staleMailChoices(parsed.data, STALE_MESSAGE);
  return redirectWithFlash("/admin/mail", "Mail defaults saved.");
}

export default function AdminMail() {
  const { defaults } = useLoaderData<typeof loader>();
  const form = useFormResult();
  const box = (name: MailListName, label: string) => (
    <MailListBox form={form} name={name} saved={defaults[name]} label={label} />
  );

  return (
    <div className="max-w-2xl">
      <h1 className="text-2xl font-semibold">Mail defaults</h1>
      <p className="mt-1 text-stone-600">
        What Noseworthy mails people who have not chosen for themselves. Each person can change
        theirs at Mail settings; their choice wins. The digest&apos;s day and hour are in each
        person&apos;s own time zone. A message names the person and what is due, with a link — never
        what anyone wrote about them.
      </p>

      <Form method="post" className="mt-6 space-y-5" noValidate>
        <FormError message={form.summary} />
        <input
          type="hidden"
          name="version"
          value={form.value("version", String(defaults.version))}
        />
        {box("digest", "Send the weekly digest")}
        <DigestTimeFields
          form={form}
          saved={defaults}
          weekdays={WEEKDAYS}
          dayLabel="Digest day"
          hourLabel="Digest hour"
        />
        {box("reminders", "Send reminders")}
        {box("invitations", "Send calendar invitations")}
        <Button>Save mail defaults</Button>
      </Form>
    </div>
  );
}
