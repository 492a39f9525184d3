'use client';

import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { signInSchema } from '@/lib/validation/account';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { postJson } from './post-json';
import { showServerErrors } from './server-errors';
import { useHydrated } from './use-hydrated';

const FIELDS = ['email', 'password'] as const;

/**
 * Email and password sign-in. Validates with the shared schema, then POSTs to the JSON API.
 * `request` is the opaque handle of a pending authorization request, passed through so the
 * server answers with the way back to it.
 */
export function SignInForm({ request }: { request?: string | undefined } = {}) {
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: zodResolver(signInSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: { email: '', password: '' },
  });

  const onSubmit = handleSubmit(async (values) => {
    const result = await postJson('/api/auth/sign-in', request ? { ...values, request } : values);
    if (result.ok) {
      setLeaving(true);
      window.location.assign(result.redirectTo); // a full navigation: the server sees the new cookie
      return;
    }
    showServerErrors(result, FIELDS, setError);
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
        <Button type="submit" fullWidth disabled={!hydrated} pending={isSubmitting || leaving} pendingLabel="Signing in…">
          Sign in
        </Button>
      </div>
    </form>
  );
}
