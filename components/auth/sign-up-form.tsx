'use client';

import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { PASSWORD_MAX, PASSWORD_MIN, signUpSchema } from '@/lib/validation/account';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { postJson } from './post-json';
import { showServerErrors } from './server-errors';
import { useHydrated } from './use-hydrated';

const FIELDS = ['email', 'name', 'password'] as const;

const PASSWORD_HINT =
  `Use ${PASSWORD_MIN} to ${PASSWORD_MAX} characters. A few unrelated words make a strong passphrase; ` +
  'common passwords and your email address are refused.';

/**
 * Account creation. Validates with the shared schema, then POSTs to the JSON API. `request` is
 * the opaque handle of a pending authorization request, passed through (see SignInForm).
 */
export function SignUpForm({ request }: { request?: string | undefined } = {}) {
  const hydrated = useHydrated();
  const [leaving, setLeaving] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({
    resolver: zodResolver(signUpSchema),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
    defaultValues: { email: '', name: '', password: '' },
  });

  const onSubmit = handleSubmit(async (values) => {
    const result = await postJson('/api/auth/sign-up', request ? { ...values, request } : values);
    if (result.ok) {
      setLeaving(true);
      window.location.assign(result.redirectTo); // a full navigation: the server sees the new cookie
      return;
    }
    showServerErrors(result, FIELDS, setError);
  });

  return (
    <form method="post" noValidate onSubmit={onSubmit}>
      <FormAlert id="sign-up-error" message={errors.root?.server?.message} />
      <div className="space-y-5">
        <Field
          id="email"
          label="Email"
          type="email"
          inputMode="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          error={errors.email?.message}
          {...register('email')}
        />
        <Field
          id="name"
          label="Display name"
          type="text"
          autoComplete="name"
          hint="Shown to you and to the apps you sign in to."
          error={errors.name?.message}
          {...register('name')}
        />
        <Field
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          error={errors.password?.message}
          {...register('password')}
        />
        <Button type="submit" fullWidth disabled={!hydrated} pending={isSubmitting || leaving} pendingLabel="Creating account…">
          Create account
        </Button>
      </div>
    </form>
  );
}
