import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/app/_server/session';
import { destinationAfterSignIn } from '@/lib/auth/sign-in-response';
import { EnrollmentChoices } from '@/components/account/enrollment-choices';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { runtimeSettings } from '@/lib/settings/runtime';
import { hasSecondFactor } from '@/lib/auth/second-factors';
import { accountReturnPath } from '@/lib/http/return-path';
import { isRequestHandle, signInPath } from '@/lib/oauth/authorize/handle';

export const metadata: Metadata = { title: 'Set up two-step verification' };

/**
 * Where the MFA requirement (OPTARE_MFA_REQUIRED, or the console's setting) sends a user without a second factor right after sign-in (and the
 * authorization endpoint, for an app's request): why, the choice of an authenticator app or a
 * passkey, the recovery codes once, then on to the app's request (or `next`, or home).
 */
export default async function EnrollPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { request, next } = await searchParams;
  const handle = isRequestHandle(request) ? request : undefined;
  const session = await currentSession();
  if (!session) redirect(handle ? signInPath(handle) : '/sign-in');
  const continueTo = destinationAfterSignIn(handle, accountReturnPath(next));

  if (await hasSecondFactor(session.userId)) {
    return (
      <CardPage title="Two-step verification is on" description="Your account already has a second step.">
        <a
          href={continueTo}
          className="inline-flex w-full items-center justify-center rounded-lg bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Continue
        </a>
      </CardPage>
    );
  }

  const why = (await runtimeSettings()).mfaRequired
    ? 'This Optare requires two-step verification for every account. Set up a second step to continue: your password alone will no longer sign you in.'
    : session.user.isAdmin
      ? 'Administrator accounts require two-step verification. Set up a second step to continue.'
      : 'Add a second step so that your password alone cannot sign you in.';
  return (
    <CardPage title="Set up two-step verification" description={why}>
      <div className="space-y-5">
        <NoScript />
        <EnrollmentChoices continueTo={continueTo} />
      </div>
    </CardPage>
  );
}
