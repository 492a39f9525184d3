import type { Metadata } from 'next';
import { ConfirmLinkButton } from '@/components/email/confirm-link-button';
import { EmailRequestForm } from '@/components/email/email-request-form';
import { Notice } from '@/components/ui/alert';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Confirm your email address' };

/**
 * Email verification: a verification link opens this page with its token in the fragment, and
 * the button confirms it; `sent=1` after a link was sent; `verified=1` once confirmed. The form
 * below sends a new link.
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { sent, verified } = await searchParams;
  if (verified === '1') {
    return (
      <CardPage title="Email address confirmed" footer={<TextLink href="/">Continue</TextLink>}>
        <Notice>Thank you: your email address is confirmed.</Notice>
      </CardPage>
    );
  }
  return (
    <CardPage
      title="Confirm your email address"
      description="Open the link we emailed you and press the button below. No email? Ask for a new link."
      footer={<TextLink href="/sign-in">Sign in</TextLink>}
    >
      <div className="space-y-5">
        {sent === '1' ? <Notice>If that account still needs confirming, we have sent it a link. It works once, for 24 hours.</Notice> : null}
        <NoScript />
        <ConfirmLinkOrResend />
      </div>
    </CardPage>
  );
}

function ConfirmLinkOrResend() {
  return (
    <>
      <ConfirmLinkButton endpoint="/api/auth/verify-email" label="Confirm my email address" optional />
      <EmailRequestForm endpoint="/api/auth/verify-email/resend" submitLabel="Send a new link" />
    </>
  );
}
