import type { Metadata } from 'next';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';

export const metadata: Metadata = { title: 'Account deleted' };

/** Where the browser lands once the user deleted their account (it is signed out already). */
export default function AccountDeletedPage() {
  return (
    <CardPage
      title="Your account is deleted"
      description="Your account and everything attached to it are gone, and this browser is signed out. Apps you had connected can no longer use it."
    >
      <p className="text-sm text-slate-700">Your security activity is kept in the audit log under a pseudonym, without your email address, name, IP addresses or browsers.</p>
      <TextLink href="/">Back to the start page</TextLink>
    </CardPage>
  );
}
