/**
 * The pages of the roles, the process report and the writing-check list, rendered on the server with
 * their loaders' real answers, as Remix would: headings, empty states, forms that work without
 * JavaScript, and a process report that names no person.
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import Roles, { loader as rolesLoader } from "../../app/routes/roles._index";
import NewRole, { loader as newRoleLoader } from "../../app/routes/roles.new";
import RolePage, { loader as roleLoader } from "../../app/routes/roles.$roleId";
import ProcessReport, { loader as reportLoader } from "../../app/routes/reports.process";
import AdminWritingCheck, { loader as adminLoader } from "../../app/routes/admin.writing-check";
import { body, call, get, makeContext, makeUser, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

const remix = vi.hoisted(() => ({
  loaderData: undefined as unknown,
  actionData: undefined as unknown,
}));
vi.mock("@remix-run/react", async () => {
  const actual = await vi.importActual<object>("@remix-run/react");
  const { createElement: h } = await import("react");
  return {
    ...actual,
    Form: (props: Record<string, unknown>) => h("form", props),
    useLoaderData: () => remix.loaderData,
    useActionData: () => remix.actionData,
    useNavigation: () => ({ state: "idle" }),
  };
});

async function render(Component: () => unknown, loaded: Response) {
  remix.loaderData = await body(loaded);
  remix.actionData = undefined;
  return renderToString(createElement(Component as () => null));
}

let handle: DbHandle;
let ctx: AppContext;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db);
  for (const [who, roles] of [
    ["leader", ["leader"]],
    ["manager", ["manager"]],
    ["admin", ["admin"]],
  ] as const) {
    ids[who] = (await makeUser(handle.db, [...roles], `Zed ${who}`)).id;
    cookies[who] = await sessionCookie(ctx, ids[who]);
  }
});
afterAll(() => handle.close());

describe("empty", () => {
  it("the roles list says there are none, and offers a leader to add one", async () => {
    const leader = await render(Roles, await call(rolesLoader, get("/roles", cookies.leader), ctx));
    expect(leader).toContain("<h1");
    expect(leader).toContain("No roles yet. Add the roles");
    expect(leader).toContain('href="/roles/new"');
    const manager = await render(
      Roles,
      await call(rolesLoader, get("/roles", cookies.manager), ctx),
    );
    expect(manager).toContain("No roles yet. A leader adds them.");
    expect(manager).not.toContain('href="/roles/new"');
  });

  it("the process report says no meeting has started", async () => {
    const html = await render(
      ProcessReport,
      await call(reportLoader, get("/reports/process", cookies.leader), ctx),
    );
    expect(html).toContain("No meeting has started yet.");
  });
});

describe("with data", () => {
  beforeAll(async () => {
    const db = handle.db;
    const role = await db
      .insertInto("readiness_roles")
      .values({ title: "Tech lead", team: "Search", needed_by: "Q3 2027", created_by: ids.leader })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.role = role.id;
    const candidate = await db
      .insertInto("candidates")
      .values({
        name: "Yara Candidate",
        track: "technical_leadership",
        manager_id: ids.manager,
        nominated_by: ids.manager,
        nominated_reason: "Led the migration",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const observation = await db
      .insertInto("observations")
      .values({
        candidate_id: candidate.id,
        author_id: ids.manager,
        observed_on: "2026-11-03",
        situation: "",
        behavior: "Wrote the migration plan",
        impact: "Zero downtime",
        signal: "strength",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const meeting = await db
      .insertInto("calibration_meetings")
      .values({
        title: "Autumn round",
        scheduled_for: new Date("2026-11-20T10:00:00Z"),
        facilitator_id: ids.leader,
        created_by: ids.leader,
        status: "closed",
        closed_at: new Date("2026-11-20T12:00:00Z"),
        timebox_minutes: 10,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const item = await db
      .insertInto("calibration_items")
      .values({
        meeting_id: meeting.id,
        candidate_id: candidate.id,
        position: 1,
        discussion_seconds: 780,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const decision = await db
      .insertInto("calibration_decisions")
      .values({
        item_id: item.id,
        outcome: "ready_now",
        rationale: "Led two migrations end to end",
        decided_by: ids.leader,
        readiness_role_id: role.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("calibration_decision_evidence")
      .values({ decision_id: decision.id, observation_id: observation.id })
      .execute();
  });

  it("a role's page shows who was judged ready, the decision, its evidence, and the archive form for a leader", async () => {
    const html = await render(
      RolePage,
      await call(roleLoader, get(`/roles/${ids.role}`, cookies.leader), ctx, { roleId: ids.role }),
    );
    expect(html).toContain("Tech lead");
    expect(html).toContain("Yara Candidate");
    expect(html).toContain("Ready now");
    expect(html).toContain("Led two migrations end to end");
    expect(html).toContain("Wrote the migration plan");
    expect(html).toMatch(/<form[^>]*method="post"/);
    expect(html).toContain("Archive role");
    const manager = await render(
      RolePage,
      await call(roleLoader, get(`/roles/${ids.role}`, cookies.manager), ctx, { roleId: ids.role }),
    );
    expect(manager).not.toContain("Archive role");
    expect(manager).toContain("You see the people in your circle only.");
  });

  it("the new role form has labelled fields and its key", async () => {
    const html = await render(
      NewRole,
      await call(newRoleLoader, get("/roles/new", cookies.leader), ctx),
    );
    for (const label of [
      "Role or stretch",
      "Team",
      "When (optional)",
      "What it involves (optional)",
    ])
      expect(html).toContain(label);
    expect(html).toContain('name="idempotencyKey"');
  });

  it("the process report shows the figures and the time by position, and no person", async () => {
    const html = await render(
      ProcessReport,
      await call(reportLoader, get("/reports/process", cookies.leader), ctx),
    );
    expect(html).toContain("Autumn round");
    expect(html).toContain("2026 Q4");
    expect(html).toContain("13 min");
    expect(html).toContain("(over)");
    expect(html).not.toContain("Yara Candidate");
    expect(html).not.toContain("Zed ");
  });

  it("the admin's list shows the built-in phrases in the one-a-line form", async () => {
    const html = await render(
      AdminWritingCheck,
      await call(adminLoader, get("/admin/writing-check", cookies.admin), ctx),
    );
    expect(html).toContain("The built-in list is in use");
    expect(html).toContain("abrasive → ");
    expect(html).toContain('name="version" value="1"');
  });
});
