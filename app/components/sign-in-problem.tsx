import { Link } from "./ui/link";

/** The page a failed single sign-on ends on: what happened, and the way back to the login page. */
export function SignInProblem({ message }: { message: string }) {
  return (
    <div className="mx-auto max-w-md py-8">
      <h1 className="text-2xl font-semibold">Single sign-on did not work</h1>
      <p className="mt-4" role="alert">
        {message}
      </p>
      <p className="mt-6">
        <Link to="/login" className="underline">
          Back to the login page
        </Link>
      </p>
    </div>
  );
}
