/**
 * Importing and exporting the directory as CSV: the upload, the preview, the one
 * transaction that applies it, and the export that imports back to no change.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  action as uploadAction,
  loader as uploadLoader,
} from "../../app/routes/admin.people.import._index";
import {
  action as previewAction,
  loader as previewLoader,
} from "../../app/routes/admin.people.import.$importId";
import { loader as exportLoader } from "../../app/routes/admin.people[.]csv";
import { ERRORS_SHOWN, IMPORT_MAX_BYTES } from "../../app/models/people-import.server";
import {
  BASE,
  body,
  call,
  get,
  makeContext,
  makeUser,
  post,
  sessionCookie,
  type TestClock,
} from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
const clock: TestClock = { now: new Date("2026-12-01T10:00:00Z") };
const TODAY = "2026-12-01";
const ctx = () => makeContext(handle.db, clock);
let admin: Awaited<ReturnType<typeof makeUser>>;
let adminCookie: string;
let managerCookie: string;
let leaderCookie: string;

beforeAll(async () => {
  handle = await createTestDb();
  admin = await makeUser(handle.db, ["admin"], "Ida Admin");
  adminCookie = await sessionCookie(ctx(), admin.id);
  managerCookie = await sessionCookie(ctx(), (await makeUser(handle.db, ["manager"])).id);
  leaderCookie = await sessionCookie(ctx(), (await makeUser(handle.db, ["leader"])).id);
});
afterAll(async () => {
  await handle?.close();
});

function upload(content: string | Uint8Array, cookie = adminCookie, fileName = "people.csv") {
  const form = new FormData();
  form.append("file", new File([content as BlobPart], fileName, { type: "text/csv" }));
  return call(
    uploadAction,
    new Request(`${BASE}/admin/people/import`, {
      method: "POST",
      body: form,
      headers: { Cookie: cookie },
    }),
    ctx(),
  );
}

/** Uploads the file and answers its import id (the upload redirects to the preview). */
async function uploaded(content: string | Uint8Array): Promise<string> {
  const res = await upload(content);
  expect(res.status, await res.clone().text()).toBe(302);
  const id = res.headers.get("Location")!.split("/").pop()!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

async function preview(importId: string, cookie = adminCookie) {
  const res = await call(previewLoader, get(`/admin/people/import/${importId}`, cookie), ctx(), {
    importId,
  });
  return { status: res.status, data: res.status === 200 ? await body(res) : null };
}

async function apply(importId: string, fields: Record<string, string> = {}) {
  const { data } = await preview(importId);
  return call(
    previewAction,
    post(
      `/admin/people/import/${importId}`,
      { intent: "apply", fingerprint: data?.preview?.fingerprint ?? "0".repeat(64), ...fields },
      adminCookie,
    ),
    ctx(),
    { importId },
  );
}

async function importFile(content: string, fields: Record<string, string> = {}) {
  const id = await uploaded(content);
  const res = await apply(id, fields);
  expect(res.status, await res.clone().text()).toBe(302);
  return id;
}

async function person(email: string) {
  return handle.db
    .selectFrom("people as p")
    .leftJoin("people as m", "m.id", "p.manager_id")
    .select([
      "p.id",
      "p.name",
      "p.title",
      "p.team",
      "p.left_on",
      "p.version",
      "p.user_id",
      "m.email as manager_email",
    ])
    .where("p.email", "=", email)
    .executeTakeFirst();
}

async function auditRows(importId: string) {
  return handle.db
    .selectFrom("audit_events")
    .select(["action", "entity", "entity_id", "details", "outcome"])
    .where(sql<boolean>`details->>'importId' = ${importId} or entity_id = ${importId}`)
    .orderBy("id")
    .execute();
}

async function counts() {
  const [people, imports, audits] = await Promise.all(
    ["people", "people_imports", "audit_events"].map((t) =>
      sql<{ n: string }>`select count(*)::text as n from ${sql.table(t)}`.execute(handle.db),
    ),
  );
  return { people: people.rows[0].n, imports: imports.rows[0].n, audits: audits.rows[0].n };
}

// Reports come before their managers: the manager of line 2 is on line 4, of line 4 on line 5.
const ORG = [
  "Email,Name,Title,Team,Manager_Email,Status",
  "ana@org.test,Ana Alves,Engineer,Platform,bo@org.test,",
  "cy@org.test,Cy Chen,Engineer,Platform,bo@org.test,active",
  "bo@org.test,Bo Berg,Engineering Manager,Platform,di@org.test,",
  "di@org.test,Di Dahl,VP Engineering,,,",
].join("\r\n");

describe("a worked import", () => {
  let importId: string;

  it("previews what will be created, with managers named later in the file", async () => {
    importId = await uploaded(ORG);
    const { status, data } = await preview(importId);
    expect(status).toBe(200);
    const p = data.preview;
    expect(p.errors).toEqual([]);
    expect(p.counts).toMatchObject({ created: 4, changed: 0, unchanged: 0 });
    expect(p.creates.map((c: { line: number; email: string }) => [c.line, c.email])).toEqual([
      [2, "ana@org.test"],
      [3, "cy@org.test"],
      [4, "bo@org.test"],
      [5, "di@org.test"],
    ]);
    // The preview changed nothing.
    expect(await person("ana@org.test")).toBeUndefined();
  });

  it("applies it in one go, with every manager set and one audit row per person", async () => {
    const res = await apply(importId);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/admin/people/import/${importId}`);
    expect(await person("ana@org.test")).toMatchObject({
      name: "Ana Alves",
      title: "Engineer",
      team: "Platform",
      manager_email: "bo@org.test",
      left_on: null,
    });
    expect((await person("bo@org.test"))?.manager_email).toBe("di@org.test");
    expect((await person("di@org.test"))?.manager_email).toBeNull();

    const rows = await auditRows(importId);
    const created = rows.filter((r) => r.action === "person.create");
    expect(created).toHaveLength(4);
    expect(created.every((r) => r.entity === "person")).toBe(true);
    const ana = await person("ana@org.test");
    const di = await person("di@org.test");
    expect(created.find((r) => r.entity_id === ana!.id)?.details).toEqual({
      importId,
      fields: ["name", "email", "title", "team", "manager"],
    });
    expect(created.find((r) => r.entity_id === di!.id)?.details).toEqual({
      importId,
      fields: ["name", "email", "title"],
    });
    // Field names only, never the values.
    expect(JSON.stringify(rows)).not.toContain("Ana Alves");
    expect(JSON.stringify(rows)).not.toContain("Engineer");
    const applied = rows.find((r) => r.action === "people_import.apply");
    expect(applied?.details).toMatchObject({ created: 4, changed: 0, markedLeft: 0 });

    // The stored file is cleared, and the page confirms what was done.
    const stored = await handle.db
      .selectFrom("people_imports")
      .select(["content", "applied_at", "applied_by"])
      .where("id", "=", importId)
      .executeTakeFirstOrThrow();
    expect(stored.content).toBeNull();
    expect(stored.applied_by).toBe(admin.id);
    const { data } = await preview(importId);
    expect(data.preview).toBeNull();
    expect(data.applied.summary).toMatchObject({ created: 4, changed: 0 });
  });

  it("answers a second Apply of the same import that it was already applied", async () => {
    const before = await counts();
    const res = await call(
      previewAction,
      post(
        `/admin/people/import/${importId}`,
        { intent: "apply", fingerprint: "a".repeat(64) },
        adminCookie,
      ),
      ctx(),
      { importId },
    );
    expect(res.status).toBe(409);
    expect((await body(res)).formError).toMatch(/already applied/);
    const after = await counts();
    expect(after.people).toBe(before.people);
  });

  it("changes nothing when the same file is imported again, and writes no audit rows for people", async () => {
    const again = await uploaded(ORG);
    const { data } = await preview(again);
    expect(data.preview.counts).toMatchObject({ created: 0, changed: 0, unchanged: 4 });
    const versions = await Promise.all(
      ["ana", "bo", "cy", "di"].map(async (n) => (await person(`${n}@org.test`))?.version),
    );
    expect((await apply(again)).status).toBe(302);
    expect(
      await Promise.all(
        ["ana", "bo", "cy", "di"].map(async (n) => (await person(`${n}@org.test`))?.version),
      ),
    ).toEqual(versions);
    const rows = await auditRows(again);
    expect(rows.filter((r) => r.entity === "person")).toEqual([]);
    expect(rows.find((r) => r.action === "people_import.apply")?.details).toMatchObject({
      created: 0,
      changed: 0,
      unchanged: 4,
    });
  });

  it("shows a change as before → after, and applies only what changed", async () => {
    const changed = ORG.replace(
      "cy@org.test,Cy Chen,Engineer,Platform,bo@org.test,active",
      "cy@org.test,Cy Chen,Staff Engineer,Platform,di@org.test,left",
    );
    const id = await uploaded(changed);
    const { data } = await preview(id);
    expect(data.preview.counts).toMatchObject({ created: 0, changed: 1, unchanged: 3 });
    expect(data.preview.changes).toEqual([
      {
        line: 3,
        email: "cy@org.test",
        name: "Cy Chen",
        changes: [
          { field: "title", before: "Engineer", after: "Staff Engineer" },
          { field: "manager", before: "bo@org.test", after: "di@org.test" },
          { field: "status", before: "active", after: "left" },
        ],
      },
    ]);
    const before = await person("cy@org.test");
    expect((await apply(id)).status).toBe(302);
    const after = await person("cy@org.test");
    expect(after).toMatchObject({
      title: "Staff Engineer",
      manager_email: "di@org.test",
      version: before!.version + 1,
    });
    expect(after!.left_on).not.toBeNull();
    const rows = await auditRows(id);
    expect(rows.filter((r) => r.entity === "person")).toEqual([
      expect.objectContaining({
        action: "person.update",
        entity_id: before!.id,
        details: { importId: id, fields: ["title", "manager", "status"] },
      }),
    ]);
  });

  it("leaves people missing from the file alone unless the admin ticks the box", async () => {
    const without = ORG.split("\r\n")
      .filter((l) => !l.startsWith("ana@") && !l.startsWith("cy@"))
      .join("\r\n");
    const id = await uploaded(without);
    const { data } = await preview(id);
    const missing = data.preview.missing.map((m: { email: string }) => m.email);
    // Ana is missing and active; Cy has already left, so there is nothing to mark.
    expect(missing).toContain("ana@org.test");
    expect(missing).not.toContain("cy@org.test");
    // The admin's own person (made with the account) is in the directory too.
    expect(data.preview.counts.missing).toBe(missing.length);
    expect((await apply(id)).status).toBe(302);
    expect((await person("ana@org.test"))?.left_on).toBeNull();

    const ticked = await uploaded(without);
    expect((await apply(ticked, { markMissingLeft: "on" })).status).toBe(302);
    const ana = await person("ana@org.test");
    expect(ana?.left_on).not.toBeNull();
    const rows = await auditRows(ticked);
    expect(rows.filter((r) => r.action === "person.leave").map((r) => r.entity_id)).toContain(
      ana!.id,
    );
    expect(rows.find((r) => r.action === "people_import.apply")?.details).toMatchObject({
      markedLeft: missing.length,
    });
  });
});

describe("bad files", () => {
  async function previewErrors(content: string) {
    const id = await uploaded(content);
    const { data } = await preview(id);
    return {
      id,
      data: data.preview,
      messages: data.preview.errors.map((e: { message: string }) => e.message) as string[],
    };
  }

  it("refuses a file that is not UTF-8, naming the line, and stores nothing", async () => {
    const before = await counts();
    const latin1 = new Uint8Array([
      ...new TextEncoder().encode("email,name\nzoe@org.test,Zoe\nrene@org.test,Ren"),
      0xe9, // "é" in Latin-1: not UTF-8
      0x0a,
    ]);
    const res = await upload(latin1);
    expect(res.status).toBe(400);
    expect((await body(res)).fieldErrors.file).toEqual([
      "The file is not UTF-8 text (first bad byte on line 3): save it as CSV UTF-8 and upload it again.",
    ]);
    expect(await counts()).toEqual(before);
  });

  it("takes a UTF-8 file with a BOM and non-ASCII names", async () => {
    const id = await uploaded("\uFEFFemail,name\nrene@org.test,René Ørsted\n");
    const { data } = await preview(id);
    expect(data.preview.errors).toEqual([]);
    expect(data.preview.creates[0]).toMatchObject({ line: 2, name: "René Ørsted" });
  });

  it("names the missing required columns, and offers no Apply", async () => {
    const before = await person("ana@org.test");
    const { id, messages, data } = await previewErrors("mail,full name,team\na@org.test,A,X\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/header row has no email and name columns/);
    expect(data.errorCount).toBe(1);
    const res = await apply(id);
    expect(res.status).toBe(400);
    expect((await body(res)).formError).toMatch(/nothing was applied/);
    expect(await person("ana@org.test")).toEqual(before);
  });

  it("lists every bad line with its reason, duplicates naming both lines, and applies nothing", async () => {
    const before = await counts();
    const { id, messages } = await previewErrors(
      [
        "email,name,manager_email,status",
        "new1@org.test,New One,,", // good, but must not be created while others are bad
        "not-an-email,Bad Email,,",
        "new2@org.test,,,",
        "new3@org.test,Three,,retired",
        "new1@org.test,Again,,",
        "new4@org.test,Four,nobody@org.test,",
        "new5@org.test,Five,new5@org.test,",
      ].join("\n"),
    );
    expect(messages).toEqual([
      "Line 3: “not-an-email” is not an email address.",
      "Line 4: the name is empty.",
      "Line 5: the status “retired” is neither “active” nor “left”.",
      "Line 6: “new1@org.test” is also on line 2.",
      "Line 7: the manager “nobody@org.test” is neither in this file nor in the directory.",
      "Line 8: a person cannot be their own manager.",
    ]);
    expect((await apply(id)).status).toBe(400);
    const after = await counts();
    expect(after.people).toBe(before.people);
    expect(await person("new1@org.test")).toBeUndefined();
  });

  it("refuses a manager cycle in the file, naming the lines involved", async () => {
    const { id, messages } = await previewErrors(
      [
        "email,name,manager_email",
        "x@org.test,X,y@org.test",
        "ok@org.test,Fine,",
        "y@org.test,Y,z@org.test",
        "z@org.test,Z,x@org.test",
      ].join("\n"),
    );
    expect(messages).toEqual([
      "Lines 2, 4 and 5: the manager chain loops: x@org.test → y@org.test → z@org.test → x@org.test.",
    ]);
    expect((await apply(id)).status).toBe(400);
    expect(await person("ok@org.test")).toBeUndefined();
  });

  it("refuses a cycle that runs through the directory", async () => {
    // Bo is managed by Di in the directory; making Di report to Ana, who reports to Bo, closes a loop.
    const { messages } = await previewErrors(
      [
        "email,name,manager_email",
        "di@org.test,Di Dahl,ana@org.test",
        "ana@org.test,Ana Alves,bo@org.test",
      ].join("\n"),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^Lines 2 and 3: the manager chain loops: /);
    expect(messages[0]).toContain("Bo Berg");
  });

  it("counts lines as an editor does: blank lines, empty rows and line breaks inside quotes", async () => {
    const { messages } = await previewErrors(
      'email,name\r\n\r\nml@org.test,"Multi\r\nLine"\r\n,\r\nbad-address,X\nalso-bad,Y\r\n',
    );
    expect(messages).toEqual([
      "Line 6: “bad-address” is not an email address.",
      "Line 7: “also-bad” is not an email address.",
    ]);
  });

  it("caps the list of errors and says how many more there are", async () => {
    const lines = ["email,name"];
    for (let i = 0; i < ERRORS_SHOWN + 50; i++) lines.push(`bad${i},Name`);
    const { data } = await previewErrors(lines.join("\n"));
    expect(data.errors).toHaveLength(ERRORS_SHOWN);
    expect(data.errorCount).toBe(ERRORS_SHOWN + 50);
  });

  it("names the line of a broken quote", async () => {
    const { messages } = await previewErrors('email,name\nq@org.test,"Quinn "Q" Quest"\n');
    expect(messages).toEqual([
      'Line 2: a quote inside a value must be written twice ("") and the value quoted.',
    ]);
  });

  it("refuses 50 MB of junk with 413 without reading it all, and stores nothing", async () => {
    const before = await counts();
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 251);
    const junk = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 50 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await call(
      uploadAction,
      new Request(`${BASE}/admin/people/import`, {
        method: "POST",
        body: junk,
        // Node needs duplex for a streamed body.
        duplex: "half",
        headers: { Cookie: adminCookie, "Content-Type": "multipart/form-data; boundary=x" },
      }),
      ctx(),
    );
    expect(res.status).toBe(413);
    expect((await body(res)).fieldErrors.file[0]).toMatch(/larger than 5 MB/);
    expect(sent).toBeLessThan(10 * 1024 * 1024);
    expect(await counts()).toEqual(before);

    // Said up front by Content-Length: refused before anything is read.
    const declared = await call(
      uploadAction,
      new Request(`${BASE}/admin/people/import`, {
        method: "POST",
        body: "x",
        headers: {
          Cookie: adminCookie,
          "Content-Type": "multipart/form-data; boundary=x",
          "Content-Length": String(50 * 1024 * 1024),
        },
      }),
      ctx(),
    );
    expect(declared.status).toBe(413);
  });

  it("refuses a file just over the limit, and an upload without a file", async () => {
    const before = await counts();
    const big = `email,name\n${"a".repeat(IMPORT_MAX_BYTES)}\n`;
    expect((await upload(big)).status).toBe(413);
    expect((await upload("")).status).toBe(400);
    const plain = await call(
      uploadAction,
      post("/admin/people/import", { file: "people.csv" }, adminCookie),
      ctx(),
    );
    expect(plain.status).toBe(400);
    expect((await body(plain)).fieldErrors.file).toEqual(["Choose a CSV file to upload."]);
    expect(await counts()).toEqual(before);
  });

  it("refuses an Apply of a preview the directory has moved on from", async () => {
    const id = await uploaded("email,name,title\nfay@org.test,Fay,Engineer\n");
    const { data } = await preview(id);
    // Someone adds Fay by hand between the preview and the Apply.
    await handle.db.insertInto("people").values({ name: "Fay", email: "fay@org.test" }).execute();
    const res = await call(
      previewAction,
      post(
        `/admin/people/import/${id}`,
        { intent: "apply", fingerprint: data.preview.fingerprint },
        adminCookie,
      ),
      ctx(),
      { importId: id },
    );
    expect(res.status).toBe(409);
    expect((await body(res)).formError).toMatch(/directory changed/);
    expect((await person("fay@org.test"))?.title).toBe("");
  });
});

describe("export", () => {
  it("downloads the directory in the import format, and importing it back changes nothing", async () => {
    // A name a spreadsheet would run as a formula, and a person who has left.
    await importFile('email,name,team,status\neq@org.test,=SUM(A1),"Ops, Tools",left\n');
    const res = await call(exportLoader, get("/admin/people.csv", adminCookie), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toBe(
      `attachment; filename="people-${TODAY}.csv"`,
    );
    const csv = await res.text();
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("email,name,title,team,manager_email,status");
    const emails = lines.slice(1, -1).map((l) => l.split(",")[0]);
    expect(emails).toEqual([...emails].sort());
    expect(csv).toContain(`eq@org.test,'=SUM(A1),,"Ops, Tools",,left`);
    expect(csv).toContain("ana@org.test,Ana Alves,Engineer,Platform,bo@org.test,left");

    const id = await uploaded(csv);
    const { data } = await preview(id);
    expect(data.preview.errors).toEqual([]);
    expect(data.preview.counts).toMatchObject({ created: 0, changed: 0, missing: 0 });
    expect(data.preview.counts.unchanged).toBe(emails.length);
    expect((await person("eq@org.test"))?.name).toBe("=SUM(A1)");
  });
});

describe("who may import", () => {
  it("refuses everyone but admins with 403, and audits the refusal", async () => {
    const id = await uploaded(ORG);
    for (const cookie of [managerCookie, leaderCookie]) {
      expect((await call(uploadLoader, get("/admin/people/import", cookie), ctx())).status).toBe(
        403,
      );
      expect((await upload(ORG, cookie)).status).toBe(403);
      expect((await preview(id, cookie)).status).toBe(403);
      const res = await call(
        previewAction,
        post(
          `/admin/people/import/${id}`,
          { intent: "apply", fingerprint: "a".repeat(64) },
          cookie,
        ),
        ctx(),
        { importId: id },
      );
      expect(res.status).toBe(403);
      expect((await call(exportLoader, get("/admin/people.csv", cookie), ctx())).status).toBe(403);
    }
    const denied = await handle.db
      .selectFrom("audit_events")
      .select("entity_id")
      .where("action", "=", "access.denied")
      .where("entity_id", "like", "/admin/people%")
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(10);
    // Without a session: the login page.
    expect((await call(uploadLoader, get("/admin/people/import"), ctx())).status).toBe(302);
  });

  it("answers an unknown import with 404", async () => {
    expect((await preview("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await preview("not-a-uuid")).status).toBe(404);
  });

  it("drops previews nobody applied within a day, with their file, at the next upload", async () => {
    const stale = await uploaded("email,name\nold.preview@example.test,Old Preview\n");
    const fresh = await uploaded("email,name\nnew.preview@example.test,New Preview\n");
    await sql`update people_imports set created_at = now() - interval '25 hours' where id = ${stale}`.execute(
      handle.db,
    );
    const next = await uploaded("email,name\nnext.preview@example.test,Next Preview\n");
    const left = await handle.db.selectFrom("people_imports").select("id").execute();
    const ids = left.map((r) => r.id);
    expect(ids).not.toContain(stale);
    expect(ids).toEqual(expect.arrayContaining([fresh, next]));
  });

  it("refuses to apply a preview more than a day old (its file is not kept), and audits it", async () => {
    const id = await uploaded("email,name\nlate.apply@example.test,Late Apply\n");
    await sql`update people_imports set created_at = now() - interval '25 hours' where id = ${id}`.execute(
      handle.db,
    );
    const res = await apply(id);
    expect(res.status).toBe(409);
    expect((await body(res)).formError).toMatch(/more than a day old/);
    const person = await handle.db
      .selectFrom("people")
      .select("id")
      .where("email", "=", "late.apply@example.test")
      .executeTakeFirst();
    expect(person).toBeUndefined();
    const denied = await handle.db
      .selectFrom("audit_events")
      .select(["outcome", "details"])
      .where("action", "=", "people_import.apply")
      .where("entity_id", "=", id)
      .execute();
    expect(denied).toEqual([{ outcome: "denied", details: { reason: "expired" } }]);
  });
});
