'use client';

import { signInSchema } from '@/lib/validation/account';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { useAuthForm } from './use-auth-form';

const FIELDS = ['email', 'password'] as const;

/**
 * Email and password sign-in. Validates with the shared schema, then POSTs to the JSON API.
 * `request` is the opaque handle of a pending authorization request, passed through so the
 * server answers with the way back to it.
 */
export function SignInForm({ request }: { request?: string | undefined } = {}) {
  const { register, errors, onSubmit, ready, pending } = useAuthForm({
    schema: signInSchema,
    defaultValues: { email: '', password: '' },
    endpoint: '/api/auth/sign-in',
    fields: FIELDS,
    request,
  });

  return (
    <form method="post" noValidate onSubmit={onSubmit}>
      <FormAlert id="sign-in-error" message={errors.root?.server?.message} />
      <div className="space-y-5">
        <Field
          id="email"
          label="Email"
          type="email"
          inputMode="email"
          autoComplete="username"
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
        <Button type="submit" fullWidth disabled={!ready} pending={pending} pendingLabel="Signing in…">
          Sign in
        </Button>
      </div>
    </form>
  );
}
