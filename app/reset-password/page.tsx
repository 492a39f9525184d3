import type { Metadata } from 'next';
import { connection } from 'next/server';
import { ResetPasswordForm } from '@/components/email/reset-password-form';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';
import { runtimeSettings } from '@/lib/settings/runtime';

export const metadata: Metadata = { title: 'Choose a new password' };

/** The page a reset link opens (its token is in the fragment, read by the form). */
export default async function ResetPasswordPage() {
  await connection(); // rendered per request: the minimum length is a runtime setting
  const { passwordMinLength } = await runtimeSettings();
  return (
    <CardPage
      title="Choose a new password"
      description="Setting a new password signs you out on every device."
      footer={<TextLink href="/forgot-password">Ask for a new link</TextLink>}
    >
      <div className="space-y-5">
        <NoScript />
        <ResetPasswordForm passwordMinLength={passwordMinLength} />
      </div>
    </CardPage>
  );
}
