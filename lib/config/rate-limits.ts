import { z } from 'zod';
import { parseDurationSeconds } from './duration';

/**
 * The rate limits Optare enforces, each set by one variable as `<points>/<duration>` (e.g.
 * `10/15m`: ten per fifteen minutes) or `off`. What a point is depends on the limit: a failed
 * sign-in, a request. `requests: true` marks the high-volume request limits, which each instance
 * counts locally between syncs with the shared store (lib/rate-limit/batched.ts).
 */
export const RATE_LIMITS = {
  signInIp: { variable: 'OPTARE_RATE_LIMIT_SIGN_IN_IP', default: '100/1h', counts: 'failed sign-ins from one IP address, any account' },
  signInAccountIp: { variable: 'OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT_IP', default: '10/15m', counts: 'failed sign-ins to one account from one IP address' },
  signInAccount: {
    variable: 'OPTARE_RATE_LIMIT_SIGN_IN_ACCOUNT',
    default: '50/1h',
    counts: 'failed sign-ins to one account from all IP addresses (each address counts only until its own account limit)',
  },
  signUpIp: { variable: 'OPTARE_RATE_LIMIT_SIGN_UP_IP', default: '20/1h', counts: 'sign-ups from one IP address' },
  passkeyOptionsIp: {
    variable: 'OPTARE_RATE_LIMIT_PASSKEY_OPTIONS',
    default: '30/1m',
    counts: 'passkey sign-in options (each stores a ceremony) requested from one IP address',
  },
  passkeySignInIp: {
    variable: 'OPTARE_RATE_LIMIT_PASSKEY_SIGN_IN',
    default: '30/1m',
    counts: 'passkey sign-in attempts (each checks a signature) from one IP address',
  },
  secondFactor: { variable: 'OPTARE_RATE_LIMIT_SECOND_FACTOR', default: '10/15m', counts: 'wrong second factors for one account from one IP address' },
  emailRequestsIp: {
    variable: 'OPTARE_RATE_LIMIT_EMAIL_REQUESTS_IP',
    default: '20/1h',
    counts: 'password-reset and verification-email requests from one IP address',
  },
  passwordReset: {
    variable: 'OPTARE_RATE_LIMIT_PASSWORD_RESET',
    default: '5/1h',
    counts: 'password-reset emails to one address (past it, requests get the same answer but send nothing)',
  },
  emailVerification: {
    variable: 'OPTARE_RATE_LIMIT_EMAIL_VERIFICATION',
    default: '5/1h',
    counts: 'verification and address-change emails for one account',
  },
  token: { requests: true, variable: 'OPTARE_RATE_LIMIT_TOKEN', default: '6000/1m', counts: 'token requests of one client' },
  introspection: { requests: true, variable: 'OPTARE_RATE_LIMIT_INTROSPECTION', default: '6000/1m', counts: 'introspection requests of one client' },
  revocation: { requests: true, variable: 'OPTARE_RATE_LIMIT_REVOCATION', default: '600/1m', counts: 'revocation requests of one client' },
  adminApi: { variable: 'OPTARE_RATE_LIMIT_ADMIN_API', default: '600/1m', counts: 'admin API requests made with one API key' },
  cspReportIp: { requests: true, variable: 'OPTARE_RATE_LIMIT_CSP_REPORT', default: '60/1m', counts: 'Content-Security-Policy violation reports from one IP address' },
  accountWrites: { variable: 'OPTARE_RATE_LIMIT_ACCOUNT_WRITES', default: '30/1m', counts: 'changes made through the account API by one user' },
  dataExport: { variable: 'OPTARE_RATE_LIMIT_DATA_EXPORT', default: '10/1h', counts: 'downloads of one account’s data from the account page' },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

/** A parsed limit: `points` per `durationSeconds`, or null when it is off. */
export type RateLimitRule = { points: number; durationSeconds: number } | null;

export function parseRateLimit(value: string): RateLimitRule | undefined {
  if (value.trim().toLowerCase() === 'off') return null;
  const match = /^\s*(\d{1,9})\s*\/\s*(\S+)\s*$/.exec(value);
  if (!match) return undefined;
  const points = Number(match[1]);
  const durationSeconds = parseDurationSeconds(match[2]!);
  if (points < 1 || durationSeconds === null || durationSeconds < 1 || durationSeconds > 30 * 86400) return undefined;
  return { points, durationSeconds };
}

/** The zod fields of the settings schema: one per limit. */
export function rateLimitSettings() {
  return Object.fromEntries(
    Object.values(RATE_LIMITS).map((limit) => [
      limit.variable,
      z
        .string()
        .optional()
        .transform((value, context) => {
          const rule = parseRateLimit(value === undefined || value.trim() === '' ? limit.default : value);
          if (rule === undefined) {
            context.addIssue({ code: 'custom', message: 'must be <points>/<duration> (for example 10/15m) or off' });
            return z.NEVER;
          }
          return rule;
        }),
    ]),
  ) as unknown as Record<(typeof RATE_LIMITS)[RateLimitName]['variable'], z.ZodType<RateLimitRule, string | undefined>>;
}
