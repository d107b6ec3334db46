import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCandidateAccess } from "../auth/policy.server";
import { requireUser } from "../auth/session.server";
import { audit } from "../models/audit.server";
import { exportCandidate } from "../models/export.server";

/** The person's whole record as a JSON download (subject access): their manager or a leader only. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(context, request);
  const access = await requireCandidateAccess(context, user, params.candidateId, { manage: true });
  const exportedAt = context.now();
  // One snapshot for every table, and no export without its audit row.
  const record = await context.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const data = await exportCandidate(trx, { candidateId: access.id });
      await audit(trx, {
        actorId: user.id,
        action: "candidate.export",
        entity: "candidate",
        entityId: access.id,
        requestId: context.requestId,
        details: {
          rows: Object.fromEntries(
            Object.entries(data.tables).map(([table, rows]) => [table, rows.length]),
          ),
        },
      });
      return data;
    });
  const body = {
    ...record,
    exported_at: exportedAt.toISOString(),
    exported_by: { id: user.id, name: user.name },
  };
  return new Response(JSON.stringify(body, null, 2), {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="candidate-${access.id}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
