import { formatDate } from "../utils/dates";
import { Link } from "./ui/link";

export interface NewNomination {
  id: string;
  name: string;
  /** What the nominator spotted. */
  reason: string;
  nominatedAt: string;
  nominatedByName: string;
}

/**
 * My week, for a manager: their people whom someone else nominated lately (anyone leading may spot
 * potential; the manager holds the record and hears of it here). The newest first; no figures.
 */
export function MyWeekNominations({
  nominations,
  days = 30,
}: {
  nominations: readonly NewNomination[];
  days?: number;
}) {
  return (
    <section
      className="rounded-lg border border-stone-200 bg-white p-4"
      aria-labelledby="section-new-nominations"
    >
      <h2 id="section-new-nominations" className="text-lg font-semibold">
        New nominations of your people{" "}
        <span className="text-sm font-normal text-stone-600">({nominations.length})</span>
      </h2>
      {nominations.length === 0 ? (
        <p className="mt-2 text-stone-600">
          Nobody else nominated one of your people in the last {days} days.
        </p>
      ) : (
        <ul className="mt-2 divide-y divide-stone-100">
          {nominations.map((n) => (
            <li key={n.id} className="py-2">
              <Link className="font-medium text-brand-700 underline" to={`/candidates/${n.id}`}>
                {n.name}
              </Link>{" "}
              — nominated by {n.nominatedByName} on {formatDate(n.nominatedAt)}
              <span className="line-clamp-3 block text-sm whitespace-pre-wrap text-stone-600">
                What they spotted: “{n.reason}”
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
