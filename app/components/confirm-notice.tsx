import { Link } from "./ui/link";

/**
 * Shown above a sensitive form when the session has not proved who it is in the last 10 minutes
 * (requireRecentAuthentication refuses the change until then): where to confirm, before anything is
 * typed in vain.
 */
export function ConfirmNotice({ confirmUrl, what }: { confirmUrl: string; what: string }) {
  return (
    <div role="note" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm">
      <p className="text-amber-900">
        <strong>Confirm it&apos;s you first.</strong> {what} needs you to have signed in or
        confirmed your identity in the last 10 minutes.{" "}
        <Link to={confirmUrl} className="font-medium text-brand-800 underline">
          Confirm it&apos;s you
        </Link>
      </p>
    </div>
  );
}
