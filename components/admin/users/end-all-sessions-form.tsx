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
import { END_ALL_SESSIONS_CONFIRMATION, endAllSessionsConsoleSchema, type EndAllSessionsConsoleInput } from '@/lib/admin/end-all-sessions-schema';
import { MFA_RESET_REASON } from '@/lib/admin/user-schemas';
import { count } from './use-user-action';

type Output = { reason: string; confirm: string };

const FIELD_CLASS =
  'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 aria-invalid:border-red-600 sm:text-sm';

/**
 * "End all sessions" on the Users page: every user's sessions, unfinished sign-ins and remembered
 * browsers end (this console session stays). A reason and the typed confirmation, validated with
 * the schema the server uses.
 */
export function EndAllSessionsForm() {
  const router = useRouter();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const form = useForm<EndAllSessionsConsoleInput, unknown, Output>({
    resolver: zodResolver(endAllSessionsConsoleSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: { reason: '', confirm: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFailure(null);
    const result = await callJson('/api/admin/console/sessions/end-all', values);
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) showServerErrors(result, ['reason', 'confirm'], form.setError);
      else setFailure(result);
      return;
    }
    form.reset({ reason: '', confirm: '' });
    setOpen(false);
    const d = result.data;
    setStatus(
      `Ended ${count(d.sessionsEnded, 'session', 'sessions')} and ${count(d.pendingSignInsEnded, 'unfinished sign-in', 'unfinished sign-ins')}; ` +
        `forgot ${count(d.trustedDevicesForgotten, 'remembered browser', 'remembered browsers')}. Your console session stays.`,
    );
    router.refresh();
  });

  return (
    <div className="space-y-3">
      <ActionStatus id="end-all-sessions-status" message={status} />
      <ActionError id="end-all-sessions-error" failure={failure} />
      {open ? (
        <form method="post" noValidate onSubmit={onSubmit} aria-label="End all sessions" className="space-y-4 rounded-xl border border-slate-200 px-4 py-3">
          <FormAlert id="end-all-sessions-alert" message={errors.root?.server?.message} />
          <p className="text-sm text-slate-800">
            This signs out every user on every device (all but this console session), ends sign-ins in progress and forgets remembered
            browsers, so everyone signs in again with their second factor. Apps keep their grants and refresh tokens.
          </p>
          <div className="space-y-1.5">
            <label htmlFor="end-all-sessions-reason" className="block text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id="end-all-sessions-reason"
              rows={3}
              maxLength={MFA_RESET_REASON.max}
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={[errors.reason ? 'end-all-sessions-reason-error' : null, 'end-all-sessions-reason-hint'].filter(Boolean).join(' ')}
              className={FIELD_CLASS}
              {...form.register('reason')}
            />
            {errors.reason ? (
              <p id="end-all-sessions-reason-error" className="text-sm text-red-700">
                {errors.reason.message}
              </p>
            ) : null}
            <p id="end-all-sessions-reason-hint" className="text-xs leading-5 text-slate-600">
              Recorded in the audit log ({MFA_RESET_REASON.min} to {MFA_RESET_REASON.max} characters).
            </p>
          </div>
          <div className="space-y-1.5">
            <label htmlFor="end-all-sessions-confirm" className="block text-sm font-medium text-slate-800">
              Type “{END_ALL_SESSIONS_CONFIRMATION}” to confirm
            </label>
            <input
              id="end-all-sessions-confirm"
              type="text"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errors.confirm ? true : undefined}
              aria-describedby={errors.confirm ? 'end-all-sessions-confirm-error' : undefined}
              className={FIELD_CLASS}
              {...form.register('confirm')}
            />
            {errors.confirm ? (
              <p id="end-all-sessions-confirm-error" className="text-sm text-red-700">
                {errors.confirm.message}
              </p>
            ) : null}
          </div>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={!hydrated} pending={isSubmitting} pendingLabel="Ending…">
              End all sessions
            </Button>
            <Button variant="secondary" disabled={isSubmitting} onClick={() => (form.reset({ reason: '', confirm: '' }), setOpen(false))}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="secondary" disabled={!hydrated} onClick={() => (setFailure(null), setStatus(null), setOpen(true))}>
          End all sessions…
        </Button>
      )}
    </div>
  );
}
