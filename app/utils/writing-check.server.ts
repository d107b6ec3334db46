/**
 * The writing check (issue 22, mechanism 5; docs/writing-check.md): before an observation, flag,
 * pre-read or decision is saved, its author is shown the words in their own draft that describe
 * personality rather than behaviour, and a missing impact (Correll et al., ASR 2020). A nudge only:
 * "Save anyway" always saves. Nothing of it is stored with the text, audited or counted per person.
 *
 * The form convention: when notes are found and the form did not carry `writingCheck=seen`, the action
 * answers `writingCheckResponse(values, notes)` — the form protocol's 400 with the values as typed and
 * `writingNotes` — and the page shows `<WritingNotes>` above the form, whose "Save anyway" resubmits
 * what was sent with `writingCheck=seen`.
 */
import { z } from "zod";
import type { DB } from "../../db/client";
import { audit } from "../models/audit.server";
import { invalidWith, type Values } from "./forms.server";
import type { WritingNote } from "./writing-check";

export const WRITING_WORDS_KEY = "writing_check_words";

export interface WritingWord {
  phrase: string;
  suggestion: string;
}

export type { WritingNote };

const INSTEAD = "Describe what they did and what it led to";

/** The built-in list (docs/writing-check.md explains where each comes from). An admin may replace it. */
export const DEFAULT_WRITING_WORDS: readonly WritingWord[] = [
  {
    phrase: "abrasive",
    suggestion: `${INSTEAD}: what was said, to whom, and its effect on the work.`,
  },
  { phrase: "aggressive", suggestion: `${INSTEAD}: the words or actions, and what happened next.` },
  {
    phrase: "emotional",
    suggestion: `${INSTEAD}: what they said or did in the moment, and its effect.`,
  },
  {
    phrase: "bossy",
    suggestion: `${INSTEAD}: how they assigned or directed work, and how others responded.`,
  },
  { phrase: "pushy", suggestion: `${INSTEAD}: what they asked for, how often, and the outcome.` },
  {
    phrase: "shrill",
    suggestion: `${INSTEAD}: what they said, and what the listeners did with it.`,
  },
  {
    phrase: "difficult to work with",
    suggestion: `${INSTEAD}: the disagreement, their argument, and how it ended.`,
  },
  { phrase: "strident", suggestion: `${INSTEAD}: what they argued for, how, and the result.` },
  {
    phrase: "attitude",
    suggestion: `${INSTEAD}: the specific behaviour you are calling an attitude.`,
  },
  {
    phrase: "not a culture fit",
    suggestion: `${INSTEAD}: the behaviour that clashed with a stated team practice, and its impact.`,
  },
  {
    phrase: "culture fit",
    suggestion: `${INSTEAD}: which stated team practice they followed or broke, and the result.`,
  },
  {
    phrase: "personality",
    suggestion: `${INSTEAD}: the behaviour you saw rather than the person's character.`,
  },
  {
    phrase: "too quiet",
    suggestion: `${INSTEAD}: a meeting where their input was missing, and what that cost.`,
  },
  {
    phrase: "not assertive",
    suggestion: `${INSTEAD}: a moment they did not push for a decision, and what followed.`,
  },
  {
    phrase: "lacks confidence",
    suggestion: `${INSTEAD}: what they did or did not do, and its effect on the outcome.`,
  },
  {
    phrase: "lacks presence",
    suggestion: `${INSTEAD}: a specific interaction, and how it affected the room or the work.`,
  },
  {
    phrase: "executive presence",
    suggestion: `${INSTEAD}: the specific conversation, and what changed because of it.`,
  },
  {
    phrase: "potential",
    suggestion:
      "Name the role or stretch and the evidence for readiness for it, instead of a free-floating label.",
  },
  {
    phrase: "natural leader",
    suggestion: `${INSTEAD}: a moment they led, what they did, and what it achieved.`,
  },
  {
    phrase: "high maintenance",
    suggestion: `${INSTEAD}: the request or behaviour, and the time or work it took.`,
  },
  { phrase: "likeable", suggestion: `${INSTEAD}: the behaviour that helped the team, and how.` },
  {
    phrase: "lazy",
    suggestion: `${INSTEAD}: the work that was late or missing, and its effect on others.`,
  },
  {
    phrase: "arrogant",
    suggestion: `${INSTEAD}: what they said or dismissed, and what happened as a result.`,
  },
];

/**
 * Words that usually introduce an impact, for a single free-text field (a pre-read's view, a decision's
 * rationale) where there is no separate impact field. A rough hint, documented as such.
 */
export const IMPACT_MARKERS: readonly string[] = [
  "led to",
  "leads to",
  "so that",
  "as a result",
  "result",
  "resulted",
  "impact",
  "effect",
  "meant",
  "because",
  "which",
  "helped",
  "enabled",
  "allowed",
  "caused",
  "saved",
  "reduced",
  "improved",
  "increased",
  "unblocked",
  "prevented",
  "outcome",
  "customers",
  "the team",
];

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whole words or phrases, case-insensitive, any run of spaces between the words of a phrase. */
export function phrasePattern(phrase: string): RegExp {
  const body = phrase.trim().split(/\s+/).map(escapeRegExp).join("\\s+");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, "iu");
}

/** The phrases of `words` found in `text`, a longer phrase hiding the shorter ones it contains. */
export function findPhrases(text: string, words: readonly WritingWord[]): WritingWord[] {
  const found = words.filter((w) => phrasePattern(w.phrase).test(text));
  return found.filter(
    (w) =>
      !found.some(
        (other) =>
          other !== w &&
          other.phrase.length > w.phrase.length &&
          phrasePattern(w.phrase).test(other.phrase),
      ),
  );
}

export function mentionsImpact(text: string): boolean {
  return IMPACT_MARKERS.some((m) => phrasePattern(m).test(text));
}

// ---- The stored list ----------------------------------------------------------------------------

const StoredSchema = z.object({
  version: z.number().int().positive(),
  // null: the built-in defaults (so a newer release's defaults apply until an admin saves a list).
  words: z.array(z.object({ phrase: z.string().min(1), suggestion: z.string().min(1) })).nullable(),
});

/** The list in force and its version (1 and the defaults until an admin first saves one). */
export async function getWritingWords(
  db: DB,
): Promise<{ words: WritingWord[]; version: number; isDefault: boolean }> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", WRITING_WORDS_KEY)
    .executeTakeFirst();
  const stored = StoredSchema.safeParse(row?.value);
  if (!stored.success) return { words: [...DEFAULT_WRITING_WORDS], version: 1, isDefault: true };
  const { words, version } = stored.data;
  return words
    ? { words, version, isDefault: false }
    : { words: [...DEFAULT_WRITING_WORDS], version, isDefault: true };
}

/**
 * Saves the list if `version` is still the saved one (false when stale). `words: null` goes back to the
 * defaults. Audited with the number of entries, never the text checked.
 */
export async function setWritingWords(
  db: DB,
  {
    words,
    version,
    actorId,
    requestId,
  }: { words: WritingWord[] | null; version: number; actorId: string; requestId: string | null },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("settings")
      .values({
        key: WRITING_WORDS_KEY,
        value: JSON.stringify({ version: 1, words: null }),
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const current = await trx
      .selectFrom("settings")
      .select("value")
      .where("key", "=", WRITING_WORDS_KEY)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const parsed = StoredSchema.safeParse(current.value);
    const currentVersion = parsed.success ? parsed.data.version : 1;
    if (currentVersion !== version) return false;
    const value = { version: version + 1, words };
    await trx
      .updateTable("settings")
      .set({ value: JSON.stringify(value), updated_by: actorId, updated_at: new Date() })
      .where("key", "=", WRITING_WORDS_KEY)
      .execute();
    await audit(trx, {
      actorId,
      action: "settings.update",
      entity: "setting",
      entityId: WRITING_WORDS_KEY,
      requestId,
      details: { entries: (words ?? DEFAULT_WRITING_WORDS).length, reset: words === null },
    });
    return true;
  });
}

// ---- The admin's form ----------------------------------------------------------------------------

export const MAX_WRITING_WORDS = 300;
const SEPARATOR = /\s*(?:→|->)\s*/;

/** One line a phrase: "phrase → what to write instead" ("->" works too). */
export function wordsToText(words: readonly WritingWord[]): string {
  return words.map((w) => `${w.phrase} → ${w.suggestion}`).join("\n");
}

/** The lines as a list, or the message about the first lines that are not right. */
export function parseWordLines(text: string): { words: WritingWord[] } | { error: string } {
  const words: WritingWord[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.search(SEPARATOR);
    const n = i + 1;
    if (at < 0) return problems.push(`line ${n} has no "→" between the phrase and the suggestion`);
    const phrase = line.slice(0, at).trim().replace(/\s+/g, " ");
    const suggestion = line.slice(at).replace(SEPARATOR, "").trim();
    if (!phrase || !suggestion)
      return problems.push(`line ${n} needs both a phrase and a suggestion`);
    if (phrase.length > 60) return problems.push(`line ${n}'s phrase is over 60 characters`);
    if (!/[\p{L}\p{N}]/u.test(phrase))
      return problems.push(`line ${n}'s phrase has no letter or digit`);
    if (suggestion.length > 300)
      return problems.push(`line ${n}'s suggestion is over 300 characters`);
    const key = phrase.toLowerCase();
    if (seen.has(key)) return problems.push(`line ${n} repeats "${phrase}"`);
    seen.add(key);
    words.push({ phrase, suggestion });
  });
  if (problems.length)
    return {
      error: `Check the list: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? "; …" : ""}.`,
    };
  if (words.length > MAX_WRITING_WORDS)
    return { error: `Use at most ${MAX_WRITING_WORDS} phrases.` };
  return { words };
}

// ---- The check ----------------------------------------------------------------------------------

export interface CheckedField {
  name: string;
  label: string;
  text: string;
}

export interface CheckOptions {
  /** A separate field for the impact (an observation's or flag's): empty means a missing impact. */
  impactField?: string;
  /** A single free-text field with no separate impact: no impact-like words in it means a missing impact. */
  impactIn?: string;
}

/**
 * The notes on the author's own draft: each listed phrase found in a field (whole words, any case),
 * with what to write instead, and a missing impact. Empty fields are not checked.
 */
export async function checkWriting(
  db: DB,
  fields: CheckedField[],
  options: CheckOptions = {},
): Promise<WritingNote[]> {
  const { words } = await getWritingWords(db);
  return checkWritingWith(words, fields, options);
}

/** The check against a given list (pure: what checkWriting does once the list is read). */
export function checkWritingWith(
  words: readonly WritingWord[],
  fields: CheckedField[],
  { impactField, impactIn }: CheckOptions = {},
): WritingNote[] {
  const notes: WritingNote[] = [];
  for (const f of fields) {
    if (!f.text.trim()) continue;
    for (const w of findPhrases(f.text, words))
      notes.push({ field: f.name, label: f.label, phrase: w.phrase, suggestion: w.suggestion });
  }
  const anyText = fields.some((f) => f.text.trim());
  const impact = fields.find((f) => f.name === impactField);
  if (anyText && impact && !impact.text.trim())
    notes.push({ field: impact.name, label: impact.label, missingImpact: true });
  const single = fields.find((f) => f.name === impactIn);
  if (single && single.text.trim() && !mentionsImpact(single.text))
    notes.push({ field: single.name, label: single.label, missingImpact: true });
  return notes;
}

/** Whether the author already saw the notes and chose to save anyway. */
export function writingCheckSeen(values: Values | FormData): boolean {
  const v = values instanceof FormData ? values.get("writingCheck") : values.writingCheck;
  return v === "seen";
}

/** The form protocol's 400: the values as typed, no field errors, and the notes for the page. */
export function writingCheckResponse(values: Values, notes: WritingNote[]) {
  return invalidWith({ ok: false, fieldErrors: {}, values }, { writingNotes: notes }, 400);
}

/**
 * The check of a situation–behaviour–impact form (observations, flags): the listed words in any of the
 * three, and an empty impact. The 400 to answer, or null to go on saving.
 */
export async function checkSbi(
  db: DB,
  values: Values,
): Promise<ReturnType<typeof writingCheckResponse> | null> {
  if (writingCheckSeen(values)) return null;
  const text = (name: string) => (typeof values[name] === "string" ? values[name] : "");
  const notes = await checkWriting(
    db,
    [
      { name: "situation", label: "Situation", text: text("situation") },
      { name: "behavior", label: "Behaviour", text: text("behavior") },
      { name: "impact", label: "Impact", text: text("impact") },
    ],
    { impactField: "impact" },
  );
  return notes.length ? writingCheckResponse(values, notes) : null;
}
