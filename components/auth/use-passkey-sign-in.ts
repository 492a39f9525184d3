'use client';

import { useCallback, useEffect, useState } from 'react';
import {
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/browser';
import { NETWORK_ERROR_MESSAGE, postJson } from './post-json';
import { fetchPasskeyOptions } from './passkey-options';

/**
 * Passwordless sign-in with a passkey, two ways:
 * - the browser's passkey autofill (conditional mediation) on the email field, started once when
 *   the page mounts if the browser supports it: the user picks a passkey from the field's
 *   suggestions and is signed in;
 * - the "Sign in with a passkey" button (the browser's own passkey dialog).
 * Only one WebAuthn request runs at a time: the button, a password submission (abortAutofill)
 * and leaving the page abort the autofill request, which then ends quietly.
 */
export function usePasskeySignIn({ request, next }: { request?: string | undefined; next?: string | undefined }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();

  /** Sends the passkey's answer; navigates on success, else shows why. */
  const finish = useCallback(
    async (response: AuthenticationResponseJSON) => {
      const result = await postJson('/api/auth/passkey', { response, ...(request ? { request } : {}), ...(next ? { next } : {}) });
      if (result.ok) {
        window.location.assign(result.redirectTo);
        return;
      }
      setPending(false);
      setError(result.message);
    },
    [request, next],
  );

  useEffect(() => {
    let active = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const options = await fetchPasskeyOptions('/api/auth/passkey/options');
      if (!options || !active) return;
      let response: AuthenticationResponseJSON;
      try {
        response = await startAuthentication({ optionsJSON: options, useBrowserAutofill: true });
      } catch {
        return; // aborted (button, password, leaving) or not possible: the other ways remain
      }
      if (!active) return;
      setPending(true);
      setError(undefined);
      await finish(response);
    })();
    return () => {
      active = false;
      WebAuthnAbortService.cancelCeremony();
    };
  }, [finish]);

  const signInWithPasskey = async () => {
    WebAuthnAbortService.cancelCeremony();
    setPending(true);
    setError(undefined);
    const options = await fetchPasskeyOptions('/api/auth/passkey/options');
    if (!options) {
      setPending(false);
      setError(NETWORK_ERROR_MESSAGE);
      return;
    }
    let response: AuthenticationResponseJSON;
    try {
      response = await startAuthentication({ optionsJSON: options });
    } catch {
      setPending(false);
      setError('No passkey was used. Try again, or sign in with your password.');
      return;
    }
    await finish(response);
  };

  return { signInWithPasskey, abortAutofill: () => WebAuthnAbortService.cancelCeremony(), pending, error };
}
