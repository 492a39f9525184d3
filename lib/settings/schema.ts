import { z } from 'zod';
import { parseDurationSeconds } from '../config/duration';
import { PASSWORD_MAX, PASSWORD_MIN } from '../validation/account';

// The admin console's settings form validates with this schema in the browser too: no server-only
// imports here, and no code generation (Optare's CSP forbids 'unsafe-eval'; see lib/validation/account.ts).
z.config({ jitless: true });

/**
 * The settings an administrator can change at runtime, in the console (or the admin API), without
 * a restart. Each has a default from the environment (or from the code when no variable exists);
 * a value set in the console is stored in the `settings` table and wins over it.
 */
export interface RuntimeSettings {
  /** The fewest characters (code points) a new password may have: sign-up, password change and reset. */
  passwordMinLength: number;
  /** Every user must have a second factor; those without one enroll after their next sign-in. */
  mfaRequired: boolean;
  /** A browser session ends after this long without a request (applies to sessions started from then on). */
  sessionIdleTimeoutSeconds: number;
  /** A browser session ends this long after sign-in, however active (sessions started from then on). */
  sessionMaxAgeSeconds: number;
  /** Users who have not confirmed their email address cannot sign in. */
  emailVerificationRequired: boolean;
  /** Audit events older than this many days are deleted by the maintenance job; 0 keeps them forever. */
  auditRetentionDays: number;
}

export type RuntimeSettingKey = keyof RuntimeSettings;

/** In the order the console shows them; also the `settings` table's keys. */
export const RUNTIME_SETTING_KEYS = [
  'passwordMinLength',
  'mfaRequired',
  'sessionIdleTimeoutSeconds',
  'sessionMaxAgeSeconds',
  'emailVerificationRequired',
  'auditRetentionDays',
] as const satisfies readonly RuntimeSettingKey[];

const DAY = 86_400;

/**
 * The bounds of each number. The session bounds are those of OPTARE_SESSION_IDLE_TIMEOUT and
 * OPTARE_SESSION_MAX_AGE (lib/config/schema.ts); a password is at least PASSWORD_MIN long whatever
 * is set, and at most PASSWORD_MAX (the longest password Optare accepts at all).
 */
export const SETTING_LIMITS = {
  passwordMinLength: { min: PASSWORD_MIN, max: PASSWORD_MAX },
  sessionIdleTimeoutSeconds: { min: 60, max: 30 * DAY },
  sessionMaxAgeSeconds: { min: 300, max: 90 * DAY },
  auditRetentionDays: { min: 0, max: 36_500 },
} as const;

/** What the console says about each setting: its label, and the environment variable behind its default. */
export const SETTING_DESCRIPTIONS: Record<RuntimeSettingKey, { label: string; variable: string | null; help: string }> = {
  passwordMinLength: {
    label: 'Minimum password length',
    variable: null,
    help: `Characters a new password must have, ${PASSWORD_MIN} to ${PASSWORD_MAX}. Applies to sign-up, password changes and resets; existing passwords keep working.`,
  },
  mfaRequired: {
    label: 'Require two-step verification for everyone',
    variable: 'OPTARE_MFA_REQUIRED',
    help: 'Users without an authenticator app or passkey set one up after their next sign-in. Administrators always need one.',
  },
  sessionIdleTimeoutSeconds: {
    label: 'Session idle timeout',
    variable: 'OPTARE_SESSION_IDLE_TIMEOUT',
    help: 'A session ends after this long without a request, e.g. 30m, 8h or 1d (1 minute to 30 days). Applies to sessions started from now on.',
  },
  sessionMaxAgeSeconds: {
    label: 'Session maximum age',
    variable: 'OPTARE_SESSION_MAX_AGE',
    help: 'A session ends this long after sign-in however active it is, e.g. 12h or 7d (5 minutes to 90 days). Applies to sessions started from now on.',
  },
  emailVerificationRequired: {
    label: 'Require a verified email address to sign in',
    variable: 'OPTARE_EMAIL_VERIFICATION',
    help: 'Users who have not opened the link sent to their address cannot sign in until they do.',
  },
  auditRetentionDays: {
    label: 'Audit log retention (days)',
    variable: null,
    help: 'Audit events older than this are deleted (the deletion is itself audited and the chain still verifies). 0 keeps every event forever.',
  },
};

const UNIT_SECONDS = [
  ['d', DAY],
  ['h', 3600],
  ['m', 60],
] as const;

/** 28800 → "8h", 90 → "90s": the largest unit that divides evenly, as OPTARE_* durations are written. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of UNIT_SECONDS) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** 28800 → "8 hours": for sentences. */
export function describeDuration(seconds: number): string {
  const names = { d: 'day', h: 'hour', m: 'minute' } as const;
  for (const [unit, size] of UNIT_SECONDS) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${names[unit]}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** A whole number, given as a number (JSON) or as the digits a form's text input holds. */
const wholeNumber = (label: string, { min, max }: { min: number; max: number }) =>
  z
    .union([z.number(), z.string().trim().regex(/^\d{1,6}$/, `${label} must be a whole number.`).transform(Number)], {
      error: `${label} must be a whole number.`,
    })
    .pipe(
      z
        .number()
        .int(`${label} must be a whole number.`)
        .min(min, `${label} must be at least ${min}.`)
        .max(max, `${label} must be at most ${max}.`),
    );

/** A duration in seconds: a number of seconds, or text such as "90", "15m", "8h" or "7d". */
const duration = ({ min, max }: { min: number; max: number }) =>
  z
    .union([z.number(), z.string()], { error: 'Enter a duration such as 30m, 8h or 7d.' })
    .transform((value, ctx) => {
      const seconds = typeof value === 'number' ? value : parseDurationSeconds(value);
      if (seconds === null || !Number.isSafeInteger(seconds)) {
        ctx.addIssue({ code: 'custom', message: 'Enter a duration such as 30m, 8h or 7d.' });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `Enter a duration between ${describeDuration(min)} and ${describeDuration(max)}.` });
        return z.NEVER;
      }
      return seconds;
    });

const flag = (label: string) => z.boolean({ error: `${label} must be true or false.` });

/** One schema per setting, for a single value (as stored, or as sent). */
export const SETTING_VALUE_SCHEMAS = {
  passwordMinLength: wholeNumber('The minimum length', SETTING_LIMITS.passwordMinLength),
  mfaRequired: flag('Require two-step verification'),
  sessionIdleTimeoutSeconds: duration(SETTING_LIMITS.sessionIdleTimeoutSeconds),
  sessionMaxAgeSeconds: duration(SETTING_LIMITS.sessionMaxAgeSeconds),
  emailVerificationRequired: flag('Require a verified email address'),
  auditRetentionDays: wholeNumber('The retention', SETTING_LIMITS.auditRetentionDays),
} as const;

export const IDLE_LONGER_THAN_MAX_AGE = 'The idle timeout cannot be longer than the maximum age.';

/**
 * A change to the settings, as the console's form and the console route send it: each field
 * present is set to its value; `null` gives the field back to its default (the environment's);
 * an absent field stays as it is. Unknown fields are refused. The server checks once more that
 * the idle timeout is not longer than the maximum age with the effective values (a field left
 * out keeps its current value, which only the server knows).
 */
export const settingsUpdateSchema = z
  .strictObject(
    {
      passwordMinLength: SETTING_VALUE_SCHEMAS.passwordMinLength.nullable().optional(),
      mfaRequired: SETTING_VALUE_SCHEMAS.mfaRequired.nullable().optional(),
      sessionIdleTimeoutSeconds: SETTING_VALUE_SCHEMAS.sessionIdleTimeoutSeconds.nullable().optional(),
      sessionMaxAgeSeconds: SETTING_VALUE_SCHEMAS.sessionMaxAgeSeconds.nullable().optional(),
      emailVerificationRequired: SETTING_VALUE_SCHEMAS.emailVerificationRequired.nullable().optional(),
      auditRetentionDays: SETTING_VALUE_SCHEMAS.auditRetentionDays.nullable().optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown setting: ${issue.keys.join(', ')}.` : 'Send the settings as a JSON object.') },
  )
  .refine(
    ({ sessionIdleTimeoutSeconds: idle, sessionMaxAgeSeconds: maxAge }) =>
      typeof idle !== 'number' || typeof maxAge !== 'number' || idle <= maxAge,
    { path: ['sessionIdleTimeoutSeconds'], message: IDLE_LONGER_THAN_MAX_AGE },
  );

export type SettingsUpdateInput = z.input<typeof settingsUpdateSchema>;
export type SettingsUpdate = z.output<typeof settingsUpdateSchema>;

/** Where a setting's effective value comes from. */
export type SettingSource = 'default' | 'console';

/** A setting as the console shows it: the value in force, where it comes from, and the default. */
export interface DescribedSetting<K extends RuntimeSettingKey = RuntimeSettingKey> {
  key: K;
  value: RuntimeSettings[K];
  source: SettingSource;
  /** The value without a console override: the environment variable's, or the code's default. */
  defaultValue: RuntimeSettings[K];
  /** When it was last set in the console (null: never, or given back to the default). */
  updatedAt: string | null;
}

export type DescribedSettings = { [K in RuntimeSettingKey]: DescribedSetting<K> };

/** A setting's value as people read it: "16 characters", "On", "8 hours", "Forever". */
export function formatSettingValue(key: RuntimeSettingKey, value: RuntimeSettings[RuntimeSettingKey] | null): string {
  if (value === null) return 'the default';
  switch (key) {
    case 'mfaRequired':
    case 'emailVerificationRequired':
      return value ? 'On' : 'Off';
    case 'sessionIdleTimeoutSeconds':
    case 'sessionMaxAgeSeconds':
      return describeDuration(Number(value));
    case 'passwordMinLength':
      return `${value} characters`;
    case 'auditRetentionDays':
      return Number(value) === 0 ? 'Forever' : `${value} day${Number(value) === 1 ? '' : 's'}`;
  }
}
