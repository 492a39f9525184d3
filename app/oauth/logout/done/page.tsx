import type { Metadata } from 'next';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Signed out' };

/** Where a sign-out request ends when it names no post-logout redirect URI to return to. */
export default function SignedOutPage() {
  return (
    <CardPage title="You are signed out" description="You have been signed out of Optare. You can close this window.">
      <TextLink href="/sign-in">Sign in again</TextLink>
    </CardPage>
  );
}
