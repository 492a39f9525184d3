import 'server-only';
import { auditActor, type AdminActor } from './actor';
import { recordAuditEvent } from '../audit/record';
import type { AuditFieldChange } from '../audit/events';
import { deleteSettings, readSettings, upsertSetting, withSettingsLock } from '../db/settings';
import {
  applyOverrides,
  defaultSettings,
  describeSettings,
  parseStoredSettings,
  rememberStoredOverrides,
} from '../settings/runtime';
import {
  IDLE_LONGER_THAN_MAX_AGE,
  RUNTIME_SETTING_KEYS,
  settingsUpdateSchema,
  type DescribedSettings,
  type RuntimeSettingKey,
} from '../settings/schema';
import { fieldErrorsOf, type FieldErrors } from '../validation/account';

/** The audit subject of changes made in the console, apart from start-up's `configuration` (lib/server/settings-audit.ts). */
export const RUNTIME_SETTINGS_SUBJECT = 'runtime_settings';

export type UpdateSettingsResult =
  | { ok: true; changes: AuditFieldChange[]; settings: DescribedSettings }
  | { ok: false; fieldErrors: FieldErrors };

/**
 * Changes runtime settings (lib/settings) for an administrator or an API key:
 *
 * 1. The input, with the console form's schema (settingsUpdateSchema): each present field is set,
 *    `null` gives it back to its default, absent fields stay.
 * 2. Under the settings lock, in one transaction: the current values read, the idle timeout
 *    checked against the maximum age with the values that will be in force, the rows written or
 *    deleted, and `settings.changed` audited with `changes` (each field's effective value before
 *    and after) and `overridden` (the fields set in the console afterwards). A field whose value
 *    and source stay the same is no change; with no change at all nothing is written.
 * 3. This instance uses the new values at once; others within the cache's 5 seconds.
 */
export async function updateSettings(input: unknown, actor: AdminActor): Promise<UpdateSettingsResult> {
  const parsed = settingsUpdateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const update = parsed.data;
  const defaults = defaultSettings();

  const outcome = await withSettingsLock(async (tx) => {
    const before = parseStoredSettings(await readSettings(RUNTIME_SETTING_KEYS, tx));
    const target: Record<string, unknown> = {};
    for (const key of RUNTIME_SETTING_KEYS) {
      const stored = before[key];
      const wanted = update[key];
      if (wanted === undefined) {
        if (stored) target[key] = stored.value;
      } else if (wanted !== null) {
        target[key] = wanted;
      }
    }
    const now = new Date();
    const after = Object.fromEntries(Object.entries(target).map(([key, value]) => [key, { value, updatedAt: now }]));
    const effectiveBefore = applyOverrides(defaults, before);
    const effectiveAfter = applyOverrides(defaults, after);
    if (effectiveAfter.sessionIdleTimeoutSeconds > effectiveAfter.sessionMaxAgeSeconds) {
      return { ok: false as const, fieldErrors: { sessionIdleTimeoutSeconds: [IDLE_LONGER_THAN_MAX_AGE] } };
    }

    const changes: AuditFieldChange[] = [];
    const toWrite: RuntimeSettingKey[] = [];
    const toDelete: RuntimeSettingKey[] = [];
    for (const key of RUNTIME_SETTING_KEYS) {
      const wasSet = before[key] !== undefined;
      const isSet = key in target;
      const valueChanged = effectiveBefore[key] !== effectiveAfter[key];
      if (isSet && (!wasSet || before[key]!.value !== target[key])) toWrite.push(key);
      if (!isSet && wasSet) toDelete.push(key);
      if (valueChanged || wasSet !== isSet) changes.push({ field: key, before: effectiveBefore[key], after: effectiveAfter[key] });
    }
    if (changes.length === 0) return { ok: true as const, changes, overrides: before };

    const actorFields = auditActor(actor);
    for (const key of toWrite) await upsertSetting(key, target[key] as number | boolean, actorFields.actorUserId ?? null, tx);
    await deleteSettings(toDelete, tx);
    await recordAuditEvent(
      {
        type: 'settings.changed',
        outcome: 'success',
        subject: RUNTIME_SETTINGS_SUBJECT,
        details: { changes, overridden: RUNTIME_SETTING_KEYS.filter((key) => key in target) },
        ...actorFields,
      },
      tx,
    );
    // The stored timestamps, as the database set them.
    const overrides = parseStoredSettings(await readSettings(RUNTIME_SETTING_KEYS, tx));
    return { ok: true as const, changes, overrides };
  });

  if (!outcome.ok) return outcome;
  rememberStoredOverrides(outcome.overrides);
  return { ok: true, changes: outcome.changes, settings: describeSettings(outcome.overrides, defaults) };
}
