import type { ReactNode } from "react";
import { ColumnHeads } from "./ui/column-heads";
import { Button } from "./ui/forms";
import { Link } from "./ui/link";
import { Pager } from "./ui/pager";

/** The foot of a list's filter form: apply, and (while any filter is set) a link back to the whole list. */
export function FilterButtons({ filtering, clearTo }: { filtering: boolean; clearTo: string }) {
  return (
    <div className="mt-4 flex items-center gap-4">
      <Button>Apply filters</Button>
      {filtering ? (
        <Link to={clearTo} className="text-sm text-brand-700 underline">
          Clear filters
        </Link>
      ) : null}
    </div>
  );
}

/** One page of a filtered list: "Showing 1–50 of 120", the table (`children` are its rows) and the pager. */
export function PagedTable({
  labels,
  page,
  pageSize,
  total,
  href,
  children,
}: {
  labels: string[];
  page: number;
  pageSize: number;
  total: number;
  href: (page: number) => string;
  children: ReactNode;
}) {
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <>
      <p className="mt-6 text-sm text-stone-600" aria-live="polite">
        Showing {first}–{last} of {total}
      </p>
      <div className="relative mt-2 overflow-x-auto rounded-lg border border-stone-200 bg-white">
        <table className="min-w-full divide-y divide-stone-200 text-sm">
          <thead className="bg-stone-50 text-left text-stone-700">
            <ColumnHeads className="px-3 py-2 font-semibold" labels={labels} />
          </thead>
          <tbody className="divide-y divide-stone-100">{children}</tbody>
        </table>
      </div>
      <Pager page={page} hasNext={last < total} href={href} />
    </>
  );
}
