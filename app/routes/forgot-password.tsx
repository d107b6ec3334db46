import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { describeWait, reserveLoginAttempt } from "../auth/rate-limit.server";
import { Button, FormError, TextField } from "../components/ui/forms";
import { Link } from "../components/ui/link";
import { enqueueJob } from "../jobs/queue.server";
import { FORGOT_ANSWER, FORGOT_PASSWORD_JOB } from "../models/account-token.server";
import { audit } from "../models/audit.server";
import { normaliseEmail } from "../models/user.server";
import { useFormResult } from "../utils/form-result";
import { invalid, parseForm } from "../utils/forms.server";
import { redirectWithFlash } from "../utils/http.server";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · Noseworthy" }];
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const ForgotSchema = z.object({
  email: z
    .string({ error: "Enter your email address." })
    .trim()
    .min(1, "Enter your email address.")
    .max(254, "That email address is too long.")
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "Enter an email address like name@example.org."),
});

/** Said whether or not the address has an account, so the page tells nobody which addresses do. */

// The client's allowance is kept with the login throttle, under a key no email address can take.
const THROTTLE_KEY = "forgot-password";

export async function loader(_args: LoaderFunctionArgs) {
  return json({}, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(ForgotSchema, await request.formData());
  if (!parsed.ok) return parsed.response;
  const now = context.now();
  const reservation = await reserveLoginAttempt(context.db, {
    email: THROTTLE_KEY,
    ip: context.clientIp,
    now,
  });
  if (!reservation.ok) {
    await audit(context.db, {
      actorId: null,
      action: "auth.password_reset_request",
      entity: "user",
      outcome: "denied",
      requestId: context.requestId,
      details: { reason: "rate_limited" },
    });
    return invalid(
      { email: parsed.data.email },
      {},
      `Too many requests from here. Try again in ${describeWait(reservation.retryAfterSeconds)}.`,
      { status: 429, headers: { "Retry-After": String(reservation.retryAfterSeconds) } },
    );
  }
  // The same work whether or not the address has an account: the job looks it up and mails the
  // link later, so neither the answer nor its time says which addresses exist.
  await context.db.transaction().execute(async (trx) => {
    await enqueueJob(trx, {
      kind: FORGOT_PASSWORD_JOB,
      payload: { email: normaliseEmail(parsed.data.email) },
      runAt: now,
      maxAttempts: 5,
    });
    await audit(trx, {
      actorId: null,
      action: "auth.password_reset_request",
      entity: "user",
      requestId: context.requestId,
    });
  });
  return redirectWithFlash("/forgot-password", FORGOT_ANSWER);
}

export default function ForgotPassword() {
  const result = useFormResult();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Forgot your password?</h1>
      <p className="mt-2 text-stone-600">
        Enter the email address of your account. We will send you a link to choose a new password.
      </p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result.formError} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          defaultValue={result.value("email")}
          errors={result.errors.email}
        />
        <Button className="w-full" disabled={busy}>
          {busy ? "Sending…" : "Send me a link"}
        </Button>
      </Form>
      <p className="mt-6 text-sm">
        <Link to="/login" className="text-brand-700 underline">
          Back to log in
        </Link>
      </p>
    </div>
  );
}
