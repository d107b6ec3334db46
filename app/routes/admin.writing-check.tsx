/**
 * /admin/writing-check: the word list of the writing check (docs/writing-check.md) — each phrase about
 * personality rather than behaviour, with what to write instead. Admins only (anyone else: an audited
 * 403); saved against the version shown (409 when stale), audited with the number of entries.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRole } from "../auth/policy.server";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { Button, FormError, TextArea } from "../components/ui/forms";
import { version } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { formValues, invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";
import {
  DEFAULT_WRITING_WORDS,
  getWritingWords,
  parseWordLines,
  setWritingWords,
  wordsToText,
  type WritingWord,
} from "../utils/writing-check.server";

export const meta: MetaFunction = () => [{ title: "Writing check · Noseworthy" }];

const FormSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    version,
    words: z.string().max(100_000, "The list is too long."),
  }),
  z.object({ intent: z.literal("reset"), version }),
]);

const STALE =
  "Another admin changed the list since this page was opened: reload it to see theirs, then save again.";

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(context, request, ["admin"]);
  const list = await getWritingWords(context.db);
  return json({ ...list, text: wordsToText(list.words), defaults: DEFAULT_WRITING_WORDS.length });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(context, request, ["admin"]);
  const formData = await request.formData();
  const values = formValues(formData);
  const parsed = parseForm(FormSchema, formData);
  if (!parsed.ok) return parsed.response;
  let words: WritingWord[] | null = null;
  if (parsed.data.intent === "save") {
    const lines = parseWordLines(parsed.data.words);
    if ("error" in lines) return invalid(values, { words: [lines.error] });
    words = lines.words;
  }
  const saved = await setWritingWords(context.db, {
    words,
    version: parsed.data.version,
    actorId: admin.id,
    requestId: context.requestId,
  });
  if (!saved) return invalid(values, {}, STALE, 409);
  return redirectWithFlash(
    "/admin/writing-check",
    words ? "Word list saved." : "Word list reset to the defaults.",
  );
}

export default function AdminWritingCheck() {
  const { text, version: shown, isDefault, words, defaults } = useLoaderData<typeof loader>();
  const form = useFormResult("save");
  const reset = useFormResult("reset");
  return (
    <div className="max-w-3xl">
      <h1 className="text-2xl font-semibold">Writing check</h1>
      <p className="mt-1 max-w-prose text-stone-600">
        Before an observation, flag, pre-read or decision is saved, its author sees the phrases of
        this list found in their own text, each with what to write instead, and a note when the
        impact is missing. It is a nudge: they can always save anyway. Nothing of it is stored about
        the person or counted. Phrases match whole words, in any case.
      </p>
      <p className="mt-2 text-sm text-stone-600">
        {isDefault
          ? `The built-in list is in use (${defaults} phrases).`
          : `Your organisation's list is in use (${words.length} phrases).`}{" "}
        See docs/writing-check.md for where the defaults come from.
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={form.formError} />
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="version" value={form.value("version", String(shown))} />
        <TextArea
          label="Phrases and suggestions"
          name="words"
          rows={16}
          hint='One a line: the phrase, an arrow (→ or ->), then what to write instead. E.g. "bossy -> Describe how they directed the work, and how others responded."'
          defaultValue={form.value("words", text)}
          errors={form.errors.words}
        />
        <Button>Save word list</Button>
      </Form>
      {isDefault ? null : (
        <Form method="post" className="mt-6">
          <FormError message={reset.formError} />
          <input type="hidden" name="intent" value="reset" />
          <input type="hidden" name="version" value={String(shown)} />
          <Button variant="secondary">Reset to the built-in list</Button>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
