import type { Metadata } from 'next';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { TextLink } from '@/components/ui/text-link';
import { setupAvailable } from '@/lib/admin/setup';

export const metadata: Metadata = { title: 'Set up Optare', referrer: 'no-referrer' };

/** First run: the one-time link printed by `npm start` creates the first administrator here. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  if (typeof token !== 'string' || !(await setupAvailable(token))) {
    return (
      <CardPage
        title="This setup link cannot be used"
        description="It was already used, it expired (links last an hour), or an administrator exists already."
        footer={<TextLink href="/admin/sign-in">Go to the admin console</TextLink>}
      >
        <p className="text-sm text-slate-700">
          Restart Optare to print a new link while no administrator exists, or create one on the server with{' '}
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
        <SignUpForm endpoint="/api/setup" extraBody={{ token }} submitLabel="Create administrator" />
      </div>
    </CardPage>
  );
}
