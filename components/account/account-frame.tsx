import Link from 'next/link';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { SessionEndWatcher } from '@/components/session-end-watcher';

/** The account area's pages, in the navigation's order. */
const ACCOUNT_PAGES = [
  { href: '/account', label: 'Profile' },
  { href: '/account/security', label: 'Security' },
  { href: '/account/password', label: 'Password' },
  { href: '/account/sessions', label: 'Sessions' },
  { href: '/account/apps', label: 'Connected apps' },
  { href: '/account/activity', label: 'Activity' },
] as const;

/**
 * The account area's page frame: wordmark, navigation, sign-out, one column of sections; it leaves
 * for the sign-in page when the session ends (SessionEndWatcher). Server component.
 */
export function AccountFrame({
  title,
  description,
  current,
  children,
}: {
  title: string;
  description?: ReactNode;
  /** The href of the page shown, marked in the navigation. */
  current?: string;
  children: ReactNode;
}) {
  return (
    <div className="min-h-screen">
      <SessionEndWatcher statusPath="/api/account/session-status" signInPath="/sign-in?ended=1" returnParameter="next" />
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-2xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <Link href="/" className="rounded-sm text-lg font-semibold tracking-tight text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
            Optare
          </Link>
          <nav aria-label="Account" className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
            {ACCOUNT_PAGES.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={item.href === current ? 'page' : undefined}
                className="font-medium text-slate-700 hover:text-brand-700 aria-[current=page]:text-brand-700 aria-[current=page]:underline aria-[current=page]:underline-offset-4"
              >
                {item.label}
              </Link>
            ))}
            <form method="post" action="/sign-out">
              <Button type="submit" variant="secondary">
                Sign out
              </Button>
            </form>
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-2xl space-y-6 px-4 py-8 sm:px-6">
        <div>
          <h1 id="page-title" className="text-2xl font-semibold tracking-tight text-slate-900">
            {title}
          </h1>
          {description ? <div className="mt-1.5 text-sm text-slate-600">{description}</div> : null}
        </div>
        {children}
      </main>
    </div>
  );
}
