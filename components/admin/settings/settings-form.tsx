'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { callJson } from '@/components/auth/post-json';
import { showServerErrors } from '@/components/auth/server-errors';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, type ActionFailure } from '@/components/account/action-error';
import { when } from '@/components/account/dates';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import {
  formatDuration,
  formatSettingValue,
  RUNTIME_SETTING_KEYS,
  SETTING_DESCRIPTIONS,
  settingsUpdateSchema,
  type DescribedSettings,
  type RuntimeSettingKey,
  type SettingsUpdate,
  type SettingsUpdateInput,
} from '@/lib/settings/schema';

const ENDPOINT = '/api/admin/console/settings';

/** The form's text for each setting's current value. */
function formValues(settings: DescribedSettings): SettingsUpdateInput {
  return {
    passwordMinLength: String(settings.passwordMinLength.value),
    mfaRequired: settings.mfaRequired.value,
    sessionIdleTimeoutSeconds: formatDuration(settings.sessionIdleTimeoutSeconds.value),
    sessionMaxAgeSeconds: formatDuration(settings.sessionMaxAgeSeconds.value),
    emailVerificationRequired: settings.emailVerificationRequired.value,
    auditRetentionDays: String(settings.auditRetentionDays.value),
  };
}

interface Change {
  field: string;
  before: unknown;
  after: unknown;
}

/** "Minimum password length: 12 characters → 16 characters." for each change the server made. */
function describeChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return 'Nothing changed: the settings already had these values.';
  const lines = changes.map(({ field, before, after }) => {
    const key = field as RuntimeSettingKey;
    const label = SETTING_DESCRIPTIONS[key]?.label ?? field;
    const show = (value: unknown) => formatSettingValue(key, value as number | boolean);
    return `${label}: ${show(before)} → ${show(after)}`;
  });
  return `Saved. ${lines.join('; ')}.`;
}

function changesOf(data: Record<string, unknown>): Change[] {
  return Array.isArray(data.changes)
    ? data.changes.filter((change): change is Change => typeof change === 'object' && change !== null && typeof (change as Change).field === 'string')
    : [];
}

/**
 * The runtime settings, one form: each field shows the value in force, whether it is the default
 * (with the environment variable it comes from) or was set here, and can be given back to its
 * default. Validates with the shared schema (the server checks it again); only the fields changed
 * are sent, and what the server changed is said after saving.
 */
export function SettingsForm({ settings }: { settings: DescribedSettings }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [current, setCurrent] = useState(settings);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [resetting, setResetting] = useState<RuntimeSettingKey | null>(null);
  const form = useForm<SettingsUpdateInput, unknown, SettingsUpdate>({
    resolver: zodResolver(settingsUpdateSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: formValues(settings),
  });
  const { errors, dirtyFields } = form.formState;

  const send = async (body: SettingsUpdate): Promise<boolean> => {
    setFailure(null);
    setStatus(null);
    const result = await callJson(ENDPOINT, body);
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) showServerErrors(result, RUNTIME_SETTING_KEYS, form.setError);
      else setFailure(result);
      return false;
    }
    const next = result.data.settings as DescribedSettings | undefined;
    if (next) {
      setCurrent(next);
      form.reset(formValues(next));
    }
    setStatus(describeChanges(changesOf(result.data)));
    router.refresh();
    return true;
  };

  const onSubmit = form.handleSubmit(async (values) => {
    const changed = Object.fromEntries(
      RUNTIME_SETTING_KEYS.filter((key) => dirtyFields[key]).map((key) => [key, values[key]]),
    ) as SettingsUpdate;
    if (Object.keys(changed).length === 0) {
      setFailure(null);
      setStatus('Nothing to save: no setting was changed.');
      return;
    }
    await send(changed);
  });

  const restoreDefault = async (key: RuntimeSettingKey) => {
    setResetting(key);
    await send({ [key]: null } as SettingsUpdate);
    setResetting(null);
  };

  const source = (key: RuntimeSettingKey) => {
    const setting = current[key];
    const variable = SETTING_DESCRIPTIONS[key].variable;
    const fallback = `${formatSettingValue(key, setting.defaultValue)}${variable ? ` (from ${variable})` : ' (built in)'}`;
    return (
      <span className="flex flex-wrap items-center gap-2" data-setting-source={setting.source}>
        {setting.source === 'console' ? (
          <>
            <span className="rounded-full bg-sky-50 px-2 py-0.5 text-xs font-semibold text-sky-800 ring-1 ring-sky-200">Set here</span>
            {setting.updatedAt ? (
              <span>
                on <time dateTime={setting.updatedAt}>{when(new Date(setting.updatedAt)).label}</time>.
              </span>
            ) : null}
            <span>Default: {fallback}.</span>
            <button
              type="button"
              disabled={!hydrated || resetting !== null || form.formState.isSubmitting}
              onClick={() => void restoreDefault(key)}
              className="font-semibold text-brand-700 underline underline-offset-2 disabled:opacity-60"
            >
              {resetting === key ? 'Restoring…' : 'Use the default'}
            </button>
          </>
        ) : (
          <>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700 ring-1 ring-slate-300">Default</span>
            <span>{variable ? `From ${variable}.` : 'Built in.'}</span>
          </>
        )}
      </span>
    );
  };

  const hint = (key: RuntimeSettingKey) => (
    <>
      <span className="block">{SETTING_DESCRIPTIONS[key].help}</span>
      <span className="mt-1 block">{source(key)}</span>
    </>
  );

  const checkbox = (key: 'mfaRequired' | 'emailVerificationRequired', id: string) => (
    <div className="space-y-1.5">
      <div className="flex items-start gap-2.5">
        <input
          id={id}
          type="checkbox"
          aria-describedby={`${id}-hint${errors[key] ? ` ${id}-error` : ''}`}
          aria-invalid={errors[key] ? true : undefined}
          className="mt-0.5 size-4 shrink-0 accent-brand-600"
          {...form.register(key)}
        />
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {SETTING_DESCRIPTIONS[key].label}
        </label>
      </div>
      {errors[key] ? (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {errors[key]?.message}
        </p>
      ) : null}
      <p id={`${id}-hint`} className="text-xs leading-5 text-slate-600">
        {hint(key)}
      </p>
    </div>
  );

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-label="Runtime settings" className="space-y-6">
      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">Passwords and sign-in</legend>
        <Field
          id="setting-password-min-length"
          label={SETTING_DESCRIPTIONS.passwordMinLength.label}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          hint={hint('passwordMinLength')}
          error={errors.passwordMinLength?.message}
          {...form.register('passwordMinLength')}
        />
        {checkbox('mfaRequired', 'setting-mfa-required')}
        {checkbox('emailVerificationRequired', 'setting-email-verification')}
      </fieldset>
      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">Sessions</legend>
        <Field
          id="setting-session-idle"
          label={SETTING_DESCRIPTIONS.sessionIdleTimeoutSeconds.label}
          type="text"
          autoComplete="off"
          hint={hint('sessionIdleTimeoutSeconds')}
          error={errors.sessionIdleTimeoutSeconds?.message}
          {...form.register('sessionIdleTimeoutSeconds')}
        />
        <Field
          id="setting-session-max-age"
          label={SETTING_DESCRIPTIONS.sessionMaxAgeSeconds.label}
          type="text"
          autoComplete="off"
          hint={hint('sessionMaxAgeSeconds')}
          error={errors.sessionMaxAgeSeconds?.message}
          {...form.register('sessionMaxAgeSeconds')}
        />
      </fieldset>
      <fieldset className="space-y-4">
        <legend className="text-base font-semibold text-slate-900">Audit log</legend>
        <Field
          id="setting-audit-retention"
          label={SETTING_DESCRIPTIONS.auditRetentionDays.label}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          hint={hint('auditRetentionDays')}
          error={errors.auditRetentionDays?.message}
          {...form.register('auditRetentionDays')}
        />
      </fieldset>
      <div className="space-y-2">
        <FormAlert id="settings-alert" message={errors.root?.server?.message} />
        <ActionError id="settings-error" failure={failure} />
        <ActionStatus id="settings-status" message={status} />
      </div>
      <Button type="submit" disabled={!hydrated || resetting !== null} pending={form.formState.isSubmitting} pendingLabel="Saving…">
        Save settings
      </Button>
    </form>
  );
}
