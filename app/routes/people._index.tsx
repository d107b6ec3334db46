import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { FilterButtons, PagedTable } from "../components/list-page";
import { SelectField, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import {
  countPeople,
  hasAnyPerson,
  listDirectoryTeams,
  listPeople,
  PEOPLE_PAGE_SIZE,
  PERSON_STATUSES,
} from "../models/people.server";
import { formatDate } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "People · Noseworthy" }];

// A bookmarked or hand-edited URL with a value we do not know simply drops that filter.
const ignoreBad = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const ListQuerySchema = z.object({
  q: ignoreBad(z.string().trim().min(1).max(200)),
  team: ignoreBad(z.string().trim().min(1).max(200)),
  status: ignoreBad(z.enum(PERSON_STATUSES)),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader", "manager", "mentor", "admin"]);
  const params = new URL(request.url).searchParams;
  const query = ListQuerySchema.parse(
    Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined])),
  );
  const filters = { q: query.q, team: query.team, status: query.status ?? "active" };
  const [people, total, teams] = await Promise.all([
    listPeople(context.db, viewer, { filters, page: query.page }),
    countPeople(context.db, viewer, filters),
    listDirectoryTeams(context.db),
  ]);
  const anyAtAll = total > 0 || (await hasAnyPerson(context.db));
  return json({
    people,
    total,
    page: query.page,
    pageSize: PEOPLE_PAGE_SIZE,
    filters: { q: query.q, team: query.team, status: query.status },
    teams: teams.map((t) => t.team),
    anyAtAll,
    isAdmin: viewer.roles.includes("admin"),
  });
}

type Filters = Record<string, string | undefined>;

function pageLink(filters: Filters, page: number) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/people?${search}` : "/people";
}

const linkButton =
  "rounded px-4 py-2 text-sm font-medium border border-stone-300 bg-white text-stone-800 hover:bg-stone-100";

export default function People() {
  const { people, total, page, pageSize, filters, teams, anyAtAll, isAdmin } =
    useLoaderData<typeof loader>();
  const f = filters as Filters;
  const filtering = Object.values(f).some(Boolean);

  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">People</h1>
        {isAdmin ? (
          <div className="flex flex-wrap gap-2">
            <Link
              to="/people/new"
              className="rounded bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
            >
              Add a person
            </Link>
            <Link to="/admin/people/import" className={linkButton}>
              Import from CSV
            </Link>
            <Link to="/admin/people.csv" reloadDocument className={linkButton}>
              Export CSV
            </Link>
          </div>
        ) : null}
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        Everyone in the organisation, sorted by name: who they are, where they work and who they
        report to.
      </p>

      <Form
        method="get"
        className="mt-4 rounded-lg border border-stone-200 bg-white p-4"
        aria-label="Filter people"
      >
        <div className="grid gap-4 sm:grid-cols-3">
          <TextField
            label="Name or email"
            name="q"
            type="search"
            maxLength={200}
            defaultValue={f.q ?? ""}
          />
          <SelectField label="Team" name="team" defaultValue={f.team ?? ""}>
            <option value="">Any team</option>
            {teams.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </SelectField>
          <SelectField label="Show" name="status" defaultValue={f.status ?? "active"}>
            <option value="active">Active</option>
            <option value="left">Left</option>
            <option value="all">Everyone</option>
          </SelectField>
        </div>
        <FilterButtons filtering={filtering} clearTo="/people" />
      </Form>

      {people.length === 0 ? (
        <div className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          {!anyAtAll ? (
            isAdmin ? (
              <p>
                The directory is empty.{" "}
                <Link to="/admin/people/import" className="text-brand-700 underline">
                  Import people from a CSV file
                </Link>{" "}
                exported from your HR system, or{" "}
                <Link to="/people/new" className="text-brand-700 underline">
                  add a person
                </Link>
                .
              </p>
            ) : (
              <p>The directory is empty: an admin imports the organisation's people.</p>
            )
          ) : (
            <p>
              No one matches these filters.{" "}
              <Link to="/people" className="text-brand-700 underline">
                Clear filters
              </Link>{" "}
              to see everyone active.
            </p>
          )}
        </div>
      ) : (
        <PagedTable
          labels={["Name", "Work email", "Title", "Team", "Manager"]}
          page={page}
          pageSize={pageSize}
          total={total}
          href={(n) => pageLink(f, n)}
        >
          {people.map((p) => (
            <tr key={p.id}>
              <td className="px-3 py-2 font-medium whitespace-nowrap">
                <Link to={`/people/${p.id}`} className="text-brand-700 underline">
                  {p.name}
                </Link>
                {p.left_on ? (
                  <span className="font-normal text-stone-600">
                    {" "}
                    · left {formatDate(p.left_on)}
                  </span>
                ) : null}
              </td>
              <td className="px-3 py-2">{p.email ?? "—"}</td>
              <td className="px-3 py-2">{p.title}</td>
              <td className="px-3 py-2">{p.team}</td>
              <td className="px-3 py-2 whitespace-nowrap">{p.manager_name ?? "—"}</td>
            </tr>
          ))}
        </PagedTable>
      )}
    </div>
  );
}
