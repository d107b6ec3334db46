/**
 * npm run bench:import [-- --rows 10000] [-- --keep-db]
 *
 * Imports a generated directory of N people (default 10,000: a management tree six levels deep, the
 * rows shuffled so most managers come after their reports) into a fresh database on the PostgreSQL
 * server named by DATABASE_URL, the way the admin pages do: decode and parse the file, plan it
 * against the directory (the preview), then apply it in one transaction. Then the same file again
 * (nothing to change) and a file with one person in ten changed (new title, new manager, or left).
 * Prints the seconds of each step. Not a timed test: the figure goes into docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb } from "../../db/client";
import { migrateToLatest } from "../../db/migrate";
import {
  applyImport,
  decodeUpload,
  parsePeopleCsv,
  planImport,
  storeUpload,
} from "../../app/models/people-import.server";
import { createUser } from "../../app/models/user.server";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "10000" },
    "keep-db": { type: "boolean", default: false },
  },
});
const ROWS = Number(args.rows);
const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    "Set DATABASE_URL to a PostgreSQL server (a database is created on it and dropped).",
  );
  process.exit(1);
}
const TODAY = new Date().toISOString().slice(0, 10);

/** Deterministic shuffle (a fixed seed), so every run imports the same file. */
function shuffled<T>(items: T[]): T[] {
  let seed = 42;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Row {
  email: string;
  name: string;
  title: string;
  team: string;
  manager: string;
  status: string;
}

function organisation(n: number): Row[] {
  const rows: Row[] = [];
  const teams = ["Platform", "Payments", "Search", "Mobile", "Data", "Security", "Growth", "Infra"];
  for (let i = 0; i < n; i++) {
    // Person i reports to person floor((i - 1) / 7): a tree with a fan-out of seven.
    const manager = i === 0 ? "" : `person${Math.floor((i - 1) / 7)}@bench.test`;
    rows.push({
      email: `person${i}@bench.test`,
      name: `Person ${i} Benchmark`,
      title: i < 8 ? "Director" : i < 57 ? "Engineering Manager" : "Engineer",
      team: teams[i % teams.length],
      manager,
      status: "",
    });
  }
  return rows;
}

const csvOf = (rows: Row[]) =>
  [
    "email,name,title,team,manager_email,status",
    ...shuffled(rows).map((r) => [r.email, r.name, r.title, r.team, r.manager, r.status].join(",")),
  ].join("\r\n");

async function main() {
  const name = `bench_import_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(url!);
  dbUrl.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: dbUrl.href, poolMax: 2 });
  try {
    await migrateToLatest(handle.db);
    const { id: actorId } = await createUser(handle.db, {
      email: "admin@bench.test",
      name: "Bench Admin",
      roles: ["admin"],
      passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$bench$bench",
    });

    const rows = organisation(ROWS);
    const changed = rows.map((r, i) =>
      i % 10 !== 5
        ? r
        : i % 30 === 5
          ? { ...r, status: "left" }
          : i % 30 === 15
            ? { ...r, manager: `person${Math.max(0, Math.floor((i - 1) / 7) - 1)}@bench.test` }
            : { ...r, title: "Senior Engineer" },
    );
    const runs: [string, string][] = [
      [`new directory of ${ROWS.toLocaleString("en")}`, csvOf(rows)],
      ["the same file again", csvOf(rows)],
      ["one in ten changed", csvOf(changed)],
    ];
    console.log(`people import, ${ROWS.toLocaleString("en")} rows, PostgreSQL`);
    console.log(
      "file                          bytes      preview s   apply s   created changed unchanged",
    );
    for (const [label, csv] of runs) {
      const bytes = new TextEncoder().encode(csv);
      const t0 = performance.now();
      const decoded = decodeUpload(bytes);
      if (!decoded.ok) throw new Error(decoded.message);
      const importId = await storeUpload(handle.db, {
        text: decoded.text,
        fileName: "bench.csv",
        actorId,
        requestId: "bench",
      });
      const plan = await planImport(handle.db, parsePeopleCsv(decoded.text), TODAY);
      const t1 = performance.now();
      if (plan.errors.length) throw new Error(plan.errors[0].message);
      const outcome = await applyImport(handle.db, {
        importId,
        actorId,
        requestId: "bench",
        today: TODAY,
        markMissingLeft: false,
        fingerprint: plan.fingerprint,
      });
      const t2 = performance.now();
      if (outcome.kind !== "applied") throw new Error(`not applied: ${outcome.kind}`);
      const s = outcome.summary;
      console.log(
        `${label.padEnd(30)}${String(bytes.length).padEnd(11)}${((t1 - t0) / 1000).toFixed(2).padEnd(12)}${((t2 - t1) / 1000).toFixed(2).padEnd(10)}${String(s.created).padEnd(8)}${String(s.changed).padEnd(8)}${s.unchanged}`,
      );
    }
  } finally {
    await handle.close();
    if (!args["keep-db"]) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    } else console.log(`kept database ${name}`);
  }
}

await main();
