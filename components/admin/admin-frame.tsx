import Link from 'next/link';
import type { ReactNode } from 'react';
import { SessionEndWatcher } from '@/components/session-end-watcher';
import { Button } from '@/components/ui/button';

/** The console's pages, in the navigation's order. */
export const ADMIN_PAGES = [
  { href: '/admin', label: 'Dashboard' },
  { href: '/admin/clients', label: 'Clients' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/audit', label: 'Audit log' },
  { href: '/admin/api-keys', label: 'API keys' },
  { href: '/admin/keys', label: 'Signing keys' },
  { href: '/admin/settings', label: 'Settings' },
] as const;

/**
 * The admin console's page frame: wordmark, navigation, the administrator and sign-out, then
 * the page; it leaves for the console's sign-in page when the session ends (SessionEndWatcher).
 * Server component; wider than the account area's, for tables.
 */
export function AdminFrame({
  title,
  description,
  current,
  adminEmail,
  actions,
  children,
}: {
  title: string;
  description?: ReactNode;
  /** The href of the navigation entry this page belongs to. */
  current?: string;
  /** Shown next to "Sign out", so the administrator sees whose console this is. */
  adminEmail?: string;
  /** Buttons or links shown beside the title (e.g. "New client"). */
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="min-h-screen bg-slate-50">
      <SessionEndWatcher statusPath="/api/admin/console/session-status" signInPath="/admin/sign-in?error=idle" />
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <Link
            href="/admin"
            className="rounded-sm text-lg font-semibold tracking-tight text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600"
          >
            Optare <span className="font-normal text-slate-500">admin</span>
          </Link>
          <div className="flex items-center gap-3 text-sm">
            {adminEmail ? <span className="text-slate-600">{adminEmail}</span> : null}
            <form method="post" action="/admin/sign-out">
              <Button type="submit" variant="secondary">
                Sign out
              </Button>
            </form>
          </div>
        </div>
        <nav aria-label="Admin console" className="mx-auto max-w-6xl px-4 pb-2 sm:px-6">
          <ul className="flex flex-wrap gap-x-5 gap-y-2 text-sm">
            {ADMIN_PAGES.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={item.href === current ? 'page' : undefined}
                  className="font-medium text-slate-700 hover:text-brand-700 aria-[current=page]:text-brand-700 aria-[current=page]:underline aria-[current=page]:underline-offset-4"
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-8 sm:px-6">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div>
            <h1 id="page-title" className="text-2xl font-semibold tracking-tight text-slate-900">
              {title}
            </h1>
            {description ? <div className="mt-1.5 text-sm text-slate-600">{description}</div> : null}
          </div>
          {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
        </div>
        {children}
      </main>
    </div>
  );
}
