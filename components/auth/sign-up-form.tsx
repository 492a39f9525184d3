'use client';

import { PASSWORD_MAX, signUpSchema } from '@/lib/validation/account';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { useAuthForm } from './use-auth-form';

const FIELDS = ['email', 'name', 'password'] as const;

const passwordHint = (minLength: number) =>
  `Use ${minLength} to ${PASSWORD_MAX} characters. A few unrelated words make a strong passphrase; ` +
  'common passwords and your email address are refused.';

/**
 * Account creation. Validates with the shared schema, then POSTs to the JSON API. `request` is
 * the opaque handle of a pending authorization request, passed through (see SignInForm). The
 * first-run setup page uses the same form for the first administrator (its own endpoint, the
 * setup token in `extraBody`).
 */
export function SignUpForm({
  request,
  endpoint = '/api/auth/sign-up',
  extraBody,
  submitLabel = 'Create account',
  passwordMinLength,
}: {
  request?: string | undefined;
  endpoint?: string;
  extraBody?: Record<string, string>;
  submitLabel?: string;
  /** The minimum in force (an administrator may raise it); the server refuses shorter passwords. */
  passwordMinLength: number;
}) {
  const { register, errors, onSubmit, ready, pending } = useAuthForm({
    schema: signUpSchema,
    defaultValues: { email: '', name: '', password: '' },
    endpoint,
    fields: FIELDS,
    request,
    extraBody,
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
          hint={passwordHint(passwordMinLength)}
          error={errors.password?.message}
          {...register('password')}
        />
        <Button type="submit" fullWidth disabled={!ready} pending={pending} pendingLabel="Creating account…">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
