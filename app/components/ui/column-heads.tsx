import type { ReactNode } from "react";

/** A table's header row: one column heading per label, all styled alike. */
export function ColumnHeads({
  labels,
  className,
  rowClassName,
}: {
  labels: ReactNode[];
  className: string;
  rowClassName?: string;
}) {
  return (
    <tr className={rowClassName}>
      {labels.map((label, i) => (
        <th key={i} scope="col" className={className}>
          {label}
        </th>
      ))}
    </tr>
  );
}
