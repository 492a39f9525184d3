'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { callJson } from '@/components/auth/post-json';
import { showServerErrors } from '@/components/auth/server-errors';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, localFailure, type ActionFailure } from '@/components/account/action-error';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import {
  API_KEY_NAME_MAX,
  API_KEY_SCOPE_DESCRIPTIONS,
  API_KEY_SCOPES,
  createApiKeySchema,
  type CreateApiKeyInput,
  type CreateApiKeySettings,
} from '@/lib/admin/api-key-schema';
import { NewKeyDisplay, revealedKeyOf, type RevealedKey } from './new-key-display';

const FIELDS = ['name', 'scopes', 'expiresAt'] as const;

/**
 * Creates an API key: a name, its scopes (labelled checkboxes with what each allows) and an
 * expiry date. Validates with the shared schema (the server checks it again), then shows the
 * new key once with a Copy button.
 */
export function CreateApiKeyForm({ expiry }: { expiry: { min: string; max: string; default: string } }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [revealed, setRevealed] = useState<RevealedKey | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const defaultValues: CreateApiKeyInput = { name: '', scopes: [], expiresAt: expiry.default };
  const form = useForm<CreateApiKeyInput, unknown, CreateApiKeySettings>({
    resolver: zodResolver(createApiKeySchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues,
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFailure(null);
    setRevealed(null);
    const result = await callJson('/api/admin/console/api-keys', values);
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) showServerErrors(result, FIELDS, form.setError);
      else setFailure(result);
      return;
    }
    const created = revealedKeyOf(result.data);
    if (!created) {
      setFailure(localFailure());
      return;
    }
    form.reset(defaultValues);
    setRevealed(created);
    router.refresh();
  });

  const scopesErrorId = 'api-key-scopes-error';
  return (
    <div className="space-y-5">
      {revealed ? <NewKeyDisplay revealed={revealed} onDone={() => setRevealed(null)} /> : null}
      <form method="post" noValidate onSubmit={onSubmit} aria-label="Create an API key" className="space-y-5">
        <FormAlert id="create-api-key-alert" message={errors.root?.server?.message} />
        <ActionError id="create-api-key-error" failure={failure} />
        <Field
          id="api-key-name"
          label="Name"
          type="text"
          autoComplete="off"
          hint={`What uses the key, so you recognise it later (up to ${API_KEY_NAME_MAX} characters).`}
          error={errors.name?.message}
          {...form.register('name')}
        />
        <fieldset aria-describedby={errors.scopes ? scopesErrorId : undefined} className="space-y-2">
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          <p className="text-xs leading-5 text-slate-600">Give the key only what it needs. A write scope includes reading.</p>
          {errors.scopes ? (
            <p id={scopesErrorId} className="text-sm text-red-700">
              {errors.scopes.message ?? errors.scopes.root?.message ?? 'Choose valid scopes.'}
            </p>
          ) : null}
          <ul className="grid gap-2 sm:grid-cols-2">
            {API_KEY_SCOPES.map((scope) => {
              const id = `scope-${scope.replace(/[^a-z]/g, '-')}`;
              return (
                <li key={scope} className="flex gap-2.5 rounded-lg px-3 py-2 ring-1 ring-slate-200">
                  <input
                    id={id}
                    type="checkbox"
                    value={scope}
                    aria-describedby={`${id}-description`}
                    className="mt-0.5 size-4 shrink-0 accent-brand-600"
                    {...form.register('scopes')}
                  />
                  <span>
                    <label htmlFor={id} className="block font-mono text-sm font-medium text-slate-900">
                      {scope}
                    </label>
                    <span id={`${id}-description`} className="block text-xs text-slate-600">
                      {API_KEY_SCOPE_DESCRIPTIONS[scope]}
                    </span>
                  </span>
                </li>
              );
            })}
          </ul>
        </fieldset>
        <Field
          id="api-key-expires"
          label="Expires on"
          type="date"
          min={expiry.min}
          max={expiry.max}
          hint="The key works until the end of this day (UTC): from tomorrow to two years from today, 90 days by default."
          error={errors.expiresAt?.message}
          {...form.register('expiresAt')}
        />
        <Button type="submit" disabled={!hydrated} pending={form.formState.isSubmitting} pendingLabel="Creating…">
          Create API key
        </Button>
      </form>
    </div>
  );
}
