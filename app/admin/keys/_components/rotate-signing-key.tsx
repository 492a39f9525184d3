'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { ActionError, ActionStatus, type ActionFailure } from '@/components/account/action-error';
import { ConfirmAction } from '@/components/account/confirm-action';
import { Button } from '@/components/ui/button';
import type { SigningAlg } from '@/lib/oauth/keys/algorithms';

/** "Key … now signs every new token." for one rotation; one line per algorithm for several. */
function rotationMessage(data: Record<string, unknown>, alg: string): string {
  const rotated = Array.isArray(data.rotated) ? (data.rotated as { alg?: unknown; kid?: unknown }[]) : [];
  if (rotated.length <= 1) {
    const kid = typeof data.kid === 'string' ? data.kid : 'A new key';
    return alg ? `Key ${kid} now signs every new ${alg} token.` : `Key ${kid} now signs every new token.`;
  }
  return `New keys now sign every new token: ${rotated.map((entry) => `${String(entry.alg)} ${String(entry.kid)}`).join(', ')}.`;
}

/** "Rotate now", after a confirmation that says what happens; then the list shows the new key. */
export function RotateSigningKey({ publishedFor, algorithms }: { publishedFor: string; algorithms: readonly SigningAlg[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [alg, setAlg] = useState<'' | SigningAlg>('');

  const rotate = async () => {
    setPending(true);
    setFailure(null);
    setStatus(null);
    const result = await callJson('/api/admin/console/keys/rotate', alg ? { alg } : {});
    setPending(false);
    setConfirming(false);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    setStatus(rotationMessage(result.data, alg));
    router.refresh();
  };

  return (
    <div className="space-y-3">
      {algorithms.length > 1 ? (
        <div>
          <label htmlFor="rotate-alg" className="block text-sm font-medium text-slate-900">
            Algorithm
          </label>
          <select
            id="rotate-alg"
            value={alg}
            onChange={(event) => setAlg(event.target.value as '' | SigningAlg)}
            className="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
          >
            <option value="">Every algorithm in use ({algorithms.join(', ')})</option>
            {algorithms.map((each) => (
              <option key={each} value={each}>
                {each} only
              </option>
            ))}
          </select>
        </div>
      ) : null}
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
