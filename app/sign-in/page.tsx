import type { Metadata } from 'next';
import { SignInForm } from '@/components/auth/sign-in-form';
import { Notice } from '@/components/ui/alert';
import { CardPage, ContinueTo } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { NoScript } from '@/components/ui/no-script';
import { isRequestHandle } from '@/lib/oauth/authorize/handle';
import { pendingRequestClientName } from '@/lib/oauth/authorize/pending';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { signed_out: signedOut, request } = await searchParams;
  // A pending authorization request's handle travels on to sign-up and to the sign-in answer.
  const handle = isRequestHandle(request) ? request : undefined;
  const appName = handle ? await pendingRequestClientName(handle, new Date()) : null;
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
        <NoScript />
        <SignInForm request={handle} />
      </div>
    </CardPage>
  );
}
