import { Fragment } from "react";
import { Link } from "./ui/link";

/** The "← name" link back to a person's profile, at the top of the pages about them. */
export function BackToCandidate({ candidate }: { candidate: { id: string; name: string } }) {
  return (
    <p className="text-sm">
      <Link to={`/candidates/${candidate.id}`} className="text-brand-700 underline">
        ← {candidate.name}
      </Link>
    </p>
  );
}

/** The links above a page's title back up to the pages it belongs to, e.g. "People / Ada Lovelace". */
export function Breadcrumbs({ trail }: { trail: { to: string; label: string }[] }) {
  return (
    <p className="text-sm">
      {trail.map((step, i) => (
        <Fragment key={step.to}>
          {i > 0 ? " / " : null}
          <Link to={step.to} className="text-brand-700 underline">
            {step.label}
          </Link>
        </Fragment>
      ))}
    </p>
  );
}
