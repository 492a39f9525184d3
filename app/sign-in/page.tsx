import type { Metadata } from 'next';
import { SignInForm } from '@/components/auth/sign-in-form';
import { Notice } from '@/components/ui/alert';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { NoScript } from '@/components/ui/no-script';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { signed_out: signedOut } = await searchParams;
  return (
    <CardPage
      title="Sign in to Optare"
      footer={
        <>
          New to Optare? <TextLink href="/sign-up">Create an account</TextLink>
        </>
      }
    >
      <div className="space-y-5">
        {signedOut === '1' ? <Notice>You have been signed out.</Notice> : null}
        <NoScript />
        <SignInForm />
      </div>
    </CardPage>
  );
}
