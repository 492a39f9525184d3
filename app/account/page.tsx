import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { when } from '@/components/account/dates';
import { ProfileForm } from '@/components/account/profile-form';
import { ChangeEmailForm } from '@/components/email/change-email-form';
import { AccountSection } from '@/components/account/section';
import { TextLink } from '@/components/ui/text-link';
import { DeleteAccountForm } from '@/components/privacy/delete-account-form';
import { profileOf } from '@/lib/auth/profile';
import { secondFactorsOf } from '@/lib/auth/second-factors';

export const metadata: Metadata = { title: 'Your account' };

/** The account area's start: the profile, and the way to the security settings. */
export default async function AccountPage() {
  const session = await sessionOrSignIn('/account');
  const [profile, factors] = await Promise.all([profileOf(session.userId), secondFactorsOf(session.userId)]);
  if (!profile) redirect('/sign-in?next=/account');
  const created = when(profile.createdAt);
  const protectedBy = [factors.totp ? 'an authenticator app' : null, factors.passkeys > 0 ? `${factors.passkeys} ${factors.passkeys === 1 ? 'passkey' : 'passkeys'}` : null].filter(Boolean);
  return (
    <AccountFrame title="Your account" current="/account">
      <AccountSection id="profile" title="Profile">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-600">Email</dt>
          <dd className="break-words text-slate-900">{profile.email}</dd>
          <dt className="text-slate-600">Member since</dt>
          <dd className="text-slate-900">
            <time dateTime={created.iso}>{created.label}</time>
          </dd>
        </dl>
        <ProfileForm name={profile.name} />
        <ChangeEmailForm />
      </AccountSection>
      <AccountSection id="security" title="Security">
        <p className="text-sm text-slate-700">
          {protectedBy.length > 0
            ? `Two-step verification is on, with ${protectedBy.join(' and ')}.`
            : 'Two-step verification is off: your password alone signs you in.'}
        </p>
        <ul className="space-y-1 text-sm">
          <li>
            <TextLink href="/account/security">Two-step verification and passkeys</TextLink>
          </li>
          <li>
            <TextLink href="/account/password">Change your password</TextLink>
          </li>
          <li>
            <TextLink href="/account/sessions">Where you are signed in</TextLink>
          </li>
          <li>
            <TextLink href="/account/apps">Apps with access to your account</TextLink>
          </li>
          <li>
            <TextLink href="/account/activity">Security activity</TextLink>
          </li>
        </ul>
      </AccountSection>
      <AccountSection
        id="your-data"
        title="Your data"
        description="Everything Optare holds about you, as a JSON file: your profile, sessions, remembered browsers, two-step verification (never its secrets), connected apps and your security activity."
      >
        {/* A plain link: the browser downloads the file; the server refuses it when another site asks. */}
        <a
          href="/api/account/export"
          download
          className="inline-flex items-center justify-center rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
        >
          Download my data
        </a>
      </AccountSection>
      <AccountSection id="danger" title="Delete account">
        <DeleteAccountForm email={profile.email} />
      </AccountSection>
    </AccountFrame>
  );
}
