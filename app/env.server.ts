import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PGLITE_DIR: z.string().min(1).default("./data"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // Embedded database only: where backups go, how often the server takes one (0: never), how many it keeps.
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_INTERVAL_HOURS: z.coerce
    .number()
    .min(0)
    .max(576, "must be at most 576 (24 days)")
    .default(24),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  TRUST_PROXY: z
    .enum(["0", "1"], { error: 'must be "1" (behind one reverse proxy) or "0"' })
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export type Env = z.infer<typeof EnvSchema> & { SESSION_SECRET: string; BACKUP_DIR: string };

/** The embedded database's own directory inside PGLITE_DIR (its lock file sits beside it). */
export function pgliteDataDir(env: Pick<Env, "PGLITE_DIR">) {
  return path.join(path.resolve(env.PGLITE_DIR), "pglite");
}

/** Parse the environment once; a bad value stops the process with a message naming the variable. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = result.data;
  if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) {
    throw new Error(
      "Invalid configuration:\n  WEB_CONCURRENCY: more than one process needs DATABASE_URL (the embedded database belongs to one process)",
    );
  }
  let secret = env.SESSION_SECRET;
  if (!secret) {
    if (env.DATABASE_URL && env.NODE_ENV === "production") {
      throw new Error(
        "Invalid configuration:\n  SESSION_SECRET: required when DATABASE_URL is set in production",
      );
    }
    secret = env.DATABASE_URL
      ? randomBytes(32).toString("hex")
      : loadOrCreateSecret(env.PGLITE_DIR);
  }
  return {
    ...env,
    SESSION_SECRET: secret,
    BACKUP_DIR: path.resolve(env.BACKUP_DIR ?? path.join(env.PGLITE_DIR, "backups")),
  };
}

// On the embedded database the secret is kept in the data dir, so sessions survive restarts.
function loadOrCreateSecret(pgliteDir: string): string {
  const file = path.join(path.resolve(pgliteDir), "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
