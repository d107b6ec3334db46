import { describe, expect, it } from "vitest";
import { loader } from "../../app/routes/healthz";
import { call, get, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";

describe("/healthz", () => {
  it("answers 200 while the database answers and 503 once it does not", async () => {
    const handle = await createTestDb();
    const ok = await call(loader, get("/healthz"), makeContext(handle.db));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Cache-Control")).toBe("no-store");
    await handle.close();
    const down = await call(loader, get("/healthz"), makeContext(handle.db));
    expect(down.status).toBe(503);
    expect(await down.text()).toBe("database unavailable\n");
  });
});
