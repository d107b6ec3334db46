/**
 * Reminders and the weekly digest (README: Reminders and the weekly digest): each reminder goes to the
 * right person, from 08:00 in their own zone, once; never to someone outside the circle, disabled or
 * who turned reminders off. The digest comes at each person's own day and hour (Berlin and Los
 * Angeles), once a week, and one click stops it. The settings pages: validation, stale versions,
 * admins only for the organisation's defaults.
 */
import type { KyselyPlugin } from "kysely";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { digestScanJob, scanDigests, slotOfJob } from "../../app/notify/digest.server";
import { dueReminders, scanReminders } from "../../app/notify/reminders.server";
import { isoWeek, localMoment } from "../../app/utils/time-zones";
import {
  BUILT_IN_MAIL_DEFAULTS,
  mailPreferencesOf,
  setListOff,
} from "../../app/mail/preferences.server";
import MailSettings, {
  action as settingsAction,
  loader as settingsLoader,
} from "../../app/routes/settings.mail";
import { action as adminAction, loader as adminLoader } from "../../app/routes/admin.mail";
import { body, call, get, makeContext, makeUser, post, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { at, MAIL_ENV, seedNotifyWorld, type NotifyWorld } from "../helpers/notify-world";

// The pages are rendered on the server with the loader's and action's real answers, as Remix would.
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
    useNavigate: () => () => undefined,
    useNavigation: () => ({ state: "idle" }),
  };
});

let handle: DbHandle;
let db: DB;
let world: NotifyWorld;

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  world = await seedNotifyWorld(db);
});
afterAll(async () => {
  await handle?.close();
});

const scanAt = (iso: string) => ({ db, env: MAIL_ENV, now: () => at(iso) });

async function messages(prefix: string) {
  return db
    .selectFrom("mail_messages")
    .select(["key", "kind", "user_id", "candidate_id", "subject", "text_body", "headers"])
    .where("key", "like", `${prefix}%`)
    .orderBy("key")
    .execute();
}

describe("local time", () => {
  it("reads the day, hour and ISO week in the person's zone", () => {
    expect(localMoment(at("2026-12-07T07:00:00Z"), "Europe/Berlin")).toEqual({
      date: "2026-12-07",
      hour: 8,
      weekday: 1,
    });
    expect(localMoment(at("2026-12-07T07:00:00Z"), "America/Los_Angeles")).toEqual({
      date: "2026-12-06",
      hour: 23,
      weekday: 0,
    });
    expect(isoWeek("2026-12-07")).toBe("2026-W50");
    expect(isoWeek("2027-01-01")).toBe("2026-W53");
    expect(isoWeek("2025-12-29")).toBe("2026-W01");
  });
});

describe("reminders", () => {
  it("sends nothing before 08:00 in the recipient's zone", async () => {
    // 07:00 in Berlin, Sunday 22:00 in Los Angeles, 06:00 UTC.
    expect(await scanReminders(scanAt("2026-12-07T06:00:00Z"))).toBe(0);
    expect(await messages("reminder:")).toEqual([]);
  });

  it("at 08:00 in Berlin: the sniff test due in two days and the flag undiscussed for 14 days go to Mona, once", async () => {
    const { users, ids } = world;
    expect(await scanReminders(scanAt("2026-12-07T07:00:00Z"))).toBe(2);
    // A second run (a lease that ran out) makes nothing more.
    expect(await scanReminders(scanAt("2026-12-07T07:00:00Z"))).toBe(0);
    const sent = await messages("reminder:");
    expect(sent.map((m) => m.key).sort()).toEqual(
      [
        `reminder:assignment-due:${ids.a1}:2026-12-09:${users.mona.id}`,
        `reminder:flag-undiscussed:${ids.f1}:${users.mona.id}`,
      ].sort(),
    );
    const assignment = sent.find((m) => m.kind === "reminder.assignment")!;
    expect(assignment.user_id).toBe(users.mona.id);
    expect(assignment.candidate_id).toBe(ids.ada);
    expect(assignment.subject).toContain("Ada Lovelace");
    expect(assignment.text_body).toContain(
      `https://noseworthy.example.test/candidates/${ids.ada}/assignments/${ids.a1}`,
    );
    expect(assignment.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const flag = sent.find((m) => m.kind === "reminder.flag")!;
    expect(flag.text_body).toContain(`/candidates/${ids.ada}/flags/${ids.f1}`);
  });

  it("never to someone who left the circle, whose account is disabled, or who turned reminders off", async () => {
    const { users, ids } = world;
    await scanReminders(scanAt("2026-12-07T07:30:00Z"));
    const recipients = new Set((await messages("reminder:")).map((m) => m.user_id));
    // Otto offered a2 but is no longer in Ada's circle; Dora's flag f2 is 22 days old but she is
    // disabled; Quinn's action is overdue but he turned reminders off.
    expect(recipients.has(users.otto.id)).toBe(false);
    expect(recipients.has(users.dora.id)).toBe(false);
    expect(recipients.has(users.quinn.id)).toBe(false);
    const keys = (await messages("reminder:")).map((m) => m.key).join("\n");
    expect(keys).not.toContain(ids.a2);
    expect(keys).not.toContain(ids.f2);
    expect(keys).not.toContain(ids.act3);
    // Not yet: a flag raised six days ago, a discussed flag, a sniff test due in 13 days.
    expect(keys).not.toContain(ids.f3);
    expect(keys).not.toContain(ids.f4);
    expect(keys).not.toContain(ids.a3);
  });

  it("at 08:00 in Los Angeles: Theo's check-in, action and pre-reads (the meeting is in two days), once", async () => {
    const { users, ids } = world;
    // 07:00 in Los Angeles: not yet.
    const before = await messages("reminder:");
    await scanReminders(scanAt("2026-12-07T15:00:00Z"));
    expect((await messages("reminder:")).filter((m) => m.user_id === users.theo.id)).toEqual(
      before.filter((m) => m.user_id === users.theo.id),
    );
    expect(await scanReminders(scanAt("2026-12-07T16:00:00Z"))).toBeGreaterThanOrEqual(3);
    expect(await scanReminders(scanAt("2026-12-07T16:00:00Z"))).toBe(0);
    const theo = (await messages("reminder:")).filter((m) => m.user_id === users.theo.id);
    expect(theo.map((m) => m.key).sort()).toEqual(
      [
        `reminder:action-due:${ids.act1}:2026-12-07:${users.theo.id}`,
        `reminder:checkin-due:${ids.p1}:2026-12-07:${users.theo.id}`,
        `reminder:preread-due:${ids.meeting}:2026-12-09:${users.theo.id}`,
      ].sort(),
    );
    const preread = theo.find((m) => m.kind === "reminder.preread")!;
    expect(preread.text_body).toContain("Ada Lovelace");
    expect(preread.text_body).toContain("Ben Babbage");
    expect(preread.text_body).toContain(`/calibrations/${ids.meeting}/items/${ids.items[0]}`);
    // Lena has read both packets: no pre-read reminder for her.
    expect(
      (await messages("reminder:preread-due:")).filter((m) => m.user_id === users.lena.id),
    ).toEqual([]);
  });

  it("an overdue sniff test is reminded of once per due date, not daily; a new due date is a new reminder", async () => {
    const { users, ids } = world;
    const forA1 = async () => (await messages(`reminder:assignment-due:${ids.a1}:`)).length;
    await scanReminders(scanAt("2026-12-10T09:00:00Z"));
    await scanReminders(scanAt("2026-12-11T09:00:00Z"));
    expect(await forA1()).toBe(1);
    await db
      .updateTable("sniff_test_assignments")
      .set({ due_on: "2026-12-16" })
      .where("id", "=", ids.a1)
      .execute();
    await scanReminders(scanAt("2026-12-13T09:00:00Z"));
    expect(await forA1()).toBe(1);
    await scanReminders(scanAt("2026-12-14T07:00:00Z"));
    expect((await messages(`reminder:assignment-due:${ids.a1}:`)).map((m) => m.key)).toEqual([
      `reminder:assignment-due:${ids.a1}:2026-12-09:${users.mona.id}`,
      `reminder:assignment-due:${ids.a1}:2026-12-16:${users.mona.id}`,
    ]);
  });

  it("someone back in the circle is reminded; a flag discussed is not", async () => {
    const { users, ids } = world;
    await db
      .insertInto("candidate_observers")
      .values({ candidate_id: ids.ada, user_id: users.otto.id, added_by: users.mona.id })
      .execute();
    await scanReminders(scanAt("2026-12-14T09:00:00Z"));
    expect((await messages(`reminder:assignment-due:${ids.a2}:`)).map((m) => m.user_id)).toEqual([
      users.otto.id,
    ]);
    await db.deleteFrom("candidate_observers").where("user_id", "=", users.otto.id).execute();
  });
});

describe("the weekly digest", () => {
  const digests = async () =>
    (await messages("digest:")).map((m) => ({ key: m.key, user: m.user_id, text: m.text_body }));

  it("comes at 08:00 Monday in Berlin to Berlin's people with something due, not to an empty week", async () => {
    const { users } = world;
    expect(await scanDigests(scanAt("2026-12-07T06:00:00Z"))).toBe(0);
    expect(await scanDigests(scanAt("2026-12-07T07:00:00Z"))).toBe(2);
    expect(await scanDigests(scanAt("2026-12-07T07:30:00Z"))).toBe(0);
    const sent = await digests();
    expect(sent.map((d) => d.user).sort()).toEqual([users.mona.id, users.lena.id].sort());
    expect(sent.map((d) => d.key)).toContain(`digest:${users.mona.id}:2026-W50`);
    // Ida has nothing due this week: nothing is sent.
    expect(sent.some((d) => d.user === users.ida.id)).toBe(false);
    const mona = sent.find((d) => d.user === users.mona.id)!.text;
    expect(mona).toContain("Sniff test for Ada Lovelace");
    expect(mona).toContain("Flag on Ada Lovelace");
    expect(mona).toContain("Ben Babbage was nominated by Lena Leader");
    expect(mona).toContain("moved from Quinn Quiet to Theo Mentor");
  });

  it("comes at 08:00 Monday in Los Angeles to Theo, and not at another hour", async () => {
    const { users } = world;
    await scanDigests(scanAt("2026-12-07T08:00:00Z"));
    await scanDigests(scanAt("2026-12-07T15:00:00Z"));
    expect((await digests()).some((d) => d.user === users.theo.id)).toBe(false);
    expect(await scanDigests(scanAt("2026-12-07T16:00:00Z"))).toBe(1);
    const theo = (await digests()).filter((d) => d.user === users.theo.id);
    expect(theo.map((d) => d.key)).toEqual([`digest:${users.theo.id}:2026-W50`]);
    expect(theo[0].text).toContain("Check-in with Ada Lovelace");
    expect(theo[0].text).toContain("Coaching action for Ada Lovelace");
    expect(theo[0].text).toContain("Pre-read on Ben Babbage");
    // Mona got hers at her hour, once.
    expect((await digests()).filter((d) => d.user === users.mona.id)).toHaveLength(1);
    // Disabled Dora never gets one.
    expect((await digests()).some((d) => d.user === users.dora.id)).toBe(false);
  });

  it("the hourly job sends its slot's digests, even when it runs late (a retry)", async () => {
    const { users } = world;
    expect(slotOfJob("schedule:digest.scan:2026-12-07T08:00:00.000Z")).toEqual(
      at("2026-12-07T08:00:00.000Z"),
    );
    expect(slotOfJob("digest.scan")).toBeUndefined();
    expect(slotOfJob(null)).toBeUndefined();
    // Quinn (UTC, Monday 08:00 by default) had his at 08:00: removed, the 08:00 slot's job runs at 09:40.
    await db
      .deleteFrom("mail_messages")
      .where("key", "=", `digest:${users.quinn.id}:2026-W50`)
      .execute();
    await scanDigests(scanAt("2026-12-07T09:40:00Z"));
    expect((await digests()).map((d) => d.key)).not.toContain(`digest:${users.quinn.id}:2026-W50`);
    const late = { ...scanAt("2026-12-07T09:40:00Z"), workerId: "test" } as unknown as Parameters<
      typeof digestScanJob
    >[0];
    await digestScanJob(
      late,
      {},
      {
        id: "00000000-0000-0000-0000-000000000000",
        attempts: 2,
        key: "schedule:digest.scan:2026-12-07T08:00:00.000Z",
      },
    );
    expect((await digests()).map((d) => d.key)).toContain(`digest:${users.quinn.id}:2026-W50`);
  });

  it("follows a changed day and hour, and one click (setListOff) stops it", async () => {
    const { users } = world;
    await db
      .insertInto("mail_preferences")
      .values({ user_id: users.lena.id, digest_day: 3, digest_hour: 17 })
      .execute();
    await scanDigests(scanAt("2026-12-14T07:00:00Z"));
    let keys = (await digests()).map((d) => d.key);
    expect(keys).toContain(`digest:${users.mona.id}:2026-W51`);
    expect(keys).not.toContain(`digest:${users.lena.id}:2026-W51`);
    // Wednesday 17:00 in Berlin.
    await scanDigests(scanAt("2026-12-16T16:00:00Z"));
    keys = (await digests()).map((d) => d.key);
    expect(keys).toContain(`digest:${users.lena.id}:2026-W51`);

    await setListOff(db, users.mona.id, "digest");
    expect((await mailPreferencesOf(db, users.mona.id)).digest).toBe(false);
    await scanDigests(scanAt("2026-12-21T07:00:00Z"));
    expect((await digests()).map((d) => d.key)).not.toContain(`digest:${users.mona.id}:2026-W52`);
    const audited = await db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "mail_preferences.unsubscribe")
      .where("entity_id", "=", users.mona.id)
      .execute();
    expect(audited).toEqual([{ details: { list: "digest" } }]);
  });
});

describe("preferences", () => {
  it("are the built-in defaults, then the organisation's, then the person's own", async () => {
    const { id } = await makeUser(db, ["mentor"], "Pia Prefs");
    expect(await mailPreferencesOf(db, id)).toEqual({ ...BUILT_IN_MAIL_DEFAULTS, timeZone: "UTC" });
    await db
      .insertInto("settings")
      .values({
        key: "mail_defaults",
        value: JSON.stringify({ ...BUILT_IN_MAIL_DEFAULTS, digestHour: 9, version: 2 }),
        updated_by: null,
      })
      .execute();
    expect((await mailPreferencesOf(db, id)).digestHour).toBe(9);
    await db.insertInto("mail_preferences").values({ user_id: id, digest_hour: 6 }).execute();
    expect((await mailPreferencesOf(db, id)).digestHour).toBe(6);
    await db.deleteFrom("settings").where("key", "=", "mail_defaults").execute();
  });
});

describe("/settings/mail", () => {
  let ctx: AppContext;
  let cookie = "";
  let pia: { id: string };
  const good = {
    digest: "on",
    digestDay: "5",
    digestHour: "7",
    timeZone: "Europe/Berlin",
    reminders: "on",
    version: "1",
  };
  beforeAll(async () => {
    ctx = makeContext(db);
    // An admin-only account has mail settings too.
    pia = await makeUser(db, ["admin"], "Sam Settings");
    cookie = await sessionCookie(ctx, pia.id);
  });

  it("asks whoever is not signed in to sign in", async () => {
    const res = await call(settingsLoader, get("/settings/mail"), ctx);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("/login");
  });

  it("shows the person's settings and the zones", async () => {
    const res = await call(settingsLoader, get("/settings/mail", cookie), ctx);
    expect(res.status).toBe(200);
    const data = await body(res);
    expect(data.settings).toMatchObject({ digest: true, digestDay: 1, digestHour: 8, version: 1 });
    expect(data.timeZones).toContain("UTC");
    expect(data.timeZones).toContain("America/Los_Angeles");
  });

  it("refuses a bad hour and an unknown zone with 400, the messages and the values kept", async () => {
    const res = await call(
      settingsAction,
      post("/settings/mail", { ...good, digestHour: "24", timeZone: "Mars/Olympus_Mons" }, cookie),
      ctx,
    );
    expect(res.status).toBe(400);
    const data = await body(res);
    expect(data.fieldErrors.digestHour).toEqual(["Choose an hour from 00:00 to 23:00."]);
    expect(data.fieldErrors.timeZone).toEqual(["Choose a time zone from the list."]);
    expect(data.values).toMatchObject({ digestHour: "24", timeZone: "Mars/Olympus_Mons" });
    const empty = await call(
      settingsAction,
      post("/settings/mail", { ...good, digestDay: "" }, cookie),
      ctx,
    );
    expect(empty.status).toBe(400);
    expect((await body(empty)).fieldErrors.digestDay).toEqual(["Choose a day of the week."]);
  });

  it("renders the form with the refused values and the messages beside their fields", async () => {
    remix.loaderData = await body(await call(settingsLoader, get("/settings/mail", cookie), ctx));
    remix.actionData = await body(
      await call(
        settingsAction,
        post(
          "/settings/mail",
          { ...good, digestHour: "24", timeZone: "Mars/Olympus_Mons" },
          cookie,
        ),
        ctx,
      ),
    );
    const html = renderToString(createElement(MailSettings));
    expect(html).toContain("<h1");
    expect(html).toContain("Choose an hour from 00:00 to 23:00.");
    expect(html).toContain("Choose a time zone from the list.");
    expect(html).toContain('href="/settings/calendar"');
    expect(html).toContain("never what anyone wrote");
    remix.actionData = undefined;
    const fresh = renderToString(createElement(MailSettings));
    expect(fresh).toContain('name="version" value="1"');
    expect(fresh).not.toContain("Choose an hour");
  });

  it("saves, says so, audits; a save against the old version is 409", async () => {
    const res = await call(settingsAction, post("/settings/mail", good, cookie), ctx);
    expect(res.status).toBe(302);
    expect(res.headers.get("Set-Cookie")).toContain(encodeURIComponent("Mail settings saved."));
    expect(await mailPreferencesOf(db, pia.id)).toEqual({
      digest: true,
      digestDay: 5,
      digestHour: 7,
      reminders: true,
      invitations: false,
      timeZone: "Europe/Berlin",
    });
    const audited = await db
      .selectFrom("audit_events")
      .select(["actor_id", "outcome"])
      .where("action", "=", "mail_preferences.update")
      .where("entity_id", "=", pia.id)
      .execute();
    expect(audited).toEqual([{ actor_id: pia.id, outcome: "ok" }]);

    const stale = await call(
      settingsAction,
      post("/settings/mail", { ...good, digestHour: "9" }, cookie),
      ctx,
    );
    expect(stale.status).toBe(409);
    expect((await body(stale)).values.digestHour).toBe("9");
    expect((await mailPreferencesOf(db, pia.id)).digestHour).toBe(7);
    const again = await call(
      settingsAction,
      post("/settings/mail", { ...good, digestHour: "9", version: "2" }, cookie),
      ctx,
    );
    expect(again.status).toBe(302);
    expect((await mailPreferencesOf(db, pia.id)).digestHour).toBe(9);
  });

  it("a one-click unsubscribe since the page was opened makes the page's save stale", async () => {
    const { version } = (await body(await call(settingsLoader, get("/settings/mail", cookie), ctx)))
      .settings as { version: number };
    await setListOff(db, pia.id, "reminders");
    const res = await call(
      settingsAction,
      post("/settings/mail", { ...good, version: String(version) }, cookie),
      ctx,
    );
    expect(res.status).toBe(409);
    expect((await mailPreferencesOf(db, pia.id)).reminders).toBe(false);
  });
});

describe("/admin/mail", () => {
  let ctx: AppContext;
  let adminCookie = "";
  let leaderCookie = "";
  let leaderId = "";
  beforeAll(async () => {
    ctx = makeContext(db);
    adminCookie = await sessionCookie(ctx, (await makeUser(db, ["admin"], "Ann Admin")).id);
    leaderId = (await makeUser(db, ["leader"], "Leo NotAdmin")).id;
    leaderCookie = await sessionCookie(ctx, leaderId);
  });
  const defaults = {
    digest: "on",
    digestDay: "2",
    digestHour: "10",
    reminders: "on",
    invitations: "on",
    version: "1",
  };

  it("is for admins only: anyone else gets 403, audited", async () => {
    for (const [handler, request] of [
      [adminLoader, get("/admin/mail", leaderCookie)],
      [adminAction, post("/admin/mail", defaults, leaderCookie)],
    ] as const) {
      const res = await call(handler, request, ctx);
      expect(res.status).toBe(403);
    }
    const denied = await db
      .selectFrom("audit_events")
      .select(["action", "outcome", "entity_id"])
      .where("actor_id", "=", leaderId)
      .execute();
    expect(denied).toEqual([
      { action: "access.denied", outcome: "denied", entity_id: "/admin/mail" },
      { action: "access.denied", outcome: "denied", entity_id: "/admin/mail" },
    ]);
    expect((await call(adminLoader, get("/admin/mail"), ctx)).status).toBe(302);
  });

  it("saves the organisation's defaults (versioned, audited) for everyone who has not chosen", async () => {
    const loaded = await body(await call(adminLoader, get("/admin/mail", adminCookie), ctx));
    expect(loaded.defaults).toEqual({ ...BUILT_IN_MAIL_DEFAULTS, version: 1 });
    const bad = await call(
      adminAction,
      post("/admin/mail", { ...defaults, digestHour: "25" }, adminCookie),
      ctx,
    );
    expect(bad.status).toBe(400);
    expect((await body(bad)).values.digestHour).toBe("25");

    const res = await call(adminAction, post("/admin/mail", defaults, adminCookie), ctx);
    expect(res.status).toBe(302);
    const { id } = await makeUser(db, ["mentor"], "Nia New");
    expect(await mailPreferencesOf(db, id)).toMatchObject({ digestDay: 2, digestHour: 10 });
    const audited = await db
      .selectFrom("audit_events")
      .select(["entity_id", "details"])
      .where("action", "=", "settings.update")
      .execute();
    expect(audited).toEqual([
      {
        entity_id: "mail_defaults",
        details: { digest: true, digestDay: 2, digestHour: 10, reminders: true, invitations: true },
      },
    ]);

    const stale = await call(
      adminAction,
      post("/admin/mail", { ...defaults, digestHour: "11" }, adminCookie),
      ctx,
    );
    expect(stale.status).toBe(409);
    expect((await mailPreferencesOf(db, id)).digestHour).toBe(10);
  });
});

describe("the scans' cost", () => {
  it("finding due reminders is a fixed number of statements, whatever the number of candidates", async () => {
    const counter = { statements: 0 };
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        counter.statements += 1;
        return args.result;
      },
    };
    const counted = db.withPlugin(plugin);
    await dueReminders(counted, at("2026-12-07T16:00:00Z"));
    const few = counter.statements;
    // Twenty more candidates, each with an open sniff test due today.
    const { users } = world;
    const test = await db
      .selectFrom("sniff_test_revisions")
      .select(["id", "sniff_test_id"])
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 20; i += 1) {
      const { id } = await db
        .insertInto("candidates")
        .values({
          name: `Extra ${i}`,
          track: "people_leadership",
          manager_id: users.mona.id,
          nominated_by: users.mona.id,
          nominated_reason: "x",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("sniff_test_assignments")
        .values({
          sniff_test_id: test.sniff_test_id,
          sniff_test_revision_id: test.id,
          candidate_id: id,
          assigned_by: users.mona.id,
          offered_on: "2026-12-01",
          due_on: "2026-12-07",
        })
        .execute();
    }
    counter.statements = 0;
    const due = await dueReminders(counted, at("2026-12-07T16:00:00Z"));
    expect(
      due.filter((d) => d.event.key.startsWith("reminder:assignment-due:")).length,
    ).toBeGreaterThanOrEqual(20);
    expect(counter.statements).toBe(few);
    expect(counter.statements).toBeLessThanOrEqual(10);
  });
});
