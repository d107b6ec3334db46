import { Form, Link, NavLink } from "@remix-run/react";
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

// Navigation follows the user's roles (DESIGN.md §1, §6).
export const NAV: NavItem[] = [
  { to: "/", label: "My week", roles: ["leader", "manager", "mentor"] },
  { to: "/candidates", label: "Candidates", roles: ["leader", "manager"] },
  { to: "/sniff-tests", label: "Sniff tests", roles: ["leader", "manager"] },
  { to: "/coaching", label: "Coaching", roles: ["leader", "manager", "mentor"] },
  { to: "/pipeline", label: "Pipeline", roles: ["leader"] },
  { to: "/calibrations", label: "Calibrations", roles: ["leader", "manager", "mentor"] },
  { to: "/admin/users", label: "Users", roles: ["admin"] },
  { to: "/admin/framework", label: "Framework", roles: ["admin"] },
  { to: "/admin/audit", label: "Audit log", roles: ["admin"] },
];

export function navFor(roles: readonly Role[]): NavItem[] {
  return NAV.filter((item) => item.roles.some((r) => roles.includes(r)));
}

export function AppShell({ user, flash, children }: { user: ShellUser | null; flash: string | null; children: ReactNode }) {
  const items = user ? navFor(user.roles) : [];
  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="no-print border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link to="/" className="text-lg font-semibold text-brand-800">
            Noseworthy
          </Link>
          {user ? (
            <>
              <nav aria-label="Main" className="flex flex-1 flex-wrap gap-x-4 gap-y-1">
                {items.map((item) => (
                  <NavLink
                    key={item.to}
                    to={item.to}
                    end={item.to === "/"}
                    className={({ isActive }) =>
                      `rounded px-1 py-1 text-sm ${isActive ? "font-semibold text-brand-800 underline underline-offset-4" : "text-stone-700 hover:text-brand-700"}`
                    }
                  >
                    {item.label}
                  </NavLink>
                ))}
              </nav>
              <div className="flex items-center gap-3 text-sm">
                <span className="text-stone-600" title={user.email}>
                  {user.name}
                </span>
                <Form method="post" action="/logout">
                  <button type="submit" className="rounded border border-stone-300 px-2 py-1 hover:bg-stone-100">
                    Log out
                  </button>
                </Form>
              </div>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {flash ? (
          <p role="status" className="mb-4 rounded border border-green-300 bg-green-50 px-3 py-2 text-green-900">
            {flash}
          </p>
        ) : null}
        {children}
      </main>
    </>
  );
}
