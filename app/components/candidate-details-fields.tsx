import { TRACKS } from "../../db/schema";
import { TRACK_LABELS } from "../utils/labels";
import { ChoiceSelect, type Choice } from "./choice-select";
import { ColumnHeads } from "./ui/column-heads";
import type { FieldErrors } from "./ui/forms";
import { DirectoryFactsFields } from "./person-fields";

/** The details a nomination records and the edit page changes (the reason field is each page's own). */
export const DETAIL_FIELDS = [
  "name",
  "email",
  "title",
  "team",
  "track",
  "managerId",
  "nominatedReason",
] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];
export type DetailValues = Record<DetailField, string>;

const FIELD_LABELS: Record<DetailField, string> = {
  name: "Name",
  email: "Email",
  title: "Title",
  team: "Team",
  track: "Track",
  managerId: "Manager",
  nominatedReason: "Why nominated",
};

const TRACK_CHOICES: Choice[] = TRACKS.map((t) => ({ id: t, name: TRACK_LABELS[t] }));

/**
 * Name, email, title, team, track and manager. `nominating` adds the empty "Choose…" options a new
 * nomination starts with; the edit form always has a track and a manager.
 */
export function CandidateDetailsFields({
  value,
  errors,
  managers,
  nominating = false,
}: {
  value: (name: DetailField) => string;
  errors: FieldErrors;
  managers: readonly Choice[];
  nominating?: boolean;
}) {
  return (
    <>
      <DirectoryFactsFields value={value} errors={errors} />
      <ChoiceSelect
        label="Track"
        name="track"
        required={nominating}
        defaultValue={value("track")}
        errors={errors.track}
        choices={TRACK_CHOICES}
        placeholder={nominating ? "Choose a track" : undefined}
      />
      <ChoiceSelect
        label="Manager"
        name="managerId"
        required={nominating}
        defaultValue={value("managerId")}
        errors={errors.managerId}
        choices={managers}
        placeholder={nominating ? "Choose their manager" : undefined}
      />
    </>
  );
}

/** After a conflicting save: the fields where the refused input and the saved details differ, side by side. */
export function DetailsComparison({
  yours,
  current,
  managerName,
}: {
  yours: DetailValues;
  current: DetailValues;
  managerName: (id: string) => string;
}) {
  const show = (field: DetailField, value: string) =>
    field === "track"
      ? (TRACK_CHOICES.find((t) => t.id === value)?.name ?? value)
      : field === "managerId"
        ? managerName(value)
        : value || "—";
  return (
    <table className="w-full text-sm">
      <caption className="text-left font-medium">Your changes and the saved version</caption>
      <thead className="text-left text-stone-700">
        <ColumnHeads
          className="py-1 pr-2 font-semibold"
          labels={["Field", "You entered", "Saved now"]}
        />
      </thead>
      <tbody className="divide-y divide-stone-100 align-top">
        {DETAIL_FIELDS.filter((f) => yours[f] !== current[f]).map((f) => (
          <tr key={f}>
            <th scope="row" className="py-1 pr-2 text-left font-medium">
              {FIELD_LABELS[f]}
            </th>
            <td className="py-1 pr-2 whitespace-pre-wrap">{show(f, yours[f])}</td>
            <td className="py-1 whitespace-pre-wrap">{show(f, current[f])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
