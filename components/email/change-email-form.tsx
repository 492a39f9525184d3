'use client';

import { useState, type FormEvent } from 'react';
import { callJson } from '@/components/auth/post-json';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { ActionError, ActionStatus, type ActionFailure } from '@/components/account/action-error';
import { fieldErrorsOf } from '@/lib/validation/account';
import { changeEmailFormSchema } from '@/lib/validation/email-links';

/**
 * Changes the account's address: the current password, then a link to the new address (and a
 * notice to the old one). The address changes only when that link is used.
 */
export function ChangeEmailForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    setFailure(null);
    const parsed = changeEmailFormSchema.safeParse({ email, password });
    if (!parsed.success) {
      const fields = fieldErrorsOf(parsed.error);
      setErrors({ email: fields.email?.[0], password: fields.password?.[0] });
      return;
    }
    setErrors({});
    setPending(true);
    const result = await callJson('/api/account/email', { email, password });
    setPending(false);
    setPassword('');
    if (!result.ok) {
      if (result.fieldErrors.email || result.fieldErrors.password) {
        setErrors({ email: result.fieldErrors.email?.[0], password: result.fieldErrors.password?.[0] });
      } else setFailure(result);
      return;
    }
    setStatus(`We sent a link to ${parsed.data.email}. Your address changes when you open it.`);
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field id="new-email" label="New email address" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} error={errors.email} />
      <Field
        id="email-change-password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={errors.password}
      />
      <ActionError id="email-change-error" failure={failure} />
      <ActionStatus id="email-change-status" message={status} />
      <Button type="submit" pending={pending} pendingLabel="Sending…">
        Change email address
      </Button>
    </form>
  );
}
