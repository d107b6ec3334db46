import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useState } from "react";
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

/**
 * A confirmation belongs to the page it arrived with. The root loader does not run again on a client
 * navigation, so its flash would stay on every page reached from the menu: it shows only while the
 * location is the one it arrived at, and once left it does not come back (not on Back either).
 */
function useFlashOnce(flash: string | null, requestId: string): string | null {
  const { key } = useLocation();
  const [arrival, setArrival] = useState({ requestId, key, left: false });
  if (arrival.requestId !== requestId) {
    setArrival({ requestId, key, left: false });
    return flash;
  }
  if (key !== arrival.key) {
    if (!arrival.left) setArrival({ ...arrival, left: true });
    return null;
  }
  return arrival.left ? null : flash;
}

export default function App() {
  const { user, flash, requestId } = useLoaderData<typeof loader>();
  useClientNavigation();
  const shown = useFlashOnce(flash, requestId);
  return (
    <AppShell user={user} flash={shown}>
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
