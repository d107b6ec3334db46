/**
 * The SMTP transport, made once per SMTP_URL (a test's servers each have their own). Timeouts are short
 * on purpose: a message is sent while its row is locked (deliverMail), and a server that does not
 * answer should fail the attempt, which the job retries, rather than hold the row.
 */
import nodemailer, { type Transporter } from "nodemailer";

let made: { url: string; transport: Transporter } | undefined;

export function smtpTransport(smtpUrl: string): Transporter {
  if (made?.url !== smtpUrl) {
    made?.transport.close();
    made = {
      url: smtpUrl,
      transport: nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        // nodemailer's own logger would print addresses and the AUTH exchange.
        logger: false,
        debug: false,
      }),
    };
  }
  return made.transport;
}

/**
 * The Message-ID of a stored message: fixed, so that a retry after an unknown outcome (the server took
 * the message, then the process died before it was marked sent) carries the same id and can be
 * recognised as a duplicate by the receiving side.
 */
export function messageIdFor(messageId: string): string {
  return `<${messageId}@noseworthy>`;
}
