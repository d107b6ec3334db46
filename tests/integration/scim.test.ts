/**
 * SCIM 2.0 provisioning (issue 19): the request sequences Okta's and Entra ID's provisioning clients
 * document, replayed against the route modules, and the errors every SCIM client must be able to read.
 */
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import type { AppContext } from "../../app/context";
import { createScimToken } from "../../app/scim/scim.server";
import { hashToken } from "../../app/utils/security.server";
import { loader as usersLoader, action as usersAction } from "../../app/routes/scim.v2.Users";
import { loader as userLoader, action as userAction } from "../../app/routes/scim.v2.Users.$id";
import { loader as spcLoader } from "../../app/routes/scim.v2.ServiceProviderConfig";
import { loader as schemasLoader } from "../../app/routes/scim.v2.Schemas";
import { loader as typesLoader } from "../../app/routes/scim.v2.ResourceTypes";
import { getUser } from "../../app/auth/session.server";
import { BASE, call, get, makeContext, makeUser, sessionCookie } from "../helpers/app";
import { createTestDb } from "../helpers/db";

const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

let handle: DbHandle;
let ctx: AppContext;
let token = "";
let tokenId = "";

beforeAll(async () => {
  handle = await createTestDb();
  ctx = makeContext(handle.db);
  ({ token, id: tokenId } = await createScimToken(handle.db, { name: "Okta", createdBy: null }));
});
afterAll(async () => {
  await handle?.close();
});

function scim(
  method: string,
  path: string,
  body?: unknown,
  { auth = `Bearer ${token}`, raw }: { auth?: string | null; raw?: string } = {},
): Request {
  const headers: Record<string, string> = { Accept: "application/scim+json" };
  if (auth) headers.Authorization = auth;
  if (body !== undefined || raw !== undefined) headers["Content-Type"] = "application/scim+json";
  return new Request(`${BASE}${path}`, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

async function list(filter: string, extra = "") {
  return call(
    usersLoader,
    scim("GET", `/scim/v2/Users?filter=${encodeURIComponent(filter)}${extra}`),
    ctx,
  );
}
const one = (method: string, id: string, body?: unknown, raw?: string) =>
  call(
    method === "GET" ? userLoader : userAction,
    scim(method, `/scim/v2/Users/${id}`, body, { raw }),
    ctx,
    { id },
  );

async function json(response: Response) {
  expect(response.headers.get("Content-Type")).toBe("application/scim+json");
  return (await response.clone().json()) as any;
}

async function expectError(response: Response, status: number, scimType?: string) {
  expect(response.status).toBe(status);
  const b = await json(response);
  expect(b.schemas).toEqual([ERROR]);
  expect(b.status).toBe(String(status));
  if (scimType) expect(b.scimType).toBe(scimType);
  expect(typeof b.detail).toBe("string");
}

async function personOf(userId: string) {
  return handle.db
    .selectFrom("people")
    .selectAll()
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
}

describe("Okta's sequence (Okta SCIM 2.0 guide: create, find, update, deactivate)", () => {
  let id = "";
  it("finds nobody by userName, then creates the account with no roles and its person", async () => {
    const before = await list('userName eq "okta.user@example.test"', "&startIndex=1&count=100");
    expect(before.status).toBe(200);
    expect(await json(before)).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      Resources: [],
    });
    const created = await call(
      usersAction,
      scim("POST", "/scim/v2/Users", {
        schemas: [CORE],
        userName: "Okta.User@example.test",
        name: { givenName: "Okta", familyName: "User" },
        emails: [{ primary: true, value: "Okta.User@example.test", type: "work" }],
        displayName: "Okta User",
        locale: "en-US",
        externalId: "00u1okta",
        groups: [],
        password: "1mz050nq",
        active: true,
      }),
      ctx,
    );
    expect(created.status).toBe(201);
    const b = await json(created);
    id = b.id;
    expect(b).toMatchObject({
      userName: "okta.user@example.test",
      externalId: "00u1okta",
      name: { givenName: "Okta", familyName: "User" },
      active: true,
      emails: [{ value: "okta.user@example.test", primary: true }],
    });
    expect(created.headers.get("Location")).toBe(`${BASE}/scim/v2/Users/${id}`);
    const user = await handle.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(user.roles).toEqual([]);
    expect(user.disabled_at).toBeNull();
    expect((await personOf(id)).name).toBe("Okta User");
  });

  it("finds the account by userName, whatever its case, and reads it by id", async () => {
    const found = await json(await list('userName eq "OKTA.user@example.test"'));
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].id).toBe(id);
    const got = await one("GET", id);
    expect(got.status).toBe(200);
    expect((await json(got)).userName).toBe("okta.user@example.test");
  });

  it("replaces the profile with PUT (department and title reach the directory)", async () => {
    const put = await one("PUT", id, {
      schemas: [CORE, ENTERPRISE],
      id,
      userName: "okta.user@example.test",
      name: { givenName: "Okta", familyName: "Renamed" },
      title: "Head of Tea",
      active: true,
      [ENTERPRISE]: { department: "Operations" },
    });
    expect(put.status).toBe(200);
    expect((await json(put)).name.familyName).toBe("Renamed");
    const person = await personOf(id);
    expect([person.name, person.title, person.team]).toEqual([
      "Okta Renamed",
      "Head of Tea",
      "Operations",
    ]);
  });

  it("deactivates with PATCH replace {active:false}: the account is disabled and its sessions end at once", async () => {
    const cookie = await sessionCookie(ctx, id);
    expect(await getUser(ctx, new Request(BASE, { headers: { Cookie: cookie } }))).not.toBeNull();
    const patched = await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).active).toBe(false);
    const sessions = await handle.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", id)
      .execute();
    expect(sessions).toEqual([]);
    expect(await getUser(ctx, new Request(BASE, { headers: { Cookie: cookie } }))).toBeNull();
    const user = await handle.db
      .selectFrom("users")
      .select("disabled_at")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(user.disabled_at).not.toBeNull();
  });

  it("reactivates with PATCH replace {active:true}", async () => {
    const patched = await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect((await json(patched)).active).toBe(true);
  });
});

describe("Entra ID's sequence (Microsoft's SCIM validator requests)", () => {
  let id = "";
  let managerId = "";
  it("creates a user with the enterprise extension: department becomes the team, manager the person's manager", async () => {
    const manager = await makeUser(handle.db, [], "Mina Manager");
    managerId = manager.id;
    expect(
      (await json(await list('userName eq "Test_User_ab6490ee@example.test"'))).totalResults,
    ).toBe(0);
    const created = await call(
      usersAction,
      scim("POST", "/scim/v2/Users", {
        schemas: [CORE, ENTERPRISE],
        externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        userName: "Test_User_ab6490ee@example.test",
        active: true,
        emails: [{ primary: true, type: "work", value: "Test_User_ab6490ee@example.test" }],
        meta: { resourceType: "User" },
        name: {
          formatted: "givenName familyName",
          familyName: "familyName",
          givenName: "givenName",
        },
        roles: [],
        [ENTERPRISE]: { department: "Research", manager: { value: managerId } },
      }),
      ctx,
    );
    expect(created.status).toBe(201);
    const b = await json(created);
    id = b.id;
    expect(b[ENTERPRISE]).toEqual({ department: "Research", manager: { value: managerId } });
    const person = await personOf(id);
    expect(person.team).toBe("Research");
    expect(person.manager_id).toBe((await personOf(managerId)).id);
  });

  it("finds it by userName and patches with Entra's path form (Replace, Add manager, emails ignored)", async () => {
    const found = await json(await list('userName eq "Test_User_ab6490ee@example.test"'));
    expect(found.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const other = await makeUser(handle.db, [], "Otto Other");
    const patched = await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "ignored@example.test" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", path: `${ENTERPRISE}:manager`, value: other.id },
        { op: "Replace", path: `${ENTERPRISE}:department`, value: "Finance" },
      ],
    });
    expect(patched.status).toBe(200);
    const b = await json(patched);
    expect(b.name).toMatchObject({ givenName: "givenName", familyName: "updatedFamilyName" });
    expect(b.userName).toBe("test_user_ab6490ee@example.test");
    expect(b[ENTERPRISE]).toEqual({ department: "Finance", manager: { value: other.id } });
    expect((await personOf(id)).manager_id).toBe((await personOf(other.id)).id);
  });

  it('disables with path "active" and the string "False" Entra sends, ending the sessions', async () => {
    await sessionCookie(ctx, id);
    const patched = await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect((await json(patched)).active).toBe(false);
    expect(
      await handle.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute(),
    ).toEqual([]);
  });

  it("removes the manager, then DELETE deactivates (204) and the account stays, inactive", async () => {
    await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: "active", value: true },
        { op: "Remove", path: `${ENTERPRISE}:manager` },
      ],
    });
    expect((await personOf(id)).manager_id).toBeNull();
    await sessionCookie(ctx, id);
    const deleted = await one("DELETE", id);
    expect(deleted.status).toBe(204);
    expect(
      await handle.db.selectFrom("sessions").select("id").where("user_id", "=", id).execute(),
    ).toEqual([]);
    const got = await json(await one("GET", id));
    expect(got.active).toBe(false);
  });

  it("a manager that is not a User here is 400 invalidValue and changes nothing", async () => {
    const response = await one("PATCH", id, {
      schemas: [PATCH],
      Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: crypto.randomUUID() }],
    });
    await expectError(response, 400, "invalidValue");
  });
});

describe("errors: every one a SCIM error body with its status, never a 500", () => {
  it("no token, a wrong token and a revoked token are 401, audited as denied", async () => {
    for (const auth of [null, "Bearer not-a-token", `Basic ${token}`]) {
      const response = await call(
        usersLoader,
        scim("GET", "/scim/v2/Users", undefined, { auth }),
        ctx,
      );
      await expectError(response, 401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    }
    const revoked = await createScimToken(handle.db, { name: "Old", createdBy: null });
    await handle.db
      .updateTable("scim_tokens")
      .set({ revoked_at: new Date() })
      .where("id", "=", revoked.id)
      .execute();
    await expectError(
      await call(
        usersAction,
        scim(
          "POST",
          "/scim/v2/Users",
          { userName: "x@example.test" },
          { auth: `Bearer ${revoked.token}` },
        ),
        ctx,
      ),
      401,
    );
    expect(
      await handle.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "x@example.test")
        .execute(),
    ).toEqual([]);
    for (const loader of [spcLoader, schemasLoader, typesLoader])
      await expectError(
        await call(loader, scim("GET", "/scim/v2/X", undefined, { auth: null }), ctx),
        401,
      );
    const denied = await handle.db
      .selectFrom("audit_events")
      .select(["details"])
      .where("action", "=", "scim.request")
      .where("outcome", "=", "denied")
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(denied)).not.toContain(token);
  });

  it("wrong tokens from one address are throttled (429 with Retry-After, audited) after the free ones; a good token from there still works, and other addresses are not held up", async () => {
    const from = (clientIp: string) => ({ ...ctx, clientIp });
    const wrong = () => scim("GET", "/scim/v2/Users", undefined, { auth: "Bearer guessed-token" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await call(usersLoader, wrong(), from("198.51.100.7"))).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await call(usersLoader, wrong(), from("198.51.100.7"));
    await expectError(limited, 429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(
      (await call(usersLoader, scim("GET", "/scim/v2/Users"), from("198.51.100.7"))).status,
    ).toBe(200);
    await expectError(await call(usersLoader, wrong(), from("198.51.100.8")), 401);
    const rateLimited = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "scim.request")
      .where("outcome", "=", "denied")
      .where(sql<boolean>`details->>'reason' = 'rate_limited'`)
      .execute();
    expect(rateLimited.length).toBeGreaterThanOrEqual(1);
    await handle.db.deleteFrom("login_throttle").execute();
  });

  it("each use with a good token is audited and stamps last_used_at; only the hash is stored", async () => {
    const row = await handle.db
      .selectFrom("scim_tokens")
      .selectAll()
      .where("id", "=", tokenId)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(row.last_used_at).not.toBeNull();
    const uses = await handle.db
      .selectFrom("audit_events")
      .select("id")
      .where("action", "=", "scim.request")
      .where("entity_id", "=", tokenId)
      .where("outcome", "=", "ok")
      .execute();
    expect(uses.length).toBeGreaterThan(5);
    const changes = await handle.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "like", "user.scim_%")
      .execute();
    expect(new Set(changes.map((c) => c.action))).toEqual(
      new Set(["user.scim_create", "user.scim_replace", "user.scim_patch", "user.scim_delete"]),
    );
  });

  it("an unsupported or malformed filter is 400 invalidFilter", async () => {
    for (const filter of [
      'name.givenName eq "Okta"',
      'userName sw "okta"',
      'userName eq "a" or userName eq "b"',
      "userName eq",
      "((",
    ]) {
      await expectError(await list(filter), 400, "invalidFilter");
    }
  });

  it("a malformed body is 400 invalidSyntax; a body without userName or with a bad one 400 invalidValue", async () => {
    await expectError(
      await call(
        usersAction,
        scim("POST", "/scim/v2/Users", undefined, { raw: '{"userName": ' }),
        ctx,
      ),
      400,
      "invalidSyntax",
    );
    await expectError(
      await call(usersAction, scim("POST", "/scim/v2/Users", [1, 2]), ctx),
      400,
      "invalidSyntax",
    );
    await expectError(
      await call(usersAction, scim("POST", "/scim/v2/Users", { name: { givenName: "No" } }), ctx),
      400,
      "invalidValue",
    );
    await expectError(
      await call(usersAction, scim("POST", "/scim/v2/Users", { userName: "not an email" }), ctx),
      400,
      "invalidValue",
    );
    await expectError(
      await call(
        usersAction,
        scim("POST", "/scim/v2/Users", { userName: "a@example.test", active: "maybe" }),
        ctx,
      ),
      400,
      "invalidValue",
    );
    const someone = await makeUser(handle.db, []);
    await expectError(await one("PATCH", someone.id, undefined, "not json"), 400, "invalidSyntax");
    await expectError(
      await one("PATCH", someone.id, {
        schemas: [PATCH],
        Operations: [{ op: "move", path: "active" }],
      }),
      400,
      "invalidSyntax",
    );
    await expectError(
      await one("PATCH", someone.id, { schemas: [PATCH], Operations: [] }),
      400,
      "invalidSyntax",
    );
  });

  it("a second account with the same userName or externalId is 409 uniqueness", async () => {
    const first = {
      schemas: [CORE],
      userName: "dup@example.test",
      externalId: "ext-dup",
      name: { formatted: "Dup One" },
    };
    expect((await call(usersAction, scim("POST", "/scim/v2/Users", first), ctx)).status).toBe(201);
    await expectError(
      await call(
        usersAction,
        scim("POST", "/scim/v2/Users", {
          ...first,
          userName: "DUP@example.test",
          externalId: "other",
        }),
        ctx,
      ),
      409,
      "uniqueness",
    );
    await expectError(
      await call(
        usersAction,
        scim("POST", "/scim/v2/Users", { ...first, userName: "dup2@example.test" }),
        ctx,
      ),
      409,
      "uniqueness",
    );
    const second = await makeUser(handle.db, []);
    await expectError(
      await one("PATCH", second.id, {
        schemas: [PATCH],
        Operations: [{ op: "replace", path: "userName", value: "dup@example.test" }],
      }),
      409,
      "uniqueness",
    );
  });

  it("a manager chain that loops and a NUL character are 400 invalidValue, not a 500", async () => {
    const create = async (userName: string, manager?: string) =>
      json(
        await call(
          usersAction,
          scim("POST", "/scim/v2/Users", {
            userName,
            name: { formatted: userName.split("@")[0] },
            ...(manager ? { [ENTERPRISE]: { manager: { value: manager } } } : {}),
          }),
          ctx,
        ),
      );
    const top = await create("loop.top@example.test");
    const below = await create("loop.below@example.test", top.id);
    const looped = await one("PATCH", top.id, {
      schemas: [PATCH],
      Operations: [{ op: "replace", path: `${ENTERPRISE}:manager`, value: { value: below.id } }],
    });
    await expectError(looped, 400, "invalidValue");
    expect((await personOf(top.id)).manager_id).toBeNull();
    await expectError(
      await call(
        usersAction,
        scim("POST", "/scim/v2/Users", { userName: "nul@example.test", title: "a\u0000b" }),
        ctx,
      ),
      400,
      "invalidValue",
    );
    await expectError(
      await one("PATCH", below.id, {
        schemas: [PATCH],
        Operations: [{ op: "replace", path: "name.givenName", value: "x\u0000" }],
      }),
      400,
      "invalidValue",
    );
  });

  it("arbitrary JSON bodies and shapes close to a User or a PatchOp never make a 500", async () => {
    const target = await makeUser(handle.db, [], "Fuzz Target");
    const anyText = fc.oneof(fc.string(), fc.constant("a@b.test"), fc.string({ unit: "binary" }));
    const attr = fc.oneof(fc.jsonValue(), anyText, fc.boolean(), fc.constantFrom("True", "False"));
    const user = fc.record(
      {
        userName: fc.oneof(attr, fc.emailAddress()),
        externalId: attr,
        name: fc.oneof(attr, fc.record({ givenName: attr, familyName: attr, formatted: attr })),
        title: attr,
        active: attr,
        [ENTERPRISE]: fc.oneof(attr, fc.record({ department: attr, manager: attr })),
      },
      { requiredKeys: [] },
    );
    const path = fc.oneof(
      fc.constantFrom(
        "active",
        "userName",
        "name.givenName",
        "name",
        "title",
        `${ENTERPRISE}:manager`,
        `${ENTERPRISE}:department`,
        ENTERPRISE,
        'emails[type eq "work"].value',
      ),
      fc.string(),
    );
    const operation = fc.record(
      {
        op: fc.oneof(fc.constantFrom("add", "Replace", "remove"), fc.jsonValue()),
        path,
        value: fc.oneof(attr, user),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), user),
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            schemas: fc.constant([PATCH]),
            Operations: fc.array(operation, { maxLength: 4 }),
          }),
        ),
        async (created, patch) => {
          const a = await call(usersAction, scim("POST", "/scim/v2/Users", created), ctx);
          expect(a.status).toBeLessThan(500);
          const b = await one("PATCH", target.id, patch);
          expect(b.status).toBeLessThan(500);
          const c = await one("PUT", target.id, created);
          expect(c.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("an unknown or malformed id is 404", async () => {
    await expectError(await one("GET", crypto.randomUUID()), 404);
    await expectError(await one("GET", "not-a-uuid"), 404);
    await expectError(
      await one("PATCH", crypto.randomUUID(), { schemas: [PATCH], Operations: [] }),
      404,
    );
    await expectError(await one("DELETE", "'; drop table users"), 404);
  });

  it("startIndex and count page through Users; a bad count is 400", async () => {
    const page = await json(
      await call(usersLoader, scim("GET", "/scim/v2/Users?startIndex=2&count=2"), ctx),
    );
    expect(page.startIndex).toBe(2);
    expect(page.itemsPerPage).toBe(2);
    expect(page.totalResults).toBeGreaterThan(3);
    await expectError(
      await call(usersLoader, scim("GET", "/scim/v2/Users?count=lots"), ctx),
      400,
      "invalidValue",
    );
  });
});

describe("discovery", () => {
  it("ServiceProviderConfig, Schemas and ResourceTypes describe Users with the enterprise extension", async () => {
    const spc = await json(
      await call(spcLoader, scim("GET", "/scim/v2/ServiceProviderConfig"), ctx),
    );
    expect(spc.patch.supported).toBe(true);
    expect(spc.filter.supported).toBe(true);
    const schemas = await json(await call(schemasLoader, scim("GET", "/scim/v2/Schemas"), ctx));
    expect(schemas.Resources.map((s: { id: string }) => s.id)).toEqual([CORE, ENTERPRISE]);
    const types = await json(await call(typesLoader, scim("GET", "/scim/v2/ResourceTypes"), ctx));
    expect(types.Resources[0]).toMatchObject({ endpoint: "/Users", schema: CORE });
  });

  it("is not for cookies: a signed-in admin's session alone gets 401", async () => {
    const admin = await makeUser(handle.db, ["admin"]);
    const request = get("/scim/v2/Users", await sessionCookie(ctx, admin.id));
    await expectError(await call(usersLoader, request, ctx), 401);
  });
});
