'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { callJson } from '@/components/auth/post-json';
import { showServerErrors } from '@/components/auth/server-errors';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, type ActionFailure } from '@/components/account/action-error';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { MFA_RESET_REASON, mfaResetSchema, type MfaResetInput } from '@/lib/admin/user-schemas';
import { count } from './use-user-action';

type MfaResetOutput = { reason: string };

/**
 * "Reset MFA": a reason (validated with the schema the server uses) and an explicit submit,
 * which is the confirmation. Everything the user has as a second step goes, and their sessions end.
 */
export function ResetMfaForm({ userId, email, mfaRequired, self }: { userId: string; email: string; mfaRequired: boolean; self: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const form = useForm<MfaResetInput, unknown, MfaResetOutput>({
    resolver: zodResolver(mfaResetSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: { reason: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFailure(null);
    const result = await callJson(`/api/admin/console/users/${userId}/mfa-reset`, values);
    router.refresh();
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) showServerErrors(result, ['reason'], form.setError);
      else setFailure(result);
      return;
    }
    form.reset({ reason: '' });
    setOpen(false);
    const d = result.data;
    const parts = [
      d.totpRemoved === true ? 'the authenticator app' : null,
      count(d.passkeysRemoved, 'passkey', 'passkeys'),
      count(d.recoveryCodesRemoved, 'recovery code', 'recovery codes'),
    ].filter(Boolean);
    setStatus(`Two-step verification of ${email} was reset: removed ${parts.join(', ')}; ${count(d.sessionsEnded, 'session', 'sessions')} ended.`);
  });

  const errorId = 'mfa-reset-reason-error';
  const hintId = 'mfa-reset-reason-hint';
  return (
    <div className="space-y-3">
      <ActionStatus id="mfa-reset-status" message={status} />
      <ActionError id="mfa-reset-error" failure={failure} />
      {open ? (
        <form method="post" noValidate onSubmit={onSubmit} aria-label="Reset MFA" className="space-y-4 rounded-xl border border-slate-200 px-4 py-3">
          <FormAlert id="mfa-reset-alert" message={errors.root?.server?.message} />
          <p className="text-sm text-slate-800">
            This removes the authenticator app, every passkey, the recovery codes and the remembered browsers of {email}, and signs them out
            everywhere. {mfaRequired ? 'They must set up two-step verification again at their next sign-in.' : 'They sign in with their password alone until they set up a new second step.'}
            {self ? ' This includes this console session: you will have to sign in again.' : null}
          </p>
          <div className="space-y-1.5">
            <label htmlFor="mfa-reset-reason" className="block text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id="mfa-reset-reason"
              rows={3}
              maxLength={MFA_RESET_REASON.max}
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={[errors.reason ? errorId : null, hintId].filter(Boolean).join(' ')}
              className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 aria-invalid:border-red-600 sm:text-sm"
              {...form.register('reason')}
            />
            {errors.reason ? (
              <p id={errorId} className="text-sm text-red-700">
                {errors.reason.message}
              </p>
            ) : null}
            <p id={hintId} className="text-xs leading-5 text-slate-600">
              Recorded in the audit log ({MFA_RESET_REASON.min} to {MFA_RESET_REASON.max} characters), e.g. how you checked it was them.
            </p>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={!hydrated} pending={isSubmitting} pendingLabel="Resetting…">
              Reset MFA
            </Button>
            <Button variant="secondary" disabled={isSubmitting} onClick={() => (form.reset({ reason: '' }), setOpen(false))}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="secondary" disabled={!hydrated} onClick={() => (setFailure(null), setStatus(null), setOpen(true))}>
          Reset MFA…
        </Button>
      )}
    </div>
  );
}
