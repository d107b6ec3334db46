/**
 * /settings/mail: what Noseworthy mails the signed-in person — the weekly digest (on or off, its day
 * and hour in their own time zone), reminders and calendar invitations. Every signed-in user; saved
 * against the version shown (409 when stale), audited. README: Reminders and the weekly digest.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { requireUser } from "../auth/session.server";
import { DigestTimeFields, MailListBox } from "../components/mail-choices-fields";
import { Button, FormError, SelectField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import {
  getOwnMailSettings,
  MailSettingsSchema,
  saveOwnMailSettings,
} from "../mail/preferences.server";
import { WEEKDAYS } from "../utils/time-zones";
import { staleMailChoices } from "../mail/mail-choices-form.server";
import { useFormResult } from "../utils/form-result";
import { parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { timeZones } from "../utils/time-zones";

export const meta: MetaFunction = () => [{ title: "Mail settings · Noseworthy" }];

const STALE_MESSAGE =
  "Your mail settings were changed elsewhere (another tab, or an unsubscribe link) since this page was opened: reload it to see them, then save again.";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const settings = await getOwnMailSettings(context.db, user.id);
  return json({ settings, timeZones: timeZones() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(context, request);
  const parsed = parseForm(MailSettingsSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const { version, ...prefs } = parsed.data;
  const saved = await saveOwnMailSettings(context.db, {
    userId: user.id,
    prefs,
    version,
    requestId: context.requestId,
  });
  if (!saved) return staleMailChoices(parsed.data, STALE_MESSAGE);
  return redirectWithFlash("/settings/mail", "Mail settings saved.");
}

export default function MailSettings() {
  const { settings, timeZones: zones } = useLoaderData<typeof loader>();
  const form = useFormResult();

  return (
    <div className="max-w-2xl">
      <h1 className="text-2xl font-semibold">Mail settings</h1>
      <p className="mt-1 text-stone-600">
        What Noseworthy sends you by email. A message names the person and what is due, with a link
        into Noseworthy — never what anyone wrote about them (observations, flags, pre-reads,
        check-in notes, decisions, plan goals and actions, nomination reasons).
      </p>

      <Form method="post" className="mt-6 space-y-6" noValidate>
        <FormError message={form.summary} />
        <input
          type="hidden"
          name="version"
          value={form.value("version", String(settings.version))}
        />

        <fieldset className="space-y-3">
          <legend className="text-lg font-semibold">Weekly digest</legend>
          <p className="text-sm text-stone-600">
            My week by mail, once a week: the sniff tests, check-ins, coaching actions, pre-reads
            and flags that need you, and the names of people newly nominated or handed to a new
            mentor. A week with nothing due sends nothing.
          </p>
          <MailListBox
            form={form}
            name="digest"
            saved={settings.digest}
            label="Send me the weekly digest"
          />
          <DigestTimeFields
            form={form}
            saved={settings}
            weekdays={WEEKDAYS}
            dayLabel="Day"
            hourLabel="Hour"
          />
        </fieldset>

        <SelectField
          label="Your time zone"
          name="timeZone"
          hint="The digest's day and hour, and reminders (from 08:00 on their day), follow it."
          defaultValue={form.value("timeZone", settings.timeZone)}
          errors={form.errors.timeZone}
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </SelectField>

        <fieldset className="space-y-3">
          <legend className="text-lg font-semibold">Reminders</legend>
          <p className="text-sm text-stone-600">
            One message per thing due: a sniff test you offered, due in two days or overdue; a
            check-in or coaching action on a plan you mentor; a calibration pre-read you have not
            written, two days before the meeting; a flag you raised not yet discussed with the
            person after 14 days.
          </p>
          <MailListBox
            form={form}
            name="reminders"
            saved={settings.reminders}
            label="Send me reminders"
          />
        </fieldset>

        <fieldset className="space-y-3">
          <legend className="text-lg font-semibold">Calendar invitations</legend>
          <p className="text-sm text-stone-600">
            An invitation when a calibration meeting you attend is planned, an update when it moves,
            a cancellation when it is cancelled.
          </p>
          <MailListBox
            form={form}
            name="invitations"
            saved={settings.invitations}
            label="Send me calendar invitations"
          />
        </fieldset>

        <Button>Save mail settings</Button>
      </Form>

      <p className="mt-8 text-sm">
        Every message also carries a link that turns its kind off in one click. To see what is due
        in your own calendar instead, use a{" "}
        <Link className="text-brand-700 underline" to="/settings/calendar">
          calendar feed
        </Link>
        .
      </p>
    </div>
  );
}
