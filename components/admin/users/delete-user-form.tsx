'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { callJson } from '@/components/auth/post-json';
import { showServerErrors } from '@/components/auth/server-errors';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, type ActionFailure } from '@/components/account/action-error';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { MFA_RESET_REASON } from '@/lib/admin/user-schemas';
import { adminDeleteUserFormSchema, type AdminDeleteUserFormInput } from '@/lib/privacy/schemas';

type Output = { reason: string; confirmEmail: string };

const INPUT =
  'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 aria-invalid:border-red-600 sm:text-sm';

/**
 * "Delete user": the administrator types the user's address (the confirmation) and a reason,
 * both validated with the schema the server uses. On success the console goes back to the list.
 */
export function DeleteUserForm({ userId, email }: { userId: string; email: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const form = useForm<AdminDeleteUserFormInput, unknown, Output>({
    resolver: zodResolver(adminDeleteUserFormSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: { reason: '', confirmEmail: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFailure(null);
    if (values.confirmEmail !== email) {
      form.setError('confirmEmail', { message: 'That is not this user’s email address. Type it exactly as shown.' });
      return;
    }
    const result = await callJson(`/api/admin/console/users/${userId}/delete`, values);
    if (!result.ok) {
      if (Object.keys(result.fieldErrors).length > 0) showServerErrors(result, ['reason', 'confirmEmail'], form.setError);
      else setFailure(result);
      return;
    }
    router.push(`/admin/users?deleted=${encodeURIComponent(String(result.data.pseudonym ?? ''))}`);
  });

  return (
    <div className="space-y-3">
      <ActionError id="delete-user-error" failure={failure} />
      {open ? (
        <form method="post" noValidate onSubmit={onSubmit} aria-label="Delete user" className="space-y-4 rounded-xl border border-red-200 px-4 py-3">
          <FormAlert id="delete-user-alert" message={errors.root?.server?.message} />
          <p className="text-sm text-slate-800">
            This deletes the account of <strong className="break-words">{email}</strong> for good: every session, app access, factor and remembered
            browser ends, and their audit events keep only a pseudonym. It cannot be undone.
          </p>
          <div className="space-y-1.5">
            <label htmlFor="delete-user-email" className="block text-sm font-medium text-slate-800">
              Type the user’s email address to confirm
            </label>
            <input
              id="delete-user-email"
              type="email"
              autoComplete="off"
              aria-invalid={errors.confirmEmail ? true : undefined}
              aria-describedby={errors.confirmEmail ? 'delete-user-email-error' : undefined}
              className={INPUT}
              {...form.register('confirmEmail')}
            />
            {errors.confirmEmail ? (
              <p id="delete-user-email-error" className="text-sm text-red-700">
                {errors.confirmEmail.message}
              </p>
            ) : null}
          </div>
          <div className="space-y-1.5">
            <label htmlFor="delete-user-reason" className="block text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id="delete-user-reason"
              rows={3}
              maxLength={MFA_RESET_REASON.max}
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={[errors.reason ? 'delete-user-reason-error' : null, 'delete-user-reason-hint'].filter(Boolean).join(' ')}
              className={INPUT}
              {...form.register('reason')}
            />
            {errors.reason ? (
              <p id="delete-user-reason-error" className="text-sm text-red-700">
                {errors.reason.message}
              </p>
            ) : null}
            <p id="delete-user-reason-hint" className="text-xs leading-5 text-slate-600">
              Recorded in the audit log ({MFA_RESET_REASON.min} to {MFA_RESET_REASON.max} characters), e.g. the request you are acting on.
            </p>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={!hydrated} pending={isSubmitting} pendingLabel="Deleting…">
              Delete user
            </Button>
            <Button variant="secondary" disabled={isSubmitting} onClick={() => (form.reset(), setOpen(false))}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="secondary" disabled={!hydrated} onClick={() => (setFailure(null), setOpen(true))}>
          Delete user…
        </Button>
      )}
    </div>
  );
}
