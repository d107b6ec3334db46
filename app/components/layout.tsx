import { Form, useLocation } from "@remix-run/react";
import { Link } from "./ui/link";
import type { ReactNode } from "react";
import type { Role } from "../../db/schema";

export interface ShellUser {
  id: string;
  name: string;
  email: string;
  roles: Role[];
}

interface NavItem {
  to: string;
  label: string;
  roles: Role[];
}

// Navigation follows the user's roles (the README's table of pages says who sees which).
export const NAV: NavItem[] = [
  { to: "/", label: "My week", roles: ["leader", "manager", "mentor"] },
  { to: "/candidates", label: "Candidates", roles: ["leader", "manager"] },
  { to: "/people", label: "People", roles: ["leader", "manager", "mentor", "admin"] },
  { to: "/sniff-tests", label: "Sniff tests", roles: ["leader", "manager"] },
  { to: "/coaching", label: "Coaching", roles: ["leader", "manager", "mentor"] },
  { to: "/pipeline", label: "Pipeline", roles: ["leader"] },
  { to: "/calibrations", label: "Calibrations", roles: ["leader", "manager", "mentor"] },
  { to: "/roles", label: "Roles", roles: ["leader", "manager", "mentor"] },
  { to: "/reports/process", label: "Process report", roles: ["leader"] },
  { to: "/admin/users", label: "Users", roles: ["admin"] },
  { to: "/admin/identity", label: "Sign-in", roles: ["admin"] },
  { to: "/admin/outbox", label: "Outbox", roles: ["admin"] },
  { to: "/admin/mail", label: "Mail defaults", roles: ["admin"] },
  { to: "/admin/jobs", label: "Jobs", roles: ["admin"] },
  { to: "/admin/framework", label: "Framework", roles: ["admin"] },
  { to: "/admin/writing-check", label: "Writing check", roles: ["admin"] },
  { to: "/admin/audit", label: "Audit log", roles: ["admin"] },
  { to: "/admin/candidates", label: "Erase", roles: ["admin"] },
];

export function navFor(roles: readonly Role[]): NavItem[] {
  return NAV.filter((item) => item.roles.some((r) => roles.includes(r)));
}

export function AppShell({
  user,
  flash,
  children,
}: {
  user: ShellUser | null;
  flash: string | null;
  children: ReactNode;
}) {
  const items = user ? navFor(user.roles) : [];
  // The current section, worked out once for both navs ("/" only on itself, the others on their subpages).
  const { pathname } = useLocation();
  const isActive = (to: string) =>
    to === "/" ? pathname === "/" : pathname === to || pathname.startsWith(`${to}/`);
  const links = (className: string) =>
    items.map((item) => {
      const active = isActive(item.to);
      return (
        <Link
          key={item.to}
          to={item.to}
          aria-current={active ? "page" : undefined}
          className={`${className} rounded px-1 py-1 text-sm ${active ? "font-semibold text-brand-800 underline underline-offset-4" : "text-stone-700 hover:text-brand-700"}`}
        >
          {item.label}
        </Link>
      );
    });
  const account = user ? (
    <div className="flex items-center gap-3 text-sm">
      <span className="text-stone-600" title={user.email}>
        {user.name}
      </span>
      <Link
        to="/account"
        aria-current={isActive("/account") ? "page" : undefined}
        className="rounded px-1 py-1 text-stone-700 hover:text-brand-700"
      >
        Account
      </Link>
      <Link to="/settings/mail" className="rounded px-1 py-1 text-stone-700 hover:text-brand-700">
        Mail settings
      </Link>
      <Form method="post" action="/logout">
        <button
          type="submit"
          className="rounded border border-stone-300 px-2 py-1 hover:bg-stone-100"
        >
          Log out
        </button>
      </Form>
    </div>
  ) : null;
  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="no-print border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link to="/" className="text-lg font-semibold text-brand-800">
            Noseworthy
          </Link>
          {user ? (
            <>
              {/* Wide screens: the links in a row. Only one of the two navs is displayed at a time,
                  so assistive technology meets a single "Main" landmark. */}
              <nav aria-label="Main" className="hidden flex-1 flex-wrap gap-x-4 gap-y-1 md:flex">
                {links("")}
              </nav>
              <div className="hidden md:block">{account}</div>
              {/* Phones: a native disclosure, so the menu opens without JavaScript. */}
              <details className="group ml-auto md:hidden">
                <summary className="flex cursor-pointer list-none items-center gap-2 rounded border border-stone-300 px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100 [&::-webkit-details-marker]:hidden">
                  <span aria-hidden="true" className="text-base leading-none">
                    ☰
                  </span>
                  Menu
                </summary>
                <div className="absolute inset-x-0 z-40 mt-3 border-b border-stone-200 bg-white px-4 pb-4 shadow-md">
                  <nav aria-label="Main" className="flex flex-col gap-1 py-2">
                    {links("block py-2")}
                  </nav>
                  {account}
                </div>
              </details>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 focus:outline-none">
        {flash ? (
          <p
            role="status"
            className="mb-4 rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900"
          >
            {flash}
          </p>
        ) : null}
        {children}
      </main>
    </>
  );
}
