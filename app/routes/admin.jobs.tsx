/**
 * Background jobs (decision 0019): what waits or runs, what failed and why, what was done lately; a
 * failed job can be run again. Admins only; every change audited. Kind, times, attempts and the error
 * only: a job's payload may name people and records, and is never shown.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { Button, FormError } from "../components/ui/forms";
import { jobVersion, listJobs, retryFailedJob } from "../jobs/queue.server";
import { audit } from "../models/audit.server";
import { useFormResult } from "../utils/form-result";
import { id } from "../utils/fields";
import { invalid, parseForm } from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { formatInstant } from "../utils/dates";

export const meta: MetaFunction = () => [{ title: "Jobs · Noseworthy" }];

const RELOAD = "Reload the page and try again.";

const JobsActionSchema = z.object({
  intent: z.literal("retry", { error: RELOAD }),
  jobId: id(RELOAD),
  version: z
    .string({ error: RELOAD })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, RELOAD)
    .refine((v) => !Number.isNaN(Date.parse(v)), RELOAD),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const jobs = await listJobs(context.db);
  return json({
    ...jobs,
    failed: jobs.failed.map((job) => ({ ...job, version: jobVersion(job.updated_at) })),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const parsed = parseForm(JobsActionSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const { jobId, version } = parsed.data;
  const result = await context.db.transaction().execute(async (trx) => {
    const retried = await retryFailedJob(trx, { id: jobId, version, now: context.now() });
    if (retried.outcome === "retried")
      await audit(trx, {
        actorId: admin.id,
        action: "job.retry",
        entity: "job",
        entityId: jobId,
        requestId: context.requestId,
        details: { kind: retried.kind },
      });
    return retried;
  });
  switch (result.outcome) {
    case "missing":
      throw notFound("There is no such job (done jobs are deleted after 30 days).");
    case "stale":
      return invalid(
        { intent: "retry", jobId, version },
        {},
        "This job failed again since the page was loaded: reload to see its latest error.",
        409,
      );
    case "already":
      return redirectWithFlash(
        "/admin/jobs",
        "This job is no longer failed: it was already set to run again.",
      );
    case "retried":
      return redirectWithFlash(
        "/admin/jobs",
        `The “${result.kind}” job will run again within a few seconds.`,
      );
  }
}

function Showing({ shown, total }: { shown: number; total: number }) {
  if (shown >= total) return null;
  return <p className="mt-1 text-sm text-stone-600">{`Showing ${shown} of ${total}.`}</p>;
}

/** A list of jobs: its heading, a "Showing n of m" when cut, and its table (or what to say when empty). */
function JobSection({
  className,
  id,
  title,
  intro,
  shown,
  total,
  heads,
  empty,
  children,
}: {
  className: string;
  id: string;
  title: string;
  intro: ReactNode;
  shown: number;
  total: number;
  heads: ReactNode[];
  empty: string;
  children: ReactNode;
}) {
  return (
    <section className={className} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {intro}
      {shown ? (
        <>
          <Showing shown={shown} total={total} />
          <table className="mt-2 w-full text-left text-sm">
            <thead>
              <tr>
                {heads.map((head, i) => (
                  <th key={i} className={i === heads.length - 1 ? "py-1" : "py-1 pr-3"}>
                    {head}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </>
      ) : (
        <p className="mt-2 text-sm text-stone-600">{empty}</p>
      )}
    </section>
  );
}

export default function AdminJobs() {
  const { waiting, failed, done, counts } = useLoaderData<typeof loader>();
  const retry = useFormResult("retry");

  return (
    <div className="max-w-5xl">
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Work the server does in the background, such as sending mail. A job that fails is tried
        again later, waiting longer each time; after its last attempt it stays failed here until you
        run it again.
      </p>
      {retry.failed && retry.summary ? (
        <div className="mt-4">
          <FormError message={retry.summary} />
        </div>
      ) : null}

      <JobSection
        className="mt-6"
        id="failed"
        title="Failed"
        intro={null}
        shown={failed.length}
        total={counts.failed}
        heads={[
          "Kind",
          "Failed at",
          "Attempts",
          "Error",
          <span key="action" className="sr-only">
            Action
          </span>,
        ]}
        empty="No failed jobs."
      >
        {failed.map((job) => (
          <tr key={job.id} className="border-t border-stone-200 align-top">
            <td className="py-2 pr-3 font-mono">{job.kind}</td>
            <td className="py-2 pr-3">{formatInstant(job.updated_at)}</td>
            <td className="py-2 pr-3">
              {job.attempts} of {job.max_attempts}
            </td>
            <td className="py-2 pr-3 break-words">{job.last_error}</td>
            <td className="py-2">
              <Form method="post">
                <input type="hidden" name="intent" value="retry" />
                <input type="hidden" name="jobId" value={job.id} />
                <input type="hidden" name="version" value={job.version} />
                <Button variant="secondary" aria-label={`Run the ${job.kind} job again`}>
                  Run again
                </Button>
              </Form>
            </td>
          </tr>
        ))}
      </JobSection>

      <JobSection
        className="mt-8"
        id="waiting"
        title="Waiting and running"
        intro={null}
        shown={waiting.length}
        total={counts.pending + counts.running}
        heads={["Kind", "Status", "Runs at", "Attempts so far"]}
        empty="Nothing is waiting."
      >
        {waiting.map((job) => (
          <tr key={job.id} className="border-t border-stone-200 align-top">
            <td className="py-2 pr-3 font-mono">{job.kind}</td>
            <td className="py-2 pr-3">
              {job.status === "running"
                ? `Running (held until ${formatInstant(job.locked_until)})`
                : job.attempts > 0
                  ? "Waiting to retry"
                  : "Waiting"}
            </td>
            <td className="py-2 pr-3">{formatInstant(job.run_at)}</td>
            <td className="py-2">
              {job.attempts} of {job.max_attempts}
            </td>
          </tr>
        ))}
      </JobSection>

      <JobSection
        className="mt-8"
        id="done"
        title="Recently done"
        intro={<p className="mt-1 text-sm text-stone-600">Done jobs are kept for 30 days.</p>}
        shown={done.length}
        total={counts.done}
        heads={["Kind", "Done at", "Attempts"]}
        empty="No jobs done in the last 30 days."
      >
        {done.map((job) => (
          <tr key={job.id} className="border-t border-stone-200 align-top">
            <td className="py-2 pr-3 font-mono">{job.kind}</td>
            <td className="py-2 pr-3">{formatInstant(job.done_at)}</td>
            <td className="py-2">{job.attempts}</td>
          </tr>
        ))}
      </JobSection>
    </div>
  );
}
