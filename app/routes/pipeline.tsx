import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { z } from "zod";
import { STAGES } from "../../db/schema";
import { isUuid, requireCandidateAccess, requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { CoverageStrip, PipelineFilters } from "../components/pipeline-coverage";
import { Button, FormError, SelectField, TextArea, TextField } from "../components/ui/forms";
import { audit } from "../models/audit.server";
import { getCandidateForEdit, moveStage, stageMoveRefusal } from "../models/candidate.server";
import {
  BOARD_STAGES,
  boardPagesFrom,
  type ColumnPages,
  listPipelineBoard,
  loadPipelineFilters,
} from "../models/pipeline.server";
import { addDays, formatDate, isoDate } from "../utils/dates";
import { STAGE_LABELS, TRACK_LABELS } from "../utils/labels";
import { id, optionalDay, text, version } from "../utils/fields";
import { type FormResult, useFormResult } from "../utils/form-result";
import { badRequest, formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash, safeRedirect } from "../utils/http.server";
import { pipelineSearch } from "../utils/search";

export const meta: MetaFunction = () => [{ title: "Pipeline · Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["leader"]);
  const params = new URL(request.url).searchParams;
  const { query, filters, sort, today, dimensions, teams, managers, nudgeOptions } =
    await loadPipelineFilters(context, params);
  const board = await listPipelineBoard(context.db, {
    filters,
    today,
    dimensions,
    sort,
    pages: boardPagesFrom(params),
  });
  // Each column pages on its own (?page_coaching=2): a link keeps the filters and the other columns'
  // pages, which are the pages shown (a page past the end was shown as the last one).
  const shown = Object.fromEntries(board.columns.map((c) => [c.stage, c.page])) as ColumnPages;
  const searchWith = (pages: ColumnPages) =>
    pipelineSearch({
      ...query,
      ...Object.fromEntries(
        BOARD_STAGES.map((s) => [`page_${s}`, pages[s] > 1 ? String(pages[s]) : undefined]),
      ),
    });
  // Only what a card shows goes to the page (and into its hydration data): up to 48 cards, so a cell
  // is its number of observations (the dimensions are named once; observers and dates are in the
  // coverage view), and the manager's id and the stage-change timestamp stay on the server.
  const columns = board.columns.map((column) => ({
    stage: column.stage,
    total: column.total,
    first: (column.page - 1) * column.pageSize + 1,
    prevSearch: column.page > 1 ? searchWith({ ...shown, [column.stage]: column.page - 1 }) : null,
    nextSearch:
      column.page * column.pageSize < column.total
        ? searchWith({ ...shown, [column.stage]: column.page + 1 })
        : null,
    cards: column.cards.map((card) => ({
      id: card.id,
      name: card.name,
      team: card.team,
      track: card.track,
      stage: card.stage,
      version: card.version,
      manager: card.manager.name,
      days_in_stage: card.days_in_stage,
      last_activity_on: card.last_activity_on,
      coverage: card.coverage,
      open_flags: card.open_flags,
      active_sniff_tests: card.active_sniff_tests,
      coaching: card.coaching,
      nudges: card.nudges,
      nudge_tags: card.nudge_tags,
    })),
  }));
  return json({
    columns,
    total: board.total,
    dimensionNames: dimensions.map((d) => d.name),
    teams,
    managers,
    query,
    // The filters alone, for the coverage view and the CSV (which show every card).
    filterSearch: pipelineSearch(query),
    // The board as shown, for the move form's way back.
    search: searchWith(shown),
    // The move form is rendered for one card at a time (?move=<id>): 120 full forms made the board 800 KB.
    moveId: isUuid(params.get("move")) ? params.get("move") : null,
    nudgeOptions,
    today,
  });
}

// Ready and promoted are in the enum so that a hand-made request gets the rule's own message, not a generic one.
const MoveSchema = z.object({
  intent: z.literal("move"),
  candidateId: id("Choose a candidate from the board."),
  version,
  to: z.enum(STAGES, { error: "Choose a stage." }),
  reason: text("Give a reason: it stays in the stage history.", 2000),
  revisitOn: optionalDay("the revisit date"),
  // The board's own query string (no fragment), kept only if safeRedirect would keep it unchanged: a
  // newline in it made the Location header throw, a 500 after the move was saved.
  returnTo: z
    .string()
    .max(1000)
    .refine(
      (q) =>
        q === "" ||
        (q.startsWith("?") &&
          safeRedirect(`/pipeline${q}`) === `/pipeline${q}` &&
          !q.includes("#")),
    )
    .optional()
    .catch(undefined),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(MoveSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const access = await requireCandidateAccess(context, viewer, input.candidateId, { manage: true });
  const candidate = await getCandidateForEdit(context.db, access.id);
  if (!candidate) return badRequest("That candidate no longer exists.", values);
  const today = isoDate(context.now());
  // The board never makes anyone ready or promoted: those need a recorded calibration decision.
  const refusal = stageMoveRefusal({
    from: candidate.stage,
    to: input.to,
    currentOutcome: null,
    revisitOn: input.revisitOn ?? null,
    today,
  });
  if (refusal) return badRequest("", values, { [refusal.field]: [refusal.message] });

  const moved = await context.db.transaction().execute(async (trx) => {
    const row = await moveStage(trx, {
      id: candidate.id,
      version: input.version,
      from: candidate.stage,
      to: input.to,
      changedBy: viewer.id,
      reason: input.reason,
      revisitOn: input.to === "paused" ? (input.revisitOn ?? null) : null,
      now: context.now(),
    });
    if (!row) return false;
    await audit(trx, {
      actorId: viewer.id,
      action: "candidate.stage",
      entity: "candidate",
      entityId: candidate.id,
      requestId: context.requestId,
      details: { from: candidate.stage, to: input.to, via: "pipeline" },
    });
    return true;
  });
  if (!moved) {
    return invalid(
      values,
      {},
      `Someone else changed ${candidate.name} while you were looking at the board, so the stage was not changed. The board now shows the current stage; your reason is kept below.`,
      409,
    );
  }
  return redirectWithFlash(`/pipeline${input.returnTo ?? ""}`, "Stage changed.");
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Column = Data["columns"][number];
type Card = Column["cards"][number];

const count = (n: number) => n.toLocaleString("en-GB");

/** Which cards of the column are shown, and plain links to the pages either side. */
function ColumnPager({ column }: { column: Column }) {
  const stage = STAGE_LABELS[column.stage];
  const last = column.first + column.cards.length - 1;
  return (
    <nav aria-label={`Pages of ${stage}`} className="no-print mt-2 px-1 text-sm text-stone-600">
      <p>
        Showing {count(column.first)}–{count(last)} of {count(column.total)}
      </p>
      <p className="flex flex-wrap gap-x-3">
        {column.prevSearch !== null ? (
          <Link to={`/pipeline${column.prevSearch}`} className="text-brand-700 underline">
            Previous<span className="sr-only"> in {stage}</span>
          </Link>
        ) : null}
        {column.nextSearch !== null ? (
          <Link to={`/pipeline${column.nextSearch}`} className="text-brand-700 underline">
            Next {Math.min(column.total - last, column.cards.length)}
            <span className="sr-only"> in {stage}</span>
          </Link>
        ) : null}
      </p>
    </nav>
  );
}

const MOVE_CHOICES = STAGES.filter((s) => s !== "ready" && s !== "promoted");

export default function Pipeline() {
  const data = useLoaderData<typeof loader>();
  const move = useFormResult("move");
  const { search, filterSearch } = data;
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Pipeline</h1>
        <div className="no-print flex flex-wrap gap-3 text-sm">
          <Link to={`/pipeline/coverage${filterSearch}`} className="text-brand-700 underline">
            Coverage view
          </Link>
          <Link
            to={`/pipeline.csv${filterSearch}`}
            reloadDocument
            className="text-brand-700 underline"
          >
            Download CSV
          </Link>
        </div>
      </div>
      <p className="mt-1 max-w-prose text-stone-600">
        Every candidate by stage, with the facts about their evidence side by side. Nothing here is
        a verdict: the counts show where evidence is thin, and nudges point at the process, never at
        the person.
      </p>
      <p className="mt-1 max-w-prose text-sm text-stone-600">
        A card&apos;s cells are the dimensions in this order: {data.dimensionNames.join(" · ")}.
        Each shows how many observations there are; a hatched “–” means none yet. The coverage view
        has observers and dates.
      </p>
      <PipelineFilters
        action="/pipeline"
        filters={data.query}
        teams={data.teams}
        managers={data.managers}
        nudges={data.nudgeOptions}
        withSort
      />
      {data.total === 0 ? (
        <p className="mt-6 rounded-lg border border-dashed border-stone-300 bg-white p-6 text-stone-700">
          No candidates match. Clear the filters, or{" "}
          <Link to="/candidates/new" className="text-brand-700 underline">
            nominate someone
          </Link>{" "}
          whose work made you notice them.
        </p>
      ) : null}
      {/* Six columns side by side from a laptop's width up; narrower, the board scrolls sideways. */}
      <div className="relative mt-6 flex gap-2 overflow-x-auto pb-4 lg:grid lg:grid-cols-6 lg:overflow-x-visible">
        {data.columns.map((column) => (
          <section
            key={column.stage}
            aria-labelledby={`stage-${column.stage}`}
            className="w-56 shrink-0 rounded-lg bg-stone-100 p-1.5 lg:w-auto lg:min-w-0"
          >
            <h2 id={`stage-${column.stage}`} className="px-1 text-sm font-semibold">
              {STAGE_LABELS[column.stage]}{" "}
              <span className="font-normal text-stone-600">({column.total})</span>
            </h2>
            {column.cards.length ? (
              <ul className="mt-2 space-y-1.5">
                {column.cards.map((card) => (
                  <PipelineCardView
                    key={card.id}
                    card={card}
                    data={data}
                    search={search}
                    result={move.failed && move.value("candidateId") === card.id ? move : undefined}
                  />
                ))}
              </ul>
            ) : (
              <p className="mt-2 px-1 text-sm text-stone-600">Nobody at this stage.</p>
            )}
            {column.total > column.cards.length ? <ColumnPager column={column} /> : null}
          </section>
        ))}
      </div>
    </div>
  );
}

function PipelineCardView({
  card,
  data,
  search,
  result,
}: {
  card: Card;
  data: Data;
  search: string;
  result?: FormResult;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" && navigation.formData?.get("candidateId") === card.id;
  const value = (name: string) => result?.value(name) ?? "";
  return (
    <li id={`card-${card.id}`} className="card">
      <Link to={`/candidates/${card.id}`} className="card-name">
        {card.name}
      </Link>
      <p className="card-meta">
        {card.team || TRACK_LABELS[card.track]}
        <span className="sr-only">{`, ${TRACK_LABELS[card.track]}, managed by ${card.manager}, ${card.days_in_stage} ${card.days_in_stage === 1 ? "day" : "days"} in stage, last activity ${formatDate(card.last_activity_on)}, ${card.open_flags} open ${card.open_flags === 1 ? "flag" : "flags"}, ${card.active_sniff_tests} active sniff ${card.active_sniff_tests === 1 ? "test" : "tests"}, ${card.coaching === "active" ? "an active coaching plan" : "no coaching plan"}`}</span>
      </p>
      <CoverageStrip
        cells={card.coverage}
        dimensionNames={data.dimensionNames}
        candidateName={card.name}
      />
      {card.nudge_tags.length ? (
        <ul aria-label={`Nudges for ${card.name}`} className="card-nudges">
          {card.nudge_tags.map((n) => (
            <li key={n.key}>{n.label}</li>
          ))}
        </ul>
      ) : null}
      {result || data.moveId === card.id ? (
        <Form
          method="post"
          action="/pipeline"
          className="no-print mt-2 space-y-2"
          noValidate
          aria-label={`Move ${card.name}`}
        >
          <input type="hidden" name="intent" value="move" />
          <input type="hidden" name="candidateId" value={card.id} />
          <input type="hidden" name="version" value={card.version} />
          <input type="hidden" name="returnTo" value={search} />
          <FormError message={result?.formError} />
          <SelectField
            label="Move to"
            name="to"
            defaultValue={value("to")}
            errors={result?.errors.to}
          >
            <option value="">Choose a stage</option>
            {MOVE_CHOICES.filter((s) => s !== card.stage).map((s) => (
              <option key={s} value={s}>
                {STAGE_LABELS[s]}
              </option>
            ))}
          </SelectField>
          <TextArea
            label="Reason"
            name="reason"
            rows={2}
            maxLength={2000}
            defaultValue={value("reason")}
            errors={result?.errors.reason}
          />
          <TextField
            label="Revisit on (when pausing)"
            name="revisitOn"
            type="date"
            min={addDays(data.today, 1)}
            defaultValue={value("revisitOn")}
            errors={result?.errors.revisitOn}
          />
          <Button variant="secondary" disabled={busy}>
            {busy ? "Moving…" : "Move"}
          </Button>
          <p className="text-xs text-stone-600">
            Ready and promoted come only from a calibration decision.
          </p>
          <Link
            to={`/pipeline${search}#card-${card.id}`}
            className="text-xs text-brand-700 underline"
          >
            Cancel
          </Link>
        </Form>
      ) : (
        <p className="no-print card-actions">
          <Link
            to={`/pipeline${search ? `${search}&` : "?"}move=${card.id}#card-${card.id}`}
            preventScrollReset
          >
            Move stage<span className="sr-only"> of {card.name}</span>
          </Link>
          <Link to={`/pipeline/${card.id}/add-to-calibration`}>
            Add to a calibration<span className="sr-only">: {card.name}</span>
          </Link>
        </p>
      )}
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
