/**
 * `npm run demo` shows what Noseworthy sends: after seeding, the outbox holds this morning's reminders,
 * this week's digests and the planned meetings' invitations, delivered to the outbox by the jobs
 * (no SMTP_URL), none holding the text of a judgement.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import { seedDemo } from "../../db/seed/demo";
import { parseEnv } from "../../app/env.server";
import { jobHandlers } from "../../app/jobs/handlers.server";
import { runDueJobs } from "../../app/jobs/queue.server";
import { queueDemoMail } from "../../app/notify/demo-mail.server";
import { FIXTURE_PASSWORD_HASH, TEST_SECRET } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
  await seedDemo(handle.db, { hashPassword: async () => FIXTURE_PASSWORD_HASH });
}, 120_000);
afterAll(async () => {
  await handle?.close();
});

describe("the demo organisation's mail", () => {
  it("fills the outbox with reminders, digests and invitations, once", async () => {
    const env = parseEnv({ NODE_ENV: "test", SESSION_SECRET: TEST_SECRET, DATABASE_URL: "" });
    const made = await queueDemoMail({ db: handle.db, env });
    expect(made.meetings).toBeGreaterThan(0);
    expect(made.reminders).toBeGreaterThan(0);
    expect(made.digests).toBeGreaterThan(0);
    const job = { db: handle.db, env, now: () => new Date(), workerId: "test" };
    while ((await runDueJobs(job, jobHandlers)) > 0);
    const messages = await handle.db
      .selectFrom("mail_messages")
      .select(["kind", "status", "text_body"])
      .execute();
    const kinds = new Set(messages.map((m) => m.kind.split(".")[0]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(["digest", "reminder"]));
    expect(kinds).toContain("invitation");
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(["outbox"]));
    // Nothing a person wrote about a candidate: the demo's observations are not in any message.
    const observations = await handle.db.selectFrom("observations").select("behavior").execute();
    const bodies = messages.map((m) => m.text_body).join("\n");
    for (const { behavior } of observations) expect(bodies).not.toContain(behavior);

    const again = await queueDemoMail({ db: handle.db, env });
    expect(again).toMatchObject({ reminders: 0, digests: 0 });
  });
});
