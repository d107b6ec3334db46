import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { loader as healthz } from "../../app/routes/healthz";
import { loader as readyz } from "../../app/routes/readyz";
import { call, get, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";

describe("/healthz (liveness) and /readyz (readiness)", () => {
  it("readiness is 200 while the database takes a write, and 503 with Retry-After once it does not answer; liveness stays 200", async () => {
    const handle = await createTestDb();
    const ok = await call(readyz, get("/readyz"), makeContext(handle.db));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Cache-Control")).toBe("no-store");
    const row = await handle.db
      .selectFrom("readiness_probe")
      .select("checked_at")
      .executeTakeFirst();
    expect(row?.checked_at).toBeTruthy(); // the probe really wrote
    await handle.close();
    const down = await call(readyz, get("/readyz"), makeContext(handle.db));
    expect(down.status).toBe(503);
    expect(down.headers.get("Retry-After")).toBe("5");
    expect(await down.text()).toBe("not ready: the database did not accept a write\n");
    // The process itself is fine: a load balancer should not restart it, only stop sending it requests.
    const live = await call(healthz, get("/healthz"), makeContext(handle.db));
    expect(live.status).toBe(200);
    expect(await live.text()).toBe("ok\n");
  });

  it("readiness is 503 when the database answers reads but refuses writes", async () => {
    const handle = await createTestDb();
    try {
      await sql`alter database ${sql.raw(handle.url ? `"${new URL(handle.url).pathname.slice(1)}"` : "postgres")} set default_transaction_read_only = on`.execute(
        handle.db,
      );
      // The setting applies to new sessions; on PGlite (one session) set it for this one too.
      await sql`set default_transaction_read_only = on`.execute(handle.db);
      const ctx = makeContext(handle.db);
      if (handle.url) {
        // A fresh pool connection on PostgreSQL: reconnect through a new handle so the setting is in force.
        const { createDb } = await import("../../db/client");
        const readOnly = await createDb({ databaseUrl: handle.url, poolMax: 1 });
        const response = await call(readyz, get("/readyz"), makeContext(readOnly.db));
        await readOnly.close();
        expect(response.status).toBe(503);
      } else {
        const response = await call(readyz, get("/readyz"), ctx);
        expect(response.status).toBe(503);
        expect(response.headers.get("Retry-After")).toBe("5");
      }
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0].one).toBe(1);
    } finally {
      await sql`set default_transaction_read_only = off`.execute(handle.db).catch(() => {});
      await handle.close();
    }
  });

  it("readiness is 503 when the write waits longer than its bound (a held lock), and 200 once it is released", async () => {
    const handle = await createTestDb();
    const ctx = makeContext(handle.db);
    expect((await call(readyz, get("/readyz"), ctx)).status).toBe(200);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another transaction holds the probe's row (on PGlite: the one connection) and does not finish.
    const holder = handle.db.transaction().execute(async (trx) => {
      await sql`update readiness_probe set checked_at = now() where id = 1`.execute(trx);
      locked();
      await held;
    });
    await isLocked;
    const slow = await call(readyz, get("/readyz"), ctx);
    expect(slow.status).toBe(503);
    expect(slow.headers.get("Retry-After")).toBe("5");
    expect(await slow.text()).toBe(
      "not ready: the database did not accept a write within 2000 ms\n",
    );
    release();
    await holder;
    expect((await call(readyz, get("/readyz"), ctx)).status).toBe(200);
    await handle.close();
  });

  it("readiness is 503 when the embedded database's disk is nearly full", async () => {
    const handle = await createTestDb();
    // statfs of a directory on a file system with no free blocks: /proc reports none.
    const response = await call(
      readyz,
      get("/readyz"),
      makeContext(handle.db, undefined, { dataDir: "/proc" }),
    );
    expect(response.status).toBe(503);
    expect(await response.text()).toBe("not ready: the database's disk is full\n");
    await handle.close();
  });
});
