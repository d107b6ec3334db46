import { timingSafeEqual } from "node:crypto";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { sql } from "kysely";
import { z } from "zod";
import { hashPassword } from "../auth/password.server";
import { NewPasswordField, passwordProblem } from "../auth/password-policy.server";
import { startLogin } from "../auth/login-stages.server";
import { Button, FormError, TextField } from "../components/ui/forms";
import { isEmpty } from "../../db/seed/demo";
import { audit } from "../models/audit.server";
import { createUser } from "../models/user.server";
import { setupToken } from "../startup.server";
import { text } from "../utils/fields";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { notFound } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Create the first admin · Noseworthy" }];

/**
 * First run of a real installation: no accounts, and no demo organisation. The link with its token is
 * printed in the server's log, so only whoever runs the server can use it; once an account exists the
 * page is gone (404), as it is to anyone without the token.
 */
const SetupSchema = z
  .object({
    token: z.string().max(200),
    name: text("Enter your name.", 120),
    email: z
      .string()
      .trim()
      .min(1, "Enter your email address.")
      .max(254, "That email address is too long.")
      .regex(/^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/, "Enter an email address like name@example.org."),
    // Judged here without the person too, so a weak password is named beside the other fields' messages.
    password: NewPasswordField.refine((p) => passwordProblem(p) === null, {
      error: (issue) => passwordProblem(String(issue.input)) ?? "Choose another password.",
    }),
    confirm: z.string().max(1000),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The two passwords differ: type the same one twice.",
  });

function tokenMatches(given: string | null | undefined, secret: string) {
  const expected = Buffer.from(setupToken(secret));
  const actual = Buffer.from(given ?? "");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token");
  if (!tokenMatches(token, context.env.SESSION_SECRET) || !(await isEmpty(context.db)))
    throw notFound();
  return json({ token: token as string });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  // Gone (404) before the form is judged, as the page is: field messages would tell anyone it exists.
  const token = formData.get("token");
  if (
    typeof token !== "string" ||
    !tokenMatches(token, context.env.SESSION_SECRET) ||
    !(await isEmpty(context.db))
  )
    throw notFound();
  // The passwords are never sent back into the page.
  const typed = {
    name: String(formData.get("name") ?? ""),
    email: String(formData.get("email") ?? ""),
  };
  const parsed = parseForm(SetupSchema, formData, { echo: typed });
  if (!parsed.ok) return parsed.response;
  const { name, email, password } = parsed.data;
  const problem = passwordProblem(password, { email, name });
  if (problem) return invalid(typed, { password: [problem] });
  const passwordHash = await hashPassword(password);
  const created = await context.db.transaction().execute(async (trx) => {
    // Two people sending the form at once: one admin, not two.
    await sql`select pg_advisory_xact_lock(hashtext('noseworthy first admin'))`.execute(trx);
    if (!(await isEmpty(trx))) return null;
    const user = await createUser(trx, { email, name, roles: ["admin"], passwordHash });
    await audit(trx, {
      actorId: user.id,
      action: "user.create",
      entity: "user",
      entityId: user.id,
      requestId: context.requestId,
      details: { via: "setup", roles: ["admin"] },
    });
    // The admin's policy asks admins for a second factor (by default): set-up comes first.
    return startLogin(
      { ...context, db: trx },
      {
        userId: user.id,
        method: "setup",
        userAgent: request.headers.get("user-agent"),
        redirectTo: "/admin/users",
      },
    );
  });
  if (!created) throw notFound();
  return redirect(created.location, { headers: { "Set-Cookie": created.cookie } });
}

export default function Setup() {
  const { token } = useLoaderData<typeof loader>();
  const result = useFormResult();
  const navigation = useNavigation();
  const fieldErrors = result.errors;
  return (
    <div className="mx-auto max-w-md py-8">
      <h1 className="text-2xl font-semibold">Create the first admin</h1>
      <p className="mt-2 text-stone-600">
        This installation has no accounts yet. The admin manages accounts, the framework and the
        audit log, and sees no people data; give yourself other roles, or other people theirs, from
        the Users page afterwards.
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError
          message={Object.keys(fieldErrors).length ? "Check the fields marked below." : null}
        />
        <input type="hidden" name="token" value={token} />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          autoFocus
          defaultValue={result.value("name")}
          errors={fieldErrors.name}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={result.value("email")}
          errors={fieldErrors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 12 characters. A few unrelated words make a good one; common passwords are refused."
          errors={fieldErrors.password}
        />
        <TextField
          label="Password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          errors={fieldErrors.confirm}
        />
        <Button className="w-full" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Creating…" : "Create the admin account"}
        </Button>
      </Form>
    </div>
  );
}
