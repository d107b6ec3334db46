import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const DEFAULT_MAIL_FROM = "Noseworthy <noseworthy@localhost>";

// The value is never echoed in the message: it carries the SMTP password.
function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
  } catch {
    return false;
  }
}

// "Name <local@domain>" or "local@domain"; no line breaks (they would inject headers).
const ADDRESS = /^[^\s<>@",;]+@[^\s<>@",;]+$/;
function isMailFrom(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  const named = value.match(/^([^<>]{0,200})<([^<>]+)>$/);
  return ADDRESS.test(named ? named[2] : value);
}

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
  // Single sign-on (OpenID Connect): the issuer, client id and secret go together, with APP_URL.
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: "must be the issuer's URL (https://…)" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_ID: z
    .string()
    .max(500)
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_SECRET: z
    .string()
    .max(2000)
    .optional()
    .or(z.literal("").transform(() => undefined)),
  APP_URL: z
    .url({ protocol: /^https?$/, error: "must be the public base URL (https://…)" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_CREATE_USERS: z
    .enum(["0", "1"], { error: 'must be "1" (create accounts for unknown verified users) or "0"' })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  // Mail (decision 0019): without SMTP_URL, messages stay in the outbox that admins read at /admin/outbox.
  SMTP_URL: z
    .string()
    .refine(isSmtpUrl, {
      error:
        "must be an smtp:// or smtps:// URL with a host (e.g. smtp://user:pass@mail.example.com:587)",
    })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z
    .string()
    .trim()
    .max(300)
    .refine(isMailFrom, {
      error:
        'must be an address, e.g. "Noseworthy <noseworthy@example.com>" or noseworthy@example.com',
    })
    .default(DEFAULT_MAIL_FROM)
    .or(z.literal("").transform(() => DEFAULT_MAIL_FROM)),
  PASSWORD_LOGIN: z
    .enum(["all", "admins"], {
      error: 'must be "admins" (password login for admins only) or "all"',
    })
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

/** Single sign-on as configured, or null when it is not. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The public base URL, without a trailing slash. */
  appUrl: string;
  /** APP_URL + /auth/oidc/callback: the redirect URI registered at the provider. */
  redirectUri: string;
  createUsers: boolean;
}

export interface LoginSettings {
  oidc: OidcSettings | null;
  /** "admins": password login for admins only (break-glass); single sign-on for everyone else. */
  passwordLogin: "all" | "admins";
}

export type Env = z.infer<typeof EnvSchema> & {
  SESSION_SECRET: string;
  BACKUP_DIR: string;
  LOGIN: LoginSettings;
};

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
  const login = loginSettings(env);
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
    LOGIN: login,
  };
}

const OIDC_VARIABLES = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const;

/** The sign-in settings, checked together: all three OIDC variables or none, APP_URL with them. */
function loginSettings(env: z.infer<typeof EnvSchema>): LoginSettings {
  const set = OIDC_VARIABLES.filter((name) => env[name] !== undefined);
  const problems: string[] = [];
  if (set.length > 0 && set.length < OIDC_VARIABLES.length) {
    const missing = OIDC_VARIABLES.filter((name) => env[name] === undefined);
    problems.push(
      `  ${missing.join(", ")}: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together (${set.join(", ")} ${set.length === 1 ? "is" : "are"} set)`,
    );
  }
  const oidcOn = set.length === OIDC_VARIABLES.length;
  if (oidcOn && !env.APP_URL) {
    problems.push(
      "  APP_URL: required with OIDC_ISSUER (the public base URL; the provider redirects to APP_URL/auth/oidc/callback)",
    );
  }
  if (env.APP_URL && (new URL(env.APP_URL).search || new URL(env.APP_URL).hash)) {
    problems.push("  APP_URL: must be a base URL, without ?query or #fragment");
  }
  if (!oidcOn && env.PASSWORD_LOGIN === "admins") {
    problems.push(
      "  PASSWORD_LOGIN: admins-only password login needs single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET), or nobody else could log in",
    );
  }
  if (!oidcOn && env.OIDC_CREATE_USERS === "1") {
    problems.push("  OIDC_CREATE_USERS: only applies with single sign-on (OIDC_ISSUER is not set)");
  }
  if (problems.length) throw new Error(`Invalid configuration:\n${problems.join("\n")}`);
  const passwordLogin = env.PASSWORD_LOGIN ?? "all";
  if (!oidcOn) return { oidc: null, passwordLogin };
  const appUrl = env.APP_URL!.replace(/\/+$/, "");
  return {
    oidc: {
      issuer: env.OIDC_ISSUER!,
      clientId: env.OIDC_CLIENT_ID!,
      clientSecret: env.OIDC_CLIENT_SECRET!,
      appUrl,
      redirectUri: `${appUrl}/auth/oidc/callback`,
      createUsers: env.OIDC_CREATE_USERS === "1",
    },
    passwordLogin,
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

let fromProcess: LoginSettings | undefined;
/**
 * The sign-in settings of this process's environment (parseEnv checked them at start, so this does not
 * fail in a running server), read once.
 */
export function processLoginSettings(): LoginSettings {
  if (!fromProcess) {
    const result = EnvSchema.safeParse(process.env);
    if (!result.success) throw new Error("Invalid configuration: see the message at start");
    fromProcess = loginSettings(result.data);
  }
  return fromProcess;
}
