'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';
import { RecoveryCodesDisplay } from './recovery-codes-display';
import { ConfirmAction } from './confirm-action';

/**
 * Recovery codes on the security page: how many remain, and a new set (after a confirmation: the
 * old set stops working) shown once. Without a second factor there is nothing to back up.
 */
export function RecoveryCodesSection({ remaining, hasSecondFactor }: { remaining: number; hasSecondFactor: boolean }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);

  const regenerate = async () => {
    setPending(true);
    setFailure(null);
    const result = await callJson('/api/account/recovery-codes/regenerate');
    setPending(false);
    setConfirming(false);
    const list = result.ok ? result.data.codes : null;
    if (!result.ok) {
      setFailure(result);
      return;
    }
    setCodes(Array.isArray(list) ? list.filter((code): code is string => typeof code === 'string') : []);
    setStatus('New recovery codes generated. Your old codes no longer work.');
    router.refresh();
  };

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700" id="recovery-codes-remaining">
        {hasSecondFactor || remaining > 0
          ? `${remaining} unused recovery ${remaining === 1 ? 'code' : 'codes'} left.`
          : 'Recovery codes come with your first authenticator app or passkey.'}
      </p>
      <ActionStatus id="recovery-codes-status" message={status} />
      <ActionError id="recovery-codes-error" failure={failure} />
      {hasSecondFactor ? (
        confirming ? (
          <ConfirmAction
            id="regenerate-question"
            question="Generate a new set? Your current recovery codes will stop working at once."
            confirmLabel="Generate new codes"
            pendingLabel="Generating…"
            pending={pending}
            onConfirm={regenerate}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <Button variant="secondary" onClick={() => (setConfirming(true), setStatus(null), setFailure(null))}>
            Generate new recovery codes…
          </Button>
        )
      ) : null}
      {codes ? <RecoveryCodesDisplay codes={codes} /> : null}
    </div>
  );
}
