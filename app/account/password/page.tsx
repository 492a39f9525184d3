import type { Metadata } from 'next';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { AccountSection } from '@/components/account/section';
import { NoScript } from '@/components/ui/no-script';
import { runtimeSettings } from '@/lib/settings/runtime';

export const metadata: Metadata = { title: 'Change password' };

/** Change password; the route handler checks the session and the current password itself. */
export default async function PasswordPage() {
  await sessionOrSignIn('/account/password');
  return (
    <AccountFrame
      title="Change password"
      current="/account/password"
      description="Changing your password signs you out everywhere else, and apps you use must sign in again. This browser stays signed in."
    >
      <NoScript />
      <AccountSection id="change-password" title="Your password">
        <ChangePasswordForm passwordMinLength={(await runtimeSettings()).passwordMinLength} />
      </AccountSection>
    </AccountFrame>
  );
}
