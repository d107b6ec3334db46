/**
 * The server side of a passkey ceremony (app/components/passkey-button.tsx is the browser's): a
 * resource route answering JSON to form POSTs (the server takes forms only), in two steps.
 *   step=options — a challenge for `purpose` (sign_in, second_factor, confirm, register), named by an
 *                  HttpOnly cookie; answers { options }.
 *   step=verify  — the browser's answer (`response`, JSON); answers { location } to go to next, or
 *                  { error } with 400 (refused), 403 (not allowed), 404 (no such session).
 * sign_in needs no session and makes one (startLogin, method "passkey"); second_factor needs a login at
 * that stage and finishes it; confirm needs a signed-in session and marks it authenticated; register
 * needs a signed-in session confirmed within REAUTH_WINDOW_MS, or a login at the set_up_mfa stage.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { finishStage, recentlyAuthenticated, startLogin } from "../auth/login-stages.server";
import { loginSettings } from "../auth/oidc.server";
import {
  beginAuthentication,
  beginRegistration,
  clearChallengeCookie,
  finishAuthentication,
  finishRegistration,
} from "../auth/passkeys.server";
import { confirmUrl } from "../auth/reauthenticate.server";
import { getAnySession, markAuthenticated, type AnySession } from "../auth/session.server";
import type { AppContext } from "../context";
import { audit } from "../models/audit.server";
import { notFound, redirectWithFlash, safeRedirect } from "../utils/http.server";

const ACCOUNT_PASSKEYS_PATH = "/account/passkeys";

const Purpose = z.enum(["sign_in", "second_factor", "confirm", "register"]);

// The browser's answer is checked by @simplewebauthn/server; here only its shape and size.
const CredentialJson = z
  .string()
  .max(16_000)
  .transform((text, ctx) => {
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: "The passkey's answer is not valid." });
    return z.NEVER;
  })
  .pipe(
    z.looseObject({
      id: z.string().min(1).max(1400),
      rawId: z.string().min(1).max(1400),
      type: z.literal("public-key"),
      response: z.looseObject({ clientDataJSON: z.string().max(8000) }),
    }),
  );

const RequestSchema = z.discriminatedUnion("step", [
  z.object({
    step: z.literal("options"),
    purpose: Purpose,
    redirectTo: z.string().max(2000).optional(),
  }),
  z.object({
    step: z.literal("verify"),
    purpose: Purpose,
    redirectTo: z.string().max(2000).optional(),
    name: z.string().max(100, "A passkey's name is at most 100 characters.").optional(),
    response: CredentialJson,
  }),
]);

type Ctx = Pick<AppContext, "db" | "env" | "now" | "requestId">;

function answer(body: Record<string, unknown>, status = 200, cookies: string[] = []): Response {
  const headers = new Headers({ "Cache-Control": "no-store" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return json(body, { status, headers });
}

export async function loader() {
  // Only the ceremony's POSTs live here.
  throw notFound();
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData());
  const parsed = RequestSchema.safeParse(form);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message =
      issue?.path[0] === "name" ? issue.message : "That passkey request was not understood.";
    return answer({ error: message }, 400);
  }
  const input = parsed.data;
  const session = await getAnySession(context, request);
  const redirectTo = safeRedirect(input.redirectTo);

  switch (input.purpose) {
    case "sign_in": {
      if (input.step === "options") {
        const begun = await beginAuthentication(context, request, {
          purpose: "sign_in",
          userId: null,
        });
        if (!begun.ok) return answer({ error: "Passkeys are not available." }, 400);
        return answer({ options: begun.options }, 200, [begun.cookie]);
      }
      return signIn(
        context,
        request,
        input.response as unknown as AuthenticationResponseJSON,
        redirectTo,
      );
    }
    case "second_factor": {
      if (!session || session.stage !== "second_factor")
        return answer({ error: "That login has expired. Log in again." }, 404);
      if (input.step === "options") return authenticationOptions(context, request, session);
      return secondFactor(
        context,
        request,
        session,
        input.response as unknown as AuthenticationResponseJSON,
        redirectTo,
      );
    }
    case "confirm": {
      if (!session || session.stage)
        return answer({ error: "You are not signed in. Log in again." }, 404);
      if (input.step === "options") return authenticationOptions(context, request, session);
      return confirm(
        context,
        request,
        session,
        input.response as unknown as AuthenticationResponseJSON,
        redirectTo,
      );
    }
    case "register": {
      const refusal = await registerRefusal(context, session, redirectTo);
      if (refusal || !session) return refusal ?? answer({ error: "Log in again." }, 404);
      if (input.step === "options") {
        const begun = await beginRegistration(context, request, session);
        if (!begun.ok)
          return answer(
            { error: "You have as many passkeys as an account may hold. Remove one first." },
            400,
          );
        return answer({ options: begun.options }, 200, [begun.cookie]);
      }
      return register(
        context,
        request,
        session,
        input.response as unknown as RegistrationResponseJSON,
        input.name ?? "",
        redirectTo,
      );
    }
  }
}

async function authenticationOptions(ctx: Ctx, request: Request, session: AnySession) {
  const begun = await beginAuthentication(ctx, request, {
    purpose: session.stage === "second_factor" ? "second_factor" : "confirm",
    userId: session.id,
  });
  if (!begun.ok) return answer({ error: "Your account has no passkey." }, 400);
  return answer({ options: begun.options }, 200, [begun.cookie]);
}

const REFUSED = "That passkey was not accepted. Try again, or use another way.";
const EXPIRED = "The passkey request expired. Try again.";

async function signIn(
  ctx: Ctx,
  request: Request,
  response: AuthenticationResponseJSON,
  redirectTo: string,
) {
  const result = await finishAuthentication(ctx, request, {
    purpose: "sign_in",
    userId: null,
    response,
  });
  const clear = clearChallengeCookie(ctx);
  if (!result.ok) {
    await audit(ctx.db, {
      actorId: null,
      action: "auth.login",
      entity: "session",
      outcome: "failed",
      requestId: ctx.requestId,
      details: { method: "passkey", reason: result.reason },
    });
    return answer({ error: result.reason === "no_challenge" ? EXPIRED : REFUSED }, 400, [clear]);
  }
  const account = await ctx.db
    .selectFrom("users")
    .select(["id", "roles", "disabled_at"])
    .where("id", "=", result.userId)
    .executeTakeFirstOrThrow();
  const adminsOnly = loginSettings(ctx as AppContext).passwordLogin === "admins";
  if (account.disabled_at || (adminsOnly && !account.roles.includes("admin"))) {
    const reason = account.disabled_at ? "disabled" : "password_login_admins_only";
    await audit(ctx.db, {
      actorId: account.id,
      action: "auth.login",
      entity: "session",
      outcome: account.disabled_at ? "failed" : "denied",
      requestId: ctx.requestId,
      details: { method: "passkey", reason },
    });
    return answer(
      {
        error: account.disabled_at
          ? REFUSED
          : "Passkey sign-in is for administrators only here. Use “Sign in with single sign-on”.",
      },
      account.disabled_at ? 400 : 403,
      [clear],
    );
  }
  const login = await ctx.db.transaction().execute(async (trx) => {
    const made = await startLogin(
      { ...ctx, db: trx },
      {
        userId: account.id,
        method: "passkey",
        userAgent: request.headers.get("user-agent"),
        redirectTo,
      },
    );
    await audit(trx, {
      actorId: account.id,
      action: "auth.login",
      entity: "session",
      requestId: ctx.requestId,
      details: { method: "passkey", ...(made.stage ? { stage: made.stage } : {}) },
    });
    return made;
  });
  return answer({ location: login.location }, 200, [clear, login.cookie]);
}

async function secondFactor(
  ctx: Ctx,
  request: Request,
  session: AnySession,
  response: AuthenticationResponseJSON,
  redirectTo: string,
) {
  const result = await finishAuthentication(ctx, request, {
    purpose: "second_factor",
    userId: session.id,
    response,
  });
  const clear = clearChallengeCookie(ctx);
  if (!result.ok) {
    await audit(ctx.db, {
      actorId: session.id,
      action: "auth.second_factor",
      entity: "session",
      outcome: "failed",
      requestId: ctx.requestId,
      details: { factor: "passkey", reason: result.reason },
    });
    return answer({ error: result.reason === "no_challenge" ? EXPIRED : REFUSED }, 400, [clear]);
  }
  const next = await ctx.db.transaction().execute(async (trx) => {
    const done = await finishStage(
      { ...ctx, db: trx },
      { session, done: "second_factor", redirectTo },
    );
    await audit(trx, {
      actorId: session.id,
      action: "auth.second_factor",
      entity: "session",
      requestId: ctx.requestId,
      details: { factor: "passkey", ...(done.stage ? { stage: done.stage } : {}) },
    });
    return done;
  });
  return answer({ location: next.location }, 200, [clear, next.cookie]);
}

async function confirm(
  ctx: Ctx,
  request: Request,
  session: AnySession,
  response: AuthenticationResponseJSON,
  redirectTo: string,
) {
  const result = await finishAuthentication(ctx, request, {
    purpose: "confirm",
    userId: session.id,
    response,
  });
  const clear = clearChallengeCookie(ctx);
  if (!result.ok) {
    await audit(ctx.db, {
      actorId: session.id,
      action: "auth.confirm",
      entity: "session",
      outcome: "failed",
      requestId: ctx.requestId,
      details: { factor: "passkey", reason: result.reason },
    });
    return answer({ error: result.reason === "no_challenge" ? EXPIRED : REFUSED }, 400, [clear]);
  }
  const cookie = await ctx.db.transaction().execute(async (trx) => {
    const rotated = await markAuthenticated({ ...ctx, db: trx }, session.sessionId);
    await audit(trx, {
      actorId: session.id,
      action: "auth.confirm",
      entity: "session",
      requestId: ctx.requestId,
      details: { factor: "passkey" },
    });
    return rotated;
  });
  const flash = flashHeader("Thanks, that's confirmed.");
  return answer({ location: redirectTo }, 200, [clear, cookie, ...flash]);
}

/** Why this session may not add a passkey now (null: it may). */
async function registerRefusal(ctx: Ctx, session: AnySession | null, redirectTo: string) {
  if (!session || (session.stage && session.stage !== "set_up_mfa"))
    return answer({ error: "You are not signed in. Log in again." }, 404);
  if (session.stage === "set_up_mfa" || recentlyAuthenticated(session, ctx.now())) return null;
  await audit(ctx.db, {
    actorId: session.id,
    action: "passkey.create",
    entity: "passkey",
    outcome: "denied",
    requestId: ctx.requestId,
    details: { reason: "reauthentication_required" },
  });
  const back = redirectTo === "/" ? ACCOUNT_PASSKEYS_PATH : redirectTo;
  return answer(
    {
      error: "Confirm it's you first, then add the passkey.",
      location: confirmUrl(back),
    },
    403,
  );
}

async function register(
  ctx: Ctx,
  request: Request,
  session: AnySession,
  response: RegistrationResponseJSON,
  name: string,
  redirectTo: string,
) {
  const clear = clearChallengeCookie(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const trxCtx = { ...ctx, db: trx };
    const result = await finishRegistration(trxCtx, request, {
      userId: session.id,
      response,
      name,
    });
    if (!result.ok) {
      await audit(trx, {
        actorId: session.id,
        action: "passkey.create",
        entity: "passkey",
        outcome: "failed",
        requestId: ctx.requestId,
        details: { reason: result.reason },
      });
      const error =
        result.reason === "no_challenge"
          ? EXPIRED
          : result.reason === "already_registered"
            ? "That passkey is already registered."
            : "The passkey could not be added. Try again.";
      return answer({ error }, 400, [clear]);
    }
    await audit(trx, {
      actorId: session.id,
      action: "passkey.create",
      entity: "passkey",
      entityId: result.id,
      requestId: ctx.requestId,
      ...(session.stage ? { details: { stage: session.stage } } : {}),
    });
    if (session.stage === "set_up_mfa") {
      const next = await finishStage(trxCtx, { session, done: "set_up_mfa", redirectTo });
      return answer({ location: next.location }, 200, [
        clear,
        next.cookie,
        ...flashHeader("Passkey added. Your account now has a second factor."),
      ]);
    }
    const to = redirectTo === "/" ? ACCOUNT_PASSKEYS_PATH : redirectTo;
    return answer({ location: to }, 200, [
      clear,
      ...flashHeader(`Passkey “${result.name}” added.`),
    ]);
  });
}

/** The flash cookie redirectWithFlash would set, for a JSON answer the browser follows itself. */
function flashHeader(message: string): string[] {
  const cookie = redirectWithFlash("/", message).headers.get("Set-Cookie");
  return cookie ? [cookie] : [];
}
