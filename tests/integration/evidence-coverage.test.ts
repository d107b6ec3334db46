/**
 * evidence_coverage (migration 0004) is kept by triggers. Whatever happens to notes — created, edited
 * with other dimensions or another date, retracted, deleted, a dimension removed, the person erased,
 * many written at once — it must equal the same facts computed from the notes themselves.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB, DbHandle } from "../../db/client";
import { getEvidenceSummary } from "../../app/models/evidence.server";
import {
  createObservation,
  deleteObservation,
  retractObservation,
  updateObservation,
} from "../../app/models/observation.server";
import { makeUser } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let handle: DbHandle;
let db: DB;
const ids = { ann: "", bob: "", candidate: "", other: "", d1: "", d2: "", d3: "" };

type Row = {
  candidate_id: string;
  dimension_id: string;
  author_id: string;
  observations: number;
  last_observed_on: string;
};

/** The table, and the same facts from the notes, in one order. */
async function bothWays() {
  const kept =
    await sql<Row>`select candidate_id, dimension_id, author_id, observations, last_observed_on::text from evidence_coverage
    order by 1, 2, 3`.execute(db);
  const fromNotes =
    await sql<Row>`select o.candidate_id, od.dimension_id, o.author_id, count(*)::int as observations, max(o.observed_on)::text as last_observed_on
    from observations o join observation_dimensions od on od.observation_id = o.id where o.retracted_at is null
    group by 1, 2, 3 order by 1, 2, 3`.execute(db);
  return {
    kept: kept.rows.map((r) => ({ ...r, observations: Number(r.observations) })),
    fromNotes: fromNotes.rows,
  };
}

async function expectConsistent() {
  const { kept, fromNotes } = await bothWays();
  expect(kept).toEqual(fromNotes);
  return kept;
}

const text = {
  situation: "In the incident review",
  behavior: "Asked who had not spoken yet",
  impact: "Two more causes surfaced",
  signal: "strength" as const,
};

async function insertCandidate(name: string) {
  const row = await db
    .insertInto("candidates")
    .values({
      name,
      track: "people_leadership",
      manager_id: ids.ann,
      nominated_by: ids.ann,
      nominated_reason: "r",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function note(
  authorId: string,
  candidateId: string,
  observedOn: string,
  dimensionIds: string[],
) {
  return db.transaction().execute((trx) =>
    createObservation(trx, {
      ...text,
      observedOn,
      dimensionIds,
      candidateId,
      authorId,
      assignmentId: null,
      idempotencyKey: randomUUID(),
      now: new Date(),
    }),
  );
}

beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  ids.ann = (await makeUser(db, ["manager"], "Ann Author")).id;
  ids.bob = (await makeUser(db, ["manager"], "Bob Author")).id;
  const dims = await db
    .insertInto("dimensions")
    .values(
      [1, 2, 3].map((n) => ({
        key: `cov${n}`,
        name: `Coverage ${n}`,
        description: "",
        position: 100 + n,
      })),
    )
    .returning("id")
    .execute();
  [ids.d1, ids.d2, ids.d3] = dims.map((d) => d.id);
  for (const key of ["candidate", "other"] as const)
    ids[key] = await insertCandidate(`Casey ${key}`);
});
afterAll(async () => {
  await handle?.close();
});

describe("evidence_coverage", () => {
  it("counts new notes per dimension and author, with the latest date", async () => {
    await note(ids.ann, ids.candidate, "2026-10-01", [ids.d1, ids.d2]);
    await note(ids.ann, ids.candidate, "2026-11-01", [ids.d1]);
    await note(ids.bob, ids.candidate, "2026-09-15", [ids.d1]);
    await note(ids.bob, ids.other, "2026-08-01", [ids.d3]);
    const kept = await expectConsistent();
    const d1 = kept.filter((r) => r.candidate_id === ids.candidate && r.dimension_id === ids.d1);
    expect(d1.map((r) => [r.author_id, r.observations, r.last_observed_on])).toEqual(
      [
        [ids.ann, 2, "2026-11-01"],
        [ids.bob, 1, "2026-09-15"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // What the profile shows: observations summed, observers counted, never combined into one number.
    const { coverage } = await getEvidenceSummary(db, { candidateId: ids.candidate });
    const byId = new Map(coverage.map((c) => [c.id, c]));
    expect(byId.get(ids.d1)).toMatchObject({
      observations: 3,
      observers: 2,
      last_observed_on: "2026-11-01",
    });
    expect(byId.get(ids.d2)).toMatchObject({
      observations: 1,
      observers: 1,
      last_observed_on: "2026-10-01",
    });
    expect(byId.get(ids.d3)).toMatchObject({
      observations: 0,
      observers: 0,
      last_observed_on: null,
    });
  });

  it("follows an edit that changes the date and the dimensions", async () => {
    const { id } = await note(ids.ann, ids.candidate, "2026-11-10", [ids.d2]);
    await expectConsistent();
    const version = (
      await db
        .selectFrom("observations")
        .select("version")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).version;
    const result = await db.transaction().execute((trx) =>
      updateObservation(trx, {
        ...text,
        observationId: id,
        version,
        editorId: ids.ann,
        now: new Date(),
        observedOn: "2026-06-01",
        dimensionIds: [ids.d3],
      }),
    );
    expect(result).not.toBe("stale");
    await expectConsistent();
  });

  it("drops a retracted note and a deleted one", async () => {
    const { id: retracted } = await note(ids.bob, ids.candidate, "2026-11-20", [ids.d2, ids.d3]);
    const { id: deleted } = await note(ids.bob, ids.candidate, "2026-11-21", [ids.d1]);
    await expectConsistent();
    await db.transaction().execute((trx) =>
      retractObservation(trx, {
        observationId: retracted,
        actorId: ids.bob,
        reason: "Wrong person",
        now: new Date(),
      }),
    );
    await expectConsistent();
    await db.transaction().execute((trx) => deleteObservation(trx, { observationId: deleted }));
    const kept = await expectConsistent();
    expect(kept.some((r) => r.author_id === ids.bob && r.last_observed_on >= "2026-11-20")).toBe(
      false,
    );
  });

  it("follows a dimension removed from a note directly", async () => {
    const { id } = await note(ids.ann, ids.other, "2026-11-02", [ids.d1, ids.d2]);
    await db
      .deleteFrom("observation_dimensions")
      .where("observation_id", "=", id)
      .where("dimension_id", "=", ids.d2)
      .execute();
    await expectConsistent();
  });

  it("follows a note moved to another person or author, for the old pair and the new", async () => {
    const { id } = await note(ids.bob, ids.other, "2026-11-05", [ids.d3]);
    await db
      .updateTable("observations")
      .set({ candidate_id: ids.candidate, author_id: ids.ann })
      .where("id", "=", id)
      .execute();
    await expectConsistent();
  });

  it("makes a new note wait for a recomputation of the same person (one advisory lock for both)", async () => {
    // On PostgreSQL: while a recomputation's transaction holds the person's lock, a note about them
    // waits, instead of inserting a row the recomputation may insert too (a duplicate key). On PGlite
    // the transactions queue anyway.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let locked = () => {};
    const lockTaken = new Promise<void>((r) => (locked = r));
    const holder = db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(4747, hashtext(${ids.other}::text))`.execute(trx);
      locked();
      await held;
    });
    await lockTaken;
    let done = false;
    const writer = note(ids.bob, ids.other, "2026-11-06", [ids.d1]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    release();
    await Promise.all([holder, writer]);
    await expectConsistent();
  });

  it("forgets an erased person with their notes", async () => {
    const gone = await insertCandidate("Casey Erased");
    await note(ids.ann, gone, "2026-11-03", [ids.d1]);
    await note(ids.bob, gone, "2026-11-04", [ids.d1, ids.d2]);
    await db.deleteFrom("candidates").where("id", "=", gone).execute();
    const kept = await expectConsistent();
    expect(kept.some((r) => r.candidate_id === gone)).toBe(false);
  });

  it("stays exact when many notes about one person are written at the same time", async () => {
    // On PostgreSQL these run on separate connections and really overlap; on PGlite they queue.
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        note(
          i % 2 ? ids.ann : ids.bob,
          ids.candidate,
          `2026-07-${String((i % 28) + 1).padStart(2, "0")}`,
          i % 3 ? [ids.d1, ids.d2] : [ids.d3],
        ),
      ),
    );
    await expectConsistent();
    // …including edits and retractions racing with new notes.
    const live = await db
      .selectFrom("observations")
      .select(["id", "version"])
      .where("candidate_id", "=", ids.candidate)
      .where("retracted_at", "is", null)
      .execute();
    await Promise.all([
      ...live.slice(0, 6).map((o) =>
        db.transaction().execute((trx) =>
          retractObservation(trx, {
            observationId: o.id,
            actorId: ids.ann,
            reason: "Test",
            now: new Date(),
          }),
        ),
      ),
      ...live.slice(6, 10).map((o) =>
        db.transaction().execute((trx) =>
          updateObservation(trx, {
            ...text,
            observationId: o.id,
            version: o.version,
            editorId: ids.ann,
            now: new Date(),
            observedOn: "2026-05-05",
            dimensionIds: [ids.d2],
          }),
        ),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        note(ids.ann, ids.candidate, "2026-11-11", i % 2 ? [ids.d1] : [ids.d3]),
      ),
    ]);
    await expectConsistent();
  });

  it("gives the profile's totals: distinct authors across dimensions and the latest live note", async () => {
    // Two people on two different dimensions: each dimension shows one observer, the person has two.
    const pair = await insertCandidate("Casey Pair");
    await note(ids.ann, pair, "2026-10-02", [ids.d1]);
    const { id: later } = await note(ids.bob, pair, "2026-10-09", [ids.d2]);
    const summary = await getEvidenceSummary(db, { candidateId: pair });
    expect(summary.coverage.filter((c) => c.observers > 0).map((c) => c.observers)).toEqual([1, 1]);
    // The nomination day (when the candidate was created) comes with the totals, for the nudges' grace period.
    const { nominated_on } = await sql<{
      nominated_on: string;
    }>`select (created_at at time zone 'UTC')::date::text as nominated_on from candidates where id = ${pair}`
      .execute(db)
      .then((r) => r.rows[0]!);
    expect(summary.totals).toEqual({ observers: 2, last_observed_on: "2026-10-09", nominated_on });
    await db.transaction().execute((trx) =>
      retractObservation(trx, {
        observationId: later,
        actorId: ids.bob,
        reason: "Wrong person",
        now: new Date(),
      }),
    );
    expect((await getEvidenceSummary(db, { candidateId: pair })).totals).toEqual({
      observers: 1,
      last_observed_on: "2026-10-02",
      nominated_on,
    });

    // And for everyone after all of the above, the same as counted from the live notes themselves.
    for (const candidateId of [ids.candidate, ids.other, pair]) {
      const fromNotes = await sql<{
        observers: number;
        last: string | null;
        nominated: string;
      }>`select count(distinct author_id)::int as observers,
        max(observed_on)::text as last,
        (select (created_at at time zone 'UTC')::date::text from candidates where id = ${candidateId}) as nominated
        from observations where candidate_id = ${candidateId} and retracted_at is null`.execute(db);
      const { totals } = await getEvidenceSummary(db, { candidateId });
      expect(totals).toEqual({
        observers: fromNotes.rows[0].observers,
        last_observed_on: fromNotes.rows[0].last,
        nominated_on: fromNotes.rows[0].nominated,
      });
    }
  });
});
