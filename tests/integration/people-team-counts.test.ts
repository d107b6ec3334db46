import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client";
import {
  countPeople,
  listDirectoryTeams,
  type PeopleFilters,
} from "../../app/models/people.server";
import { makeUser } from "../helpers/app";
import { countingStatements, createTestDb } from "../helpers/db";

// The directory's totals and team choices come from people_team_counts (migration 0018), which
// triggers keep. Each test compares them with a count of the people themselves.
let handle: DbHandle;
type U = Awaited<ReturnType<typeof makeUser>>;
let leader: U;

beforeAll(async () => {
  handle = await createTestDb();
  leader = await makeUser(handle.db, ["leader"], "Lee Leader");
});
afterAll(async () => {
  await handle.close();
});

/** The counts the table holds, and the same counted from `people`, per team (zero rows left out). */
async function both() {
  const kept = await sql<{ team: string; active: number; gone: number }>`
    select team, active, gone from people_team_counts where active <> 0 or gone <> 0 order by team`.execute(
    handle.db,
  );
  const counted = await sql<{ team: string; active: number; gone: number }>`
    select team, (count(*) filter (where left_on is null))::int as active,
      (count(*) filter (where left_on is not null))::int as gone
    from people group by team order by team`.execute(handle.db);
  const plain = (rows: { team: string; active: number; gone: number }[]) =>
    rows.map((r) => ({ team: r.team, active: Number(r.active), gone: Number(r.gone) }));
  return { kept: plain(kept.rows), counted: plain(counted.rows) };
}

async function directCount(filters: PeopleFilters) {
  const status = filters.status ?? "active";
  let q = handle.db.selectFrom("people").select((eb) => eb.fn.countAll<number>().as("n"));
  if (status === "active") q = q.where("left_on", "is", null);
  if (status === "left") q = q.where("left_on", "is not", null);
  if (filters.team) q = q.where("team", "=", filters.team);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function expectConsistent() {
  const { kept, counted } = await both();
  expect(kept).toEqual(counted);
  for (const status of ["active", "left", "all"] as const)
    for (const team of [undefined, "Platform", "Data", "Nowhere", ""]) {
      const filters = { status, team };
      expect(await countPeople(handle.db, leader, filters)).toBe(await directCount(filters));
    }
  const teams = await listDirectoryTeams(handle.db);
  expect(teams).toEqual(
    counted
      .filter((r) => r.team !== "")
      .sort(
        (a, b) =>
          a.team.toLowerCase().localeCompare(b.team.toLowerCase()) || (a.team < b.team ? -1 : 1),
      )
      .map((r) => ({ team: r.team, active: r.active })),
  );
}

describe("the directory's per-team counts", () => {
  it("follow inserts, moves between teams, leaving and coming back, and deletes", async () => {
    await expectConsistent();
    const rows = await handle.db
      .insertInto("people")
      .values([
        { name: "Ada One", team: "Platform" },
        { name: "Bo Two", team: "Platform" },
        { name: "Cy Three", team: "Data" },
        { name: "Di Four", team: "" },
        { name: "Ed Five", team: "Data", left_on: "2026-10-01" },
      ])
      .returning(["id", "name"])
      .execute();
    const id = (name: string) => rows.find((r) => r.name === name)!.id;
    await expectConsistent();

    // A move, someone leaving, a change that moves nobody, and two at once.
    await handle.db
      .updateTable("people")
      .set({ team: "Data" })
      .where("id", "=", id("Ada One"))
      .execute();
    await expectConsistent();
    await handle.db
      .updateTable("people")
      .set({ left_on: "2026-11-30" })
      .where("id", "=", id("Bo Two"))
      .execute();
    await expectConsistent();
    await handle.db
      .updateTable("people")
      .set({ title: "Engineer" })
      .where("team", "=", "Data")
      .execute();
    await expectConsistent();
    await handle.db
      .updateTable("people")
      .set({ team: "Platform", left_on: null })
      .where("id", "in", [id("Ed Five"), id("Cy Three")])
      .execute();
    await expectConsistent();

    // Deleting, and a team whose people all went elsewhere: no longer a choice.
    await handle.db.deleteFrom("people").where("id", "=", id("Di Four")).execute();
    await handle.db
      .updateTable("people")
      .set({ team: "Platform" })
      .where("team", "=", "Data")
      .execute();
    await expectConsistent();
    expect((await listDirectoryTeams(handle.db)).map((t) => t.team)).not.toContain("Data");
  });

  it("stay exact when 24 writers move, add, remove and let go people of the same teams at once", async () => {
    // On PostgreSQL these run on separate connections and really overlap: each holds its write a moment
    // before committing, so two statements add to the same team's row at once. On PGlite they queue.
    const seeded = await handle.db
      .insertInto("people")
      .values(
        Array.from({ length: 24 }, (_, i) => ({
          name: `Racer ${i}`,
          team: i % 2 ? "Race A" : "Race B",
        })),
      )
      .returning("id")
      .execute();
    const writers: ((trx: typeof handle.db, i: number) => Promise<unknown>)[] = [
      (trx, i) =>
        trx.updateTable("people").set({ team: "Race B" }).where("id", "=", seeded[i].id).execute(),
      (trx, i) =>
        trx
          .insertInto("people")
          .values({ name: `Joiner ${i}`, team: i % 2 ? "Race A" : "Race C" })
          .execute(),
      (trx, i) =>
        trx
          .updateTable("people")
          .set({ left_on: "2026-11-30" })
          .where("id", "=", seeded[i].id)
          .execute(),
      (trx, i) => trx.deleteFrom("people").where("id", "=", seeded[i].id).execute(),
      (trx, i) =>
        trx
          .updateTable("people")
          .set({ team: "Race C" })
          .where("id", "in", [seeded[i].id, seeded[(i + 12) % 24].id])
          .execute(),
    ];
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        handle.db.transaction().execute(async (trx) => {
          await writers[i % writers.length](trx, i);
          await sql`select pg_sleep(0.02)`.execute(trx);
        }),
      ),
    );
    await expectConsistent();
  });

  it("reads an unsearched total in one statement, and counts a search from the people", async () => {
    const { db, counter } = countingStatements(handle.db);
    expect(await countPeople(db, leader, { status: "all" })).toBe(
      await directCount({ status: "all" }),
    );
    expect(counter.statements).toBe(1);
    expect(await countPeople(handle.db, leader, { q: "ada", status: "all" })).toBe(1);
    expect(await countPeople(handle.db, leader, { q: "nobody-like-this" })).toBe(0);
  });

  it("counts nothing for a viewer without the directory", async () => {
    const outsider = await makeUser(handle.db, [], "Out Sider");
    expect(await countPeople(handle.db, outsider, {})).toBe(0);
  });
});
