import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "../auth/policy.server";
import { audit } from "../models/audit.server";
import {
  listBoardDimensions,
  listPipelineCards,
  pipelineCsvRows,
  pipelineQueryFrom,
  toCsv,
} from "../models/pipeline.server";
import { isoDate } from "../utils/dates";

// The board's facts for people who work in spreadsheets: the same filters and order as /pipeline.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(context, request, ["leader"]);
  const { query, filters, sort } = pipelineQueryFrom(new URL(request.url).searchParams);
  const today = isoDate(context.now());
  const dimensions = await listBoardDimensions(context.db);
  const cards = await listPipelineCards(context.db, { filters, today, dimensions, sort });
  await audit(context.db, {
    actorId: viewer.id,
    action: "pipeline.export",
    entity: "pipeline",
    requestId: context.requestId,
    details: {
      rows: cards.length,
      filters: Object.keys(query).filter((k) => query[k as keyof typeof query]),
    },
  });
  // A byte-order mark so spreadsheet programs read the names as UTF-8.
  return new Response(`\uFEFF${toCsv(pipelineCsvRows(cards, dimensions))}`, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="pipeline-${today}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
