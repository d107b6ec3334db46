import { ColumnHeads } from "./ui/column-heads";
import { formatDate } from "../utils/dates";

export interface CoverageRow {
  id: string;
  name: string;
  observations: number;
  observers: number;
  last_observed_on: string | null;
}

/**
 * Evidence per dimension as facts side by side: how many observations, from how many people, how
 * recent — or "Not yet observed". Never summed or combined into one number.
 */
export function CoverageTable({ coverage }: { coverage: CoverageRow[] }) {
  return (
    <table className="mt-2 w-full text-left text-sm">
      <thead>
        <ColumnHeads
          labels={["Dimension", "Observations", "Observers", "Most recent"]}
          className="py-1 pr-2 font-medium last:pr-0"
          rowClassName="border-b border-stone-200 text-stone-600"
        />
      </thead>
      <tbody>
        {coverage.map((d) => (
          <tr key={d.id} className="border-b border-stone-100 last:border-0">
            <th scope="row" className="py-1.5 pr-2 font-medium">
              {d.name}
            </th>
            {d.observations ? (
              <>
                <td className="py-1.5 pr-2">{d.observations}</td>
                <td className="py-1.5 pr-2">{d.observers}</td>
                <td className="py-1.5">{formatDate(d.last_observed_on)}</td>
              </>
            ) : (
              <td colSpan={3} className="py-1.5 text-stone-600">
                Not yet observed
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
