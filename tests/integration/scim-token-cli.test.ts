/**
 * npm run scim:token -- --name NAME: prints a new token once, stores only its SHA-256, audits the
 * creation, and the printed token opens /scim/v2 (checked against the same data directory).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/client";
import { hashToken } from "../../app/utils/security.server";
import { loader as usersLoader } from "../../app/routes/scim.v2.Users";
import { BASE, call, makeContext } from "../helpers/app";

const dir = mkdtempSync(path.join(os.tmpdir(), "nw-scim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "db/cli.ts", ...args], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      PGLITE_DIR: dir,
      NODE_ENV: "test",
      SESSION_SECRET: "test-secret-test-secret-test-secret-0123",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, out, err })));
}

describe("npm run scim:token", () => {
  it("refuses to run without a name", async () => {
    const result = await cli(["scim:token"]);
    expect(result.status).toBe(2);
    expect(result.err).toMatch(/--name NAME/);
  }, 120_000);

  it("prints a token once; the database keeps only its hash; the token opens /scim/v2", async () => {
    const result = await cli(["scim:token", "--name", "Entra ID"]);
    expect(result.status, result.err).toBe(0);
    const token = result.out.trim().split("\n").pop()!;
    expect(token).toMatch(/^nwscim_[\w-]{43}$/);
    const handle = await createDb({ pgliteDir: path.join(dir, "pglite") });
    try {
      const rows = await handle.db.selectFrom("scim_tokens").selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: "Entra ID", created_by: null, revoked_at: null });
      expect(rows[0].token_hash).toBe(hashToken(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      const audited = await handle.db
        .selectFrom("audit_events")
        .select(["entity_id", "details"])
        .where("action", "=", "scim_token.create")
        .execute();
      expect(audited).toEqual([{ entity_id: rows[0].id, details: { via: "cli" } }]);
      const ctx = makeContext(handle.db);
      const request = new Request(`${BASE}/scim/v2/Users`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect((await call(usersLoader, request, ctx)).status).toBe(200);
    } finally {
      await handle.close();
    }
  }, 120_000);
});
