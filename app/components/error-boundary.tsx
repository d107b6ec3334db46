import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Link } from "./ui/link";

function messageOf(data: unknown): string | null {
  if (typeof data === "string" && data.length < 300) return data;
  if (data && typeof data === "object" && "message" in data && typeof data.message === "string")
    return data.message;
  return null;
}

/** One error page for every route: 404, 403 and the rest, never a stack trace. */
export function GeneralErrorBoundary({ requestId }: { requestId?: string }) {
  const error = useRouteError();
  let title = "Something went wrong";
  let body =
    "We could not complete that request. Nothing you typed has been saved twice; try again in a moment.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = "Not found";
      body = "There is nothing here, or it is not shared with you.";
    } else if (error.status === 403) {
      title = "Not allowed";
      body = messageOf(error.data) ?? "Your account does not have access to this.";
    } else if (error.status === 409) {
      title = "Changed by someone else";
      body = messageOf(error.data) ?? "Reload the page to see the latest version.";
    } else if (error.status === 503) {
      title = "Temporarily unavailable";
      body = "The database is not answering. Please try again in a moment.";
    } else if (error.status < 500) {
      title = `Error ${error.status}`;
      body = messageOf(error.data) ?? body;
    }
  }
  return (
    <div className="mx-auto max-w-xl py-12" role="alert">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="mt-3 text-stone-700">{body}</p>
      {requestId ? <p className="mt-3 text-sm text-stone-600">Reference: {requestId}</p> : null}
      <p className="mt-6">
        <Link to="/" className="text-brand-700 underline">
          Go to My week
        </Link>
      </p>
    </div>
  );
}
