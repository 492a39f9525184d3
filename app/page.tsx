import Link from 'next/link';
import type { ReactNode } from 'react';
import { currentSession } from '@/app/_server/session';
import { Button } from '@/components/ui/button';
import { CardPage } from '@/components/ui/card';
import { TextLink } from '@/components/ui/text-link';

/** Home: who is signed in, or the way to sign in. */
export default async function HomePage() {
  const session = await currentSession();

  if (!session) {
    return (
      <CardPage title="Welcome to Optare" description="Sign in to manage your account and the apps you use with it.">
        <nav aria-label="Account" className="flex flex-col gap-3">
          <LinkButton href="/sign-in" primary>
            Sign in
          </LinkButton>
          <LinkButton href="/sign-up">Create an account</LinkButton>
        </nav>
      </CardPage>
    );
  }

  const { name, email } = session.user;
  return (
    <CardPage title="Your account">
      <div className="space-y-6">
        <p className="text-sm text-slate-700 break-words">
          Signed in as <strong className="font-semibold text-slate-900">{name}</strong> ({email})
        </p>
        <form method="post" action="/sign-out">
          <Button type="submit" variant="secondary" fullWidth>
            Sign out
          </Button>
        </form>
        <nav aria-label="Your account" className="flex flex-col items-center gap-2 text-sm">
          <TextLink href="/account/security">Two-step verification and passkeys</TextLink>
          <TextLink href="/account">Your account</TextLink>
        </nav>
      </div>
    </CardPage>
  );
}

/** A link styled as a button. */
function LinkButton({ href, primary = false, children }: { href: string; primary?: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      className={
        'inline-flex w-full items-center justify-center rounded-lg px-4 py-2.5 text-sm font-semibold shadow-xs ' +
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 ' +
        (primary ? 'bg-brand-600 text-white hover:bg-brand-700' : 'bg-white text-slate-800 ring-1 ring-slate-300 ring-inset hover:bg-slate-50')
      }
    >
      {children}
    </Link>
  );
}
