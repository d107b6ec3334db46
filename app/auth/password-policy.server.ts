/**
 * Which passwords Noseworthy accepts (OWASP ASVS 5.0, 6.2). Length is what matters: at least 12
 * characters (counted as code points, so any script or emoji counts once), up to 128, and no
 * composition rules. Refused, with one message each:
 *   - the 10,000 most common passwords (common-passwords.txt, shipped with the app, offline),
 *     compared without case;
 *   - one of those, or a context word, with only digits or symbols around it (`Password1234`,
 *     `password123456`, `!!demo2026!!`);
 *   - the context-specific words (ASVS 6.2.11): the product's name anywhere in it
 *     (`noseworthy-demo`), the person's email address or the part before the @, and any part of
 *     their name or of the address before the @ of four letters or more;
 *   - one character repeated (`aaaaaaaaaaaa`), a short pattern repeated (`abcabcabcabc`), or a run
 *     of consecutive characters (`123456789012`, `abcdefghijkl`).
 */
import { z } from "zod";
import commonList from "./common-passwords.txt?raw";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
const PRODUCT_WORDS = ["noseworthy"];

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    commonList
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

/** For forms: the length floor is passwordProblem's, so the person sees one message, not two. */
export const NewPasswordField = z
  .string({ error: "Choose a password." })
  .max(1000, { error: `Use at most ${MAX_PASSWORD_LENGTH} characters.` });

/** Null when the password is acceptable, else the message to show the person. */
export function passwordProblem(
  password: string,
  person?: { email?: string | null; name?: string | null },
): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;

  const lower = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(lower)) return "That is one of the most common passwords. Choose another.";
  if (repetitive(lower)) return "Avoid repeated or consecutive characters. Choose another.";

  for (const word of PRODUCT_WORDS) {
    if (lower.includes(word)) return "Don't use the name of this application in your password.";
  }
  const personal = personalWords(person);
  for (const word of personal) {
    if (lower.includes(word)) return "Don't use your name or email address in your password.";
  }

  // A common password or a context word with only digits and symbols around it.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  if (core && (list.has(core) || personal.includes(core)))
    return "That is a common password with digits or symbols added. Choose another.";
  return null;
}

function personalWords(person?: { email?: string | null; name?: string | null }): string[] {
  const words = new Set<string>();
  const email = person?.email?.trim().toLowerCase();
  const local = email?.split("@")[0] ?? "";
  if (email) words.add(email);
  if ([...local].length >= 3) words.add(local);
  // The name and the address's own part; not its domain, which names the employer, not the person.
  const parts = `${person?.name ?? ""} ${local}`.toLowerCase().split(/[^\p{L}\p{N}]+/u);
  for (const part of parts) if ([...part].length >= 4) words.add(part);
  return [...words];
}

function repetitive(lower: string): boolean {
  const chars = [...lower];
  // A unit of up to four characters repeated throughout (aaaa…, abab…, 1234 1234 …).
  for (let unit = 1; unit <= 4; unit++) {
    if (chars.every((c, i) => c === chars[i % unit])) return true;
  }
  // A run where each character is the next (or the previous) one: abcdef…, 987654…, 1234567890….
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  for (const step of [1, -1]) {
    if (codes.slice(1).every((c, i) => nextInRun(codes[i], c, step))) return true;
  }
  return false;
}

function nextInRun(previous: number, current: number, step: number): boolean {
  if (current - previous === step) return true;
  // Digits wrap around: …8901…, …1098….
  const zero = 48;
  const nine = 57;
  return step === 1 ? previous === nine && current === zero : previous === zero && current === nine;
}

/** A form's new password, typed twice. */
export const NewPasswordSchema = z.object({
  password: NewPasswordField,
  confirm: z.string({ error: "Type the password again." }).max(1000),
});

/**
 * Reads and judges a new password from a form: the password (passwordProblem, for this person) and
 * its confirmation. Field messages on failure; never the passwords themselves.
 */
export function newPasswordErrors(
  fields: { password: string; confirm: string },
  person?: { email?: string | null; name?: string | null },
): Record<string, string[]> | null {
  const problem = passwordProblem(fields.password, person);
  if (problem) return { password: [problem] };
  if (fields.password !== fields.confirm)
    return { confirm: ["The two passwords differ: type the same one twice."] };
  return null;
}
