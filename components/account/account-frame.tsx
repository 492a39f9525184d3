import Link from 'next/link';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';

/** The account area's page frame: wordmark, navigation, sign-out, one column of sections. Server component. */
export function AccountFrame({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-2xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <Link href="/" className="rounded-sm text-lg font-semibold tracking-tight text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
            Optare
          </Link>
          <nav aria-label="Account" className="flex items-center gap-4 text-sm">
            <Link href="/account" className="font-medium text-slate-700 hover:text-brand-700">
              Account
            </Link>
            <Link href="/account/security" className="font-medium text-slate-700 hover:text-brand-700">
              Security
            </Link>
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
