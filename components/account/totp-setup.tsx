'use client';

import { useState, type FormEvent } from 'react';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { ActionError, localFailure, type ActionFailure } from './action-error';

interface Setup {
  secret: string;
  qrCode: string;
}

/**
 * Sets up an authenticator app: a button asks the server for a new secret, then the page shows
 * it as a QR code (an <img> of the server's SVG) and as text, and the user proves the app with a
 * code. `onEnrolled` receives the first recovery codes when this was the user's first factor.
 */
export function TotpSetup({ onEnrolled }: { onEnrolled: (recoveryCodes: string[] | null) => void }) {
  const hydrated = useHydrated();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState<'start' | 'confirm' | null>(null);

  const start = async () => {
    setPending('start');
    setFailure(null);
    const result = await callJson('/api/account/totp/start');
    setPending(null);
    if (!result.ok) {
      setFailure(result);
      return;
    }
    const { secret, qrCode } = result.data;
    if (typeof secret !== 'string' || typeof qrCode !== 'string' || !qrCode.startsWith('data:image/svg+xml;base64,')) {
      setFailure(localFailure());
      return;
    }
    setSetup({ secret, qrCode });
    setCode('');
    setCodeError(undefined);
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^\s*\d{3}\s?\d{3}\s*$/.test(code)) {
      setCodeError('Enter the 6-digit code your app shows.');
      return;
    }
    setPending('confirm');
    setFailure(null);
    setCodeError(undefined);
    const result = await callJson('/api/account/totp/confirm', { code });
    setPending(null);
    if (!result.ok) {
      if (result.fieldErrors.code) setCodeError(result.fieldErrors.code[0]);
      else setFailure(result);
      return;
    }
    const codes = result.data.recoveryCodes;
    setSetup(null);
    onEnrolled(Array.isArray(codes) && codes.every((item) => typeof item === 'string') ? codes : null);
  };

  if (!setup) {
    return (
      <div className="space-y-3">
        <ActionError id="totp-setup-error" failure={failure} />
        <Button onClick={start} disabled={!hydrated} pending={pending === 'start'} pendingLabel="Starting…">
          Set up an authenticator app
        </Button>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <ActionError id="totp-setup-error" failure={failure} />
      <ol className="list-decimal space-y-4 pl-5 text-sm text-slate-700">
        <li>
          <p>Scan this QR code with your authenticator app (such as 1Password, Google Authenticator or Microsoft Authenticator).</p>
          {/* A data: URL of the SVG the server drew: no script, allowed by the CSP's img-src data:. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={setup.qrCode} alt="QR code to add Optare to your authenticator app" width={200} height={200} className="mt-3 rounded-lg ring-1 ring-slate-200" />
        </li>
        <li>
          <p id="totp-secret-label">Can’t scan it? Enter this setup key in the app instead:</p>
          <code id="totp-secret" aria-labelledby="totp-secret-label" className="mt-2 block break-all rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm tracking-wider text-slate-900">
            {setup.secret.replace(/(.{4})(?=.)/g, '$1 ')}
          </code>
        </li>
        <li>
          <form method="post" noValidate onSubmit={confirm} className="space-y-3">
            <Field
              id="totp-setup-code"
              label="Code from the app"
              hint="The 6-digit code the app now shows for Optare."
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              value={code}
              error={codeError}
              onChange={(event) => setCode(event.target.value)}
            />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={pending !== null} pending={pending === 'confirm'} pendingLabel="Verifying…">
                Verify and turn on
              </Button>
              <Button variant="secondary" disabled={pending !== null} onClick={() => (setSetup(null), setFailure(null))}>
                Cancel
              </Button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
