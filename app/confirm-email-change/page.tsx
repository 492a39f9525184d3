import type { Metadata } from 'next';
import { ConfirmLinkButton } from '@/components/email/confirm-link-button';
import { Notice } from '@/components/ui/alert';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Confirm your new email address' };

/** The page an address-change link opens: the change happens when the button is pressed. */
export default async function ConfirmEmailChangePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { done } = await searchParams;
  return (
    <CardPage title="Confirm your new email address" footer={<TextLink href="/account">Your account</TextLink>}>
      <div className="space-y-5">
        {done === '1' ? (
          <Notice>Your email address has changed. Use the new one to sign in.</Notice>
        ) : (
          <>
            <NoScript />
            <ConfirmLinkButton endpoint="/api/auth/confirm-email-change" label="Use this email address" />
          </>
        )}
      </div>
    </CardPage>
  );
}
