'use client';

import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { PASSWORD_MAX } from '@/lib/validation/account';
import { newPasswordFormSchema } from '@/lib/validation/email-links';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { TextLink } from '@/components/ui/text-link';
import { postJson } from '@/components/auth/post-json';
import { showServerErrors } from '@/components/auth/server-errors';
import { useLinkToken } from './link-token';

/**
 * The new-password form of a reset link; the token comes from the link's fragment.
 * `passwordMinLength` is the minimum in force, which an administrator may have raised.
 */
export function ResetPasswordForm({ passwordMinLength }: { passwordMinLength: number }) {
  const hint = `Use ${passwordMinLength} to ${PASSWORD_MAX} characters. Common passwords and your email address are refused.`;
  const token = useLinkToken();
  const [leaving, setLeaving] = useState(false);
  const form = useForm({ resolver: zodResolver(newPasswordFormSchema), defaultValues: { password: '' } });
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await postJson('/api/auth/password-reset', { token, password: values.password });
    if (result.ok) {
      setLeaving(true);
      window.location.assign(result.redirectTo);
      return;
    }
    showServerErrors(result, ['password'], form.setError);
  });

  if (token === null) {
    return (
      <p className="text-sm">
        This link is incomplete. Open the link from the email again, or <TextLink href="/forgot-password">ask for a new one</TextLink>.
      </p>
    );
  }
  const errors = form.formState.errors;
  return (
    <form method="post" noValidate onSubmit={onSubmit}>
      <FormAlert id="reset-error" message={errors.root?.server?.message} />
      <div className="space-y-5">
        <Field id="password" label="New password" type="password" autoComplete="new-password" hint={hint} error={errors.password?.message} {...form.register('password')} />
        <Button type="submit" fullWidth disabled={token === undefined} pending={form.formState.isSubmitting || leaving} pendingLabel="Saving…">
          Set new password
        </Button>
      </div>
    </form>
  );
}
