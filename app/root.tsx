import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getUser } from "./auth/session.server";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { AppShell } from "./components/layout";
import { useClientNavigation } from "./components/ui/link";
import stylesheet from "./tailwind.css?url";
import { readFlash } from "./utils/http.server";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Noseworthy" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(context, request);
  const flash = readFlash(request);
  return json(
    {
      user: user ? { id: user.id, name: user.name, email: user.email, roles: user.roles } : null,
      flash: flash.message,
      requestId: context.requestId,
    },
    { headers: flash.clear ? { "Set-Cookie": flash.clear } : undefined },
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en-GB" className="h-full bg-stone-50">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-full text-stone-900 antialiased">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { user, flash } = useLoaderData<typeof loader>();
  useClientNavigation();
  return (
    <AppShell user={user} flash={flash}>
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <AppShell user={data?.user ?? null} flash={null}>
      <GeneralErrorBoundary requestId={data?.requestId} />
    </AppShell>
  );
}
