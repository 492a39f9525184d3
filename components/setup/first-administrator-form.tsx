'use client';

import { SignUpForm } from '@/components/auth/sign-up-form';
import { useLinkToken } from '@/components/email/link-token';

/**
 * The first-run setup form. The one-time token comes from the link's fragment (`#token=…`),
 * which never reaches a server; whether it is still valid is checked when the form is sent
 * (a used, expired or mistyped link gets a 403 that says so).
 */
export function FirstAdministratorForm({ passwordMinLength }: { passwordMinLength: number }) {
  const token = useLinkToken();
  if (token === undefined) return null;
  if (token === null) {
    return (
      <p className="text-sm text-slate-700">
        This setup link is incomplete. Copy the whole link Optare printed when it started, or restart Optare for a new one.
      </p>
    );
  }
  return <SignUpForm endpoint="/api/setup" extraBody={{ token }} submitLabel="Create administrator" passwordMinLength={passwordMinLength} />;
}
