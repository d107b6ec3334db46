/**
 * npm run bench:start — the embedded (PGlite) start targets: the first start (npm run demo) migrates and seeds the
 * demo organisation, later starts reuse the data directory. Measures from spawning the production
 * server to the first 200 from /login. Needs build/ (npm run build).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const PORT = Number(process.env.BENCH_PORT ?? 55470);

async function startOnce(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "app/server.ts", "--demo"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: "",
      PGLITE_DIR: dataDir,
      PORT: String(PORT),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    while (performance.now() - t0 < 60_000) {
      if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${PORT}/login`);
        if (res.status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("No answer from /login within 60 s");
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), "noseworthy-start-"));
try {
  const first = await startOnce(dir);
  const later = [await startOnce(dir), await startOnce(dir)];
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `First start (migrate + seed) to /login 200: ${fmt(first)} (target ≤ 10 s: ${first <= 10_000 ? "met" : "not met"})`,
  );
  for (const ms of later)
    console.log(
      `Later start to /login 200: ${fmt(ms)} (target ≤ 3 s: ${ms <= 3_000 ? "met" : "not met"})`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
