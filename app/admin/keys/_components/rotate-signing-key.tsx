'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, type ActionFailure } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { Button } from '@/components/ui/button';

/** "Rotate now", after a confirmation that says what happens; then the list shows the new key. */
export function RotateSigningKey({ publishedFor }: { publishedFor: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const rotate = async () => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    const result = await callJson('/api/admin/console/keys/rotate');
    setPending(false);
    setConfirming(false);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    const kid = typeof result.data.kid === 'string' ? result.data.kid : 'A new key';
    setStatus(`Key ${kid} now signs every new token.`);
    router.refresh();
  };

  return (
    <div className="space-y-3">
      {confirming ? (
        <ConfirmAction
          id="rotate-question"
          question={
            <>
              Rotate the signing key now? A new key signs every token from now on. The current key stays in the JWKS for {publishedFor}, so tokens it signed
              keep working until they expire; other servers switch within 30 seconds.
            </>
          }
          confirmLabel="Rotate now"
          pendingLabel="Rotating…"
          pending={pending}
          onConfirm={() => void rotate()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <Button disabled={!hydrated} onClick={() => setConfirming(true)}>
          Rotate now
        </Button>
      )}
      <ActionError id="rotate-error" failure={failure} />
      <ActionStatus id="rotate-status" message={status} />
    </div>
  );
}
