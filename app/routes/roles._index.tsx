/**
 * /roles: the roles and stretches a calibration decision may name (issue 22, mechanism 4) — readiness
 * for a named role instead of a free-floating "potential". Everyone leading reads the list; leaders
 * add roles. No count of people per role: a role is not a ranking.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { canManageReadinessRoles, PEOPLE_ROLES, requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Link } from "../components/ui/link";
import { listAllReadinessRoles } from "../models/readiness-role.server";

export const meta: MetaFunction = () => [{ title: "Roles · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, PEOPLE_ROLES);
  const roles = await listAllReadinessRoles(context.db);
  return json({
    roles: roles.map((r) => ({ ...r, archived: r.archived_at !== null })),
    canCreate: canManageReadinessRoles(viewer),
  });
}

export default function Roles() {
  const { roles, canCreate } = useLoaderData<typeof loader>();
  const open = roles.filter((r) => !r.archived);
  const archived = roles.filter((r) => r.archived);
  return (
    <div className="max-w-3xl">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Roles and stretches</h1>
        {canCreate ? (
          <Link
            to="/roles/new"
            className="rounded bg-brand-700 px-4 py-2 text-sm font-medium text-white hover:bg-brand-800"
          >
            Add a role
          </Link>
        ) : null}
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        A calibration decision says what it is about: readiness for a named role or stretch — its
        team and when it is needed — never a free-floating label such as &ldquo;potential&rdquo;.
        Each role&apos;s page lists who was judged ready for it, with the decision and its evidence.
      </p>
      <RoleList
        title="Open roles"
        roles={open}
        empty={
          canCreate
            ? "No roles yet. Add the roles and stretches your decisions are about."
            : "No roles yet. A leader adds them."
        }
      />
      {archived.length ? <RoleList title="Archived" roles={archived} empty="" /> : null}
    </div>
  );
}

function RoleList({
  title,
  roles,
  empty,
}: {
  title: string;
  roles: { id: string; title: string; team: string; needed_by: string | null }[];
  empty: string;
}) {
  return (
    <section className="mt-8" aria-label={title}>
      <h2 className="text-lg font-semibold">{title}</h2>
      {roles.length ? (
        <ul className="mt-2 divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white">
          {roles.map((r) => (
            <li key={r.id} className="p-3">
              <Link to={`/roles/${r.id}`} className="font-medium text-brand-700 underline">
                {r.title}
              </Link>
              <span className="text-stone-600">
                {" "}
                · {r.team}
                {r.needed_by ? ` · needed ${r.needed_by}` : ""}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-stone-600">{empty}</p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
