/**
 * npm run db:migrate | db:seed | user:create -- --email a@b.c --name "A B" [--roles admin,leader]
 *   | scim:token -- --name NAME (prints a new SCIM bearer token once; only its hash is kept)
 *   | db:retention [-- --dry-run] | db:backup [-- --out FILE] | db:restore -- FILE
 * Uses the same configuration as the server (DATABASE_URL, or PGlite in PGLITE_DIR). On the embedded
 * database each task takes the data directory's lock: while a server runs there, a task is refused
 * (a backup is taken by the server itself, through its control socket).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { hashPassword } from "../app/auth/password.server";
import { parseEnv, pgliteDataDir } from "../app/env.server";
import { runRetention } from "../app/models/retention.server";
import { createUser, normaliseEmail } from "../app/models/user.server";
import { audit } from "../app/models/audit.server";
import { createScimToken } from "../app/scim/scim.server";
import { ROLES, type Role } from "./schema";
import { askServer, backupEmbedded, backupName, restoreEmbedded } from "./backup";
import { createDb, type DbHandle } from "./client";
import { DataDirLockedError } from "./data-dir-lock";
import { migrateWithBackup } from "./migrate";
import { isEmpty, seedDemo } from "./seed/demo";

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const env = parseEnv();
  const pgliteDir = env.DATABASE_URL ? undefined : pgliteDataDir(env);
  if (command === "backup" || command === "restore") {
    if (!pgliteDir) {
      console.error(
        "DATABASE_URL is set: back up PostgreSQL with pg_dump and restore with pg_restore (README, Backups).",
      );
      process.exitCode = 2;
      return;
    }
    return command === "backup"
      ? backup(pgliteDir, env.BACKUP_DIR, rest)
      : restore(pgliteDir, rest);
  }
  let handle: DbHandle;
  try {
    handle = await createDb({
      databaseUrl: env.DATABASE_URL,
      pgliteDir,
      purpose: `npm run ${command === "user:create" || command === "scim:token" ? command : `db:${command}`}`,
    });
  } catch (error) {
    // Retention is a privacy duty: it runs inside a running server rather than wait for it to stop.
    if (
      command === "retention" &&
      error instanceof DataDirLockedError &&
      error.owner.purpose === "server" &&
      error.owner.controlSocket
    ) {
      const { dryRun, now } = retentionArgs(rest);
      printRetention(
        await askServer<RetentionResult>(error.owner.controlSocket, {
          command: "retention",
          dryRun,
          now: now.toISOString(),
        }),
        dryRun,
      );
      return;
    }
    throw error;
  }
  try {
    const { applied, backup } = await migrateWithBackup(handle, env.BACKUP_DIR);
    if (backup) console.log(`Backed up the database before migrating: ${backup}`);
    console.log(
      applied.length
        ? `Applied migrations: ${applied.join(", ")}`
        : "Database schema is up to date.",
    );
    if (command === "migrate") return;
    if (command === "seed") {
      if (!(await isEmpty(handle.db))) {
        console.error(
          "The database already has users; the demo organisation is seeded only into an empty database.",
        );
        process.exitCode = 1;
        return;
      }
      await seedDemo(handle.db, { hashPassword });
      console.log(
        "Seeded the demo organisation. Log in as leader@demo.test with password noseworthy-demo.",
      );
      return;
    }
    if (command === "user:create") {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: "string" },
          name: { type: "string" },
          roles: { type: "string", default: "admin" },
        },
      });
      const roles = (values.roles ?? "admin").split(",").map((r) => r.trim()) as Role[];
      if (!values.email || !values.name || roles.some((r) => !ROLES.includes(r))) {
        console.error(
          `Usage: npm run user:create -- --email EMAIL --name NAME [--roles ${ROLES.join(",")}]`,
        );
        process.exitCode = 2;
        return;
      }
      const password = process.env.NEW_USER_PASSWORD ?? (await readPassword());
      if (password.length < 12) {
        console.error("The password must be at least 12 characters.");
        process.exitCode = 2;
        return;
      }
      await createUser(handle.db, {
        email: normaliseEmail(values.email),
        name: values.name,
        roles,
        passwordHash: await hashPassword(password),
      });
      console.log(`Created ${normaliseEmail(values.email)} with roles ${roles.join(", ")}.`);
      return;
    }
    if (command === "scim:token") {
      const { values } = parseArgs({ args: rest, options: { name: { type: "string" } } });
      const name = values.name?.trim() ?? "";
      if (!name || name.length > 100) {
        console.error("Usage: npm run scim:token -- --name NAME   (a name of 1 to 100 characters)");
        process.exitCode = 2;
        return;
      }
      const { id, token } = await handle.db.transaction().execute(async (trx) => {
        const made = await createScimToken(trx, { name, createdBy: null });
        await audit(trx, {
          actorId: null,
          action: "scim_token.create",
          entity: "scim_token",
          entityId: made.id,
          details: { via: "cli" },
        });
        return made;
      });
      console.log(
        `Created SCIM token ${id} (${name}). It is shown only this once; give it to the identity provider as the bearer token:\n${token}`,
      );
      return;
    }
    if (command === "retention") {
      const { dryRun, now } = retentionArgs(rest);
      printRetention(await runRetention(handle.db, { now, dryRun }), dryRun);
      return;
    }
    console.error(
      "Usage: tsx db/cli.ts migrate | seed | user:create | scim:token --name NAME | retention [--dry-run] | backup [--out FILE] | restore FILE",
    );
    process.exitCode = 2;
  } finally {
    await handle.close();
  }
}

type RetentionResult = Pick<
  Awaited<ReturnType<typeof runRetention>>,
  "months" | "due" | "erased"
> & { cutoff: Date | string | null };

function retentionArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { "dry-run": { type: "boolean", default: false } },
  });
  // NOSEWORTHY_NOW lets tests run the command at a chosen moment.
  const now = process.env.NOSEWORTHY_NOW ? new Date(process.env.NOSEWORTHY_NOW) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error("NOSEWORTHY_NOW is not a date.");
  return { dryRun: Boolean(values["dry-run"]), now };
}

function printRetention(result: RetentionResult, dryRun: boolean) {
  if (result.months === null) {
    console.log("Retention is off (no retention_months setting): nothing to erase.");
    return;
  }
  console.log(
    `Retention: ${result.months} months; candidates archived before ${new Date(result.cutoff!).toISOString()} are erased.`,
  );
  for (const row of result.due) {
    console.log(
      `${dryRun ? "would erase" : "erased"} candidate ${row.id} (archived ${new Date(row.archived_at).toISOString()})`,
    );
  }
  console.log(
    dryRun
      ? `Dry run: ${result.due.length} candidate(s) would be erased.`
      : `Erased ${result.erased.length} candidate(s).`,
  );
}

async function backup(pgliteDir: string, backupDir: string, args: string[]) {
  const { values } = parseArgs({ args, options: { out: { type: "string" } } });
  const out = values.out ? path.resolve(values.out) : undefined;
  let handle: DbHandle;
  try {
    handle = await createDb({ pgliteDir, purpose: "npm run db:backup" });
  } catch (error) {
    // A running server takes the backup itself: it holds the only consistent view of the files.
    if (
      error instanceof DataDirLockedError &&
      error.owner.purpose === "server" &&
      error.owner.controlSocket
    ) {
      const result = await askServer<{ file: string; bytes: number }>(error.owner.controlSocket, {
        command: "backup",
        file: out,
      });
      console.log(
        `Backed up the running server's database to ${result.file} (${result.bytes} bytes).`,
      );
      return;
    }
    throw error;
  }
  try {
    const result = await backupEmbedded(
      handle.pglite!,
      out ?? path.join(backupDir, backupName("manual")),
    );
    console.log(`Backed up the database to ${result.file} (${result.bytes} bytes).`);
  } finally {
    await handle.close();
  }
}

async function restore(pgliteDir: string, args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) {
    console.error("Usage: npm run db:restore -- FILE   (the server must be stopped)");
    process.exitCode = 2;
    return;
  }
  const file = path.resolve(positionals[0]);
  const { keptAs } = await restoreEmbedded(pgliteDir, file);
  console.log(
    `Restored the database from ${file}.${keptAs ? ` The database it replaced is kept in ${keptAs}.` : ""}`,
  );
}

async function readPassword(): Promise<string> {
  process.stdout.write("Password for the new account (at least 12 characters): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (chunk.includes(10)) break;
  }
  return Buffer.concat(chunks).toString("utf8").split("\n")[0].trim();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
