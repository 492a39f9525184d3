'use client';

import { useState, type FormEvent } from 'react';
import { browserSupportsWebAuthn, startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { callJson } from '@/components/auth/post-json';
import { useHydrated } from '@/components/auth/use-hydrated';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { ActionError, localFailure, type ActionFailure } from './action-error';

const NICKNAME_MAX = 64;

/**
 * Adds a passkey: the user names it (optional), the server sends WebAuthn creation options (and
 * keeps the ceremony in a cookie), the browser asks the authenticator, the server verifies and
 * stores it. `onAdded` receives the first recovery codes when this was the user's first factor.
 */
export function AddPasskeyForm({ onAdded }: { onAdded: (recoveryCodes: string[] | null, nickname: string) => void }) {
  const hydrated = useHydrated();
  const [nickname, setNickname] = useState('');
  const [nicknameError, setNicknameError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [pending, setPending] = useState(false);
  const supported = !hydrated || browserSupportsWebAuthn();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if ([...nickname.trim()].length > NICKNAME_MAX) {
      setNicknameError(`Use at most ${NICKNAME_MAX} characters.`);
      return;
    }
    setPending(true);
    setFailure(null);
    setNicknameError(undefined);
    const finish = (problem: ActionFailure | null) => {
      setPending(false);
      setFailure(problem);
    };

    const started = await callJson('/api/account/passkeys/options');
    if (!started.ok) return finish(started);
    let response;
    try {
      response = await startRegistration({ optionsJSON: started.data.options as PublicKeyCredentialCreationOptionsJSON });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      return finish(
        localFailure(
          name === 'InvalidStateError'
            ? 'This authenticator already holds a passkey for your account.'
            : 'No passkey was created. Try again when your device asks.',
        ),
      );
    }
    const added = await callJson('/api/account/passkeys/register', { response, nickname });
    if (!added.ok) {
      if (added.fieldErrors.nickname) {
        setPending(false);
        setNicknameError(added.fieldErrors.nickname[0]);
        return;
      }
      return finish(added);
    }
    const passkey = added.data.passkey as { nickname?: unknown } | undefined;
    const codes = added.data.recoveryCodes;
    finish(null);
    setNickname('');
    onAdded(
      Array.isArray(codes) && codes.every((item) => typeof item === 'string') ? codes : null,
      typeof passkey?.nickname === 'string' ? passkey.nickname : 'Passkey',
    );
  };

  if (!supported) {
    return <p className="text-sm text-slate-600">This browser cannot create passkeys. Try another browser or device.</p>;
  }

  return (
    <form method="post" noValidate onSubmit={add} className="space-y-3">
      <ActionError id="add-passkey-error" failure={failure} />
      <Field
        id="passkey-nickname"
        label="Passkey name (optional)"
        hint="A name to tell your passkeys apart, like the device it is on."
        autoComplete="off"
        maxLength={NICKNAME_MAX}
        value={nickname}
        error={nicknameError}
        onChange={(event) => setNickname(event.target.value)}
      />
      <Button type="submit" disabled={!hydrated} pending={pending} pendingLabel="Waiting for your passkey…">
        Add a passkey
      </Button>
    </form>
  );
}
