'use client';

import { emailRequestSchema } from '@/lib/validation/email-links';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormAlert } from '@/components/ui/alert';
import { useAuthForm } from '@/components/auth/use-auth-form';

const FIELDS = ['email'] as const;

/** One email field posted to `endpoint`: the password-reset request and the verification resend. */
export function EmailRequestForm({ endpoint, submitLabel }: { endpoint: string; submitLabel: string }) {
  const { register, errors, onSubmit, ready, pending } = useAuthForm({
    schema: emailRequestSchema,
    defaultValues: { email: '' },
    endpoint,
    fields: FIELDS,
  });
  return (
    <form method="post" noValidate onSubmit={onSubmit}>
      <FormAlert id="email-request-error" message={errors.root?.server?.message} />
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
        <Button type="submit" fullWidth disabled={!ready} pending={pending} pendingLabel="Sending…">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
