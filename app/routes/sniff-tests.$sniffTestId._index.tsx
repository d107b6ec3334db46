import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { WrittenText } from "../components/written-text";
import { z } from "zod";
import { isUuid, requireCandidateAccess, requireRole } from "../auth/policy.server";
import { Button, FormError, SelectField, TextField } from "../components/ui/forms";
import { IdempotencyKeyField } from "../components/ui/idempotency-key";
import { ColumnHeads } from "../components/ui/column-heads";
import { useFormResult } from "../utils/form-result";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { listAssignableCandidates, OfferToCandidateSchema } from "../models/assignment.server";
import {
  describeSniffTestFigures,
  getSniffTest,
  getSniffTestFigures,
  listAssignmentsOfSniffTest,
  listSniffTestRevisions,
  setSniffTestArchived,
} from "../models/sniff-test.server";
import { addDays, formatDate, isoDate } from "../utils/dates";
import { ASSIGNMENT_STATUS_WORDS } from "../utils/labels";
import { badRequest, formValues, parseForm } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { newIdempotencyKey } from "../utils/idempotency.server";
import { saveSniffTestOffer } from "../models/sniff-test-offer.server";
import { listOfferingsOfSniffTest } from "../models/offering.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.test.title ?? "Sniff test"} · Noseworthy` },
];

async function requireSniffTest(context: AppContext, id: string | undefined) {
  const test = isUuid(id) ? await getSniffTest(context.db, id) : undefined;
  if (!test) throw notFound();
  return test;
}

const ASSIGNMENTS_PAGE_SIZE = 50;
const ASSIGNABLE_LIMIT = 50;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const test = await requireSniffTest(context, params.sniffTestId);
  const today = isoDate(context.now());
  // Both lists stay short whatever the size of the organisation: a page of assignments (the figures
  // count everyone), and the first candidates without an open offer of this test, or those matching ?q=.
  const query = new URL(request.url).searchParams;
  const pageParam = Number(query.get("page") ?? "1");
  const assignmentPage =
    Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  const search = (query.get("q") ?? "").trim().slice(0, 200);
  const [revisions, figures, assignments, candidates, offerings] = await Promise.all([
    listSniffTestRevisions(context.db, { sniffTestId: test.id }),
    getSniffTestFigures(context.db, { sniffTestId: test.id }),
    listAssignmentsOfSniffTest(context.db, {
      sniffTestId: test.id,
      viewer,
      limit: ASSIGNMENTS_PAGE_SIZE,
      offset: (assignmentPage - 1) * ASSIGNMENTS_PAGE_SIZE,
    }),
    test.archived_at
      ? Promise.resolve([])
      : listAssignableCandidates(context.db, {
          viewer,
          sniffTestId: test.id,
          search,
          limit: ASSIGNABLE_LIMIT,
        }),
    listOfferingsOfSniffTest(context.db, { sniffTestId: test.id }),
  ]);
  return json({
    test,
    revisions,
    figures,
    summary: describeSniffTestFigures(figures),
    assignments,
    assignmentPage,
    assignmentPages: Math.max(1, Math.ceil(Number(figures.offered) / ASSIGNMENTS_PAGE_SIZE)),
    candidates,
    offerings,
    search,
    today,
    defaultDueOn: addDays(today, test.timebox_days),
    idempotencyKey: newIdempotencyKey(),
  });
}

const IntentSchema = z.object({
  intent: z.enum(["assign", "archive", "restore"], {
    error: "Choose what to do.",
  }),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const test = await requireSniffTest(context, params.sniffTestId);
  const formData = await request.formData();
  const values = formValues(formData);
  const intent = parseForm(IntentSchema, formData);
  if (!intent.ok) return intent.response;
  const here = `/sniff-tests/${test.id}`;

  if (intent.data.intent === "archive" || intent.data.intent === "restore") {
    const archived = intent.data.intent === "archive";
    const changed = await context.db.transaction().execute(async (trx) => {
      const ok = await setSniffTestArchived(trx, {
        id: test.id,
        archived,
        now: context.now(),
      });
      if (ok) {
        await audit(trx, {
          actorId: viewer.id,
          action: `sniff_test.${intent.data.intent}`,
          entity: "sniff_test",
          entityId: test.id,
          requestId: context.requestId,
        });
      }
      return ok;
    });
    if (!changed)
      return badRequest(
        archived ? "This sniff test is already archived." : "This sniff test is not archived.",
        values,
      );
    return redirectWithFlash(
      here,
      archived
        ? "Sniff test archived: it no longer shows in the library and cannot be offered. Its history stays."
        : "Sniff test restored.",
    );
  }

  const parsed = parseForm(OfferToCandidateSchema(isoDate(context.now())), formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  if (test.archived_at)
    return badRequest(
      "This sniff test is archived: restore it before offering it to anyone.",
      values,
    );
  // Only the candidate's circle (or a leader) may offer them a test; anyone else gets the same 404 as a missing candidate.
  await requireCandidateAccess(context, viewer, input.candidateId);
  return saveSniffTestOffer(
    context,
    viewer,
    {
      sniffTestId: test.id,
      candidateId: input.candidateId,
      offeredOn: input.offeredOn,
      dueOn: input.dueOn,
      idempotencyKey: input.idempotencyKey,
    },
    values,
  );
}

const linkClass = "text-brand-700 underline";

export default function SniffTestPage() {
  const {
    test,
    revisions,
    figures,
    summary,
    assignments,
    assignmentPage,
    assignmentPages,
    candidates,
    offerings,
    search,
    today,
    defaultDueOn,
    idempotencyKey,
  } = useLoaderData<typeof loader>();
  const refusal = useFormResult();
  const assign = useFormResult("assign");
  const navigation = useNavigation();
  const errors = assign.errors;
  const text = assign.value;
  const keptKey = assign.key(idempotencyKey);
  const figureRows: [string, number | string][] = [
    ["Offered", figures.offered],
    ["Accepted", figures.accepted],
    ["Declined", figures.declined],
    ["Completed", figures.completed],
    ["Not completed", figures.not_completed],
    ["Withdrawn", figures.withdrawn],
    ["Still open", figures.open],
    [
      "Median days to complete",
      figures.median_days_to_complete === null
        ? "—"
        : String(Math.round(figures.median_days_to_complete * 10) / 10),
    ],
  ];

  return (
    <div className="max-w-4xl space-y-8">
      <div>
        <p className="text-sm">
          <Link to="/sniff-tests" className={linkClass}>
            ← Sniff tests
          </Link>
        </p>
        <div className="mt-1 flex flex-wrap items-baseline justify-between gap-3">
          <h1 className="text-2xl font-semibold">{test.title}</h1>
          <Link
            to={`/sniff-tests/${test.id}/edit`}
            className="rounded border border-stone-300 bg-white px-4 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100"
          >
            Edit
          </Link>
        </div>
        <p className="mt-1 text-stone-600">
          {test.dimension_name} · timebox {test.timebox_days}{" "}
          {test.timebox_days === 1 ? "day" : "days"} · version {test.version}
          {test.needs_acceptance ? "" : " · needs no acceptance"}
          {test.archived_at ? ` · archived ${formatDate(test.archived_at)}` : ""}
        </p>
      </div>

      <FormError message={refusal.formError} />

      <section
        aria-labelledby="figures-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="figures-heading" className="text-lg font-semibold">
          How this test has gone
        </h2>
        <p className="mt-1 text-stone-700">{summary}</p>
        <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
          {figureRows.map(([label, value]) => (
            <div key={label} className="rounded border border-stone-200 px-3 py-2">
              <dt className="text-sm text-stone-600">{label}</dt>
              <dd className="text-xl font-semibold">{value}</dd>
            </div>
          ))}
        </dl>
        <p className="mt-2 text-sm text-stone-600">
          Figures about the test across everyone it was offered to, never about one person.
        </p>
      </section>

      <section
        aria-labelledby="text-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="text-heading" className="text-lg font-semibold">
          The assignment
        </h2>
        <dl className="mt-2 space-y-3">
          <WrittenText label="As given to the person" text={test.assignment} />
          <WrittenText label="Why it reveals the dimension" text={test.rationale} />
          <WrittenText label="Signals to watch for" text={test.signals} />
          <WrittenText label="Red flags" text={test.red_flags} />
        </dl>
      </section>

      <section
        aria-labelledby="offer-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="offer-heading" className="text-lg font-semibold">
          Offer it to a candidate
        </h2>
        {test.archived_at ? (
          <p className="mt-2 text-stone-700">
            This sniff test is archived. Restore it below to offer it again.
          </p>
        ) : candidates.length === 0 && !search ? (
          <p className="mt-2 text-stone-700">
            Nobody in your circle can be offered it yet.{" "}
            <Link to="/candidates/new" className={linkClass}>
              Nominate someone
            </Link>{" "}
            first.
          </p>
        ) : (
          <>
            <Form method="get" className="mt-3 flex flex-wrap items-end gap-2">
              <TextField
                label="Find someone in your circle"
                name="q"
                type="search"
                defaultValue={search}
                maxLength={200}
              />
              <Button variant="secondary">Search</Button>
            </Form>
            <Form method="post" className="mt-3 space-y-4" noValidate>
              <input type="hidden" name="intent" value="assign" />
              <IdempotencyKeyField value={keptKey} />
              <SelectField
                label="Candidate"
                name="candidateId"
                required
                defaultValue={text("candidateId", "")}
                errors={errors.candidateId}
              >
                <option value="">Choose someone in your circle</option>
                {candidates.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </SelectField>
              <div className="grid gap-4 sm:grid-cols-2">
                <TextField
                  label="Offered on"
                  name="offeredOn"
                  type="date"
                  required
                  defaultValue={text("offeredOn", today)}
                  errors={errors.offeredOn}
                />
                <TextField
                  label="Due on"
                  name="dueOn"
                  type="date"
                  defaultValue={text("dueOn", defaultDueOn)}
                  errors={errors.dueOn}
                  hint={`Leave empty for the offered day plus ${test.timebox_days} days.`}
                />
              </div>
              {errors.idempotencyKey?.length ? (
                <FormError message={errors.idempotencyKey.join(" ")} />
              ) : null}
              <Button disabled={navigation.state === "submitting"}>Offer sniff test</Button>
            </Form>
          </>
        )}
      </section>

      <section
        aria-labelledby="offerings-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h2 id="offerings-heading" className="text-lg font-semibold">
            Offered to groups
          </h2>
          {test.archived_at ? null : (
            <Link to={`/sniff-tests/${test.id}/offer`} className={linkClass}>
              Offer to a group
            </Link>
          )}
        </div>
        {offerings.length === 0 ? (
          <p className="mt-2 text-stone-600">
            Not offered to a group yet: offer it to a team, or to people picked from the directory.
          </p>
        ) : (
          <ul className="mt-2 space-y-2">
            {offerings.map((o) => (
              <li key={o.id}>
                <Link to={`/sniff-tests/${test.id}/offerings/${o.id}`} className={linkClass}>
                  {o.summary}
                </Link>{" "}
                <span className="text-sm text-stone-600">
                  by {o.offered_by_name} · due {formatDate(o.due_on)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="assignments-heading">
        <h2 id="assignments-heading" className="text-lg font-semibold">
          Assignments{" "}
          <span className="text-sm font-normal text-stone-600">({figures.offered})</span>
        </h2>
        {assignments.length === 0 ? (
          <p className="mt-2 text-stone-600">
            Not offered to anyone yet. Use the form above to offer it to someone in your circle.
          </p>
        ) : (
          <div className="relative mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white">
            <table className="min-w-full divide-y divide-stone-200 text-sm">
              <thead className="bg-stone-50 text-left text-stone-700">
                <ColumnHeads
                  labels={["Person", "Offered", "Due", "Status", "Version given"]}
                  className="px-3 py-2 font-semibold"
                />
              </thead>
              <tbody className="divide-y divide-stone-100">
                {assignments.map((a, i) => (
                  <tr key={a.visible ? a.href : `hidden-${i}`}>
                    <td className="px-3 py-2">
                      {a.visible ? (
                        <Link to={a.href} className={`font-medium ${linkClass}`}>
                          {a.name}
                        </Link>
                      ) : (
                        <span className="text-stone-600">Someone outside your circle</span>
                      )}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDate(a.offered_on)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDate(a.due_on)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">
                      {ASSIGNMENT_STATUS_WORDS[a.status] ?? a.status}
                      {a.closed_on ? (
                        <span className="text-stone-600"> · {formatDate(a.closed_on)}</span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2">{a.revision_version}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {assignmentPages > 1 ? (
          <nav aria-label="Assignment pages" className="mt-2 flex gap-3 text-sm">
            <span className="text-stone-600">
              Page {assignmentPage} of {assignmentPages}
            </span>
            {assignmentPage > 1 ? (
              <Link to={`?page=${assignmentPage - 1}`} className={linkClass}>
                Newer
              </Link>
            ) : null}
            {assignmentPage < assignmentPages ? (
              <Link to={`?page=${assignmentPage + 1}`} className={linkClass}>
                Older
              </Link>
            ) : null}
          </nav>
        ) : null}
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-lg font-semibold">
          Revision history
        </h2>
        <ol className="mt-2 space-y-3">
          {revisions.map((r) => (
            <li key={r.id} className="rounded-lg border border-stone-200 bg-white p-4">
              <details open={r.version === test.version}>
                <summary className="cursor-pointer">
                  <span className="font-medium">Version {r.version}</span>
                  {r.version === test.version ? " (current)" : ""} — {r.edited_by_name},{" "}
                  {formatDate(r.created_at)}
                </summary>
                <dl className="mt-3 space-y-3">
                  <WrittenText label="Title" text={r.title} />
                  <WrittenText label="Dimension" text={r.dimension_name} />
                  <WrittenText label="As given to the person" text={r.assignment} />
                  <WrittenText label="Why it reveals the dimension" text={r.rationale} />
                  <WrittenText label="Signals to watch for" text={r.signals} />
                  <WrittenText label="Red flags" text={r.red_flags} />
                  <WrittenText label="Timebox in days" text={String(r.timebox_days)} />
                </dl>
              </details>
            </li>
          ))}
        </ol>
      </section>

      <section
        aria-labelledby="archive-heading"
        className="rounded-lg border border-stone-200 bg-white p-4"
      >
        <h2 id="archive-heading" className="text-lg font-semibold">
          {test.archived_at ? "Restore" : "Archive"}
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          {test.archived_at
            ? "Restoring puts it back in the library so it can be offered again."
            : "Archiving hides it from the library and stops new offers. Sniff tests are never deleted: past assignments keep their text and history."}
        </p>
        <Form method="post" className="mt-3">
          <input type="hidden" name="intent" value={test.archived_at ? "restore" : "archive"} />
          <Button variant="secondary">
            {test.archived_at ? "Restore sniff test" : "Archive sniff test"}
          </Button>
        </Form>
      </section>
    </div>
  );
}
