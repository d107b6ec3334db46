import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../../db/client";
import { migrationProvider } from "../../db/migrations";
import { createTestDb } from "../helpers/db";
import { FIXTURE_PASSWORD_HASH, makeUser } from "../helpers/app";

// The directory's invariants are kept by the database (decision 0017): these tests write to the
// tables directly, the way a careless caller would.

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => {
  await handle?.close();
});

async function candidate(
  managerId: string,
  fields: { name: string; email?: string | null; personId?: string },
) {
  return handle.db
    .insertInto("candidates")
    .values({
      name: fields.name,
      email: fields.email ?? null,
      track: "technical_leadership",
      manager_id: managerId,
      nominated_by: managerId,
      nominated_reason: "Spotted leading the migration",
      stage_changed_at: new Date(),
      ...(fields.personId ? { person_id: fields.personId } : {}),
    })
    .returning(["id", "person_id", "name", "email", "title"])
    .executeTakeFirstOrThrow();
}

async function person(values: { name: string; email?: string; manager_id?: string | null }) {
  return handle.db
    .insertInto("people")
    .values({
      name: values.name,
      email: values.email ?? null,
      manager_id: values.manager_id ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
}

describe("people and candidates", () => {
  it("an account joins the directory: the person with its address, or a new one", async () => {
    const existing = await person({ name: "Ada Directory", email: "ada.dir@example.test" });
    const { id: adaUser } = await handle.db
      .insertInto("users")
      .values({ email: "ada.dir@example.test", name: "Ada", password_hash: FIXTURE_PASSWORD_HASH })
      .returning("id")
      .executeTakeFirstOrThrow();
    const linked = await handle.db
      .selectFrom("people")
      .select(["id", "name"])
      .where("user_id", "=", adaUser)
      .execute();
    expect(linked).toEqual([{ id: existing.id, name: "Ada Directory" }]);

    const other = await makeUser(handle.db, ["manager"], "Brand New");
    const created = await handle.db
      .selectFrom("people")
      .select(["name", "email"])
      .where("user_id", "=", other.id)
      .executeTakeFirstOrThrow();
    expect(created.name).toBe("Brand New");
  });

  it("a candidate inserted without a person gets one; with an address it joins that person", async () => {
    const manager = await makeUser(handle.db, ["manager"]);
    const alone = await candidate(manager.id, { name: "No Address" });
    const p = await handle.db
      .selectFrom("people")
      .selectAll()
      .where("id", "=", alone.person_id)
      .executeTakeFirstOrThrow();
    expect(p.name).toBe("No Address");

    const known = await person({ name: "Grace Known", email: "grace@example.test" });
    await handle.db
      .updateTable("people")
      .set({ title: "Staff engineer" })
      .where("id", "=", known.id)
      .execute();
    const joined = await candidate(manager.id, { name: "grace", email: "Grace@Example.test" });
    expect(joined.person_id).toBe(known.id);
    // The directory's facts win over what the nomination typed.
    expect(joined).toMatchObject({
      name: "Grace Known",
      email: "grace@example.test",
      title: "Staff engineer",
    });
    // One person is one candidate.
    await expect(
      candidate(manager.id, { name: "Grace again", email: "grace@example.test" }),
    ).rejects.toMatchObject({
      code: "23505",
    });
  });

  it("a change on either side reaches the other", async () => {
    const manager = await makeUser(handle.db, ["manager"]);
    const c = await candidate(manager.id, { name: "Linus Before", email: "linus@example.test" });
    await handle.db
      .updateTable("people")
      .set({ name: "Linus After", team: "Platform" })
      .where("id", "=", c.person_id)
      .execute();
    // A new version, so that a candidate edit form read before the rename is stale, not a silent undo.
    expect(
      await handle.db
        .selectFrom("candidates")
        .select(["name", "team", "version"])
        .where("id", "=", c.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ name: "Linus After", team: "Platform", version: 2 });

    await handle.db
      .updateTable("candidates")
      .set({ name: "Linus Edited", email: "Linus.New@Example.test" })
      .where("id", "=", c.id)
      .execute();
    expect(
      await handle.db
        .selectFrom("people")
        .select(["name", "email", "team"])
        .where("id", "=", c.person_id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ name: "Linus Edited", email: "linus.new@example.test", team: "Platform" });
    expect(
      await handle.db
        .selectFrom("candidates")
        .select("email")
        .where("id", "=", c.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ email: "linus.new@example.test" });
  });

  it("refuses a manager chain that loops, in one row or across a statement of many", async () => {
    const a = await person({ name: "Loop A" });
    const b = await person({ name: "Loop B", manager_id: a.id });
    const c = await person({ name: "Loop C", manager_id: b.id });
    await expect(
      handle.db.updateTable("people").set({ manager_id: c.id }).where("id", "=", a.id).execute(),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      handle.db.updateTable("people").set({ manager_id: a.id }).where("id", "=", a.id).execute(),
    ).rejects.toMatchObject({ code: "23514" });
    // Swapping two people's places in one statement is not a loop once both rows are written.
    // Swapping two people's places in one statement (B under C, C under A) is not a loop once both rows
    // are written, though it is halfway through.
    await sql`update people set manager_id = case when id = ${b.id}::uuid then ${c.id}::uuid else ${a.id}::uuid end
              where id in (${b.id}::uuid, ${c.id}::uuid)`.execute(handle.db);
    const d = await person({ name: "Loop D", manager_id: b.id });
    // …but two rows that name each other in one statement are.
    await expect(
      sql`update people set manager_id = case when id = ${b.id}::uuid then ${d.id}::uuid else ${b.id}::uuid end
          where id in (${b.id}::uuid, ${d.id}::uuid)`.execute(handle.db),
    ).rejects.toMatchObject({ code: "23514" });
  });

  it("nominating a person carries the sniff tests offered to them into their record", async () => {
    const manager = await makeUser(handle.db, ["manager"]);
    const dimension = await handle.db
      .insertInto("dimensions")
      .values({ key: "people_schema_dim", name: "Dimension", position: 99 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const test = await handle.db
      .insertInto("sniff_tests")
      .values({
        title: "Homework",
        dimension_id: dimension.id,
        assignment: "Write it up",
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 14,
        created_by: manager.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const revision = await handle.db
      .insertInto("sniff_test_revisions")
      .values({
        sniff_test_id: test.id,
        version: 1,
        title: "Homework",
        dimension_id: dimension.id,
        assignment: "Write it up",
        rationale: "",
        signals: "",
        red_flags: "",
        timebox_days: 14,
        edited_by: manager.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const p = await person({ name: "Margaret Offered", email: "margaret@example.test" });
    const assignment = await handle.db
      .insertInto("sniff_test_assignments")
      .values({
        sniff_test_id: test.id,
        sniff_test_revision_id: revision.id,
        person_id: p.id,
        assigned_by: manager.id,
        offered_on: "2026-11-01",
        due_on: "2026-11-15",
      })
      .returning(["id", "candidate_id"])
      .executeTakeFirstOrThrow();
    expect(assignment.candidate_id).toBeNull();

    const c = await candidate(manager.id, { name: "Margaret", personId: p.id });
    const after = await handle.db
      .selectFrom("sniff_test_assignments")
      .select(["candidate_id", "person_id"])
      .where("id", "=", assignment.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ candidate_id: c.id, person_id: p.id });

    // An assignment made to a candidate names the person too.
    const direct = await handle.db
      .insertInto("sniff_test_assignments")
      .values({
        sniff_test_id: test.id,
        sniff_test_revision_id: revision.id,
        candidate_id: c.id,
        assigned_by: manager.id,
        offered_on: "2026-11-20",
        due_on: "2026-11-30",
      })
      .returning("person_id")
      .executeTakeFirstOrThrow();
    expect(direct.person_id).toBe(p.id);
  });
});

describe("the migration that made the directory", () => {
  it("gives every candidate and account a person, links them by address and copies the manager", async () => {
    const scratch = await createDb({});
    try {
      const names = Object.keys(await migrationProvider.getMigrations()).sort();
      const migrator = new Migrator({ db: scratch.db, provider: migrationProvider });
      const before = names.indexOf("2026-12-01-0010-people") - 1;
      expect((await migrator.migrateTo(names[before])).error).toBeUndefined();
      const db = scratch.db as unknown as import("kysely").Kysely<any>;
      const users = await db
        .insertInto("users")
        .values([
          { email: "mgr@example.test", name: "Manager", password_hash: "x", roles: ["manager"] },
          {
            email: "both@example.test",
            name: "Also A User",
            password_hash: "x",
            roles: ["mentor"],
          },
        ])
        .returning(["id", "email"])
        .execute();
      const mgr = users.find((u) => u.email === "mgr@example.test")!.id;
      const base = {
        track: "technical_leadership",
        manager_id: mgr,
        nominated_by: mgr,
        nominated_reason: "Seen",
      };
      await db
        .insertInto("candidates")
        .values([
          { ...base, name: "First Twin", email: "twin@example.test", created_at: "2026-01-01" },
          { ...base, name: "Second Twin", email: "TWIN@example.test", created_at: "2026-02-01" },
          { ...base, name: "Both", email: "both@example.test", title: "Engineer" },
          { ...base, name: "Nobody Knows" },
        ])
        .execute();
      // Two managers, each the other's candidate: their people would manage each other.
      const loop = await db
        .insertInto("users")
        .values([
          { email: "a.loop@example.test", name: "A Loop", password_hash: "x", roles: ["manager"] },
          { email: "b.loop@example.test", name: "B Loop", password_hash: "x", roles: ["manager"] },
        ])
        .returning(["id", "email"])
        .execute();
      const [aLoop, bLoop] = ["a.loop@example.test", "b.loop@example.test"].map(
        (e) => loop.find((u) => u.email === e)!.id,
      );
      await db
        .insertInto("candidates")
        .values([
          { ...base, name: "A Loop", email: "a.loop@example.test", manager_id: bLoop },
          { ...base, name: "B Loop", email: "b.loop@example.test", manager_id: aLoop },
        ])
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const loopers = await db
        .selectFrom("people")
        .select(["name", "manager_id"])
        .where("email", "in", ["a.loop@example.test", "b.loop@example.test"])
        .orderBy("name")
        .execute();
      expect(loopers).toEqual([
        { name: "A Loop", manager_id: null },
        { name: "B Loop", manager_id: null },
      ]);

      const rows = await db
        .selectFrom("candidates as c")
        .innerJoin("people as p", "p.id", "c.person_id")
        .leftJoin("people as m", "m.id", "p.manager_id")
        .select(["c.name", "p.name as person", "p.email", "p.user_id", "m.name as manager"])
        .where("c.name", "not like", "% Loop")
        .orderBy("c.name")
        .execute();
      const both = users.find((u) => u.email === "both@example.test")!.id;
      expect(rows).toEqual([
        {
          name: "Both",
          person: "Both",
          email: "both@example.test",
          user_id: both,
          manager: "Manager",
        },
        {
          name: "First Twin",
          person: "First Twin",
          email: "twin@example.test",
          user_id: null,
          manager: "Manager",
        },
        {
          name: "Nobody Knows",
          person: "Nobody Knows",
          email: null,
          user_id: null,
          manager: "Manager",
        },
        {
          name: "Second Twin",
          person: "Second Twin",
          email: null,
          user_id: null,
          manager: "Manager",
        },
      ]);
      const accounts = await db
        .selectFrom("people")
        .select(["name", "email"])
        .where("user_id", "=", mgr)
        .execute();
      expect(accounts).toEqual([{ name: "Manager", email: "mgr@example.test" }]);
    } finally {
      await scratch.close();
    }
    // It migrates a fresh database of its own, step by step: slow on a busy machine.
  }, 120_000);
});
