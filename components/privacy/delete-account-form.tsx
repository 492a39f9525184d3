'use client';

import { useState, type FormEvent } from 'react';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, type ActionFailure } from '@/components/account/action-error';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { fieldErrorsOf } from '@/lib/validation/account';
import { deleteOwnAccountSchema } from '@/lib/privacy/schemas';

/**
 * "Delete account": the user types their address (checked with the server's schema) and
 * confirms. A session whose sign-in is not fresh is sent through the step-up first: the server
 * answers reauthentication_required with where to go, and the browser goes there.
 */
export function DeleteAccountForm({ email }: { email: string }) {
  const hydrated = useHydrated();
  const [confirmEmail, setConfirmEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const parsed = deleteOwnAccountSchema.safeParse({ confirmEmail });
    if (!parsed.success) return setFieldError(fieldErrorsOf(parsed.error).confirmEmail?.[0]);
    if (parsed.data.confirmEmail !== email) return setFieldError('That is not the email address of this account. Type it exactly as shown.');
    setFieldError(undefined);
    setPending(true);
    const result = await callJson('/api/account/delete', { confirmEmail });
    if (result.ok) {
      // A full page load: the session and its cookies are gone.
      window.location.assign(typeof result.data.redirectTo === 'string' && result.data.redirectTo.startsWith('/') ? result.data.redirectTo : '/account/deleted');
      return;
    }
    setPending(false);
    if (result.code === 'reauthentication_required' && result.redirectTo) {
      window.location.assign(result.redirectTo);
      return;
    }
    if (result.fieldErrors.confirmEmail) setFieldError(result.fieldErrors.confirmEmail[0]);
    else setFailure(result);
  };

  return (
    <form method="post" onSubmit={submit} noValidate aria-label="Delete account" className="space-y-4">
      <p className="text-sm text-slate-800">
        This deletes your account for good: your sessions, passkeys, authenticator app, recovery codes, remembered browsers and every app’s access
        end at once, and you cannot sign in again with <strong className="break-words">{email}</strong>. Your security activity stays in the audit
        log under a pseudonym, without your address, name, IP addresses or browsers.
      </p>
      <Field
        id="delete-confirm-email"
        label="Type your email address to confirm"
        name="confirmEmail"
        type="email"
        autoComplete="off"
        value={confirmEmail}
        onChange={(event) => setConfirmEmail(event.target.value)}
        error={fieldError}
        required
      />
      <ActionError id="delete-account-error" failure={failure} />
      <Button type="submit" disabled={!hydrated} pending={pending} pendingLabel="Deleting…">
        Delete my account
      </Button>
    </form>
  );
}
