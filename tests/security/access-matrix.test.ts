/**
 * Access control (docs/security.md §1): every loader and action of every route module in
 * app/routes, called as each kind of user, against the fixture's records. The route list is read
 * from the directory, so a new route is attacked the day it is added — and fails here until it has
 * an entry in EXPECT.
 */
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  canEditPlan,
  canManageCandidate,
  canViewCandidate,
  candidateVisibleTo,
  type CircleFacts,
  type Viewer,
} from "../../app/auth/policy.server";
import { call, get, makeContext, makeUser, post, type TestClock } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { buildWorld, fillPath, KINDS, routeFiles, SECRETS, type Kind, type World } from "./fixture";
import { expectConsoleErrors } from "../helpers/setup";

type Record_ = "candidate" | "candidate-manage" | "plan" | "meeting" | "none" | "public";
interface Spec {
  /** Role gate: a signed-in user without one of these roles gets 403. */
  roles?: string[];
  record: Record_;
  /** The action's record rule when it differs from the loader's. */
  actionRecord?: Record_;
  /** The action's role gate when it differs from the loader's. */
  actionRoles?: string[];
}

// What the policy says each route is for. A route missing here fails the "covers every route" test.
const EXPECT: Record<string, Spec> = {
  "$.tsx": { record: "public" },
  "_index.tsx": { record: "none" },
  "admin.audit.tsx": { roles: ["admin"], record: "none" },
  "admin.identity.tsx": { roles: ["admin"], record: "none" },
  "admin.candidates.tsx": { roles: ["admin"], record: "none" },
  "admin.framework.tsx": { roles: ["admin"], record: "none" },
  "admin.users.$userId.tsx": { roles: ["admin"], record: "none" },
  "admin.users.tsx": { roles: ["admin"], record: "none" },
  "calibrations.$meetingId._index.tsx": { record: "meeting" },
  "calibrations.$meetingId.items.$itemId.tsx": { record: "meeting" },
  "calibrations.$meetingId.summary.tsx": { record: "meeting" },
  "calibrations._index.tsx": { record: "none" },
  "calibrations.new.tsx": { roles: ["leader"], record: "none" },
  "candidates.$candidateId._index.tsx": { record: "candidate" },
  "candidates.$candidateId.assignments.$assignmentId.tsx": { record: "candidate" },
  "candidates.$candidateId.assignments.new.tsx": { record: "candidate" },
  "candidates.$candidateId.edit.tsx": { record: "candidate-manage" },
  "candidates.$candidateId.export.tsx": { record: "candidate-manage" },
  "candidates.$candidateId.flags.$flagId.tsx": { record: "candidate" },
  "candidates.$candidateId.flags.new.tsx": { record: "candidate" },
  "candidates.$candidateId.observations.$observationId.tsx": { record: "candidate" },
  "candidates.$candidateId.observations.new.tsx": { record: "candidate" },
  "candidates.$candidateId.plans.new.tsx": { record: "candidate-manage" },
  "candidates._index.tsx": { roles: ["manager", "leader"], record: "none" },
  "candidates.new.tsx": { roles: ["manager", "leader", "mentor"], record: "none" },
  "coaching.$planId._index.tsx": { record: "plan" },
  "coaching.$planId.edit.tsx": { record: "plan" },
  "coaching._index.tsx": { roles: ["mentor", "manager", "leader"], record: "none" },
  "healthz.ts": { record: "public" },
  "readyz.ts": { record: "public" },
  // 404 to everyone once an account exists (and without the token from the server's log): tests/integration/setup.test.ts.
  "setup.tsx": { record: "public" },
  "login.tsx": { record: "public" },
  "logout.tsx": { record: "public" },
  // Single sign-on: the start of the OpenID Connect flow and its callback are for people not signed in
  // (tests/integration/oidc.test.ts covers forged state, replayed codes and the rest).
  "auth.oidc.tsx": { record: "public" },
  "auth.oidc_.callback.tsx": { record: "public" },
  // SCIM takes a bearer token, never the session cookie: 401 to every kind of user without one (the
  // "SCIM routes" test below; tests/integration/scim.test.ts for the token holders).
  "scim.v2.Users.ts": { record: "public" },
  "scim.v2.Users.$id.ts": { record: "public" },
  "scim.v2.ServiceProviderConfig.ts": { record: "public" },
  "scim.v2.Schemas.ts": { record: "public" },
  "scim.v2.ResourceTypes.ts": { record: "public" },
  // The directory's facts are for everyone leading and for admins; the person's page checks the circle
  // for anything beyond them (the "person outside the pipeline" tests below).
  "people._index.tsx": { roles: ["leader", "manager", "mentor", "admin"], record: "none" },
  "people.$personId._index.tsx": { record: "none" },
  "people.$personId.edit.tsx": { roles: ["admin"], record: "none" },
  // The fixture's person is outside the pipeline and active: anyone leading may nominate them.
  "people.$personId.nominate.tsx": { roles: ["leader", "manager", "mentor"], record: "none" },
  "admin.people.import._index.tsx": { roles: ["admin"], record: "none" },
  "admin.people.import.$importId.tsx": { roles: ["admin"], record: "none" },
  "admin.people[.]csv.ts": { roles: ["admin"], record: "none" },
  "people.new.tsx": { roles: ["admin"], record: "none" },
  "pipeline_.$candidateId.add-to-calibration.tsx": { roles: ["leader"], record: "candidate" },
  "pipeline.tsx": { roles: ["leader"], record: "none" },
  "pipeline[.]csv.ts": { roles: ["leader"], record: "none" },
  "pipeline_.coverage.tsx": { roles: ["leader"], record: "none" },
  "sniff-tests.$sniffTestId._index.tsx": { roles: ["manager", "leader"], record: "none" },
  "sniff-tests.$sniffTestId.edit.tsx": { roles: ["manager", "leader"], record: "none" },
  // The figures of an offering are about the group; its responses are listed for the viewer's circle.
  "sniff-tests.$sniffTestId.offer.tsx": { roles: ["manager", "leader"], record: "none" },
  "sniff-tests.$sniffTestId.offerings.$offeringId.tsx": {
    roles: ["manager", "leader"],
    record: "none",
  },
  "sniff-tests._index.tsx": { roles: ["manager", "leader"], record: "none" },
  "sniff-tests.new.tsx": { roles: ["manager", "leader"], record: "none" },
  // Reaching people outside the browser: background jobs, mail and the calendar.
  "admin.jobs.tsx": { roles: ["admin"], record: "none" },
  "admin.outbox.tsx": { roles: ["admin"], record: "none" },
  "admin.outbox_.$messageId.tsx": { roles: ["admin"], record: "none" },
  "admin.mail.tsx": { roles: ["admin"], record: "none" },
  // Every signed-in person's own settings.
  "settings.mail.tsx": { record: "none" },
  "settings.calendar.tsx": { record: "none" },
  // Moving or cancelling a meeting: the facilitator or a leader (an attendee who is neither gets 403:
  // tests/integration/calendar.test.ts).
  "calibrations.$meetingId.edit.tsx": { record: "meeting" },
  // The token in the URL is the only authority (no session): 400/404 without a valid one
  // (tests/integration/mail.test.ts, calendar.test.ts).
  "mail.unsubscribe.tsx": { record: "public" },
  "calendar.$token[.]ics.ts": { record: "public" },
  // Accounts (issue 21). Every signed-in person's own account pages; changing a second factor also
  // needs a confirmation within 10 minutes (the fixture's sessions are fresh: tests/integration/
  // account.test.ts and totp.test.ts cover the stale ones).
  "account._index.tsx": { record: "none" },
  "account.password.tsx": { record: "none" },
  "account.confirm.tsx": { record: "none" },
  "account.two-factor.tsx": { record: "none" },
  "account.passkeys.tsx": { record: "none" },
  // A login's stages: a complete session is sent on (302, not to /login); a half-done one opens only
  // its own stage (tests/integration/totp.test.ts, account-links.test.ts).
  "login_.second-factor.tsx": { record: "none" },
  "login_.set-up-mfa.tsx": { record: "none" },
  "login_.new-password.tsx": { record: "none" },
  // For people not signed in: a one-time link's token is its only authority (404 without a valid one:
  // tests/security/account-links.test.ts); the passkey ceremony's POSTs (tests/integration/passkeys.test.ts).
  "forgot-password.tsx": { record: "public" },
  "reset-password.$token.tsx": { record: "public" },
  "welcome.$token.tsx": { record: "public" },
  "auth.passkey.tsx": { record: "public" },
  // Calibration against bias (issue 22): readiness roles list only decisions about people in the
  // viewer's circle (tests/integration/readiness-roles.test.ts); only leaders change roles.
  "roles._index.tsx": { roles: ["leader", "manager", "mentor"], record: "none" },
  "roles.new.tsx": { roles: ["leader"], record: "none" },
  "roles.$roleId.tsx": {
    roles: ["leader", "manager", "mentor"],
    actionRoles: ["leader"],
    record: "none",
  },
  "admin.writing-check.tsx": { roles: ["admin"], record: "none" },
  // About the process only, never a person (tests/integration/process-report.test.ts).
  "reports.process.tsx": { roles: ["leader"], record: "none" },
};

const IN_CIRCLE: Kind[] = ["leader", "managerIn", "mentor"];
type Outcome = "allow" | 403 | 404 | "login";

function expected(
  spec: Spec,
  kind: Kind,
  world: World,
  which: "loader" | "action",
): Outcome | "any" {
  const record = (which === "action" && spec.actionRecord) || spec.record;
  if (record === "public") return "any";
  if (kind === "anonymous" || kind === "disabled") return "login";
  const roles = world.users[kind].roles;
  const gate = (which === "action" && spec.actionRoles) || spec.roles;
  if (gate && !gate.some((r) => roles.includes(r))) return 403;
  switch (record) {
    case "none":
      return "allow";
    case "candidate":
    case "plan":
      return IN_CIRCLE.includes(kind) ? "allow" : 404;
    case "candidate-manage":
      if (!IN_CIRCLE.includes(kind)) return 404;
      return kind === "mentor" ? 403 : "allow";
    case "meeting":
      return kind === "leader" ? "allow" : 404;
  }
}

/** Kinds that may never receive the secret candidate's text, whatever the route. */
const OUTSIDERS: Kind[] = ["managerOut", "otherMentor", "admin", "anonymous", "disabled"];

/**
 * A name in the directory is a directory fact, read by everyone leading and by admins: the directory's
 * own pages (lists, manager choices) may show the secret candidate's name, but never anything that says
 * they are a candidate.
 */
function secretsFor(file: string, world: World): string[] {
  const all = Object.values(SECRETS);
  // The outbox shows admins the mail as it was sent: a name and what is due, with a link (the issue
  // asks for it, so the quick start shows what would be sent); never the text of a judgement.
  if (file.startsWith("admin.outbox")) return all.filter((s) => s !== SECRETS.name);
  if (!/^(admin\.)?people[._]/.test(file)) return all;
  return [...all.filter((s) => s !== SECRETS.name), `/candidates/${world.ids.candidateId}`];
}

let handle: DbHandle;
let world: World;
const clock: TestClock = { now: new Date("2026-03-02T09:00:00Z") };
const routes = routeFiles();

beforeAll(async () => {
  handle = await createTestDb();
  world = await buildWorld(handle.db, makeContext(handle.db, clock));
});
afterAll(async () => {
  await handle?.close();
});

async function text(response: Response) {
  return response.clone().text();
}

function checkOutcome(response: Response, outcome: Outcome | "any", label: string) {
  const status = response.status;
  expect(status, `${label}: never a 500`).toBeLessThan(500);
  if (outcome === "any") return;
  const location = response.headers.get("Location") ?? "";
  if (outcome === "login") {
    expect(status, label).toBe(302);
    expect(location, label).toMatch(/^\/login/);
  } else if (outcome === "allow") {
    expect([200, 204, 302, 303, 400, 409], `${label} → ${status}`).toContain(status);
    if (status === 302) expect(location, label).not.toMatch(/^\/login/);
  } else {
    expect(status, label).toBe(outcome);
  }
}

describe("access matrix", () => {
  it("has an expectation for every route module in app/routes", () => {
    expect(routes.map((r) => r.file).sort()).toEqual(Object.keys(EXPECT).sort());
  });

  for (const route of routes) {
    describe(route.file, () => {
      it("answers every kind of user as the policy says, and never leaks the candidate to outsiders", async () => {
        const mod = await import(path.resolve("app/routes", route.file));
        const spec = EXPECT[route.file];
        const { path: url, params } = fillPath(route, { ...world.ids, "*": "no-such-page" });
        for (const kind of KINDS) {
          const ctx = makeContext(handle.db, clock, { requestId: `matrix-${kind}` });
          let cookie = world.cookies[kind];
          // Logging out ends the session: give it one of its own.
          if (route.file === "logout.tsx" && kind !== "anonymous" && kind !== "disabled") {
            const { sessionCookie } = await import("../helpers/app");
            cookie = await sessionCookie(ctx, world.users[kind].id);
          }
          if (mod.loader) {
            const response = await call(mod.loader, get(url, cookie), ctx, params);
            checkOutcome(response, expected(spec, kind, world, "loader"), `GET ${url} as ${kind}`);
            if (OUTSIDERS.includes(kind)) {
              const body = await text(response);
              for (const secret of secretsFor(route.file, world))
                expect(body, `GET ${url} as ${kind}`).not.toContain(secret);
            }
          }
          if (mod.action) {
            // An empty form: authorisation must come before (or regardless of) validation.
            const response = await call(
              mod.action,
              post(url, { intent: "__probe__" }, cookie),
              ctx,
              params,
            );
            checkOutcome(response, expected(spec, kind, world, "action"), `POST ${url} as ${kind}`);
            if (OUTSIDERS.includes(kind)) {
              const body = await text(response);
              for (const secret of secretsFor(route.file, world))
                expect(body, `POST ${url} as ${kind}`).not.toContain(secret);
            }
          }
        }
        expectConsoleErrors();
      });
    });
  }

  it("lets the circle see the secret (the leak check is not vacuous)", async () => {
    const ctx = makeContext(handle.db, clock);
    const mod = await import("../../app/routes/candidates.$candidateId._index");
    for (const kind of IN_CIRCLE) {
      const response = await call(
        mod.loader,
        get(`/candidates/${world.ids.candidateId}`, world.cookies[kind]),
        ctx,
        { candidateId: world.ids.candidateId },
      );
      expect(await text(response), kind).toContain(SECRETS.name);
    }
  });
});

describe("SCIM routes", () => {
  it("answer 401 with a SCIM error to every kind of user, for every method, without a bearer token", async () => {
    const scimRoutes = routes.filter((r) => r.file.startsWith("scim."));
    expect(scimRoutes.length).toBe(5);
    for (const route of scimRoutes) {
      const mod = await import(path.resolve("app/routes", route.file));
      const { path: url, params } = fillPath(route, { id: world.ids.personId });
      for (const kind of KINDS) {
        const ctx = makeContext(handle.db, clock, { requestId: `scim-${kind}` });
        const cookie = world.cookies[kind];
        for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
          const handler = method === "GET" ? mod.loader : mod.action;
          const request = new Request(`http://localhost:3000${url}`, {
            method,
            headers: {
              "Content-Type": "application/scim+json",
              ...(cookie ? { Cookie: cookie } : {}),
            },
            body: method === "GET" || method === "DELETE" ? undefined : "{}",
          });
          const response = await call(handler, request, ctx, params);
          const label = `${method} ${url} as ${kind}`;
          expect(response.status, label).toBe(401);
          expect(response.headers.get("Content-Type"), label).toBe("application/scim+json");
          expect((await response.json()).schemas, label).toEqual([
            "urn:ietf:params:scim:api:messages:2.0:Error",
          ]);
        }
      }
    }
  });
});

describe("a person outside the pipeline", () => {
  it("shows what was offered to them to their circle only: leaders and the manager above them who offered it", async () => {
    const ctx = makeContext(handle.db, clock);
    const mod = await import("../../app/routes/people.$personId._index");
    const test = await handle.db
      .selectFrom("sniff_tests")
      .select("title")
      .where("id", "=", world.ids.sniffTestId)
      .executeTakeFirstOrThrow();
    const seen: Record<string, boolean> = {};
    for (const kind of [
      "leader",
      "managerIn",
      "managerOut",
      "mentor",
      "otherMentor",
      "admin",
    ] as const) {
      const response = await call(
        mod.loader,
        get(`/people/${world.ids.personId}`, world.cookies[kind]),
        ctx,
        { personId: world.ids.personId },
      );
      expect(response.status, kind).toBe(200);
      const body = await text(response);
      expect(body, kind).toContain("Pat Directoryonly");
      expect(body, kind).not.toContain(SECRETS.response);
      seen[kind] = body.includes(test.title);
    }
    expect(seen).toEqual({
      leader: true,
      managerIn: true,
      managerOut: false,
      mentor: false,
      otherMentor: false,
      admin: false,
    });
  });
});

// ---- Property-based tests of the pure policy functions -------------------------------------------

const ROLE_SETS = fc.subarray(["admin", "leader", "manager", "mentor"] as const);
const ID = fc.constantFrom("u1", "u2", "u3", "u4", "u5");
const viewerArb = fc.record({ id: ID, roles: ROLE_SETS }) as fc.Arbitrary<Viewer>;
const factsArb = fc.record({
  managerId: ID,
  nominatedBy: ID,
  observerIds: fc.uniqueArray(ID, { maxLength: 3 }),
  activeMentorIds: fc.uniqueArray(ID, { maxLength: 2 }),
}) as fc.Arbitrary<CircleFacts>;

// An independent statement of who sees whom (the circle), written without looking at policy.server.ts's helpers.
function refCanView(v: Viewer, f: CircleFacts): boolean {
  const people =
    v.roles.includes("leader") || v.roles.includes("manager") || v.roles.includes("mentor");
  if (!people) return false; // admin-only or no role: no people data
  if (v.roles.includes("leader")) return true;
  const circle = new Set([f.managerId, f.nominatedBy, ...f.observerIds, ...f.activeMentorIds]);
  return circle.has(v.id);
}
function refCanManage(v: Viewer, f: CircleFacts): boolean {
  if (v.roles.includes("leader")) return true;
  return v.roles.includes("manager") && f.managerId === v.id;
}
function refCanEditPlan(v: Viewer, p: { mentorId: string; managerId: string }): boolean {
  const people = v.roles.some((r) => r !== "admin");
  if (!people) return false;
  return (
    v.roles.includes("leader") ||
    p.mentorId === v.id ||
    (v.roles.includes("manager") && p.managerId === v.id)
  );
}

describe("policy properties", () => {
  it("canViewCandidate agrees with the reference rule", () => {
    fc.assert(
      fc.property(viewerArb, factsArb, (v, f) => canViewCandidate(v, f) === refCanView(v, f)),
      { numRuns: 2000 },
    );
  });
  it("canManageCandidate agrees with the reference rule, and managing implies viewing", () => {
    fc.assert(
      fc.property(viewerArb, factsArb, (v, f) => {
        expect(canManageCandidate(v, f)).toBe(refCanManage(v, f));
        if (canManageCandidate(v, f)) expect(canViewCandidate(v, f)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
  it("an admin-only account never sees or manages anyone", () => {
    fc.assert(
      fc.property(ID, factsArb, (id, f) => {
        const v = { id, roles: ["admin"] as const };
        return (
          !canViewCandidate(v, f) &&
          !canManageCandidate(v, f) &&
          !canEditPlan(v, { mentorId: id, managerId: id })
        );
      }),
    );
  });
  it("canEditPlan agrees with the reference rule", () => {
    fc.assert(
      fc.property(
        viewerArb,
        ID,
        ID,
        (v, mentorId, managerId) =>
          canEditPlan(v, { mentorId, managerId }) === refCanEditPlan(v, { mentorId, managerId }),
      ),
      { numRuns: 2000 },
    );
  });

  it("the SQL rule candidateVisibleTo agrees with canViewCandidate on a real database", async () => {
    const db = handle.db;
    // A small population: five people with random roles, reused across runs.
    const people = [] as { id: string }[];
    for (let i = 0; i < 5; i++)
      people.push(await makeUser(db, ["manager", "mentor"], `Prop Person ${i}`));
    const pick = fc.integer({ min: 0, max: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          viewer: pick,
          roles: ROLE_SETS,
          manager: pick,
          nominator: pick,
          observers: fc.uniqueArray(pick, { maxLength: 3 }),
          plans: fc.array(
            fc.record({
              mentor: pick,
              status: fc.constantFrom("active", "paused", "completed", "abandoned"),
            }),
            { maxLength: 3 },
          ),
        }),
        async (s) => {
          const id = (i: number) => people[i].id;
          const { id: candidateId } = await db
            .insertInto("candidates")
            .values({
              name: "Prop candidate",
              track: "people_leadership",
              manager_id: id(s.manager),
              nominated_by: id(s.nominator),
              nominated_reason: "r",
            })
            .returning("id")
            .executeTakeFirstOrThrow();
          for (const o of s.observers)
            await db
              .insertInto("candidate_observers")
              .values({ candidate_id: candidateId, user_id: id(o), added_by: id(s.manager) })
              .execute();
          for (const p of s.plans) {
            await db
              .insertInto("coaching_plans")
              .values({
                candidate_id: candidateId,
                mentor_id: id(p.mentor),
                created_by: id(s.manager),
                goal: "g",
                started_on: "2026-01-01",
                status: p.status as never,
              })
              .execute();
          }
          const viewer: Viewer = { id: id(s.viewer), roles: s.roles };
          const facts: CircleFacts = {
            managerId: id(s.manager),
            nominatedBy: id(s.nominator),
            observerIds: s.observers.map(id),
            activeMentorIds: s.plans
              .filter((p) => p.status === "active" || p.status === "paused")
              .map((p) => id(p.mentor)),
          };
          const row = await db
            .selectFrom("candidates")
            .select("id")
            .where("id", "=", candidateId)
            .where(candidateVisibleTo(viewer))
            .executeTakeFirst();
          await db.deleteFrom("candidates").where("id", "=", candidateId).execute();
          expect(Boolean(row)).toBe(canViewCandidate(viewer, facts));
          expect(Boolean(row)).toBe(refCanView(viewer, facts));
        },
      ),
      { numRuns: 150 },
    );
  });
});
