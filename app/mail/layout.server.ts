/**
 * Every message in HTML and plain text, in the product's look: its name as text (no image), the brand
 * green of app/tailwind.css, a real <title>, one <h1>, paragraphs and a list of what is due. Styles are
 * inline because mail clients drop <style> and stylesheets. Everything given is text and is escaped here.
 */
import type { MailBody, MailList } from "./mail.server";

// tailwind.config.ts: brand-700 on white is 7.9:1, stone-600 on stone-100 7.1:1 (WCAG AAA for text).
const BRAND = "#245846";
const INK = "#1c1917";
const MUTED = "#57534e";
const PAGE = "#f5f5f4";
const BORDER = "#e7e5e4";
const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

export const LIST_LABELS: Record<MailList, string> = {
  digest: "the weekly digest",
  reminders: "reminders",
  invitations: "calendar invitations",
};

export interface RenderInput {
  subject: string;
  body: MailBody;
  /** The person's mail settings page (absolute). */
  settingsUrl: string;
  /** The list this message belongs to and its one-click unsubscribe link. */
  unsubscribe?: { list: MailList; url: string } | null;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Only absolute http(s) links are rendered: anything else (javascript:, data:) is a caller's bug. */
function href(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new Error("A mail link must be an http(s) URL.");
  return escapeHtml(parsed.href);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function renderMail(input: RenderInput): { html: string; text: string } {
  return { html: renderHtml(input), text: renderText(input) };
}

function renderHtml({ subject, body, settingsUrl, unsubscribe }: RenderInput): string {
  const p = (text: string) =>
    `<p style="margin:0 0 16px;font-size:16px;line-height:1.5;color:${INK}">${escapeHtml(text)}</p>`;
  const link = (url: string, text: string) =>
    `<a href="${href(url)}" style="color:${BRAND};text-decoration:underline">${escapeHtml(text)}</a>`;
  const items = body.items?.length
    ? `<ul style="margin:0 0 16px;padding:0 0 0 20px;font-size:16px;line-height:1.5;color:${INK}">${body.items
        .map(
          (item) =>
            `<li style="margin:0 0 8px">${link(item.url, oneLine(item.text))}${
              item.due
                ? ` <span style="color:${MUTED}">(${escapeHtml(oneLine(item.due))})</span>`
                : ""
            }</li>`,
        )
        .join("")}</ul>`
    : "";
  const action = body.action
    ? `<p style="margin:24px 0 8px"><a href="${href(body.action.url)}" style="display:inline-block;background:${BRAND};color:#ffffff;font-size:16px;font-weight:600;text-decoration:none;padding:12px 20px;border-radius:6px">${escapeHtml(oneLine(body.action.label))}</a></p>`
    : "";
  const footer = [
    `Noseworthy sends you this as part of your work on growing technology leaders.`,
    `Choose what it sends you: ${link(settingsUrl, "mail settings")}.`,
    unsubscribe
      ? `${link(unsubscribe.url, `Unsubscribe from ${LIST_LABELS[unsubscribe.list]}`)} in one click.`
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(oneLine(subject))}</title>
</head>
<body style="margin:0;padding:0;background:${PAGE};font-family:${FONT};color:${INK}">
<div role="article" aria-label="${escapeHtml(oneLine(subject))}" lang="en" style="max-width:600px;margin:0 auto;padding:24px 16px">
<p style="margin:0 0 16px;font-size:18px;font-weight:700;color:${BRAND}">Noseworthy</p>
<main style="background:#ffffff;border:1px solid ${BORDER};border-radius:8px;padding:24px">
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:${INK}">${escapeHtml(oneLine(subject))}</h1>
${body.paragraphs.map(p).join("\n")}
${items}
${action}
</main>
<footer style="margin:16px 0 0;font-size:14px;line-height:1.5;color:${MUTED}"><p style="margin:0">${footer}</p></footer>
</div>
</body>
</html>
`;
}

function renderText({ subject, body, settingsUrl, unsubscribe }: RenderInput): string {
  const lines: string[] = [oneLine(subject), "=".repeat(Math.min(oneLine(subject).length, 72)), ""];
  for (const paragraph of body.paragraphs) lines.push(paragraph.trim(), "");
  if (body.items?.length) {
    for (const item of body.items)
      lines.push(
        `- ${oneLine(item.text)}${item.due ? ` (${oneLine(item.due)})` : ""}`,
        `  ${item.url}`,
      );
    lines.push("");
  }
  if (body.action) lines.push(`${oneLine(body.action.label)}: ${body.action.url}`, "");
  lines.push("-- ", "Noseworthy", `Choose what it sends you: ${settingsUrl}`);
  if (unsubscribe)
    lines.push(`Unsubscribe from ${LIST_LABELS[unsubscribe.list]}: ${unsubscribe.url}`);
  return `${lines.join("\n")}\n`;
}
