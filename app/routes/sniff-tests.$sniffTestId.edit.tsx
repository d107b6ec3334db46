import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Link } from "../components/ui/link";
import { WrittenText } from "../components/written-text";
import { isUuid, requireRole } from "../auth/policy.server";
import { Button, FormError } from "../components/ui/forms";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import {
  EditSniffTestSchema,
  getSniffTest,
  listDimensionsForTemplates,
  sniffTestInputErrors,
  toSniffTestText,
  updateSniffTest,
} from "../models/sniff-test.server";
import { useFormResult, detailOf } from "../utils/form-result";
import {
  badRequest,
  type FormFailure,
  formValues,
  parseForm,
  invalidWith,
} from "../utils/forms.server";
import { notFound, redirectWithFlash } from "../utils/http.server";
import { SniffTestFields } from "../components/sniff-test-fields";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Edit ${data?.test.title ?? "sniff test"} · Noseworthy` },
];

async function requireSniffTest(context: AppContext, id: string | undefined) {
  const test = isUuid(id) ? await getSniffTest(context.db, id) : undefined;
  if (!test) throw notFound();
  return test;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["manager", "leader"]);
  const test = await requireSniffTest(context, params.sniffTestId);
  const dimensions = await listDimensionsForTemplates(context.db, { keepId: test.dimension_id });
  return json({ test, dimensions });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  // Templates are shared: any manager or leader may improve one; every version is kept.
  const viewer = await requireRole(context, request, ["manager", "leader"]);
  const test = await requireSniffTest(context, params.sniffTestId);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(EditSniffTestSchema, formData);
  if (!parsed.ok) return parsed.response;
  const input = parsed.data;
  const fieldErrors = await sniffTestInputErrors(context.db, {
    dimensionId: input.dimensionId,
    currentDimensionId: test.dimension_id,
  });
  if (Object.keys(fieldErrors).length) return badRequest("", values, fieldErrors);

  const result = await context.db.transaction().execute(async (trx) => {
    const updated = await updateSniffTest(trx, {
      id: test.id,
      version: input.version,
      text: toSniffTestText(input),
      editorId: viewer.id,
      now: context.now(),
    });
    if (updated === "stale") return updated;
    await audit(trx, {
      actorId: viewer.id,
      action: "sniff_test.update",
      entity: "sniff_test",
      entityId: test.id,
      requestId: context.requestId,
      details: {
        fromVersion: input.version,
        toVersion: updated.version,
        revisionId: updated.revisionId,
        dimensionId: input.dimensionId,
        needsAcceptance: input.needsAcceptance,
      },
    });
    return updated;
  });
  if (result === "stale") {
    // Someone saved first: send back both texts so nothing typed is lost, and the new version to save against.
    const saved = await requireSniffTest(context, test.id);
    const failure: FormFailure = {
      ok: false,
      formError:
        "Someone saved this sniff test after you opened it. Your text was not saved: compare it with the saved text below, then save again.",
      fieldErrors: {},
      values: { ...values, version: String(saved.version) },
    };
    return invalidWith(failure, { conflict: { yours: values, saved } });
  }
  return redirectWithFlash(
    `/sniff-tests/${test.id}`,
    `Sniff test saved as version ${result.version}. Earlier versions are kept in its history.`,
  );
}

export default function EditSniffTest() {
  const { test, dimensions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const result = useFormResult();
  const navigation = useNavigation();
  const conflict = detailOf(actionData, "conflict");
  const saved: Record<string, string> = {
    title: test.title,
    dimensionId: test.dimension_id,
    assignment: test.assignment,
    rationale: test.rationale,
    signals: test.signals,
    redFlags: test.red_flags,
    timeboxDays: String(test.timebox_days),
    needsAcceptance: test.needs_acceptance ? "1" : "",
  };
  const text = (name: string) => result.value(name, result.failed ? "" : saved[name]);
  const version = String(conflict?.saved.version ?? (result.value("version") || test.version));
  const yours = (name: string) => String(conflict?.yours[name] ?? "");

  return (
    <div className="max-w-3xl">
      <p className="text-sm">
        <Link to={`/sniff-tests/${test.id}`} className="text-brand-700 underline">
          ← {test.title}
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold">Edit sniff test</h1>
      <p className="mt-1 text-stone-600">
        Saving makes version {test.version + 1}. Assignments already offered keep the text they were
        given.
      </p>

      {conflict ? (
        <section className="mt-6 grid gap-4 md:grid-cols-2" aria-labelledby="conflict-heading">
          <h2 id="conflict-heading" className="text-lg font-semibold md:col-span-2">
            Your text and the saved text
          </h2>
          <div className="rounded border border-brand-600 bg-white p-4">
            <h3 className="font-medium">Your text (not saved)</h3>
            <dl className="mt-2 space-y-3">
              <WrittenText label="Title" text={yours("title")} />
              <WrittenText label="Assignment" text={yours("assignment")} />
              <WrittenText label="Why it reveals the dimension" text={yours("rationale")} />
              <WrittenText label="Signals" text={yours("signals")} />
              <WrittenText label="Red flags" text={yours("redFlags")} />
              <WrittenText label="Timebox in days" text={yours("timeboxDays")} />
              <WrittenText
                label="Needs acceptance"
                text={yours("needsAcceptance") ? "Yes" : "No"}
              />
            </dl>
          </div>
          <div className="rounded border border-stone-300 bg-white p-4">
            <h3 className="font-medium">Saved text (version {conflict.saved.version})</h3>
            <dl className="mt-2 space-y-3">
              <WrittenText label="Title" text={conflict.saved.title} />
              <WrittenText label="Assignment" text={conflict.saved.assignment} />
              <WrittenText label="Why it reveals the dimension" text={conflict.saved.rationale} />
              <WrittenText label="Signals" text={conflict.saved.signals} />
              <WrittenText label="Red flags" text={conflict.saved.red_flags} />
              <WrittenText label="Timebox in days" text={String(conflict.saved.timebox_days)} />
              <WrittenText
                label="Needs acceptance"
                text={conflict.saved.needs_acceptance ? "Yes" : "No"}
              />
            </dl>
          </div>
        </section>
      ) : null}

      <Form
        key={version}
        method="post"
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <input type="hidden" name="version" value={version} />
        <FormError message={result.summary} />
        <SniffTestFields dimensions={dimensions} text={text} errors={result.errors} />
        <div className="flex items-center gap-4">
          <Button disabled={navigation.state === "submitting"}>Save changes</Button>
          <Link to={`/sniff-tests/${test.id}`} className="text-sm text-brand-700 underline">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}
