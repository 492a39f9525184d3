import type { Metadata } from 'next';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';
import { NoScript } from '@/components/ui/no-script';

export const metadata: Metadata = { title: 'Create an account' };

export default function SignUpPage() {
  return (
    <CardPage
      title="Create your account"
      description="One account for every app that signs in with Optare."
      footer={
        <>
          Already have an account? <TextLink href="/sign-in">Sign in</TextLink>
        </>
      }
    >
      <div className="space-y-5">
        <NoScript />
        <SignUpForm />
      </div>
    </CardPage>
  );
}
