/** What /settings/mail and /admin/mail answer when a save meets a version changed since the page was opened. */
import { invalid } from "../utils/forms.server";

/** The form again as it was sent (a box "on" or ""), with `message`: a 409. */
export function staleMailChoices(data: Record<string, unknown>, message: string) {
  const values = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === "boolean" ? (v ? "on" : "") : String(v)]),
  );
  return invalid(values, {}, message, 409);
}
