'use client';

import { useState, type FormEvent } from 'react';
import { startAuthentication } from '@simplewebauthn/browser';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { TextLink } from '@/components/ui/text-link';
import { postJson, type PostResult } from './post-json';
import { useHydrated } from './use-hydrated';
import { fetchPasskeyOptions } from './passkey-options';

type Method = 'totp' | 'recovery_code';

export interface SecondFactorFormProps {
  request?: string | undefined;
  /** An account-area path to return to (re-authentication); the server checks it again. */
  next?: string | undefined;
  totp: boolean;
  passkey: boolean;
  recoveryCodes: boolean;
  /** Days "remember this browser" lasts; 0 hides the option. */
  rememberDays: number;
}

/**
 * The second step of signing in: a passkey, a code from the authenticator app, or a recovery
 * code, whichever the user has. Each answer is checked by the server against the pending login
 * this browser holds; after too many wrong codes it is gone and the user starts over.
 */
export function SecondFactorForm({ request, next, totp, passkey, recoveryCodes, rememberDays }: SecondFactorFormProps) {
  const hydrated = useHydrated();
  const [method, setMethod] = useState<Method | null>(totp ? 'totp' : recoveryCodes && !passkey ? 'recovery_code' : null);
  const [code, setCode] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [expired, setExpired] = useState(false);
  const [pending, setPending] = useState<'code' | 'passkey' | null>(null);

  const finish = (result: PostResult) => {
    if (result.ok) {
      window.location.assign(result.redirectTo);
      return;
    }
    setPending(null);
    setError(result.message);
    if (result.code === 'sign_in_expired') setExpired(true);
  };

  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    if (!method) return;
    if (!code.trim()) {
      setError(method === 'totp' ? 'Enter the 6-digit code from your authenticator app.' : 'Enter one of your recovery codes.');
      return;
    }
    setPending('code');
    setError(undefined);
    finish(await postJson('/api/auth/second-factor', { method, code, rememberBrowser: remember, request, next }));
  };

  const verifyWithPasskey = async () => {
    setPending('passkey');
    setError(undefined);
    const options = await fetchPasskeyOptions('/api/auth/second-factor/passkey-options');
    if (!options) {
      setPending(null);
      setError('This sign-in has expired. Sign in again.');
      setExpired(true);
      return;
    }
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options });
    } catch {
      setPending(null);
      setError('The passkey was not used. Try again, or use another way to verify.');
      return;
    }
    finish(await postJson('/api/auth/second-factor', { method: 'passkey', response, rememberBrowser: remember, request, next }));
  };

  if (expired) {
    return (
      <div className="space-y-4">
        <FormAlert id="second-factor-error" message={error} />
        <TextLink href={request ? `/sign-in?request=${request}` : '/sign-in'}>Sign in again</TextLink>
      </div>
    );
  }

  return (
    <div className="space-y-6">
      <FormAlert id="second-factor-error" message={error} />
      {rememberDays > 0 ? (
        <label className="flex items-start gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            className="mt-0.5 size-4 rounded border-slate-300"
            checked={remember}
            onChange={(event) => setRemember(event.target.checked)}
          />
          <span>
            Remember this browser for {rememberDays} {rememberDays === 1 ? 'day' : 'days'}
            <span className="block text-xs text-slate-500">You will still need your password here.</span>
          </span>
        </label>
      ) : null}
      {passkey ? (
        <Button fullWidth onClick={verifyWithPasskey} disabled={!hydrated || pending !== null} pending={pending === 'passkey'} pendingLabel="Waiting for your passkey…">
          Use your passkey
        </Button>
      ) : null}
      {method ? (
        <form method="post" noValidate onSubmit={submitCode} className="space-y-5">
          {method === 'totp' ? (
            <Field
              id="totp-code"
              label="Authentication code"
              hint="The 6-digit code your authenticator app shows for Optare."
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          ) : (
            <Field
              id="recovery-code"
              label="Recovery code"
              hint="One of the codes you saved when you set up two-step verification. Each works once."
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          )}
          <Button type="submit" fullWidth variant={passkey ? 'secondary' : 'primary'} disabled={!hydrated || pending !== null} pending={pending === 'code'} pendingLabel="Verifying…">
            Verify
          </Button>
        </form>
      ) : null}
      <div className="space-y-2 text-sm">
        {totp && method !== 'totp' ? (
          <button type="button" className="font-medium text-brand-700 underline-offset-2 hover:underline" onClick={() => (setMethod('totp'), setCode(''), setError(undefined))}>
            Use your authenticator app
          </button>
        ) : null}
        {recoveryCodes && method !== 'recovery_code' ? (
          <button type="button" className="block font-medium text-brand-700 underline-offset-2 hover:underline" onClick={() => (setMethod('recovery_code'), setCode(''), setError(undefined))}>
            Use a recovery code
          </button>
        ) : null}
      </div>
    </div>
  );
}
