import 'server-only';
import { getConfig, type Config } from '../config';
import { readSettings, type StoredSettingRow } from '../db/settings';
import { logger } from '../log/logger';
import { PASSWORD_MIN } from '../validation/account';
import {
  RUNTIME_SETTING_KEYS,
  SETTING_VALUE_SCHEMAS,
  type DescribedSettings,
  type RuntimeSettingKey,
  type RuntimeSettings,
} from './schema';

/**
 * The settings in force: a value an administrator set in the console (the `settings` table) wins
 * over the default, which is the environment's (OPTARE_MFA_REQUIRED, OPTARE_SESSION_IDLE_TIMEOUT,
 * OPTARE_SESSION_MAX_AGE, OPTARE_EMAIL_VERIFICATION) or, where no variable exists, the code's
 * (PASSWORD_MIN; audit retention 0 = keep forever).
 *
 * Hot paths (sign-in, session creation) must not query per request, so the stored values are
 * cached in memory for CACHE_TTL_MS (5 seconds) on globalThis (shared by the server bootstrap, which
 * runs the maintenance jobs, and Next.js's route bundles). The instance that saves a change uses
 * it at once; other instances behind the same database see it within those 5 seconds.
 * The defaults are read from the configuration at every call (they cannot change while running).
 */

export const CACHE_TTL_MS = 5_000;

/**
 * Audit events are kept forever unless an administrator chooses otherwise: deleting security
 * evidence must be a decision, and the retention the law asks for differs (a year for some
 * standards, six years or more for others), so no single number is a safe default.
 */
export const DEFAULT_AUDIT_RETENTION_DAYS = 0;

/** A value set in the console, validated, and when it was set. */
export type StoredOverrides = { [K in RuntimeSettingKey]?: { value: RuntimeSettings[K]; updatedAt: Date } };

/** The values that apply when nothing is set in the console. */
export function defaultSettings(config: Config = getConfig()): RuntimeSettings {
  return {
    passwordMinLength: PASSWORD_MIN,
    mfaRequired: config.mfa.required,
    sessionIdleTimeoutSeconds: config.session.idleTimeoutSeconds,
    sessionMaxAgeSeconds: config.session.maxAgeSeconds,
    emailVerificationRequired: config.email.verification === 'required',
    auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
  };
}

/** The defaults with the overrides applied. */
export function applyOverrides(defaults: RuntimeSettings, overrides: StoredOverrides): RuntimeSettings {
  const settings = { ...defaults };
  for (const key of RUNTIME_SETTING_KEYS) {
    const override = overrides[key];
    if (override) (settings as Record<RuntimeSettingKey, unknown>)[key] = override.value;
  }
  return settings;
}

/**
 * The stored rows as overrides. A row whose value is not valid for its setting (written by hand,
 * or by a version with other limits) is ignored, with a warning, and the default applies.
 */
export function parseStoredSettings(rows: readonly Pick<StoredSettingRow, 'key' | 'value' | 'updatedAt'>[]): StoredOverrides {
  const overrides: Record<string, { value: unknown; updatedAt: Date }> = {};
  for (const row of rows) {
    if (!(RUNTIME_SETTING_KEYS as readonly string[]).includes(row.key)) continue;
    const parsed = SETTING_VALUE_SCHEMAS[row.key as RuntimeSettingKey].safeParse(row.value);
    if (parsed.success) overrides[row.key] = { value: parsed.data, updatedAt: row.updatedAt };
    else logger().warn({ setting: row.key }, 'ignored an invalid stored setting: its default applies');
  }
  return overrides as StoredOverrides;
}

/** Reads the overrides from the database, bypassing the cache. */
export async function loadStoredOverrides(): Promise<StoredOverrides> {
  return parseStoredSettings(await readSettings(RUNTIME_SETTING_KEYS));
}

// ---------------------------------------------------------------------------------------------
// The cache

interface SettingsCache {
  /** Bumped by every local change, so a load that started before it is not stored. */
  generation: number;
  current?: { overrides: StoredOverrides; loadedAt: number };
  loading?: Promise<StoredOverrides>;
}

const CACHE_KEY = Symbol.for('optare.runtime-settings');
type Holder = { [CACHE_KEY]?: SettingsCache };

function cache(): SettingsCache {
  const holder = globalThis as Holder;
  holder[CACHE_KEY] ??= { generation: 0 };
  return holder[CACHE_KEY];
}

const monotonicMs = () => performance.now();

/** The settings in force, from memory; the database is read at most every CACHE_TTL_MS. */
export async function runtimeSettings(): Promise<RuntimeSettings> {
  return applyOverrides(defaultSettings(), await cachedOverrides());
}

/**
 * The settings as last read, without waiting: for display where nothing can be awaited. Starts a
 * refresh when the values are stale; before the first read, the defaults. Enforce with
 * runtimeSettings().
 */
export function cachedRuntimeSettings(): RuntimeSettings {
  const state = cache();
  if (!state.current || monotonicMs() - state.current.loadedAt >= CACHE_TTL_MS) {
    cachedOverrides().catch(() => undefined);
  }
  return applyOverrides(defaultSettings(), state.current?.overrides ?? {});
}

async function cachedOverrides(): Promise<StoredOverrides> {
  const state = cache();
  if (state.current && monotonicMs() - state.current.loadedAt < CACHE_TTL_MS) return state.current.overrides;
  if (!state.loading) {
    const generation = state.generation;
    const loading = loadStoredOverrides()
      .then((overrides) => {
        if (state.generation === generation) state.current = { overrides, loadedAt: monotonicMs() };
        return overrides;
      })
      .catch((error: unknown) => {
        // The database did not answer: keep enforcing the last values read (never fall back to
        // looser defaults silently); with none read yet, the caller's request fails.
        if (state.current) {
          logger().warn({ err: error }, 'could not refresh the runtime settings: using the last values read');
          return state.current.overrides;
        }
        throw error;
      })
      .finally(() => {
        if (state.loading === loading) state.loading = undefined;
      });
    state.loading = loading;
  }
  return state.loading;
}

/** After a change made here: this instance uses the new values at once. */
export function rememberStoredOverrides(overrides: StoredOverrides): void {
  const state = cache();
  state.generation += 1;
  state.loading = undefined;
  state.current = { overrides, loadedAt: monotonicMs() };
}

/** Drops the cache (tests use it to start clean). */
export function forgetCachedSettings(): void {
  const state = cache();
  state.generation += 1;
  state.loading = undefined;
  state.current = undefined;
}

/** Each setting with its effective value, where it comes from, and its default: for the console. */
export function describeSettings(overrides: StoredOverrides, defaults: RuntimeSettings = defaultSettings()): DescribedSettings {
  const described = {} as Record<RuntimeSettingKey, unknown>;
  for (const key of RUNTIME_SETTING_KEYS) {
    const override = overrides[key];
    described[key] = {
      key,
      value: override ? override.value : defaults[key],
      source: override ? 'console' : 'default',
      defaultValue: defaults[key],
      updatedAt: override ? override.updatedAt.toISOString() : null,
    };
  }
  return described as DescribedSettings;
}

/** The settings as they are now in the database (not the cache): what the console shows. */
export async function currentSettingsDescription(): Promise<DescribedSettings> {
  const overrides = await loadStoredOverrides();
  rememberStoredOverrides(overrides);
  return describeSettings(overrides);
}
