'use client';

import { useState } from 'react';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { Button } from '@/components/ui/button';
import { count, useUserAction } from './use-user-action';

type Action = 'disable' | 'enable' | 'grant-admin' | 'revoke-admin' | 'password-reset';

const ROUTES: Record<Action, string> = {
  disable: 'disable',
  enable: 'enable',
  'grant-admin': 'admin/grant',
  'revoke-admin': 'admin/revoke',
  'password-reset': 'password-reset',
};

/**
 * The account-wide actions on a user: disable or enable, grant or revoke the admin role, send a
 * password-reset email; each after a confirmation that says what it does. An administrator's
 * own account offers neither disabling nor revoking (the server refuses those too).
 */
export function UserActions({
  userId,
  email,
  status,
  isAdmin,
  self,
}: {
  userId: string;
  email: string;
  status: 'active' | 'disabled';
  isAdmin: boolean;
  self: boolean;
}) {
  const hydrated = useHydrated();
  const action = useUserAction();
  const [confirming, setConfirming] = useState<Action | null>(null);

  const questions: Record<Action, { question: string; confirm: string; pending: string; done: (data: Record<string, unknown>) => string }> = {
    disable: {
      question: `Disable ${email}? They are signed out everywhere at once, every app’s access is revoked, and they cannot sign in until the account is enabled again.`,
      confirm: 'Disable account',
      pending: 'Disabling…',
      done: (data) => {
        const ended = (data.ended ?? {}) as Record<string, unknown>;
        return `${email} was disabled: ${count(ended.sessionsEnded, 'session', 'sessions')} ended, ${count(ended.grantsRevoked, 'app grant', 'app grants')} revoked.`;
      },
    },
    enable: {
      question: `Enable ${email}? They can sign in again; apps they used will ask them to sign in again.`,
      confirm: 'Enable account',
      pending: 'Enabling…',
      done: () => `${email} was enabled.`,
    },
    'grant-admin': {
      question: `Make ${email} an administrator? They can use this console once they sign in with two-step verification.`,
      confirm: 'Make administrator',
      pending: 'Saving…',
      done: () => `${email} is now an administrator.`,
    },
    'revoke-admin': {
      question: `Remove the admin role of ${email}? The console refuses them from their next click.`,
      confirm: 'Remove admin role',
      pending: 'Saving…',
      done: () => `${email} is no longer an administrator.`,
    },
    'password-reset': {
      question: `Email ${email} a password-reset link? It works once, for 30 minutes; their password stays as it is until they use it.`,
      confirm: 'Send the email',
      pending: 'Sending…',
      done: () => `A password-reset link was sent to ${email}.`,
    },
  };

  const open = (next: Action) => {
    action.clear();
    setConfirming(next);
  };

  const confirm = async (which: Action) => {
    await action.run(which, `/api/admin/console/users/${userId}/${ROUTES[which]}`, {}, questions[which].done);
    setConfirming(null);
  };

  const available: Action[] = [
    ...(status === 'active' ? (self ? [] : (['disable'] as const)) : (['enable'] as const)),
    ...(isAdmin ? (self ? [] : (['revoke-admin'] as const)) : (['grant-admin'] as const)),
    ...(status === 'active' ? (['password-reset'] as const) : []),
  ];
  const labels: Record<Action, string> = {
    disable: 'Disable account…',
    enable: 'Enable account…',
    'grant-admin': 'Make administrator…',
    'revoke-admin': 'Remove admin role…',
    'password-reset': 'Send password reset…',
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="user-actions-status" message={action.status} />
      <ActionError id="user-actions-error" failure={action.failure} />
      {confirming ? (
        <ConfirmAction
          id="user-action-confirm"
          question={questions[confirming].question}
          confirmLabel={questions[confirming].confirm}
          pendingLabel={questions[confirming].pending}
          pending={action.pending === confirming}
          onConfirm={() => confirm(confirming)}
          onCancel={() => setConfirming(null)}
        />
      ) : (
        <div className="flex flex-wrap gap-2">
          {available.map((which) => (
            <Button key={which} variant="secondary" disabled={!hydrated || action.pending !== null} onClick={() => open(which)}>
              {labels[which]}
            </Button>
          ))}
        </div>
      )}
      {self ? <p className="text-xs text-slate-600">This is your own account: another administrator must disable it or remove its admin role.</p> : null}
    </div>
  );
}
