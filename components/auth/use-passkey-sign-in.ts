'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
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
 * and leaving the page abort the autofill request, which then ends quietly. An abort can come too
 * late (the autofill already has the authenticator's answer), so whichever way gets an answer
 * first claims the sign-in and the other stands down: one ceremony, one answer to the server.
 */
export function usePasskeySignIn({ request, next }: { request?: string | undefined; next?: string | undefined }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  /** Set while one way is signing in: the other does not start (button) or discards its answer (autofill). */
  const claimed = useRef(false);

  /** Sends the passkey's answer; navigates on success, else shows why. */
  const finish = useCallback(
    async (response: AuthenticationResponseJSON) => {
      const result = await postJson('/api/auth/passkey', { response, ...(request ? { request } : {}), ...(next ? { next } : {}) });
      if (result.ok) {
        window.location.assign(result.redirectTo);
        return;
      }
      claimed.current = false;
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
      if (!active || claimed.current) return;
      claimed.current = true;
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
    if (claimed.current) return; // the autofill is already signing in
    claimed.current = true;
    WebAuthnAbortService.cancelCeremony();
    setPending(true);
    setError(undefined);
    const options = await fetchPasskeyOptions('/api/auth/passkey/options');
    if (!options) {
      claimed.current = false;
      setPending(false);
      setError(NETWORK_ERROR_MESSAGE);
      return;
    }
    let response: AuthenticationResponseJSON;
    try {
      response = await startAuthentication({ optionsJSON: options });
    } catch {
      claimed.current = false;
      setPending(false);
      setError('No passkey was used. Try again, or sign in with your password.');
      return;
    }
    await finish(response);
  };

  return { signInWithPasskey, abortAutofill: () => WebAuthnAbortService.cancelCeremony(), pending, error };
}
