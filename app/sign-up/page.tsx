import type { Metadata } from 'next';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { CardPage, ContinueTo } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { NoScript } from '@/components/ui/no-script';
import { isRequestHandle } from '@/lib/oauth/authorize/handle';
import { pendingRequestClientName } from '@/lib/oauth/authorize/pending';
import { runtimeSettings } from '@/lib/settings/runtime';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { request } = await searchParams;
  // A pending authorization request's handle travels on to sign-in and to the sign-up answer.
  const handle = isRequestHandle(request) ? request : undefined;
  const appName = handle ? await pendingRequestClientName(handle, new Date()) : null;
  return (
    <CardPage
      title="Create your account"
      description={appName ? <ContinueTo appName={appName} /> : 'One account for every app that signs in with Optare.'}
      footer={
        <>
          Already have an account? <TextLink href={handle ? `/sign-in?request=${handle}` : '/sign-in'}>Sign in</TextLink>
        </>
      }
    >
      <div className="space-y-5">
        <NoScript />
        <SignUpForm request={handle} passwordMinLength={(await runtimeSettings()).passwordMinLength} />
      </div>
    </CardPage>
  );
}
