import { z } from 'zod';
import { parseDurationSeconds } from './duration';
import { rateLimitSettings } from './rate-limits';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `value` in seconds when it is a duration between `min` and `max` seconds; otherwise an issue saying `must`. */
function durationSeconds(value: string, min: number, max: number, ctx: z.RefinementCtx, must: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds !== null && seconds >= min && seconds <= max) return seconds;
  ctx.addIssue({ code: 'custom', message: `${must}, between ${min}s and ${max}s` });
  return z.NEVER;
}

const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => durationSeconds(value, min, max, ctx, 'must be a duration such as 900, 15m, 8h or 7d'));

/** A duration as `duration` reads it, or `off` (null). */
const durationOrOff = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => (value.trim() === 'off' ? null : durationSeconds(value, min, max, ctx, 'must be off or a duration such as 30s or 2m')));

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** A true/false setting that is true unless set to false. */
const trueUnlessFalse = z.preprocess(
  emptyToUndefined,
  z.enum(['true', 'false'], { error: 'must be true or false' }).default('true').transform((value) => value === 'true'),
);

/**
 * Every setting Optare reads from the environment, with its default. `.env.example` and the
 * README's configuration table document the same list.
 */
export const settingsSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
  OPTARE_HOST: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  OPTARE_ISSUER: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  // Unset: the admin console is served on the issuer's origin (lib/http/console-host.ts).
  OPTARE_ADMIN_ORIGIN: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be the http(s):// origin of the admin console, e.g. https://admin.id.example.com' }).optional(),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
      .optional(),
  ),
  OPTARE_DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  // false behind a pooler in transaction mode that cannot carry prepared statements (PgBouncer before 1.21).
  OPTARE_DATABASE_PREPARED_STATEMENTS: trueUnlessFalse,
  // Sent to PostgreSQL as each connection's statement_timeout; off behind a pooler that refuses it (set it on the role instead).
  OPTARE_DATABASE_STATEMENT_TIMEOUT: z.preprocess(emptyToUndefined, durationOrOff('30s', 1, 3600)),
  // false: the server and CLI only check that every migration is applied (`npm run db:migrate` applies them with an owner role).
  OPTARE_MIGRATE_ON_START: trueUnlessFalse,
  OPTARE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().min(1).default('./.data')),
  OPTARE_TLS_CERT: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  OPTARE_TLS_KEY: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  // Above a load balancer's idle timeout when it reuses connections (AWS ALB: 60 s), or it may send a request on a closing connection.
  OPTARE_HTTP_KEEP_ALIVE_TIMEOUT: z.preprocess(emptyToUndefined, duration('5s', 1, 600)),
  OPTARE_HTTP_REDIRECT_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  OPTARE_TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(10|[0-9])$/, 'must be the number of reverse proxies in front of Optare, 0 to 10')
      .default('0')
      .transform(Number),
  ),
  OPTARE_ENCRYPTION_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  OPTARE_ENCRYPTION_KEYS_OLD: z.preprocess(emptyToUndefined, z.string().optional()),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS).default('info')),
  // Unset: off. Production operators set https://api.pwnedpasswords.com (lib/auth/breached-passwords.ts).
  OPTARE_BREACHED_PASSWORD_API: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be the http(s):// base URL of a k-anonymity range API, e.g. https://api.pwnedpasswords.com' }).optional(),
  ),
  OPTARE_SECURITY_CONTACT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'must be a mailto: address or an https:// URL')
      .default('mailto:security@optare.one'),
  ),
  OPTARE_SESSION_IDLE_TIMEOUT: z.preprocess(emptyToUndefined, duration('8h', 60, 30 * 86400)),
  OPTARE_SESSION_MAX_AGE: z.preprocess(emptyToUndefined, duration('7d', 300, 90 * 86400)),
  OPTARE_ADMIN_IDLE_TIMEOUT: z.preprocess(emptyToUndefined, duration('15m', 60, 86400)),
  OPTARE_CLIENT_SECRET_OVERLAP: z.preprocess(emptyToUndefined, duration('24h', 0, 30 * 86400)),
  OPTARE_API_KEY_ROTATION_AGE: z.preprocess(emptyToUndefined, duration('90d', 86400, 3650 * 86400)),
  OPTARE_API_KEY_OVERLAP: z.preprocess(emptyToUndefined, duration('24h', 0, 30 * 86400)),
  OPTARE_SIGNING_KEY_ROTATION: z.preprocess(emptyToUndefined, duration('90d', 86400, 3650 * 86400)),
  OPTARE_SIGNING_KEY_RSA_BITS: z.preprocess(
    emptyToUndefined,
    z.enum(['2048', '3072', '4096'], { error: 'must be 2048, 3072 or 4096 (the RSA modulus size of new RS256/PS256 signing keys)' }).default('2048').transform(Number),
  ),
  OPTARE_DEFAULT_SIGNING_ALG: z.preprocess(
    emptyToUndefined,
    z
      .enum(['RS256', 'PS256', 'ES256', 'EdDSA'], { error: 'must be RS256, PS256, ES256 or EdDSA (the alg of tokens for clients that do not choose one)' })
      .default('RS256'),
  ),
  OPTARE_PKCE: z.preprocess(
    emptyToUndefined,
    z.enum(['per-client', 'always'], { error: 'must be per-client or always (always: every client must use PKCE S256)' }).default('per-client'),
  ),
  OPTARE_MFA_REQUIRED: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
  OPTARE_AUDIT_LOG_STREAM: z.preprocess(
    emptyToUndefined,
    z.enum(['off', 'stdout'], { error: 'must be off or stdout (audit events also written to the request log)' }).default('off'),
  ),
  OPTARE_TOTP_ISSUER: z.preprocess(emptyToUndefined, z.string().trim().min(1).max(64).regex(/^[^:]+$/, 'must not contain a colon').default('Optare')),
  OPTARE_TRUSTED_DEVICE_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(365).default(30)),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^smtps?:\/\/[^\s/]+/, 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.com:465').optional(),
  ),
  SMTP_FROM: z.preprocess(emptyToUndefined, z.string().trim().min(3).max(254).regex(/@/, 'must contain an email address, e.g. "Optare <id@example.com>"').optional()),
  OPTARE_EMAIL_VERIFICATION: z.preprocess(emptyToUndefined, z.enum(['required', 'optional']).default('optional')),
  REDIS_URL: z.preprocess(emptyToUndefined, z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional()),
  // PEM files for REDIS_URL=rediss://: the CA to trust, and a client certificate + key (Redis `tls-auth-clients yes`).
  OPTARE_REDIS_TLS_CA: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  OPTARE_REDIS_TLS_CERT: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  OPTARE_REDIS_TLS_KEY: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  ...rateLimitSettings(),
});

export type Settings = z.output<typeof settingsSchema>;
