import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { clearSessionCookie, destroySession } from "../auth/session.server";
import { audit } from "../models/audit.server";
import { redirectWithFlash } from "../utils/http.server";

// Logging out changes state, so it is a POST; a GET just goes home.
export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const userId = await destroySession(context, request);
  if (userId)
    await audit(context.db, {
      actorId: userId,
      action: "auth.logout",
      entity: "session",
      requestId: context.requestId,
    });
  return redirectWithFlash("/login", "You have logged out.", {
    headers: { "Set-Cookie": clearSessionCookie(context) },
  });
}
