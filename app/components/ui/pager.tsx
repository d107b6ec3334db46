import { Link } from "./link";

/** Previous and next page links under a paged list; `href(page)` keeps the list's filters. */
export function Pager({
  page,
  hasNext,
  href,
}: {
  page: number;
  hasNext: boolean;
  href: (page: number) => string;
}) {
  return (
    <nav aria-label="Pages" className="mt-3 flex gap-4 text-sm">
      {page > 1 ? (
        <Link to={href(page - 1)} className="text-brand-700 underline" rel="prev">
          Previous page
        </Link>
      ) : null}
      {hasNext ? (
        <Link to={href(page + 1)} className="text-brand-700 underline" rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
