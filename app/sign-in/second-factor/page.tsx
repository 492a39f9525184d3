import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SecondFactorForm } from '@/components/auth/second-factor-form';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { findPendingLoginByToken, pendingLoginCookie } from '@/lib/auth/pending-login';
import { secondFactorsOf } from '@/lib/auth/second-factors';
import { trustedDeviceDays } from '@/lib/auth/trusted-devices';
import { accountReturnPath } from '@/lib/http/return-path';
import { isRequestHandle, signInPath } from '@/lib/oauth/authorize/handle';

export const metadata: Metadata = { title: 'Two-step verification' };

/**
 * The second step of signing in (or of a step-up): offers the factors the user has. Without a
 * live pending login in this browser there is nothing to verify: back to sign-in.
 */
export default async function SecondFactorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { request, next: nextParam } = await searchParams;
  const handle = isRequestHandle(request) ? request : undefined;
  // An account-area path to return to after a re-authentication (ignored with an app's request).
  const next = handle ? undefined : (accountReturnPath(nextParam) ?? undefined);
  const login = await findPendingLoginByToken((await cookies()).get(pendingLoginCookie().name)?.value);
  if (!login) redirect(handle ? signInPath(handle) : '/sign-in');
  const factors = await secondFactorsOf(login.userId);
  return (
    <CardPage
      title="Two-step verification"
      description={
        login.purpose === 'step_up' && !next ? 'This app asks you to confirm it’s you with your second factor.' : 'Confirm it’s you with your second factor.'
      }
    >
      <div className="space-y-5">
        <NoScript />
        <SecondFactorForm
          request={handle}
          next={next}
          totp={factors.totp}
          passkey={factors.passkeys > 0}
          recoveryCodes={factors.recoveryCodes > 0}
          rememberDays={login.purpose === 'sign_in' ? trustedDeviceDays() : 0}
        />
      </div>
    </CardPage>
  );
}
