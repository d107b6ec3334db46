import type { ButtonHTMLAttributes, ReactNode } from "react";
import { Button } from "./forms";

/**
 * A destructive submit button behind a second step. The first click only opens a native
 * disclosure (<details>), so the confirmation works without JavaScript; the real submit button
 * inside it belongs to the surrounding form, so the action receives exactly what it did before.
 */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  variant = "danger",
  ...button
}: {
  label: string;
  confirmLabel: string;
  question: ReactNode;
  variant?: "danger" | "secondary";
} & ButtonHTMLAttributes<HTMLButtonElement>) {
  const summaryStyle =
    variant === "danger"
      ? "bg-red-700 text-white hover:bg-red-800"
      : "border border-stone-300 bg-white text-stone-800 hover:bg-stone-100";
  return (
    <details className="group">
      <summary
        className={`inline-flex cursor-pointer list-none items-center justify-center rounded px-4 py-2 text-sm font-medium [&::-webkit-details-marker]:hidden ${summaryStyle}`}
      >
        {label}…
      </summary>
      <div className="mt-3 rounded border border-red-300 bg-red-50 p-3">
        <p className="text-sm text-red-900">{question}</p>
        <Button variant="danger" className="mt-2" {...button}>
          {confirmLabel}
        </Button>
      </div>
    </details>
  );
}
