import type { Metadata } from 'next';
import { FirstAdministratorForm } from '@/components/setup/first-administrator-form';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';
import { consoleLink } from '@/lib/admin/console-client';
import { setupOpen } from '@/lib/admin/setup';
import { runtimeSettings } from '@/lib/settings/runtime';

export const metadata: Metadata = { title: 'Set up Optare', referrer: 'no-referrer' };

/**
 * First run: the one-time link printed by `npm start` (`/setup#token=…`) creates the first
 * administrator here. The token is in the fragment, so this server never sees it: the form reads
 * it, and the setup endpoint checks it.
 */
export default async function SetupPage() {
  if (!(await setupOpen())) {
    return (
      <CardPage
        title="This setup link cannot be used"
        description="An administrator exists already."
        footer={<TextLink href={consoleLink('/admin/sign-in')}>Go to the admin console</TextLink>}
      >
        <p className="text-sm text-slate-700">
          Sign in to the admin console, or create another administrator on the server with{' '}
          <code className="rounded bg-slate-100 px-1">npm run optare -- user create --admin</code>.
        </p>
      </CardPage>
    );
  }
  return (
    <CardPage
      title="Create the first administrator"
      description="This account manages Optare. After creating it you sign in and set up two-step verification."
    >
      <div className="space-y-5">
        <NoScript />
        <FirstAdministratorForm passwordMinLength={(await runtimeSettings()).passwordMinLength} />
      </div>
    </CardPage>
  );
}
