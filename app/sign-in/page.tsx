import type { Metadata } from 'next';
import { currentSession } from '@/app/_server/session';
import { SignInForm } from '@/components/auth/sign-in-form';
import { Notice } from '@/components/ui/alert';
import { CardPage, ContinueTo } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { NoScript } from '@/components/ui/no-script';
import { accountReturnPath } from '@/lib/http/return-path';
import { isRequestHandle } from '@/lib/oauth/authorize/handle';
import { pendingRequestClientName } from '@/lib/oauth/authorize/pending';

export const metadata: Metadata = { title: 'Sign in' };

/**
 * Sign-in. `request`: a pending authorization request to resume. `next`: an account-area path to
 * return to (anything else is ignored; lib/http/return-path). `reauth=1`: the signed-in user
 * confirms it is them before a sensitive change; the page says so and starts with their email,
 * nothing secret. `ended=1`: the browser's session had ended (app/_server/ended-session.ts).
 * Every sign-in starts a new session.
 */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { signed_out: signedOut, ended, reset, request, next: nextParam, reauth } = await searchParams;
  // A pending authorization request's handle travels on to sign-up and to the sign-in answer.
  const handle = isRequestHandle(request) ? request : undefined;
  const next = handle ? undefined : (accountReturnPath(nextParam) ?? undefined);
  const reauthenticating = reauth === '1' && !handle;
  const appName = handle ? await pendingRequestClientName(handle, new Date()) : null;
  const defaultEmail = reauthenticating ? (await currentSession())?.user.email : undefined;

  if (reauthenticating) {
    return (
      <CardPage
        title="Confirm it’s you"
        description="For your security, sign in again before changing your email address, password, sessions, two-step verification or passkeys."
        footer={<TextLink href={next ?? '/account/security'}>Cancel</TextLink>}
      >
        <div className="space-y-5">
          <NoScript />
          <SignInForm next={next} defaultEmail={defaultEmail} />
        </div>
      </CardPage>
    );
  }

  return (
    <CardPage
      title="Sign in to Optare"
      description={appName ? <ContinueTo appName={appName} /> : undefined}
      footer={
        <>
          New to Optare? <TextLink href={handle ? `/sign-up?request=${handle}` : '/sign-up'}>Create an account</TextLink>
        </>
      }
    >
      <div className="space-y-5">
        {signedOut === '1' ? <Notice>You have been signed out.</Notice> : null}
        {ended === '1' ? <Notice>Your session has ended. Sign in again to continue.</Notice> : null}
        {reset === '1' ? <Notice>Your password has been changed and you were signed out everywhere. Sign in with the new one.</Notice> : null}
        <NoScript />
        <SignInForm request={handle} next={next} />
        <p className="text-center text-sm">
          <TextLink href="/forgot-password">Forgot your password?</TextLink>
        </p>
      </div>
    </CardPage>
  );
}
