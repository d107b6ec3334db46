import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { SignInProblem } from "../components/sign-in-problem";
import { loginSettings, startSignIn } from "../auth/oidc.server";
import { getUser } from "../auth/session.server";
import { audit } from "../models/audit.server";
import { notFound, safeRedirect } from "../utils/http.server";

// Starts single sign-on: the checks (state, nonce, PKCE verifier) go into a short-lived signed cookie,
// the browser to the identity provider. Public, like the login page; without single sign-on, a 404.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { oidc } = loginSettings(context);
  if (!oidc) return notFound("Single sign-on is not set up on this server.");
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(context, request)) return redirect(redirectTo);
  try {
    const { url, cookie } = await startSignIn(context, oidc, redirectTo);
    return redirect(url.href, { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } });
  } catch {
    await audit(context.db, {
      actorId: null,
      action: "auth.login",
      entity: "session",
      outcome: "failed",
      requestId: context.requestId,
      details: { method: "oidc", reason: "provider_unavailable" },
    });
    return json(
      {
        message:
          "The identity provider cannot be reached just now, so single sign-on is unavailable. Try again in a minute.",
      },
      { status: 503 },
    );
  }
}

export const meta: MetaFunction = () => [{ title: "Single sign-on · Noseworthy" }];

export default function StartSignIn() {
  const { message } = useLoaderData<typeof loader>();
  return <SignInProblem message={message} />;
}
