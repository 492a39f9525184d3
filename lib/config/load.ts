import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { settingsSchema, type Settings } from './schema';
import { decodeKey, isWeakKey, KEY_FIX_HINT } from './encryption-key';
import { plainTextBackendProblems } from './plain-text-backends';
import { readSecretFiles } from './secret-files';
import { databaseCertificateProblems } from './database-certificates';
import { resolveRedisTls, type RedisTlsFiles } from './redis-tls';
import { RATE_LIMITS, type RateLimitName, type RateLimitRule } from './rate-limits';

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      /** false (OPTARE_MIGRATE_ON_START): only check that every migration is applied; the runtime role needs no DDL rights. */
      migrateOnStart: boolean;
      /** OPTARE_DATABASE_PREPARED_STATEMENTS: the protocol endpoints' statements are prepared once per connection. */
      preparedStatements: boolean;
      /** OPTARE_DATABASE_STATEMENT_TIMEOUT in milliseconds, or null (off): PostgreSQL cancels a statement that runs longer. */
      statementTimeoutMs: number | null;
    }
  | { kind: 'embedded'; dataDir: string };

export interface Config {
  production: boolean;
  port: number;
  host: string | undefined;
  /** Public base URL without a trailing slash, e.g. https://id.example.com */
  issuer: string;
  /**
   * The admin console's own origin (OPTARE_ADMIN_ORIGIN, no trailing slash), or null: the console
   * shares the issuer's origin. Another hostname than the issuer's, same scheme.
   */
  adminOrigin: string | null;
  /** Cookies carry Secure unless the issuer is plain-HTTP localhost outside production. */
  secureCookies: boolean;
  /** Optare terminates TLS itself (PEM files, absolute paths), or null: plain HTTP (e.g. behind a proxy). */
  tls: TlsSettings | null;
  /** How many reverse proxies stand in front of Optare; 0: X-Forwarded-For is ignored. */
  trustProxy: number;
  /** How long an idle keep-alive connection stays open after its last answer (OPTARE_HTTP_KEEP_ALIVE_TIMEOUT). */
  httpKeepAliveSeconds: number;
  dataDir: string;
  database: DatabaseTarget;
  encryption: { current: Buffer; old: Buffer[]; source: 'environment' | 'data-dir' };
  logLevel: Settings['LOG_LEVEL'];
  /** `stdout`: every audit event, once committed, is also one JSON line of the request log (audit: true). */
  auditLogStream: 'off' | 'stdout';
  securityContact: string;
  /** Base URL of the breached-password range API (ASVS 6.2.12), or null: not checked. */
  breachedPasswordApi: string | null;
  session: { idleTimeoutSeconds: number; maxAgeSeconds: number };
  admin: {
    /** The admin console signs out after this long without a request (shorter than a session's). */
    idleTimeoutSeconds: number;
    /** After a client secret is rotated, the old one keeps working this long. */
    clientSecretOverlapSeconds: number;
    /** API keys older than this are flagged for rotation. */
    apiKeyRotationAgeSeconds: number;
    /** After an API key is rotated, the old one keeps working this long. */
    apiKeyOverlapSeconds: number;
  };
  /** A new signing key takes over when the active one is this old. */
  signingKeyRotationSeconds: number;
  /** The modulus size of new RSA (RS256, PS256) signing keys: 2048, 3072 or 4096. */
  signingKeyRsaBits: 2048 | 3072 | 4096;
  /** The alg of ID tokens and access tokens for clients that have not chosen one (OPTARE_DEFAULT_SIGNING_ALG). */
  defaultSigningAlg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  /** `always`: every client must use PKCE S256, whatever its requirePkce; `per-client`: as each client says. */
  pkce: 'per-client' | 'always';
  mfa: {
    /** Every user must have a second factor: those without one enroll after their next sign-in. */
    required: boolean;
    /** The issuer shown in authenticator apps (the `issuer` of the otpauth:// URI). */
    totpIssuer: string;
    /** How long "remember this browser" skips the second factor; 0 turns the option off. */
    trustedDeviceDays: number;
  };
  email: {
    /** Where mail goes: an SMTP server, or (outside production only) files in <dataDir>/outbox. */
    transport: { kind: 'smtp'; url: string } | { kind: 'outbox'; dir: string };
    /** The From: header. */
    from: string;
    /** `required`: users who have not verified their address cannot sign in. */
    verification: 'required' | 'optional';
  };
  /** Each limit's rule (null: off), and where the counters live. */
  rateLimits: {
    rules: Record<RateLimitName, RateLimitRule>;
    store: 'memory' | 'postgres' | 'redis';
    redisUrl: string | null;
    /** CA and client certificate files for a rediss:// REDIS_URL (OPTARE_REDIS_TLS_*), or null. */
    redisTls: RedisTlsFiles | null;
  };
}

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  /** A plain-HTTP listener on this port redirects every request to the issuer (308), or null. */
  redirectPort: number | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Optare cannot start: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  cwd?: string;
  /** Outside production, create a key file in the data directory when none is configured. */
  onGeneratedKey?: (file: string) => void;
}

const KEY_FILE = 'encryption.key';

export function loadConfig(env: Record<string, string | undefined>, options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const secrets = readSecretFiles(env, { production: env.NODE_ENV === 'production', cwd });
  if (secrets.problems.length > 0) throw new ConfigError(secrets.problems);
  const parsed = settingsSchema.safeParse(secrets.env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const settings = parsed.data;
  const production = settings.NODE_ENV === 'production';
  const problems: string[] = [];
  const dataDir = path.resolve(cwd, settings.OPTARE_DATA_DIR);

  const issuer = (settings.OPTARE_ISSUER ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, '');
  const issuerUrl = new URL(issuer);
  if (issuerUrl.search || issuerUrl.hash || issuerUrl.username || issuerUrl.password) {
    problems.push('OPTARE_ISSUER: must not contain a query, a fragment or credentials');
  }
  if (production && issuerUrl.protocol !== 'https:') {
    problems.push(
      `OPTARE_ISSUER: must be an https:// URL in production (got ${issuer}); set it to the public HTTPS address of Optare`,
    );
  }
  const plainLocalhost =
    issuerUrl.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuerUrl.hostname);
  const tls = resolveTls(settings, issuerUrl, cwd, problems);
  const adminOrigin = resolveAdminOrigin(settings.OPTARE_ADMIN_ORIGIN, issuerUrl, problems);
  if (settings.OPTARE_SESSION_IDLE_TIMEOUT > settings.OPTARE_SESSION_MAX_AGE) {
    problems.push('OPTARE_SESSION_IDLE_TIMEOUT: must not be longer than OPTARE_SESSION_MAX_AGE');
  }

  // Password reset is always on, so production always needs a way to send mail.
  if (production && !settings.SMTP_URL) {
    problems.push(
      'SMTP_URL: is required in production (password reset, email verification and security notifications send email); set it to smtp://… or smtps://…',
    );
  }

  if (production) problems.push(...plainTextBackendProblems(settings));
  if (settings.DATABASE_URL) problems.push(...databaseCertificateProblems(settings.DATABASE_URL, { production, cwd }));
  const redisTls = resolveRedisTls(settings, { production, cwd }, problems);

  const encryption = resolveEncryptionKeys(settings, production, dataDir, problems, options);
  if (problems.length > 0 || !encryption) throw new ConfigError(problems);

  return {
    production,
    port: settings.PORT,
    host: settings.OPTARE_HOST,
    issuer,
    adminOrigin,
    secureCookies: !(plainLocalhost && !production),
    tls,
    trustProxy: settings.OPTARE_TRUST_PROXY,
    httpKeepAliveSeconds: settings.OPTARE_HTTP_KEEP_ALIVE_TIMEOUT,
    dataDir,
    database: settings.DATABASE_URL
      ? {
          kind: 'postgres',
          url: settings.DATABASE_URL,
          poolSize: settings.OPTARE_DATABASE_POOL_SIZE,
          migrateOnStart: settings.OPTARE_MIGRATE_ON_START,
          preparedStatements: settings.OPTARE_DATABASE_PREPARED_STATEMENTS,
          statementTimeoutMs: settings.OPTARE_DATABASE_STATEMENT_TIMEOUT === null ? null : settings.OPTARE_DATABASE_STATEMENT_TIMEOUT * 1000,
        }
      : { kind: 'embedded', dataDir },
    encryption,
    logLevel: settings.LOG_LEVEL,
    auditLogStream: settings.OPTARE_AUDIT_LOG_STREAM,
    securityContact: settings.OPTARE_SECURITY_CONTACT,
    breachedPasswordApi: settings.OPTARE_BREACHED_PASSWORD_API ?? null,
    session: {
      idleTimeoutSeconds: settings.OPTARE_SESSION_IDLE_TIMEOUT,
      maxAgeSeconds: settings.OPTARE_SESSION_MAX_AGE,
    },
    admin: {
      idleTimeoutSeconds: settings.OPTARE_ADMIN_IDLE_TIMEOUT,
      clientSecretOverlapSeconds: settings.OPTARE_CLIENT_SECRET_OVERLAP,
      apiKeyRotationAgeSeconds: settings.OPTARE_API_KEY_ROTATION_AGE,
      apiKeyOverlapSeconds: settings.OPTARE_API_KEY_OVERLAP,
    },
    signingKeyRotationSeconds: settings.OPTARE_SIGNING_KEY_ROTATION,
    signingKeyRsaBits: settings.OPTARE_SIGNING_KEY_RSA_BITS as 2048 | 3072 | 4096,
    defaultSigningAlg: settings.OPTARE_DEFAULT_SIGNING_ALG,
    pkce: settings.OPTARE_PKCE,
    mfa: {
      required: settings.OPTARE_MFA_REQUIRED === 'true',
      totpIssuer: settings.OPTARE_TOTP_ISSUER,
      trustedDeviceDays: settings.OPTARE_TRUSTED_DEVICE_DAYS,
    },
    email: {
      transport: settings.SMTP_URL ? { kind: 'smtp', url: settings.SMTP_URL } : { kind: 'outbox', dir: path.join(dataDir, 'outbox') },
      from: settings.SMTP_FROM ?? `Optare <no-reply@${issuerUrl.hostname}>`,
      verification: settings.OPTARE_EMAIL_VERIFICATION,
    },
    rateLimits: {
      rules: Object.fromEntries(
        (Object.keys(RATE_LIMITS) as RateLimitName[]).map((name) => [name, settings[RATE_LIMITS[name].variable]]),
      ) as Record<RateLimitName, RateLimitRule>,
      store: settings.REDIS_URL ? 'redis' : settings.DATABASE_URL ? 'postgres' : 'memory',
      redisUrl: settings.REDIS_URL ?? null,
      redisTls,
    },
  };
}

/**
 * OPTARE_ADMIN_ORIGIN: an origin only (a trailing slash is tolerated), with the issuer's scheme
 * (so https in production, and the console's cookies are Secure exactly when the issuer's are),
 * on another hostname than the issuer's: browsers separate origins by port but not cookies, so a
 * different port of the same host would not separate the console from the login pages.
 */
function resolveAdminOrigin(value: string | undefined, issuerUrl: URL, problems: string[]): string | null {
  if (value === undefined) return null;
  const url = new URL(value);
  const problemCount = problems.length;
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || value.includes('?') || value.includes('#')) {
    problems.push(`OPTARE_ADMIN_ORIGIN: must be an origin only, without a path, a query, a fragment or credentials (got ${value})`);
  }
  if (url.protocol !== issuerUrl.protocol) {
    problems.push(`OPTARE_ADMIN_ORIGIN: must use the same scheme as OPTARE_ISSUER (${issuerUrl.protocol}//; got ${url.origin})`);
  }
  if (url.hostname === issuerUrl.hostname) {
    problems.push(
      `OPTARE_ADMIN_ORIGIN: must be on another hostname than OPTARE_ISSUER (both are ${url.hostname}); a different port is not a separate site for cookies`,
    );
  }
  return problems.length === problemCount ? url.origin : null;
}

/**
 * OPTARE_TLS_CERT and OPTARE_TLS_KEY come together and need an https:// issuer; the redirect
 * port needs them. Whether the files hold a matching pair is checked by the server at start.
 */
function resolveTls(settings: Settings, issuerUrl: URL, cwd: string, problems: string[]): TlsSettings | null {
  const { OPTARE_TLS_CERT: cert, OPTARE_TLS_KEY: key, OPTARE_HTTP_REDIRECT_PORT: redirectPort } = settings;
  if (!cert && !key) {
    if (redirectPort !== undefined) {
      problems.push('OPTARE_HTTP_REDIRECT_PORT: needs OPTARE_TLS_CERT and OPTARE_TLS_KEY (Optare redirects to its own HTTPS)');
    }
    return null;
  }
  if (!cert) problems.push('OPTARE_TLS_CERT: must be set with OPTARE_TLS_KEY (set both, or neither)');
  if (!key) problems.push('OPTARE_TLS_KEY: must be set with OPTARE_TLS_CERT (set both, or neither)');
  if (issuerUrl.protocol !== 'https:') {
    problems.push(
      `OPTARE_ISSUER: must be an https:// URL when OPTARE_TLS_CERT and OPTARE_TLS_KEY are set (got ${issuerUrl.origin})`,
    );
  }
  if (redirectPort !== undefined && redirectPort === settings.PORT) {
    problems.push('OPTARE_HTTP_REDIRECT_PORT: must differ from PORT');
  }
  if (!cert || !key) return null;
  return { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key), redirectPort: redirectPort ?? null };
}

function resolveEncryptionKeys(
  settings: Settings,
  production: boolean,
  dataDir: string,
  problems: string[],
  options: LoadOptions,
): Config['encryption'] | null {
  const old: Buffer[] = [];
  for (const [index, text] of (settings.OPTARE_ENCRYPTION_KEYS_OLD ?? '').split(',').entries()) {
    if (!text.trim()) continue;
    const key = decodeKey(text);
    if (!key) problems.push(`OPTARE_ENCRYPTION_KEYS_OLD: entry ${index + 1} is not 32 bytes in base64 or hex`);
    else old.push(key);
  }

  if (settings.OPTARE_ENCRYPTION_KEY) {
    const key = decodeKey(settings.OPTARE_ENCRYPTION_KEY);
    if (!key) {
      problems.push(`OPTARE_ENCRYPTION_KEY: must be 32 random bytes in base64 or hex; ${KEY_FIX_HINT}`);
      return null;
    }
    if (isWeakKey(key)) {
      problems.push(`OPTARE_ENCRYPTION_KEY: is weak (not random); ${KEY_FIX_HINT}`);
      return null;
    }
    return { current: key, old, source: 'environment' };
  }
  if (production) {
    problems.push(`OPTARE_ENCRYPTION_KEY: is required in production; ${KEY_FIX_HINT}`);
    return null;
  }
  return { current: readOrCreateDevelopmentKey(dataDir, problems, options), old, source: 'data-dir' };
}

function readOrCreateDevelopmentKey(dataDir: string, problems: string[], options: LoadOptions): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(file)) {
    const key = decodeKey(fs.readFileSync(file, 'utf8'));
    if (key) return key;
    problems.push(`OPTARE_ENCRYPTION_KEY: the development key in ${file} is unreadable; delete it or set the variable`);
    return Buffer.alloc(32);
  }
  const key = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  options.onGeneratedKey?.(file);
  return key;
}
