import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import type { DB } from "../../db/client";
import { requirePerson, requireRole } from "../auth/policy.server";
import { PersonFields } from "../components/person-fields";
import { ColumnHeads } from "../components/ui/column-heads";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  changedFields,
  findPersonByEmail,
  getPersonForEdit,
  listManagerChoices,
  type PersonDetails,
  PersonDetailsSchema,
  type PersonForEdit,
  personWriteError,
  resolveManager,
  setPersonLeft,
  updatePerson,
} from "../models/people.server";
import { formatDate, isoDate } from "../utils/dates";
import { day, version } from "../utils/fields";
import { detailOf, useFormResult } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  invalid,
  invalidWith,
  parseForm,
  type Values,
} from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Edit ${data?.person.name ?? "person"} · Noseworthy` },
];

const EditSchema = z.discriminatedUnion("intent", [
  PersonDetailsSchema.extend({ intent: z.literal("details"), version }),
  z.object({ intent: z.literal("leave"), version, leftOn: day("the day they left") }),
  z.object({ intent: z.literal("return"), version }),
]);
type EditInput = z.infer<typeof EditSchema>;

async function load(context: AppContext, request: Request, personId: string | undefined) {
  const admin = await requireRole(context, request, ["admin"]);
  const { id } = await requirePerson(context, admin, personId);
  const person = await getPersonForEdit(context.db, id);
  if (!person) throw notFound();
  return { admin, person };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { person } = await load(context, request, params.personId);
  return json({
    person,
    managers: await listManagerChoices(context.db, { except: person.id }),
    today: isoDate(context.now()),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { admin, person } = await load(context, request, params.personId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(EditSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const base = {
    actorId: admin.id,
    entity: "person",
    entityId: person.id,
    requestId: context.requestId,
  };
  if (input.intent === "details") return saveDetails(context, { person, input, values, base });
  return changeStatus(context, { person, input, values, base });
}

type AuditBase = { actorId: string; entity: string; entityId: string; requestId: string };
interface Args<I> {
  person: PersonForEdit;
  input: I;
  values: Values;
  base: AuditBase;
}

/** The facts as a person reads them, for the comparison after a conflicting save. */
type Shown = Record<"name" | "email" | "title" | "team" | "manager", string>;

async function shown(db: DB, d: PersonDetails): Promise<Shown> {
  const manager = d.managerId
    ? await db.selectFrom("people").select("name").where("id", "=", d.managerId).executeTakeFirst()
    : undefined;
  return {
    name: d.name,
    email: d.email ?? "",
    title: d.title,
    team: d.team,
    manager: manager?.name ?? "",
  };
}

const saved = (p: PersonForEdit): PersonDetails => ({
  name: p.name,
  email: p.email,
  title: p.title,
  team: p.team,
  managerId: p.manager_id,
});

async function stale(context: AppContext, personId: string, yours: PersonDetails) {
  const current = await getPersonForEdit(context.db, personId);
  const failure: FormFailure = {
    ok: false,
    formError:
      "Someone else changed this person while you were editing. Your changes were not saved: compare them with the saved version below.",
    fieldErrors: {},
    values: { intent: "details" },
  };
  return invalidWith(failure, {
    yours: await shown(context.db, yours),
    current: current ? await shown(context.db, saved(current)) : null,
  });
}

async function saveDetails(
  context: AppContext,
  { person, input, values, base }: Args<Extract<EditInput, { intent: "details" }>>,
) {
  // The manager typed in as the form showed them (their email, or their name without one) stays.
  const shownManager = (person.manager_email ?? person.manager_name ?? "").toLowerCase();
  const unchanged =
    input.managerLookup !== "" && input.managerLookup.toLowerCase() === shownManager;
  const manager = unchanged
    ? { id: person.manager_id }
    : await resolveManager(context.db, input, { keep: person.manager_id });
  if ("field" in manager) return badRequest("", values, { [manager.field]: [manager.message] });
  const field = input.managerLookup ? "managerLookup" : "managerId";
  if (manager.id === person.id)
    return badRequest("", values, { [field]: ["A person cannot be their own manager."] });
  const details: PersonDetails = {
    name: input.name,
    email: input.email || null,
    title: input.title,
    team: input.team,
    managerId: manager.id,
  };
  if (input.version !== person.version) return stale(context, person.id, details);
  const fields = changedFields(saved(person), details);
  const here = `/people/${person.id}`;
  if (!fields.length) return redirectWithFlash(here, "No changes to save.");
  if (details.email && details.email !== person.email) {
    const other = await findPersonByEmail(context.db, details.email);
    if (other && other.id !== person.id)
      return badRequest("", values, {
        email: ["Someone in the directory already has this work email."],
      });
  }
  let ok: boolean;
  try {
    ok = await context.db.transaction().execute(async (trx) => {
      const row = await updatePerson(trx, { id: person.id, version: input.version, details });
      if (!row) return false;
      await audit(trx, { ...base, action: "person.update", details: { fields } });
      return true;
    });
  } catch (error) {
    const refusal = personWriteError(error);
    if (!refusal) throw error;
    const at = refusal.field === "managerId" ? field : refusal.field;
    return badRequest("", values, { [at]: [refusal.message] });
  }
  if (!ok) return stale(context, person.id, details);
  return redirectWithFlash(here, "Saved.");
}

async function changeStatus(
  context: AppContext,
  { person, input, values, base }: Args<Extract<EditInput, { intent: "leave" | "return" }>>,
) {
  const leaving = input.intent === "leave";
  if (leaving === (person.left_on !== null))
    return badRequest(
      leaving ? "They are already marked as having left." : "They are already active.",
      values,
    );
  const staleAnswer = () =>
    invalid(
      values,
      {},
      "Someone else changed this person while you were editing: reload the page and try again.",
      409,
    );
  if (input.version !== person.version) return staleAnswer();
  const ok = await context.db.transaction().execute(async (trx) => {
    const row = await setPersonLeft(trx, {
      id: person.id,
      version: input.version,
      leftOn: input.intent === "leave" ? input.leftOn : null,
    });
    if (!row) return false;
    await audit(trx, {
      ...base,
      action: leaving ? "person.leave" : "person.return",
      details: { fields: ["left_on"] },
    });
    return true;
  });
  if (!ok) return staleAnswer();
  return redirectWithFlash(
    `/people/${person.id}`,
    leaving ? "Marked as having left." : "Marked as active again.",
  );
}

const SHOWN_LABELS: Record<keyof Shown, string> = {
  name: "Name",
  email: "Work email",
  title: "Title",
  team: "Team",
  manager: "Manager",
};

export default function EditPerson() {
  const { person, managers, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = (intent: string) =>
    navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const details = useFormResult("details");
  const leave = useFormResult("leave");
  const back = useFormResult("return");
  const yours = detailOf(actionData, "yours");
  const current = detailOf(actionData, "current");
  const fallback: Record<string, string> = {
    name: person.name,
    email: person.email ?? "",
    title: person.title,
    team: person.team,
    managerId: person.manager_id ?? "",
    managerLookup: person.manager_email ?? person.manager_name ?? "",
  };

  return (
    <div className="max-w-2xl">
      <p className="text-sm">
        <Link to={`/people/${person.id}`} className="text-brand-700 underline">
          {person.name}
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Edit {person.name}</h1>
      <Form
        method="post"
        key={person.version}
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <h2 className="font-semibold">Directory facts</h2>
        <input type="hidden" name="intent" value="details" />
        <input type="hidden" name="version" value={person.version} />
        <FormError message={details.summary} />
        {yours && current ? (
          <table className="w-full text-sm">
            <caption className="text-left font-medium">Your changes and the saved version</caption>
            <thead className="text-left text-stone-700">
              <ColumnHeads
                className="py-1 pr-2 font-semibold"
                labels={["Field", "You entered", "Saved now"]}
              />
            </thead>
            <tbody className="divide-y divide-stone-100 align-top">
              {(Object.keys(SHOWN_LABELS) as (keyof Shown)[])
                .filter((f) => yours[f] !== current[f])
                .map((f) => (
                  <tr key={f}>
                    <th scope="row" className="py-1 pr-2 text-left font-medium">
                      {SHOWN_LABELS[f]}
                    </th>
                    <td className="py-1 pr-2">{yours[f] || "—"}</td>
                    <td className="py-1">{current[f] || "—"}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        ) : null}
        <PersonFields
          value={(name) => (yours ? fallback[name] : details.value(name, fallback[name]))}
          errors={details.errors}
          managers={managers}
        />
        <Button disabled={busy("details")}>{busy("details") ? "Saving…" : "Save"}</Button>
      </Form>

      <Form
        method="post"
        className="mt-6 space-y-3 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <h2 className="font-semibold">Active or left</h2>
        <input type="hidden" name="version" value={person.version} />
        {person.left_on ? (
          <>
            <FormError message={back.summary} />
            <p className="text-sm text-stone-700">
              They left on {formatDate(person.left_on)}. Nothing recorded about them is removed.
            </p>
            <input type="hidden" name="intent" value="return" />
            <Button variant="secondary" disabled={busy("return")}>
              Mark as active again
            </Button>
          </>
        ) : (
          <>
            <FormError message={leave.summary} />
            <input type="hidden" name="intent" value="leave" />
            <TextField
              label="The day they left"
              name="leftOn"
              type="date"
              required
              defaultValue={leave.value("leftOn", today)}
              errors={leave.errors.leftOn}
            />
            <Button variant="secondary" disabled={busy("leave")}>
              Mark as left
            </Button>
          </>
        )}
      </Form>
    </div>
  );
}
