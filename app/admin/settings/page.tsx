import type { Metadata } from 'next';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { AdminFrame } from '@/components/admin/admin-frame';
import { SettingsForm } from '@/components/admin/settings/settings-form';
import { NoScript } from '@/components/ui/no-script';
import { currentSettingsDescription, CACHE_TTL_MS } from '@/lib/settings/runtime';

export const metadata: Metadata = { title: 'Settings' };

/** The runtime settings: password policy, MFA requirement, session lifetimes, email verification, audit retention. */
export default async function SettingsPage() {
  const admin = await requireConsoleAdmin();
  const settings = await currentSettingsDescription();
  return (
    <AdminFrame
      title="Settings"
      current="/admin/settings"
      adminEmail={admin.email}
      description={
        <>
          A value set here overrides the environment’s default until you give it back. Changes apply at once on this server and within {CACHE_TTL_MS / 1000}{' '}
          seconds on the others; each is recorded in the audit log with its before and after values.
        </>
      }
    >
      <NoScript />
      <section aria-labelledby="settings-title" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <h2 id="settings-title" className="sr-only">
          Runtime settings
        </h2>
        <SettingsForm settings={settings} />
      </section>
    </AdminFrame>
  );
}
