import { Form, useActionData } from "@remix-run/react";
import type { WritingNote } from "../utils/writing-check";
import { isFormFailure, type Values } from "../utils/form-result";
import { Button } from "./ui/forms";

export type { WritingNote };

/**
 * The writing check's notes from the last submission (its `writingNotes`), for the form that sent
 * `intent` (any form when no intent is given); none when it was not refused for them.
 */
export function useWritingNotes(intent?: string): { notes: WritingNote[]; values: Values } {
  const data: unknown = useActionData();
  if (!isFormFailure(data) || (intent !== undefined && data.values.intent !== intent))
    return { notes: [], values: {} };
  const notes = (data as { writingNotes?: WritingNote[] }).writingNotes;
  return { notes: Array.isArray(notes) ? notes : [], values: data.values };
}

/** A submit button for inside the checked form: saves what is in the form as it is. */
export function SaveAnywayButton({ label = "Save anyway" }: { label?: string }) {
  return (
    <Button variant="secondary" name="writingCheck" value="seen">
      {label}
    </Button>
  );
}

/**
 * The notes above the form, for the author only. With `values` (by default those the refused
 * submission sent back) it carries its own "Save anyway": a plain form that resubmits exactly what was
 * sent, with `writingCheck=seen`, so it works without JavaScript. Editing the text and saving with the
 * form's own button runs the check again.
 */
export function WritingNotes({
  notes,
  values,
  action,
}: {
  notes: WritingNote[];
  values?: Values;
  /** Where "Save anyway" posts (default: this page's action). */
  action?: string;
}) {
  const fromAction = useWritingNotes();
  if (!notes.length) return null;
  const resend = values ?? fromAction.values;
  const resendable = Object.keys(resend).length > 0;
  return (
    <section
      aria-labelledby="writing-check-heading"
      className="rounded border border-amber-300 bg-amber-50 px-4 py-3 text-amber-950"
    >
      <h2 id="writing-check-heading" className="font-semibold" tabIndex={-1}>
        Before you save: a check of your wording
      </h2>
      <p className="mt-1 text-sm">
        Nothing has been saved yet. These notes are for you only: they are not kept and not counted.
        Change your text below and save again, or save it as it is.
      </p>
      <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
        {notes.map((note) =>
          note.missingImpact ? (
            <li key={`${note.field}:impact`}>
              <strong>{note.label}:</strong> no impact yet. Say what the behaviour led to — for the
              team, the work or the people.
            </li>
          ) : (
            <li key={`${note.field}:${note.phrase}`}>
              <strong>{note.label}:</strong> &ldquo;{note.phrase}&rdquo; describes the person rather
              than what they did. {note.suggestion}
            </li>
          ),
        )}
      </ul>
      {resendable ? (
        <Form method="post" action={action} className="mt-3">
          {Object.entries(resend)
            .filter(([name]) => name !== "writingCheck")
            .flatMap(([name, value]) =>
              (Array.isArray(value) ? value : [value]).map((v, i) => (
                <input key={`${name}:${i}`} type="hidden" name={name} value={v} />
              )),
            )}
          <SaveAnywayButton />
        </Form>
      ) : null}
    </section>
  );
}
