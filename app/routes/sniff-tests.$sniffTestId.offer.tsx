import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { isUuid, requireRole } from "../auth/policy.server";
import { Button, ErrorText, FormError, SelectField, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import {
  listPicked,
  MAX_PICKED,
  OfferToGroupSchema,
  saveGroupOffer,
  searchDirectory,
} from "../models/offering.server";
import { listDirectoryTeams } from "../models/people.server";
import { getSniffTest } from "../models/sniff-test.server";
import { addDays, isoDate, isRealDay } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { notFound } from "../utils/http.server";
import { newIdempotencyKey } from "../utils/idempotency.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Offer ${data?.test.title ?? "a sniff test"} to a group · Noseworthy` },
];

const ROLES = ["manager", "leader"] as const;
const SEARCH_LIMIT = 50;

async function requireSniffTest(context: AppContext, id: string | undefined) {
  const test = isUuid(id) ? await getSniffTest(context.db, id) : undefined;
  if (!test) throw notFound();
  return test;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ROLES);
  const test = await requireSniffTest(context, params.sniffTestId);
  const today = isoDate(context.now());
  // The people search is a GET of the same form: what was picked and typed comes back in the address.
  const query = new URL(request.url).searchParams;
  const search = (query.get("q") ?? "").trim().slice(0, 200);
  const pickedIds = [...new Set(query.getAll("personIds").filter(isUuid))].slice(0, MAX_PICKED);
  const dayParam = (name: string) => {
    const v = (query.get(name) ?? "").trim();
    return isRealDay(v) ? v : "";
  };
  const [teams, results, picked] = await Promise.all([
    listDirectoryTeams(context.db),
    search ? searchDirectory(context.db, { q: search, limit: SEARCH_LIMIT }) : Promise.resolve([]),
    listPicked(context.db, pickedIds),
  ]);
  const offeredOn = dayParam("offeredOn") || today;
  return json({
    test: {
      id: test.id,
      title: test.title,
      timebox_days: test.timebox_days,
      archived: Boolean(test.archived_at),
      needs_acceptance: test.needs_acceptance,
    },
    teams,
    search,
    results,
    picked,
    offeredOn,
    dueOn: query.has("dueOn") ? dayParam("dueOn") : addDays(offeredOn, test.timebox_days),
    idempotencyKey: newIdempotencyKey(),
    maxPicked: MAX_PICKED,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ROLES);
  const test = await requireSniffTest(context, params.sniffTestId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(OfferToGroupSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  if (test.archived_at)
    return badRequest(
      "This sniff test is archived: restore it before offering it to anyone.",
      values,
    );
  return saveGroupOffer(context, viewer, test.id, parsed.data, values);
}

const linkClass = "text-brand-700 underline";

function Days({
  result,
  offeredOn,
  dueOn,
  timebox,
}: {
  result: ReturnType<typeof useFormResult>;
  offeredOn: string;
  dueOn: string;
  timebox: number;
}) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        label="Offered on"
        name="offeredOn"
        type="date"
        required
        defaultValue={result.value("offeredOn", offeredOn)}
        errors={result.errors.offeredOn}
      />
      <TextField
        label="Due on"
        name="dueOn"
        type="date"
        defaultValue={result.value("dueOn", dueOn)}
        errors={result.errors.dueOn}
        hint={`Leave empty for the offered day plus ${timebox} ${timebox === 1 ? "day" : "days"}.`}
      />
    </div>
  );
}

export default function OfferToGroup() {
  const { test, teams, search, results, picked, offeredOn, dueOn, idempotencyKey, maxPicked } =
    useLoaderData<typeof loader>();
  const team = useFormResult("team");
  const people = useFormResult("people");
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const pickedIds = new Set(picked.map((p) => p.id));
  const chosen = new Set(people.list("personIds", [...pickedIds]));
  const others = results.filter((r) => !pickedIds.has(r.id));

  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to={`/sniff-tests/${test.id}`} className={linkClass}>
            ← {test.title}
          </Link>
        </p>
        <h1 className="mt-1 text-2xl font-semibold">Offer {test.title} to a group</h1>
        <p className="mt-1 text-stone-600">
          Everyone gets the test as it reads today, each with their own response to record.
          {test.needs_acceptance
            ? " Each person first says yes or no."
            : " It needs no acceptance: each response is recorded in one step as completed or not."}{" "}
          People who have left, and people who already have it open, are skipped.
        </p>
      </div>

      {test.archived ? (
        <p className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
          This sniff test is archived: restore it on{" "}
          <Link to={`/sniff-tests/${test.id}`} className={linkClass}>
            its page
          </Link>{" "}
          before offering it to anyone.
        </p>
      ) : (
        <>
          <section
            aria-labelledby="team-heading"
            className="rounded-lg border border-stone-200 bg-white p-4"
          >
            <h2 id="team-heading" className="text-lg font-semibold">
              To a team
            </h2>
            {teams.length === 0 ? (
              <p className="mt-2 text-stone-700">
                No one in the directory has a team yet. Pick people below instead.
              </p>
            ) : (
              <Form method="post" className="mt-3 space-y-4" noValidate>
                <input type="hidden" name="intent" value="team" />
                <IdempotencyKeyField value={team.key(idempotencyKey)} />
                <FormError message={team.summary} />
                <SelectField
                  label="Team"
                  name="team"
                  required
                  defaultValue={team.value("team")}
                  errors={team.errors.team}
                >
                  <option value="">Choose a team</option>
                  {teams.map((t) => (
                    <option key={t.team} value={t.team}>
                      {t.team} ({t.active} active)
                    </option>
                  ))}
                </SelectField>
                <Days
                  result={team}
                  offeredOn={offeredOn}
                  dueOn={dueOn}
                  timebox={test.timebox_days}
                />
                <Button disabled={busy}>Offer to the team</Button>
              </Form>
            )}
          </section>

          <section
            aria-labelledby="people-heading"
            className="rounded-lg border border-stone-200 bg-white p-4"
          >
            <h2 id="people-heading" className="text-lg font-semibold">
              To people picked from the directory
            </h2>
            <p className="mt-1 text-sm text-stone-600">
              Search by name or work address and tick the people; the ones you ticked stay picked
              when you search again (up to {maxPicked}).
            </p>
            <Form method="post" className="mt-3 space-y-4" noValidate>
              <input type="hidden" name="intent" value="people" />
              <IdempotencyKeyField value={people.key(idempotencyKey)} />
              <FormError message={people.summary} />
              <div className="flex flex-wrap items-end gap-2">
                <TextField
                  label="Find people"
                  name="q"
                  type="search"
                  defaultValue={search}
                  maxLength={200}
                />
                <Button variant="secondary" formMethod="get" formNoValidate>
                  Search
                </Button>
              </div>
              <fieldset aria-describedby={people.errors.personIds ? "picked-error" : undefined}>
                <legend className="text-sm font-medium text-stone-800">
                  People to offer it to
                </legend>
                {picked.length + others.length === 0 ? (
                  <p className="mt-1 text-sm text-stone-600">
                    {search ? "Nobody active in the directory matches." : "Search to find people."}
                  </p>
                ) : (
                  <ul className="mt-1 space-y-1">
                    {[...picked, ...others].map((p) => (
                      <li key={p.id}>
                        <label className="inline-flex items-center gap-2 text-sm text-stone-800">
                          <input
                            type="checkbox"
                            name="personIds"
                            value={p.id}
                            defaultChecked={chosen.has(p.id)}
                            className="h-4 w-4 rounded border-stone-300 text-brand-700"
                          />
                          {p.name}
                          {p.title || p.team ? (
                            <span className="text-stone-600">
                              {" "}
                              · {[p.title, p.team].filter(Boolean).join(", ")}
                            </span>
                          ) : null}
                        </label>
                      </li>
                    ))}
                  </ul>
                )}
                <ErrorText id="picked-error" errors={people.errors.personIds} />
              </fieldset>
              <Days
                result={people}
                offeredOn={offeredOn}
                dueOn={dueOn}
                timebox={test.timebox_days}
              />
              <Button disabled={busy}>Offer to the people ticked</Button>
            </Form>
          </section>
        </>
      )}
    </div>
  );
}
