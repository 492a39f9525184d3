import type { Metadata } from 'next';
import Link from 'next/link';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { AdminFrame } from '@/components/admin/admin-frame';
import { NewClient } from '@/components/admin/clients/new-client';
import { NoScript } from '@/components/ui/no-script';

export const metadata: Metadata = { title: 'Register a client' };

/** Registers an OAuth client: every setting, checked as it is typed; then its secret, once. */
export default async function NewClientPage() {
  const admin = await requireConsoleAdmin();
  return (
    <AdminFrame
      title="Register a client"
      current="/admin/clients"
      adminEmail={admin.email}
      description="An application that signs users in with Optare (authorization code) or gets tokens for itself (client credentials)."
      actions={
        <Link href="/admin/clients" className="py-2.5 text-sm font-semibold text-brand-700 underline underline-offset-2">
          All clients
        </Link>
      }
    >
      <NoScript />
      <section aria-label="Client settings" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
        <NewClient />
      </section>
    </AdminFrame>
  );
}
