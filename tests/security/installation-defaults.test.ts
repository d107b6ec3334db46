/**
 * What a real installation starts with: no demo accounts unless asked for, and a data directory only
 * the server's account can read (it holds people data and password hashes).
 */
import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../app/env.server";
import { openDatabase } from "../../app/startup.server";

const opened: Array<{ handle: { close: () => Promise<void> }; stop: () => void }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.stop();
    await o.handle.close();
  }
});

function envFor(dir: string) {
  return parseEnv({ NODE_ENV: "production", PGLITE_DIR: dir, BACKUP_INTERVAL_HOURS: "0" });
}

/** Every file and directory under `dir` that anyone but the owner may read, write or enter. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSocket()) continue;
    if (statSync(full).mode & 0o077) found.push(full);
    if (entry.isDirectory()) found.push(...openToOthers(full));
  }
  return found;
}

describe("a new installation", () => {
  it("starts with no accounts at all unless the demo organisation is asked for", async () => {
    const plain = mkdtempSync(path.join(tmpdir(), "nw-install-"));
    const o = await openDatabase(envFor(plain), { seedDemoOrganisation: false });
    opened.push(o);
    expect(await o.handle.db.selectFrom("users").select("email").execute()).toEqual([]);

    const demo = mkdtempSync(path.join(tmpdir(), "nw-demo-"));
    const d = await openDatabase(envFor(demo), { seedDemoOrganisation: true });
    opened.push(d);
    expect(
      (await d.handle.db.selectFrom("users").select("email").execute()).map((u) => u.email),
    ).toContain("admin@demo.test");
  });

  it("keeps the embedded data directory private: files 0600, directories 0700, whatever was there before", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nw-modes-"));
    chmodSync(dir, 0o777);
    writeFileSync(path.join(dir, "left-by-an-older-build"), "x", { mode: 0o666 });
    chmodSync(path.join(dir, "left-by-an-older-build"), 0o666);
    const o = await openDatabase(envFor(dir), { seedDemoOrganisation: false });
    opened.push(o);
    await o.handle.db
      .insertInto("settings")
      .values({ key: "probe", value: JSON.stringify(1), updated_by: null })
      .execute();
    expect(openToOthers(dir)).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
