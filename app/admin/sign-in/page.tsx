import type { Metadata } from 'next';
import { ConsoleSignInButton } from '@/components/admin/console-sign-in-button';
import { FormAlert, Notice } from '@/components/ui/alert';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';
import { CONSOLE_AUTH_PATH, issuerLink } from '@/lib/admin/console-client';

export const metadata: Metadata = { title: 'Admin console' };

/** Why the console sent someone here, in words they can act on. */
const REASONS: Record<string, string> = {
  idle: 'You were signed out of the admin console after a period of inactivity. Sign in again to continue.',
  not_admin: 'Your account is not an administrator. Ask an administrator to grant you the admin role.',
  mfa_required:
    'The admin console needs two-step verification. Sign in again with your authenticator app or passkey.',
  no_session: 'The sign-in did not complete. Try again.',
};
const GENERIC = 'The sign-in did not complete. Try again; if it keeps failing, check the server log.';

/**
 * The admin console's front door. Signing in goes through Optare's own authorization endpoint,
 * as for any application: a fresh sign-in with two-step verification (an administrator without a
 * second factor is walked through setting one up first).
 */
export default async function ConsoleSignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { error, signed_out: signedOut, setup } = await searchParams;
  const message = typeof error === 'string' ? (REASONS[error] ?? GENERIC) : undefined;
  return (
    <CardPage
      title="Optare admin console"
      description="Administrators sign in with their password and a second factor."
      footer={<TextLink href={issuerLink('/account')}>Go to your account instead</TextLink>}
    >
      <div className="space-y-5">
        <NoScript />
        {signedOut === '1' ? <Notice>You have signed out of the admin console.</Notice> : null}
        {setup === '1' ? <Notice>Your administrator account is ready. Sign in, then set up two-step verification.</Notice> : null}
        <FormAlert id="console-refusal" message={message} />
        <ConsoleSignInButton authPath={CONSOLE_AUTH_PATH} callbackPath="/admin" />
      </div>
    </CardPage>
  );
}
