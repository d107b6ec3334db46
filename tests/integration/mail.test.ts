/**
 * Mail through a real SMTP server on loopback (smtp-server), read back with mailparser: the headers
 * (From, To, Subject, Message-ID, List-Unsubscribe and its one-click POST), both parts, the unsubscribe
 * link followed to the end, an attached invitation read by node-ical; one message per key; a server
 * that refuses or is down leaves the message queued with the error while the job retries; a message is
 * sent once however often it is delivered; without SMTP_URL it waits in the outbox admins read.
 */
import { createServer, type Server } from "node:net";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createEvent } from "ics";
import { type ParsedMail, simpleParser } from "mailparser";
import ical from "node-ical";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { type Env, parseEnv } from "../../app/env.server";
import { runDueJobs } from "../../app/jobs/queue.server";
import {
  deliverMail,
  MAIL_SEND_JOB,
  type MailDraft,
  mailSendJob,
  queueMail,
  unsubscribeToken,
} from "../../app/mail/mail.server";
import { mailPreferencesOf } from "../../app/mail/preferences.server";
import AdminOutbox, { loader as outboxLoader } from "../../app/routes/admin.outbox";
import OutboxMessage, { loader as messageLoader } from "../../app/routes/admin.outbox_.$messageId";
import Unsubscribe, {
  action as unsubscribeAction,
  loader as unsubscribeLoader,
} from "../../app/routes/mail.unsubscribe";
import { body, call, get, makeContext, makeUser, sessionCookie, TEST_SECRET } from "../helpers/app";
import { createTestDb } from "../helpers/db";

const APP_URL = "https://noseworthy.example.test";

// Pages are rendered on the server with the loader's and action's real answers, as Remix would.
const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
}));
vi.mock("@remix-run/react", async () => {
  const { createElement: h } = await import("react");
  return {
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
    useNavigate: () => () => {},
  };
});
async function render(component: () => unknown, loaded: Response, acted?: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = acted ? await body(acted) : undefined;
  return renderToString(createElement(component as () => null));
}

let handle: DbHandle & { url?: string };
let ctx: AppContext;
let smtp: SMTPServer;
let smtpPort = 0;
/** Every message the server accepted, parsed, in order. */
const arrived: ParsedMail[] = [];
let recipient: { id: string; name: string };
let refused: { id: string; name: string };
let adminCookie = "";
let leaderCookie = "";

function mailEnv(smtpUrl?: string): Env {
  return parseEnv({
    NODE_ENV: "test",
    SESSION_SECRET: TEST_SECRET,
    // The row lock that keeps two processes from sending one message is taken on PostgreSQL.
    DATABASE_URL: handle.url ?? "",
    APP_URL,
    SMTP_URL: smtpUrl ?? "",
    MAIL_FROM: "Noseworthy <noseworthy@example.test>",
  });
}
const mailCtx = (smtpUrl?: string) => ({
  db: handle.db,
  env: mailEnv(smtpUrl),
  now: () => new Date(),
});
const smtpUrl = () => `smtp://127.0.0.1:${smtpPort}`;

const messageByKey = (key: string) =>
  handle.db
    .selectFrom("mail_messages")
    .selectAll()
    .where("key", "=", key)
    .executeTakeFirstOrThrow();

function draft(overrides: Partial<MailDraft> & { key: string; userId: string }): MailDraft {
  return {
    kind: "reminder.assignment",
    subject: "Sniff test for Dana Example is due on 3 December",
    body: {
      paragraphs: ["The sniff test you are running for Dana Example is due in two days."],
      items: [
        {
          text: "Sniff test: Dana Example",
          url: `${APP_URL}/candidates/1/assignments/2`,
          due: "due 3 Dec",
        },
      ],
      action: { label: "Open My week", url: `${APP_URL}/` },
    },
    list: "reminders",
    ...overrides,
  };
}

/** A port nothing listens on: one the system gave out and that was closed again. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db);
  smtp = new SMTPServer({
    authOptional: true,
    // A client that logs in must know the password (loopback only: no TLS in this test).
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "right-pass")
        return callback(null, { user: "mailer" });
      callback(
        Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }),
      );
    },
    // Plain SMTP on loopback: no STARTTLS with a self-signed certificate for nodemailer to refuse.
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith("refused."))
        return callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        // The message is parsed before the server answers 250, so it is here once sendMail resolves.
        void simpleParser(Buffer.concat(chunks)).then((parsed) => {
          arrived.push(parsed);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;

  recipient = await makeUser(handle.db, ["leader"], "Rosa Recipient");
  refused = await makeUser(handle.db, ["manager"], "Refused");
  await handle.db
    .updateTable("users")
    .set({ email: "refused.mailbox@example.test" })
    .where("id", "=", refused.id)
    .execute();
  adminCookie = await sessionCookie(ctx, (await makeUser(handle.db, ["admin"], "Ada Admin")).id);
  leaderCookie = await sessionCookie(ctx, recipient.id);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await handle?.close();
});

const headerLine = (mail: ParsedMail, name: string) =>
  (mail.headerLines.find((h) => h.key === name.toLowerCase())?.line ?? "").replace(
    /\r?\n[ \t]+/g,
    " ",
  ); // unfolded (RFC 5322 §2.2.3)

describe("mail through SMTP", () => {
  it("sends a reminder with both parts, the product's headers and a one-click unsubscribe that works", async () => {
    const c = mailCtx(smtpUrl());
    expect(await queueMail(c, draft({ key: "test:reminder:1", userId: recipient.id }))).toBe(true);
    const stored = await messageByKey("test:reminder:1");
    expect(stored.status).toBe("queued");

    // Delivered by the "mail.send" job, as the server's runner does it.
    const before = arrived.length;
    const ran = await runDueJobs(
      { ...c, workerId: "test-worker" },
      { [MAIL_SEND_JOB]: mailSendJob },
    );
    expect(ran).toBe(1);
    expect(arrived.length).toBe(before + 1);
    const mail = arrived[arrived.length - 1];

    expect(mail.from?.value[0]).toMatchObject({
      address: "noseworthy@example.test",
      name: "Noseworthy",
    });
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value[0].address).toMatch(/^rosa\.recipient\.\d+@example\.test$/);
    expect(mail.subject).toBe("Sniff test for Dana Example is due on 3 December");
    expect(mail.messageId).toBe(`<${stored.id}@noseworthy>`);

    // RFC 8058: an https link with the token, and the one-click POST announced.
    const token = unsubscribeToken(TEST_SECRET, recipient.id, "reminders");
    const unsubscribeUrl = `${APP_URL}/mail/unsubscribe?token=${encodeURIComponent(token)}`;
    expect(headerLine(mail, "List-Unsubscribe")).toBe(`List-Unsubscribe: <${unsubscribeUrl}>`);
    expect(headerLine(mail, "List-Unsubscribe-Post")).toBe(
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    );

    // The HTML part: a language, a real title, one heading, the list, links from APP_URL, no images.
    const html = String(mail.html);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<title>Sniff test for Dana Example is due on 3 December</title>");
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toMatch(
      /<ul[^>]*><li[^>]*><a href="https:\/\/noseworthy\.example\.test\/candidates\/1\/assignments\/2"/,
    );
    expect(html).toContain(`href="${unsubscribeUrl}"`);
    expect(html).toContain(`href="${APP_URL}/settings/mail"`);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("#245846"); // brand-700
    // The text part says the same, with the links written out.
    expect(mail.text).toContain(
      "The sniff test you are running for Dana Example is due in two days.",
    );
    expect(mail.text).toContain(
      `- Sniff test: Dana Example (due 3 Dec)\n  ${APP_URL}/candidates/1/assignments/2`,
    );
    expect(mail.text).toContain(`Open My week: ${APP_URL}/`);
    expect(mail.text).toContain(`Unsubscribe from reminders: ${unsubscribeUrl}`);

    const sent = await messageByKey("test:reminder:1");
    expect(sent.status).toBe("sent");
    expect(sent.sent_at).not.toBeNull();

    // Following the link: the page says what will be turned off; the one-click POST turns it off.
    const page = await call(unsubscribeLoader, new Request(unsubscribeUrl), ctx);
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expect(await body(page)).toMatchObject({ list: "reminders", label: "reminders" });
    const shown = await render(Unsubscribe, page);
    expect(shown).toContain("<h1");
    expect(shown.replace(/<!-- -->/g, "")).toContain("Turn off reminders</button>");
    expect(shown).toMatch(/<form method="post" action="\/mail\/unsubscribe\?token=[^"]+"/);
    expect(shown).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await mailPreferencesOf(handle.db, recipient.id)).reminders).toBe(true);

    const oneClick = await call(
      unsubscribeAction,
      new Request(unsubscribeUrl, {
        method: "POST",
        body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
      }),
      ctx,
    );
    expect(oneClick.status).toBe(200);
    expect((await render(Unsubscribe, page, oneClick)).replace(/<!-- -->/g, "")).toContain(
      "Done: Noseworthy will no longer send you reminders.",
    );
    const prefs = await mailPreferencesOf(handle.db, recipient.id);
    expect(prefs.reminders).toBe(false);
    expect(prefs.digest).toBe(true);
    const audited = await handle.db
      .selectFrom("audit_events")
      .select(["actor_id", "outcome", "details"])
      .where("action", "=", "mail_preferences.unsubscribe")
      .where("entity_id", "=", recipient.id)
      .execute();
    expect(audited).toEqual([
      { actor_id: recipient.id, outcome: "ok", details: { list: "reminders" } },
    ]);
  });

  it("takes the one-click POST as multipart/form-data too (RFC 8058 prefers it)", async () => {
    const token = unsubscribeToken(TEST_SECRET, recipient.id, "digest");
    const form = new FormData();
    form.set("List-Unsubscribe", "One-Click");
    const response = await call(
      unsubscribeAction,
      new Request(`${APP_URL}/mail/unsubscribe?token=${token}`, { method: "POST", body: form }),
      ctx,
    );
    expect(response.status).toBe(200);
    expect((await mailPreferencesOf(handle.db, recipient.id)).digest).toBe(false);
  });

  it("refuses a tampered, foreign or missing token with an audited 400, and changes nothing", async () => {
    const other = await makeUser(handle.db, ["mentor"]);
    const good = unsubscribeToken(TEST_SECRET, other.id, "invitations");
    const bad = [
      `${good.slice(0, -2)}xx`,
      good.replace("invitations", "digest"),
      unsubscribeToken("another-secret-another-secret-0123456789", other.id, "invitations"),
      "",
      "not-a-token",
    ];
    for (const token of bad) {
      const url = `${APP_URL}/mail/unsubscribe?token=${encodeURIComponent(token)}`;
      expect((await call(unsubscribeLoader, new Request(url), ctx)).status, token).toBe(400);
      const posted = await call(
        unsubscribeAction,
        new Request(url, {
          method: "POST",
          body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
        }),
        ctx,
      );
      expect(posted.status, token).toBe(400);
    }
    expect(await mailPreferencesOf(handle.db, other.id)).toMatchObject({
      digest: true,
      reminders: true,
      invitations: true,
    });
    const denials = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "mail_preferences.unsubscribe")
      .where("outcome", "=", "denied")
      .execute();
    expect(denials.length).toBeGreaterThanOrEqual(bad.length * 2);

    // A good token without the one-click body is not an unsubscribe either.
    const noBody = await call(
      unsubscribeAction,
      new Request(`${APP_URL}/mail/unsubscribe?token=${good}`, {
        method: "POST",
        body: new URLSearchParams({ other: "1" }),
      }),
      ctx,
    );
    expect(noBody.status).toBe(400);
    expect((await mailPreferencesOf(handle.db, other.id)).invitations).toBe(true);
  });

  it("attaches a calendar invitation (text/calendar; method=REQUEST) that a calendar reads back", async () => {
    const made = createEvent({
      method: "REQUEST",
      uid: "calibration-1@noseworthy",
      sequence: 0,
      title: "Calibration: Q4 platform leads",
      start: Date.UTC(2026, 11, 10, 14, 0),
      startInputType: "utc",
      startOutputType: "utc",
      duration: { hours: 1 },
      organizer: { name: "Noseworthy", email: "noseworthy@example.test" },
      url: `${APP_URL}/calibrations/1`,
    });
    expect(made.error).toBeFalsy();
    const ics = made.value!;
    const c = mailCtx(smtpUrl());
    await queueMail(
      c,
      draft({
        key: "test:invitation:1",
        kind: "invitation.calibration",
        userId: recipient.id,
        subject: "Invitation: Calibration on 10 December",
        ics: { content: ics, method: "REQUEST" },
        list: "invitations",
      }),
    );
    const stored = await messageByKey("test:invitation:1");
    expect(await deliverMail(c, stored.id)).toBe("sent");
    const mail = arrived[arrived.length - 1];
    expect(mail.subject).toBe("Invitation: Calibration on 10 December");
    const calendar = mail.attachments.find((a) => a.contentType === "text/calendar");
    expect(calendar).toBeDefined();
    expect(calendar!.headers.get("content-type")).toMatchObject({
      value: "text/calendar",
      params: expect.objectContaining({ method: "REQUEST" }),
    });
    const events = Object.values(ical.sync.parseICS(calendar!.content.toString("utf8"))).filter(
      (e) => e?.type === "VEVENT",
    ) as ical.VEvent[];
    expect(events).toHaveLength(1);
    expect(events[0].uid).toBe("calibration-1@noseworthy");
    expect(new Date(events[0].start).toISOString()).toBe("2026-12-10T14:00:00.000Z");
  });

  it("refuses an .ics whose METHOD is not the one named (a caller's mistake)", async () => {
    await expect(
      queueMail(
        mailCtx(smtpUrl()),
        draft({
          key: "test:invitation:bad",
          userId: recipient.id,
          ics: {
            content: "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n",
            method: "REQUEST",
          },
        }),
      ),
    ).rejects.toThrow(/METHOD:REQUEST/);
  });

  it("makes one message for one key, however often it is queued", async () => {
    const c = mailCtx(smtpUrl());
    const d = draft({ key: "test:once", userId: recipient.id });
    expect(await queueMail(c, d)).toBe(true);
    expect(await queueMail(c, { ...d, subject: "Another subject" })).toBe(false);
    const rows = await handle.db
      .selectFrom("mail_messages")
      .select(["id", "subject"])
      .where("key", "=", "test:once")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].subject).toBe(d.subject);
    const jobs = await handle.db
      .selectFrom("jobs")
      .select("id")
      .where("key", "=", `${MAIL_SEND_JOB}:${rows[0].id}`)
      .execute();
    expect(jobs).toHaveLength(1);
    // Retried for about a day before the job is given up (then Run again on /admin/jobs).
    expect(
      (
        await handle.db
          .selectFrom("jobs")
          .select("max_attempts")
          .where("id", "=", jobs[0].id)
          .executeTakeFirstOrThrow()
      ).max_attempts,
    ).toBe(30);
  });

  it("sends nothing to a disabled account", async () => {
    const gone = await makeUser(handle.db, ["manager"]);
    await handle.db
      .updateTable("users")
      .set({ disabled_at: new Date() })
      .where("id", "=", gone.id)
      .execute();
    expect(
      await queueMail(mailCtx(smtpUrl()), draft({ key: "test:disabled", userId: gone.id })),
    ).toBe(false);
    expect(
      await handle.db
        .selectFrom("mail_messages")
        .select("id")
        .where("key", "=", "test:disabled")
        .execute(),
    ).toEqual([]);
  });

  it("escapes what it is given: text never becomes markup", async () => {
    const c = mailCtx(smtpUrl());
    await queueMail(
      c,
      draft({
        key: "test:escape",
        userId: recipient.id,
        subject: "Due: <b>Eve</b> & co",
        body: { paragraphs: ['<script>alert("x")</script>'], items: [] },
      }),
    );
    const stored = await messageByKey("test:escape");
    expect(stored.html_body).toContain("<title>Due: &lt;b&gt;Eve&lt;/b&gt; &amp; co</title>");
    expect(stored.html_body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(stored.html_body).not.toContain("<script>");
    expect(stored.text_body).toContain('<script>alert("x")</script>');
    // Account mail carries no list, so no unsubscribe header.
    const account = draft({ key: "test:no-list", userId: recipient.id, list: undefined });
    await queueMail(c, account);
    expect((await messageByKey("test:no-list")).headers).toEqual({});
  });

  it("sends a message once, however often its delivery runs", async () => {
    const c = mailCtx(smtpUrl());
    await queueMail(c, draft({ key: "test:twice", userId: recipient.id }));
    const { id } = await messageByKey("test:twice");
    await expect(
      deliverMail(c, "00000000-0000-4000-8000-000000000000"),
      "a message erased with its candidate",
    ).resolves.toBe("missing");
    const before = arrived.length;
    // Two runs at once (a lease that ran out while the first was sending), then a third after.
    const results = await Promise.allSettled([deliverMail(c, id), deliverMail(c, id)]);
    expect(await deliverMail(c, id)).toBe("done already");
    expect(arrived.length).toBe(before + 1);
    expect(results.filter((r) => r.status === "fulfilled" && r.value === "sent")).toHaveLength(1);
    expect((await messageByKey("test:twice")).status).toBe("sent");
  });
});

describe("SMTP faults: the message stays queued with the error, and the job retries", () => {
  it("keeps a message the server refuses, with the server's answer", async () => {
    const c = mailCtx(smtpUrl());
    await queueMail(c, draft({ key: "test:refused", userId: refused.id }));
    const { id } = await messageByKey("test:refused");
    const before = arrived.length;
    await expect(deliverMail(c, id)).rejects.toThrow(/550/);
    const row = await messageByKey("test:refused");
    expect(row.status).toBe("queued");
    expect(row.last_error).toMatch(/550/);
    expect(row.sent_at).toBeNull();
    expect(arrived.length).toBe(before);

    // Through the job: it is put back to wait, with the error, for another attempt.
    await runDueJobs({ ...c, workerId: "test-worker" }, { [MAIL_SEND_JOB]: mailSendJob });
    const job = await handle.db
      .selectFrom("jobs")
      .select(["status", "attempts", "last_error"])
      .where("key", "=", `${MAIL_SEND_JOB}:${id}`)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.last_error).toMatch(/550/);
  });

  it("keeps a message when the server is down, and sends it once it is back", async () => {
    const down = `smtp://127.0.0.1:${await closedPort()}`;
    await queueMail(mailCtx(down), draft({ key: "test:down", userId: recipient.id }));
    const { id } = await messageByKey("test:down");
    await expect(deliverMail(mailCtx(down), id)).rejects.toThrow(/ECONNREFUSED/);
    const row = await messageByKey("test:down");
    expect(row.status).toBe("queued");
    expect(row.last_error).toMatch(/ECONNREFUSED/);
    const before = arrived.length;
    expect(await deliverMail(mailCtx(smtpUrl()), id)).toBe("sent");
    expect(arrived.length).toBe(before + 1);
    const after = await messageByKey("test:down");
    expect(after.status).toBe("sent");
    expect(after.last_error).toBeNull();
  });
});

describe("SMTP credentials", () => {
  it("logs in with the user and password of SMTP_URL, and never keeps the password in an error", async () => {
    const wrong = `smtp://mailer:wrong-s3cret@127.0.0.1:${smtpPort}`;
    await queueMail(mailCtx(wrong), draft({ key: "test:auth", userId: recipient.id }));
    const { id } = await messageByKey("test:auth");
    const failure = await deliverMail(mailCtx(wrong), id).catch((error: Error) => error);
    expect(String(failure)).toMatch(/535/);
    expect(String(failure)).not.toContain("wrong-s3cret");
    const row = await messageByKey("test:auth");
    expect(row.status).toBe("queued");
    expect(row.last_error).toMatch(/535/);
    expect(row.last_error).not.toContain("wrong-s3cret");

    const right = `smtp://mailer:right-pass@127.0.0.1:${smtpPort}`;
    expect(await deliverMail(mailCtx(right), id)).toBe("sent");
  });
});

describe("without SMTP_URL: the outbox", () => {
  it("keeps the message in the outbox, which admins read and others may not", async () => {
    const c = mailCtx(undefined);
    expect(c.env.SMTP_URL).toBeUndefined();
    await queueMail(c, draft({ key: "test:outbox", userId: recipient.id, subject: "Outbox test" }));
    const { id } = await messageByKey("test:outbox");
    const before = arrived.length;
    expect(await deliverMail(c, id)).toBe("outbox");
    expect(await deliverMail(c, id)).toBe("done already");
    expect(arrived.length).toBe(before);
    expect((await messageByKey("test:outbox")).status).toBe("outbox");

    const list = await call(outboxLoader, get("/admin/outbox", adminCookie), ctx);
    expect(list.status).toBe(200);
    const listed = (await body(list)).messages as { id: string; subject: string; status: string }[];
    // Newest first.
    expect(listed[0]).toMatchObject({ id, subject: "Outbox test", status: "outbox" });
    const listPage = await render(AdminOutbox, list);
    expect(listPage).toContain(`href="/admin/outbox/${id}"`);
    expect(listPage).toContain("kept here (no SMTP_URL)");

    const one = await call(messageLoader, get(`/admin/outbox/${id}`, adminCookie), ctx, {
      messageId: id,
    });
    expect(one.status).toBe(200);
    const { message } = await body(one);
    expect(message.text_body).toContain("The sniff test you are running for Dana Example");
    expect(message.html_body).toContain("<title>Outbox test</title>");
    // The HTML part only inside an iframe with an empty sandbox; the text part as text.
    const messagePage = await render(OutboxMessage, one);
    expect(messagePage).toMatch(/<iframe title="[^"]*" sandbox="" srcDoc="&lt;!DOCTYPE html&gt;/);
    expect(messagePage).not.toContain("<title>Outbox test</title>");
    expect(messagePage).toContain("Text part");

    const missing = await call(
      messageLoader,
      get("/admin/outbox/00000000-0000-4000-8000-000000000000", adminCookie),
      ctx,
      { messageId: "00000000-0000-4000-8000-000000000000" },
    );
    expect(missing.status).toBe(404);
    expect(
      (
        await call(messageLoader, get("/admin/outbox/nope", adminCookie), ctx, {
          messageId: "nope",
        })
      ).status,
    ).toBe(404);

    // A leader: 403 on the list and on a message, each denial audited.
    expect((await call(outboxLoader, get("/admin/outbox", leaderCookie), ctx)).status).toBe(403);
    expect(
      (
        await call(messageLoader, get(`/admin/outbox/${id}`, leaderCookie), ctx, {
          messageId: id,
        })
      ).status,
    ).toBe(403);
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("entity_id")
      .where("action", "=", "access.denied")
      .where("actor_id", "=", recipient.id)
      .execute();
    expect(denied.map((d) => d.entity_id)).toEqual(
      expect.arrayContaining(["/admin/outbox", `/admin/outbox/${id}`]),
    );
    // Signed out: to the login page.
    const anonymous = await call(outboxLoader, get("/admin/outbox"), ctx);
    expect(anonymous.status).toBe(302);
  });

  it("pages the outbox", async () => {
    const page2 = await call(outboxLoader, get("/admin/outbox?page=2", adminCookie), ctx);
    expect(await body(page2)).toMatchObject({ page: 2, hasNext: false, messages: [] });
    const bad = await call(outboxLoader, get("/admin/outbox?page=zero", adminCookie), ctx);
    expect((await body(bad)).page).toBe(1);
  });
});
