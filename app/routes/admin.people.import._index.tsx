import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { requireRole } from "../auth/policy.server";
import { Link } from "../components/ui/link";
import { Button, ErrorText, FormError } from "../components/ui/forms";
import {
  COLUMNS,
  countPeopleWithoutEmail,
  decodeUpload,
  IMPORT_MAX_BYTES,
  listRecentImports,
  storeUpload,
} from "../models/people-import.server";
import { formatDate } from "../utils/dates";
import { useFormResult } from "../utils/form-result";
import { invalid } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import { Breadcrumbs } from "../components/back-link";

export const meta: MetaFunction = () => [{ title: "Import people · Noseworthy" }];

// The multipart envelope around the file: its boundaries and headers, a few hundred bytes.
const ENVELOPE_BYTES = 64 * 1024;
const maxMegabytes = () => IMPORT_MAX_BYTES / 1024 / 1024;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const [imports, withoutEmail] = await Promise.all([
    listRecentImports(context.db),
    countPeopleWithoutEmail(context.db),
  ]);
  return json({ imports, withoutEmail, maxMb: maxMegabytes(), columns: COLUMNS });
}

const tooLarge = () =>
  invalid(
    {},
    {
      file: [
        `The file is larger than ${maxMegabytes()} MB, the most an import takes (about 50,000 people): split it into smaller files.`,
      ],
    },
    undefined,
    413,
  );

/** The body, read no further than `max` bytes: "too large" as soon as it passes them. */
async function readBody(
  request: Request,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | "too large"> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return "too large";
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const chooseFile = () => invalid({}, { file: ["Choose a CSV file to upload."] });
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) return chooseFile();
  // Refused before anything is read when the client says how large it is, else as soon as it passes.
  const max = IMPORT_MAX_BYTES + ENVELOPE_BYTES;
  if (Number(request.headers.get("Content-Length") ?? 0) > max) return tooLarge();
  const bytes = await readBody(request, max);
  if (bytes === "too large") return tooLarge();
  let form: FormData;
  try {
    form = await new Request(request.url, {
      method: "POST",
      headers: { "Content-Type": type },
      body: bytes,
    }).formData();
  } catch {
    return invalid({}, { file: ["The upload could not be read: choose the file and try again."] });
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0) return chooseFile();
  if (file.size > IMPORT_MAX_BYTES) return tooLarge();
  const decoded = decodeUpload(new Uint8Array(await file.arrayBuffer()));
  if (!decoded.ok) return invalid({}, { file: [decoded.message] });
  const id = await storeUpload(context.db, {
    text: decoded.text,
    fileName: file.name,
    actorId: admin.id,
    requestId: context.requestId,
  });
  return redirectWithFlash(
    `/admin/people/import/${id}`,
    "File uploaded. Nothing has changed yet: check the preview.",
  );
}

export default function ImportPeople() {
  const { imports, withoutEmail, maxMb, columns } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  return (
    <div className="max-w-3xl">
      <Breadcrumbs trail={[{ to: "/people", label: "People" }]} />
      <h1 className="mt-1 text-2xl font-semibold">Import people from CSV</h1>
      <p className="mt-1 text-stone-600">
        Upload your HR system’s list of people. You see what would be created, changed and left
        alone before anything changes; applying it is one step, all or nothing.
      </p>
      <Form
        method="post"
        encType="multipart/form-data"
        className="mt-6 space-y-4 rounded-lg border border-stone-200 bg-white p-4"
        noValidate
      >
        <FormError message={result.formError} />
        <div>
          <label htmlFor="people-file" className="block text-sm font-medium text-stone-800">
            CSV file (UTF-8, at most {maxMb} MB)
          </label>
          <p id="people-file-hint" className="text-sm text-stone-600">
            One header row, then a line for each person. Columns, in any order:{" "}
            <code>{columns.join(", ")}</code>. <code>email</code> and <code>name</code> are
            required; <code>status</code> is <code>active</code> or <code>left</code>.
          </p>
          <input
            id="people-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-invalid={result.errors.file?.length ? true : undefined}
            aria-describedby={`people-file-hint${result.errors.file?.length ? " people-file-error" : ""}`}
            className="mt-2 block text-sm"
          />
          <ErrorText id="people-file-error" errors={result.errors.file} />
        </div>
        <Button disabled={busy}>{busy ? "Uploading…" : "Upload and preview"}</Button>
      </Form>

      <section aria-labelledby="export-heading" className="mt-8">
        <h2 id="export-heading" className="text-lg font-semibold">
          Export
        </h2>
        <p className="mt-1 text-sm text-stone-700">
          <a href="/admin/people.csv" className="text-brand-700 underline">
            Download the directory as CSV
          </a>{" "}
          in the same format, ordered by email: importing it again changes nothing.
          {withoutEmail > 0
            ? ` ${withoutEmail} ${withoutEmail === 1 ? "person has" : "people have"} no email and ${withoutEmail === 1 ? "is" : "are"} left out of the file; an import leaves them alone.`
            : null}
        </p>
      </section>

      {imports.length ? (
        <section aria-labelledby="recent-heading" className="mt-8">
          <h2 id="recent-heading" className="text-lg font-semibold">
            Recent uploads
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {imports.map((i) => (
              <li key={i.id}>
                <Link to={`/admin/people/import/${i.id}`} className="text-brand-700 underline">
                  {i.file_name || "Untitled file"}
                </Link>{" "}
                <span className="text-stone-600">
                  uploaded {formatDate(i.created_at)} ·{" "}
                  {i.applied_at ? `applied ${formatDate(i.applied_at)}` : "not applied"}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
