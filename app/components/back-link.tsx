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
