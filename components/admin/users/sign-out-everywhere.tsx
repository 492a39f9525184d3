'use client';

import { useState } from 'react';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { Button } from '@/components/ui/button';
import { count, useUserAction } from './use-user-action';

/** "Sign out everywhere": every session, app grant and remembered browser of the user ends, after a confirmation. */
export function SignOutEverywhere({ userId, email, self }: { userId: string; email: string; self: boolean }) {
  const hydrated = useHydrated();
  const action = useUserAction();
  const [confirming, setConfirming] = useState(false);

  const confirm = async () => {
    await action.run('sign-out', `/api/admin/console/users/${userId}/sign-out`, {}, (data) =>
      `${email} was signed out everywhere: ${count(data.sessionsEnded, 'session', 'sessions')} ended, ${count(data.grantsRevoked, 'app grant', 'app grants')} revoked, ${count(data.trustedDevicesForgotten, 'remembered browser', 'remembered browsers')} forgotten.`,
    );
    setConfirming(false);
  };

  return (
    <div className="space-y-3">
      <ActionStatus id="sign-out-status" message={action.status} />
      <ActionError id="sign-out-error" failure={action.failure} />
      {confirming ? (
        <ConfirmAction
          id="sign-out-confirm"
          question={`Sign ${email} out everywhere? Every session ends at once, apps must ask them to sign in again, and remembered browsers ask for the second step again.${self ? ' This includes this console session: you will have to sign in again.' : ''}`}
          confirmLabel="Sign out everywhere"
          pendingLabel="Signing out…"
          pending={action.pending !== null}
          onConfirm={confirm}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <Button variant="secondary" disabled={!hydrated} onClick={() => (action.clear(), setConfirming(true))}>
          Sign out everywhere…
        </Button>
      )}
    </div>
  );
}
