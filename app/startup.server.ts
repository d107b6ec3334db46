/**
 * What a server process does with its database before it listens: open it (on the embedded database,
 * taking the data directory's lock), migrate (backing an embedded database up first), seed the demo
 * organisation only when asked, say how to create the first admin of an empty installation, and on the
 * embedded database take scheduled backups and answer `npm run db:backup` through a control socket.
 */
import cluster from "node:cluster";
import { createHmac } from "node:crypto";
import path from "node:path";
import type { Server } from "node:net";
import {
  backupEmbedded,
  backupName,
  latestBackupAgeMs,
  pruneBackups,
  serveControl,
} from "../db/backup";
import { createDb, type DbHandle } from "../db/client";
import { migrateWithBackup } from "../db/migrate";
import { isEmpty, seedDemo } from "../db/seed/demo";
import { hashPassword } from "./auth/password.server";
import { runRetention } from "./models/retention.server";
import { queueDemoMail } from "./notify/demo-mail.server";
import { type Env, pgliteDataDir } from "./env.server";

/** The one-time link's token for creating the first admin: derived from the session secret, so every worker agrees. */
/** The address to print at start: the host the server listens on, or localhost when it listens on every interface. */
export function listeningUrl(host: string, port: number): string {
  const everywhere = host === "0.0.0.0" || host === "::" || host === "[::]";
  const name = everywhere
    ? "localhost"
    : host.includes(":") && !host.startsWith("[")
      ? `[${host}]`
      : host;
  return `http://${name}:${port}`;
}

export function setupToken(secret: string) {
  return createHmac("sha256", secret)
    .update("noseworthy first admin")
    .digest("base64url")
    .slice(0, 32);
}

export async function openDatabase(
  env: Env,
  { seedDemoOrganisation }: { seedDemoOrganisation: boolean },
) {
  const pgliteDir = env.DATABASE_URL ? undefined : pgliteDataDir(env);
  // A Unix socket path is limited to about 100 bytes: a deeper PGLITE_DIR goes without one (db:backup then asks to stop the server).
  const socketPath = pgliteDir ? path.join(path.dirname(pgliteDir), "control.sock") : undefined;
  const controlSocket = socketPath && Buffer.byteLength(socketPath) < 100 ? socketPath : undefined;
  const handle = await createDb({
    databaseUrl: env.DATABASE_URL,
    pgliteDir,
    purpose: "server",
    controlSocket,
  });
  const stale = handle.lock?.tookOverFrom;
  if (stale) console.log(`Took over the lock of process ${stale.pid}, which no longer runs.`);
  if (cluster.isPrimary) {
    const { applied, backup } = await migrateWithBackup(
      handle,
      pgliteDir ? env.BACKUP_DIR : undefined,
    );
    if (backup) console.log(`Backed up the database before migrating: ${backup}`);
    if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
  }
  if (seedDemoOrganisation && (await isEmpty(handle.db))) {
    await seedDemo(handle.db, { hashPassword });
    await queueDemoMail({ db: handle.db, env });
    console.log("Seeded the demo organisation (log in as leader@demo.test / noseworthy-demo).");
  }
  if (await isEmpty(handle.db)) {
    console.log(
      `No accounts yet. Create the first admin at /setup?token=${setupToken(env.SESSION_SECRET)} on this server (or stop it and run npm run user:create).`,
    );
  }
  const stops: Array<() => void> = [];
  if (handle.pglite && controlSocket) {
    const control: Server = serveControl(controlSocket, handle, env.BACKUP_DIR, {
      retention: async ({ dryRun, now }) => {
        const result = await runRetention(handle.db, {
          now: now ? new Date(now) : new Date(),
          dryRun,
        });
        return {
          months: result.months,
          cutoff: result.cutoff,
          due: result.due,
          erased: result.erased,
        };
      },
    });
    control.on("error", (error) =>
      console.error(
        `Control socket ${controlSocket}: ${error.message} (npm run db:backup needs the server stopped).`,
      ),
    );
    stops.push(() => control.close());
  }
  if (handle.pglite && env.BACKUP_INTERVAL_HOURS > 0) stops.push(scheduleBackups(handle, env));
  return { handle, stop: () => stops.forEach((stop) => stop()) };
}

/**
 * A backup every BACKUP_INTERVAL_HOURS, the newest BACKUP_KEEP kept. The first comes a minute after start
 * when the newest backup is older than the interval (or there is none), so a server restarted often still
 * gets its daily copy, and the start itself is not slowed.
 */
function scheduleBackups(handle: DbHandle, env: Env): () => void {
  const interval = env.BACKUP_INTERVAL_HOURS * 3_600_000;
  const take = async () => {
    try {
      const { file } = await backupEmbedded(
        handle.pglite!,
        path.join(env.BACKUP_DIR, backupName("scheduled")),
      );
      pruneBackups(env.BACKUP_DIR, "scheduled", env.BACKUP_KEEP);
      console.log(`Scheduled backup: ${file}`);
    } catch (error) {
      console.error(`Scheduled backup failed: ${(error as Error).message}`);
    }
  };
  const age = latestBackupAgeMs(env.BACKUP_DIR);
  const first = setTimeout(take, age === null || age >= interval ? 60_000 : interval - age);
  const every = setInterval(take, interval);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
