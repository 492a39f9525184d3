import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { AccountSection } from '@/components/account/section';
import { TextLink } from '@/components/ui/text-link';
import { secondFactorsOf } from '@/lib/auth/second-factors';

export const metadata: Metadata = { title: 'Your account' };

/** The account area's start: who is signed in, and the way to the security settings. */
export default async function AccountPage() {
  const session = await currentSession();
  if (!session) redirect('/sign-in?next=/account');
  const factors = await secondFactorsOf(session.userId);
  const protectedBy = [factors.totp ? 'an authenticator app' : null, factors.passkeys > 0 ? `${factors.passkeys} ${factors.passkeys === 1 ? 'passkey' : 'passkeys'}` : null].filter(Boolean);
  return (
    <AccountFrame title="Your account">
      <AccountSection id="profile" title="Profile">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-600">Name</dt>
          <dd className="break-words text-slate-900">{session.user.name}</dd>
          <dt className="text-slate-600">Email</dt>
          <dd className="break-words text-slate-900">{session.user.email}</dd>
        </dl>
      </AccountSection>
      <AccountSection id="security" title="Security">
        <p className="text-sm text-slate-700">
          {protectedBy.length > 0
            ? `Two-step verification is on, with ${protectedBy.join(' and ')}.`
            : 'Two-step verification is off: your password alone signs you in.'}
        </p>
        <TextLink href="/account/security">Two-step verification and passkeys</TextLink>
      </AccountSection>
    </AccountFrame>
  );
}
