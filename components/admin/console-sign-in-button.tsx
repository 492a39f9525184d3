'use client';

import { useRef, useState } from 'react';
import { FormAlert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/**
 * Starts the console's OpenID Connect sign-in: next-auth wants a POST with its CSRF token (a
 * double-submit cookie it sets when the token is fetched), so the button fetches the token and
 * submits a real form, which leaves for Optare's authorization endpoint.
 */
export function ConsoleSignInButton({ authPath, callbackPath }: { authPath: string; callbackPath: string }) {
  const form = useRef<HTMLFormElement>(null);
  const csrfInput = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function start() {
    setPending(true);
    setError(undefined);
    try {
      const response = await fetch(`${authPath}/csrf`, { credentials: 'same-origin', cache: 'no-store' });
      const body = (await response.json()) as { csrfToken?: unknown };
      if (!response.ok || typeof body.csrfToken !== 'string') throw new Error('no token');
      if (!form.current || !csrfInput.current) throw new Error('no form');
      csrfInput.current.value = body.csrfToken;
      form.current.submit(); // a real navigation, on to Optare's authorization endpoint
    } catch {
      setPending(false);
      setError('Optare could not start the sign-in. Check your connection and try again.');
    }
  }

  return (
    <form ref={form} method="post" action={`${authPath}/signin/optare`} onSubmit={(event) => { event.preventDefault(); void start(); }}>
      <FormAlert id="console-sign-in-error" message={error} />
      <input ref={csrfInput} type="hidden" name="csrfToken" defaultValue="" />
      <input type="hidden" name="callbackUrl" value={callbackPath} />
      <Button type="submit" fullWidth pending={pending} pendingLabel="Signing in…">
        Sign in with Optare
      </Button>
    </form>
  );
}
