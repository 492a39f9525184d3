import type { Metadata } from 'next';
import { EmailRequestForm } from '@/components/email/email-request-form';
import { Notice } from '@/components/ui/alert';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Reset your password' };

/** Asks for a reset link. `sent=1`: the answer, the same whether or not the address has an account. */
export default async function ForgotPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { sent } = await searchParams;
  return (
    <CardPage
      title="Reset your password"
      description="Enter the email address of your account and we will send you a link to choose a new password."
      footer={<TextLink href="/sign-in">Back to sign in</TextLink>}
    >
      <div className="space-y-5">
        {sent === '1' ? (
          <Notice>If an account uses that address, we have sent it a link. It works once, for 30 minutes. Check your inbox.</Notice>
        ) : null}
        <NoScript />
        <EmailRequestForm endpoint="/api/auth/password-reset/request" submitLabel="Send reset link" />
      </div>
    </CardPage>
  );
}
