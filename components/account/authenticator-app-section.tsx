'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { Button } from '@/components/ui/button';
import { ActionError, ActionStatus, type ActionFailure } from './action-error';
import { RecoveryCodesDisplay } from './recovery-codes-display';
import { TotpSetup } from './totp-setup';
import { ConfirmAction } from './confirm-action';

/**
 * The authenticator app on the security page: set it up when there is none, remove it (after a
 * confirmation, and a fresh sign-in the server insists on) when there is one.
 */
export function AuthenticatorAppSection({ enrolled }: { enrolled: boolean }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);

  const remove = async () => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    const result = await callJson('/api/account/totp/remove');
    setPending(false);
    setConfirming(false);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    setCodes(null);
    setStatus(
      result.data.recoveryCodesRemoved === true
        ? 'Authenticator app removed. It was your last second factor, so your recovery codes were deleted too.'
        : 'Authenticator app removed.',
    );
    router.refresh();
  };

  return (
    <div className="space-y-4">
      <ActionStatus id="totp-status" message={status} />
      <ActionError id="totp-error" failure={failure} />
      {enrolled ? (
        <div className="space-y-3">
          <p className="text-sm text-slate-700">
            <span className="font-semibold text-emerald-800">On.</span> Sign-ins ask for a code from your authenticator app.
          </p>
          {confirming ? (
            <ConfirmAction
              id="totp-remove-question"
              question="Remove the authenticator app? Its codes will stop working for your account."
              confirmLabel="Remove authenticator app"
              pendingLabel="Removing…"
              pending={pending}
              onConfirm={remove}
              onCancel={() => setConfirming(false)}
            />
          ) : (
            <Button variant="secondary" onClick={() => (setConfirming(true), setFailure(null), setStatus(null))}>
              Remove…
            </Button>
          )}
        </div>
      ) : (
        <TotpSetup
          onEnrolled={(recoveryCodes) => {
            setCodes(recoveryCodes);
            setStatus('Authenticator app turned on.');
            router.refresh();
          }}
        />
      )}
      {codes ? <RecoveryCodesDisplay codes={codes} /> : null}
    </div>
  );
}
