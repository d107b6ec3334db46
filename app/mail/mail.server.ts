/**
 * Mail (decision 0019): a message is rendered once and stored in mail_messages under a key naming the
 * event and the person, so the same message is never made twice; a "mail.send" job delivers it through
 * SMTP_URL, or, without SMTP_URL, leaves it in the outbox that admins read at /admin/outbox.
 *
 * A message names a person and what is due, with a link: never the text of a judgement, which would sit
 * in an inbox where erasure cannot follow. Callers decide whether the person wants the list
 * (mailPreferencesOf) before calling queueMail.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { DB } from "../../db/client";
import type { Env } from "../env.server";
import { enqueueJob } from "../jobs/queue.server";
import { listeningUrl } from "../startup.server";
import { renderMail } from "./layout.server";
import { messageIdFor, smtpTransport } from "./transport.server";

export interface MailBody {
  /** Plain sentences, no HTML; rendered escaped. */
  paragraphs: string[];
  /** Things due: a line each, with an absolute link. */
  items?: { text: string; url: string; due?: string }[];
  action?: { label: string; url: string };
}

export const MAIL_LISTS = ["digest", "reminders", "invitations"] as const;
export type MailList = (typeof MAIL_LISTS)[number];

export interface MailDraft {
  /** The event and the person, e.g. `reminder:assignment-due:${assignmentId}:${dueOn}:${userId}`: the same key is never sent twice. */
  key: string;
  /** A template name, e.g. "reminder.assignment", "digest.weekly", "invitation.calibration". */
  kind: string;
  userId: string;
  /** The candidate the message names, so erasure deletes it. */
  candidateId?: string | null;
  subject: string;
  body: MailBody;
  /** An iCalendar object to attach (text/calendar; method=REQUEST or CANCEL). */
  ics?: { content: string; method: "REQUEST" | "CANCEL" } | null;
  /** The list whose one-click unsubscribe the message carries (RFC 8058); none for account mail. */
  list?: MailList;
}

/** What mail needs of the configuration (a full Env will do). */
export type MailEnv = Pick<
  Env,
  "APP_URL" | "HOST" | "PORT" | "SESSION_SECRET" | "SMTP_URL" | "MAIL_FROM" | "DATABASE_URL"
>;

export const MAIL_SEND_JOB = "mail.send";
/** Retries at 30 s, doubling to an hour, then hourly: about a day of a server that is down or refusing. */
export const MAIL_SEND_ATTEMPTS = 30;
/** The person's own mail settings page (app/routes/settings.mail.tsx). */
export const MAIL_SETTINGS_PATH = "/settings/mail";
export const UNSUBSCRIBE_PATH = "/mail/unsubscribe";

/** An absolute URL in the app: APP_URL (or, without it, the server's own listening address) + path. */
export function appUrl(env: Pick<Env, "APP_URL" | "HOST" | "PORT">, path: string): string {
  const base = (env.APP_URL ?? listeningUrl(env.HOST, env.PORT)).replace(/\/+$/, "");
  return `${base}${path.startsWith("/") ? path : `/${path}`}`;
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe tokens: an HMAC of the user and the list under SESSION_SECRET, so no table is
// needed and a token cannot be made for someone else. It does not expire (RFC 8058 asks that the link
// keep working); changing SESSION_SECRET voids every token.

function unsubscribeMac(secret: string, userId: string, list: MailList): string {
  return createHmac("sha256", secret)
    .update(`mail-unsubscribe\n${userId}\n${list}`)
    .digest("base64url");
}

export function unsubscribeToken(secret: string, userId: string, list: MailList): string {
  return `${userId}.${list}.${unsubscribeMac(secret, userId, list)}`;
}

const TOKEN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([a-z]+)\.([\w-]{43})$/;

/** The user and list a token was made for, or null when it is malformed or was not made with this secret. */
export function readUnsubscribeToken(
  secret: string,
  token: string | null | undefined,
): { userId: string; list: MailList } | null {
  const match = TOKEN.exec(token ?? "");
  if (!match) return null;
  const [, userId, list, mac] = match;
  if (!(MAIL_LISTS as readonly string[]).includes(list)) return null;
  const expected = Buffer.from(unsubscribeMac(secret, userId, list as MailList));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { userId, list: list as MailList };
}

export function unsubscribeUrl(env: MailEnv, userId: string, list: MailList): string {
  return appUrl(
    env,
    `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(unsubscribeToken(env.SESSION_SECRET, userId, list))}`,
  );
}

// ---------------------------------------------------------------------------------------------

const KIND = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Renders the message (HTML and text, the product's look), stores it in mail_messages and enqueues its
 * delivery job ("mail.send"). Returns false when a message with this key already exists (nothing is
 * made). Looks up the user's address; a disabled user gets nothing (false).
 */
export async function queueMail(
  ctx: { db: DB; env: MailEnv; now: () => Date },
  draft: MailDraft,
): Promise<boolean> {
  // A caller's mistakes, said before anything is stored (the table's checks would say less).
  if (draft.key.length < 1 || draft.key.length > 300)
    throw new Error("A mail key has 1 to 300 characters.");
  if (!KIND.test(draft.kind)) throw new Error(`Not a mail kind: ${draft.kind}`);
  const subject = draft.subject.replace(/\s+/g, " ").trim();
  if (subject.length < 1 || subject.length > 300)
    throw new Error("A mail subject has 1 to 300 characters.");
  if (draft.ics && !new RegExp(`^METHOD:${draft.ics.method}\\r?$`, "m").test(draft.ics.content))
    throw new Error(`The calendar object must say METHOD:${draft.ics.method}.`);

  const user = await ctx.db
    .selectFrom("users")
    .select(["email", "disabled_at"])
    .where("id", "=", draft.userId)
    .executeTakeFirst();
  if (!user || user.disabled_at) return false;

  const unsubscribe = draft.list
    ? { list: draft.list, url: unsubscribeUrl(ctx.env, draft.userId, draft.list) }
    : null;
  const { html, text } = renderMail({
    subject,
    body: draft.body,
    settingsUrl: appUrl(ctx.env, MAIL_SETTINGS_PATH),
    unsubscribe,
  });
  const headers: Record<string, string> = unsubscribe
    ? {
        "List-Unsubscribe": `<${unsubscribe.url}>`,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      }
    : {};

  return ctx.db.transaction().execute(async (trx) => {
    const made = await trx
      .insertInto("mail_messages")
      .values({
        key: draft.key,
        kind: draft.kind,
        user_id: draft.userId,
        candidate_id: draft.candidateId ?? null,
        to_address: user.email,
        subject,
        text_body: text,
        html_body: html,
        ics: draft.ics?.content ?? null,
        headers: JSON.stringify(headers),
        created_at: ctx.now(),
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!made) return false;
    // The job is keyed by the message, so its delivery is enqueued once, in the same transaction.
    await enqueueJob(trx, {
      kind: MAIL_SEND_JOB,
      payload: { messageId: made.id },
      key: `${MAIL_SEND_JOB}:${made.id}`,
      runAt: ctx.now(),
      maxAttempts: MAIL_SEND_ATTEMPTS,
    });
    return true;
  });
}

type StoredMessage = {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  ics: string | null;
  headers: Record<string, string>;
  status: string;
};

// The embedded database is one process: messages in flight are kept here instead of under a row lock,
// which on PGlite's single connection would hold every other query while the SMTP server answers.
const inFlight = new Set<string>();

/**
 * The "mail.send" job's body: sends one stored message through SMTP, or marks it 'outbox' without
 * SMTP_URL. A message already sent (or in the outbox) is left alone. A refusal or a server that is down
 * throws, so the job retries; the message stays 'queued' with last_error. Returns what happened.
 */
export async function deliverMail(
  ctx: { db: DB; env: MailEnv; now: () => Date },
  messageId: string,
): Promise<Delivered> {
  let outcome: Delivered | { failed: string };
  if (!ctx.env.DATABASE_URL) {
    if (inFlight.has(messageId)) throw new Error("This message is being sent by another job run.");
    inFlight.add(messageId);
    try {
      outcome = await deliverOnce(ctx, ctx.db, messageId);
    } finally {
      inFlight.delete(messageId);
    }
  } else {
    // On PostgreSQL several processes run jobs: the row stays locked while it is sent, so a second run
    // (a lease that ran out) waits, then finds it sent. The transport's timeouts keep the transaction
    // well inside the pool's idle_in_transaction_session_timeout (30 s) in all but a pathological case.
    outcome = await ctx.db
      .transaction()
      .execute((trx) => deliverOnce(ctx, trx, messageId, { lock: true }));
  }
  // Thrown after the transaction committed the error, so the job retries and the outbox says why.
  if (typeof outcome === "object") throw new Error(outcome.failed);
  return outcome;
}

type Delivered = "sent" | "outbox" | "done already" | "missing";

async function deliverOnce(
  ctx: { env: MailEnv; now: () => Date },
  db: DB,
  messageId: string,
  { lock = false } = {},
): Promise<Delivered | { failed: string }> {
  let query = db
    .selectFrom("mail_messages")
    .select(["id", "to_address", "subject", "text_body", "html_body", "ics", "headers", "status"])
    .where("id", "=", messageId);
  if (lock) query = query.forUpdate();
  const message = (await query.executeTakeFirst()) as StoredMessage | undefined;
  // Erased with its candidate or its user: nothing left to send.
  if (!message) return "missing";
  if (message.status !== "queued") return "done already";

  if (!ctx.env.SMTP_URL) {
    await db
      .updateTable("mail_messages")
      .set({ status: "outbox", last_error: null })
      .where("id", "=", messageId)
      .execute();
    return "outbox";
  }

  try {
    await smtpTransport(ctx.env.SMTP_URL).sendMail({
      from: ctx.env.MAIL_FROM,
      to: message.to_address,
      subject: message.subject,
      text: message.text_body,
      html: message.html_body,
      messageId: messageIdFor(message.id),
      headers: message.headers,
      ...(message.ics ? { icalEvent: calendarPart(message.ics) } : {}),
    });
  } catch (error) {
    const failed = smtpError(error);
    await db
      .updateTable("mail_messages")
      .set({ last_error: failed })
      .where("id", "=", messageId)
      .execute();
    return { failed };
  }
  await db
    .updateTable("mail_messages")
    .set({ status: "sent", sent_at: ctx.now(), last_error: null })
    .where("id", "=", messageId)
    .execute();
  return "sent";
}

function calendarPart(ics: string) {
  const method = /^METHOD:(REQUEST|CANCEL)\r?$/m.exec(ics)?.[1] ?? "REQUEST";
  return {
    method,
    filename: method === "CANCEL" ? "cancel.ics" : "invite.ics",
    content: ics,
  };
}

/** The SMTP server's answer or the network error (nodemailer's errors never carry the password). */
function smtpError(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const said = e.response ?? e.message ?? String(error);
  const text = `${e.responseCode ? `SMTP ${e.responseCode}: ` : e.code ? `${e.code}: ` : ""}${said}`;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f]+/g, " ").slice(0, 500);
}

/** The "mail.send" job handler (app/jobs/handlers.server.ts registers it under MAIL_SEND_JOB). */
export async function mailSendJob(
  ctx: { db: DB; env: MailEnv; now: () => Date },
  payload: Record<string, unknown>,
): Promise<void> {
  const messageId = payload.messageId;
  if (typeof messageId !== "string") throw new Error("mail.send: no messageId in the payload");
  await deliverMail(ctx, messageId);
}

/** A message's summary: the outbox's columns, and the head of one message's page. */
const MAIL_MESSAGE_SUMMARY = [
  "id",
  "to_address",
  "subject",
  "kind",
  "status",
  "created_at",
  "sent_at",
  "last_error",
] as const;

/** Newest first, a page at a time (the admin outbox). */
export async function listMailMessages(
  db: DB,
  { limit, offset }: { limit: number; offset: number },
) {
  return db
    .selectFrom("mail_messages")
    .select(MAIL_MESSAGE_SUMMARY)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function getMailMessage(db: DB, id: string) {
  return db
    .selectFrom("mail_messages")
    .select([...MAIL_MESSAGE_SUMMARY, "text_body", "html_body", "ics", "headers"])
    .where("id", "=", id)
    .executeTakeFirst();
}
