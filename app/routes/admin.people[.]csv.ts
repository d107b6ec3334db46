import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "../auth/policy.server";
import { audit } from "../models/audit.server";
import { exportPeopleCsv } from "../models/people-import.server";
import { isoDate } from "../utils/dates";

// The directory in the import's format (README, "Importing people from CSV"): export → import changes nothing.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const { csv, rows, withoutEmail } = await exportPeopleCsv(context.db);
  await audit(context.db, {
    actorId: admin.id,
    action: "people.export",
    entity: "people_import",
    requestId: context.requestId,
    details: { rows, withoutEmail },
  });
  // A byte-order mark so spreadsheet programs read the names as UTF-8; the import drops it.
  return new Response(`\uFEFF${csv}`, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="people-${isoDate(context.now())}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
