import type { AppContext } from "../context";
import {
  listBoardDimensions,
  listPipelineTeams,
  NUDGE_SHORT_LABELS,
  PIPELINE_NUDGES,
  pipelineQueryFrom,
} from "../models/pipeline.server";
import { listManagersForFilter } from "../models/user.server";
import { isoDate } from "../utils/dates";

/**
 * What both pipeline pages (the board and the coverage view) read before their rows: the query and
 * filters from the URL, today, the dimensions, and the choices the filter form offers.
 */
export async function loadPipelineFilters(context: AppContext, params: URLSearchParams) {
  const { query, filters, sort } = pipelineQueryFrom(params);
  const today = isoDate(context.now());
  const [dimensions, teams, managers] = await Promise.all([
    listBoardDimensions(context.db),
    listPipelineTeams(context.db),
    listManagersForFilter(context.db),
  ]);
  const nudgeOptions = PIPELINE_NUDGES.map((key) => ({ key, label: NUDGE_SHORT_LABELS[key] }));
  return { query, filters, sort, today, dimensions, teams, managers, nudgeOptions };
}
