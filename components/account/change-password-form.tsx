'use client';

import { useState, type FormEvent } from 'react';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { changePasswordSchema, fieldErrorsOf, PASSWORD_MAX, type FieldErrors } from '@/lib/validation/account';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';

/**
 * Changes the password: the current one, then the new one (the sign-up policy, checked here with
 * the shared schema and again on the server). Tells the user how many other sessions ended.
 * `passwordMinLength` is the minimum in force, which an administrator may have raised.
 */
export function ChangePasswordForm({ passwordMinLength }: { passwordMinLength: number }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Until React runs, a native submission would put the fields in the page's URL: the button waits.
  const hydrated = useHydrated();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    setFailure(null);
    const parsed = changePasswordSchema.safeParse({ currentPassword, newPassword });
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      return;
    }
    setErrors({});
    setPending(true);
    const result = await callJson('/api/account/password', { currentPassword, newPassword });
    setPending(false);
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) setErrors(result.fieldErrors);
      else setFailure(result);
      return;
    }
    const ended = typeof result.data.sessionsEnded === 'number' ? result.data.sessionsEnded : 0;
    setCurrentPassword('');
    setNewPassword('');
    setStatus(
      `Your password was changed. ${ended === 0 ? 'No other session was signed in.' : `${ended} other ${ended === 1 ? 'session was' : 'sessions were'} signed out.`} Apps you use will ask you to sign in again.`,
    );
  };

  return (
    <form method="post" onSubmit={submit} noValidate className="space-y-4">
      <Field
        id="current-password"
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(event) => setCurrentPassword(event.target.value)}
        error={errors.currentPassword?.[0]}
        required
      />
      <Field
        id="new-password"
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={`${passwordMinLength} to ${PASSWORD_MAX} characters. A few unrelated words make a strong one.`}
        value={newPassword}
        onChange={(event) => setNewPassword(event.target.value)}
        error={errors.newPassword?.[0]}
        required
      />
      <ActionError id="password-error" failure={failure} />
      <ActionStatus id="password-status" message={status} />
      <Button type="submit" disabled={!hydrated} pending={pending} pendingLabel="Changing…">
        Change password
      </Button>
    </form>
  );
}
