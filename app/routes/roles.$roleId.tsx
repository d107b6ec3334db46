/**
 * /roles/:roleId: one role or stretch, and who was judged ready for it — each current decision naming
 * it with a ready outcome, its rationale and the evidence it cites, in the order decided (never
 * ranked). Everyone leading opens the page; the people listed are those in the viewer's circle
 * (leaders: everyone). Leaders archive and restore the role (audited, against the version shown).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import {
  canManageReadinessRoles,
  denyAsForbidden,
  denyAsNotFound,
  isLeader,
  isUuid,
  PEOPLE_ROLES,
  requireRole,
  type Viewer,
} from "../auth/policy.server";
import { Breadcrumbs } from "../components/back-link";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  getReadinessRole,
  listJudgedReady,
  RoleStateSchema,
  setReadinessRoleArchived,
} from "../models/readiness-role.server";
import { formatDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { OUTCOME_LABELS } from "../utils/labels";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `${data.role.title} · ` : ""}Roles · Noseworthy` },
];

async function requireReadinessRole(context: AppContext, viewer: Viewer, id: string | undefined) {
  const role = isUuid(id) ? await getReadinessRole(context.db, id) : undefined;
  if (!role) throw await denyAsNotFound(context, viewer, "readiness_role", id);
  return role;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, PEOPLE_ROLES);
  const role = await requireReadinessRole(context, viewer, params.roleId);
  const ready = await listJudgedReady(context.db, { roleId: role.id, viewer });
  return json({
    role,
    ready,
    seesEveryone: isLeader(viewer),
    canManage: canManageReadinessRoles(viewer),
  });
}

const STALE = "Someone changed this role since you opened the page: reload it and try again.";

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, PEOPLE_ROLES);
  const role = await requireReadinessRole(context, viewer, params.roleId);
  const formData = await request.formData();
  const values = formValues(formData);
  const intent = values.intent === "restore" ? "restore" : "archive";
  if (!canManageReadinessRoles(viewer))
    throw await denyAsForbidden(
      context,
      viewer,
      `readiness_role.${intent}`,
      "readiness_role",
      role.id,
    );
  const parsed = parseForm(RoleStateSchema, formData);
  if (!parsed.ok) return parsed.response;
  const archived = parsed.data.intent === "archive";
  const done = await context.db.transaction().execute(async (trx) => {
    const ok = await setReadinessRoleArchived(trx, {
      id: role.id,
      archived,
      version: parsed.data.version,
      now: context.now(),
    });
    if (ok)
      await audit(trx, {
        actorId: viewer.id,
        action: `readiness_role.${parsed.data.intent}`,
        entity: "readiness_role",
        entityId: role.id,
        requestId: context.requestId,
        details: { fromVersion: parsed.data.version, toVersion: parsed.data.version + 1 },
      });
    return ok;
  });
  if (!done) return invalid(values, {}, STALE, 409);
  return redirectWithFlash(
    `/roles/${role.id}`,
    archived
      ? "Role archived: new decisions can no longer name it. Decisions that did keep it."
      : "Role restored: decisions can name it again.",
  );
}

type Ready = ReturnType<typeof useLoaderData<typeof loader>>["ready"][number];

export default function RolePage() {
  const { role, ready, seesEveryone, canManage } = useLoaderData<typeof loader>();
  const form = useFormResult();
  const archived = role.archived_at !== null;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <Breadcrumbs trail={[{ to: "/roles", label: "Roles" }]} />
      <header>
        <h1 className="text-2xl font-semibold">{role.title}</h1>
        <p className="mt-1 text-stone-600">
          {role.team}
          {role.needed_by ? ` · needed ${role.needed_by}` : ""} · added by {role.created_by_name} on{" "}
          {formatDate(role.created_at)}
          {archived ? ` · archived on ${formatDate(role.archived_at)}` : ""}
        </p>
        {role.description ? <p className="mt-3 whitespace-pre-wrap">{role.description}</p> : null}
      </header>

      <FormError message={form.summary} />

      <section aria-labelledby="ready-heading">
        <h2 id="ready-heading" className="text-lg font-semibold">
          Judged ready for it
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          Each current calibration decision that names this role as ready now or ready with
          development, in the order decided.
          {seesEveryone ? "" : " You see the people in your circle only."}
        </p>
        {ready.length ? (
          <ul className="mt-3 space-y-4">
            {ready.map((d) => (
              <ReadyEntry key={d.id} decision={d} />
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-stone-600">
            {seesEveryone
              ? "No decision names this role yet."
              : "No decision about someone in your circle names this role yet."}
          </p>
        )}
      </section>

      {canManage ? (
        <section
          aria-labelledby="manage-heading"
          className="rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="manage-heading" className="font-semibold">
            {archived ? "Restore" : "Archive"}
          </h2>
          <p className="mt-1 text-sm text-stone-600">
            {archived
              ? "Restoring lets new decisions name this role again."
              : "Archiving stops new decisions from naming this role; the decisions that did keep it."}
          </p>
          <Form method="post" className="mt-3">
            <input type="hidden" name="intent" value={archived ? "restore" : "archive"} />
            <input type="hidden" name="version" value={String(role.version)} />
            <Button variant="secondary">{archived ? "Restore role" : "Archive role"}</Button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

function ReadyEntry({ decision: d }: { decision: Ready }) {
  return (
    <li className="rounded-lg border border-stone-200 bg-white p-4">
      <h3 className="font-medium">
        <Link to={`/candidates/${d.candidate_id}`} className="text-brand-700 underline">
          {d.candidate_name}
        </Link>{" "}
        — {OUTCOME_LABELS[d.outcome]}
      </h3>
      <p className="text-sm text-stone-600">
        Decided by {d.decided_by_name} on {formatDate(d.decided_at)} in{" "}
        <Link to={`/calibrations/${d.meeting_id}/summary`} className="text-brand-700 underline">
          {d.meeting_title}
        </Link>
      </p>
      <p className="mt-2 whitespace-pre-wrap">{d.rationale}</p>
      {d.next_steps ? (
        <p className="mt-2 whitespace-pre-wrap text-sm">
          <span className="font-medium">Next steps:</span> {d.next_steps}
        </p>
      ) : null}
      <h4 className="mt-3 text-sm font-medium text-stone-700">Evidence cited</h4>
      {d.evidence.length ? (
        <ul className="mt-1 list-disc space-y-1 pl-5 text-sm">
          {d.evidence.map((e) => (
            <li key={e.id}>
              {e.observation_id ? (
                e.withdrawn ? (
                  <span className="text-stone-600">An observation since withdrawn.</span>
                ) : (
                  <>
                    Observation by {e.observer_name}, {formatDate(e.observed_on)}: {e.behavior}
                    {e.impact ? ` — ${e.impact}` : ""}
                  </>
                )
              ) : e.flag_id ? (
                <>
                  Flag: {e.anti_pattern}, seen {formatDate(e.flag_observed_on)}
                </>
              ) : e.assignment_id ? (
                <>Sniff test: {e.assignment_title}</>
              ) : (
                <span className="text-stone-600">Evidence since erased.</span>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-sm text-stone-600">None cited.</p>
      )}
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
