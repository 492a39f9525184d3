'use client';

import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { signInSchema } from '@/lib/validation/account';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { useAuthForm } from './use-auth-form';
import { useHydrated } from './use-hydrated';
import { usePasskeySignIn } from './use-passkey-sign-in';

const FIELDS = ['email', 'password'] as const;

export interface SignInFormProps {
  /** The opaque handle of a pending authorization request, passed through to the server. */
  request?: string | undefined;
  /** An account-area path to return to (already checked by the page; the server checks it again). */
  next?: string | undefined;
  /** The email to start with (re-authentication of the signed-in user); never a secret. */
  defaultEmail?: string | undefined;
}

/**
 * Email and password sign-in, and passwordless sign-in with a passkey (a button, and the
 * browser's passkey autofill on the email field). Validates with the shared schema, then POSTs
 * to the JSON API. `request` is the opaque handle of a pending authorization request, passed
 * through so the server answers with the way back to it.
 */
export function SignInForm({ request, next, defaultEmail }: SignInFormProps = {}) {
  const hydrated = useHydrated();
  const passkey = usePasskeySignIn({ request, next });
  const { register, errors, onSubmit, ready, pending } = useAuthForm({
    schema: signInSchema,
    defaultValues: { email: defaultEmail ?? '', password: '' },
    endpoint: '/api/auth/sign-in',
    fields: FIELDS,
    request,
    next,
    onSubmitStart: passkey.abortAutofill,
  });
  const passkeysSupported = !hydrated || browserSupportsWebAuthn();

  return (
    <div className="space-y-6">
      <form method="post" noValidate onSubmit={onSubmit}>
        <FormAlert id="sign-in-error" message={errors.root?.server?.message} />
        <div className="space-y-5">
          <Field
            id="email"
            label="Email"
            type="email"
            inputMode="email"
            // "webauthn": the browser offers the passkeys it has for Optare in this field's suggestions.
            autoComplete="username webauthn"
            autoCapitalize="none"
            spellCheck={false}
            error={errors.email?.message}
            {...register('email')}
          />
          <Field
            id="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            error={errors.password?.message}
            {...register('password')}
          />
          <Button type="submit" fullWidth disabled={!ready || passkey.pending} pending={pending} pendingLabel="Signing in…">
            Sign in
          </Button>
        </div>
      </form>
      {passkeysSupported ? (
        <div className="space-y-4">
          <div className="flex items-center gap-3 text-xs text-slate-500" aria-hidden="true">
            <span className="h-px flex-1 bg-slate-200" />
            or
            <span className="h-px flex-1 bg-slate-200" />
          </div>
          <FormAlert id="passkey-error" message={passkey.error} />
          <Button
            variant="secondary"
            fullWidth
            onClick={passkey.signInWithPasskey}
            disabled={!hydrated || pending}
            pending={passkey.pending}
            pendingLabel="Waiting for your passkey…"
          >
            Sign in with a passkey
          </Button>
        </div>
      ) : null}
    </div>
  );
}
