import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentSession } from '@/app/_server/session';
import { DecisionButtons } from '@/components/consent/decision-buttons';
import { CardPage } from '@/components/ui/card';
import { NoScript } from '@/components/ui/no-script';
import { logoutPrompt } from '@/lib/oauth/endpoints/logout';

export const metadata: Metadata = { title: 'Sign out' };

/**
 * Asks before ending the session when a sign-out request could not be attributed to it (no
 * id_token_hint, or one about another session). ?logout=<sealed confirmation>.
 */
export default async function LogoutConfirmPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { logout } = await searchParams;
  const session = await currentSession();
  const prompt = await logoutPrompt(logout, session, new Date());
  if (!prompt.show) redirect(prompt.redirectTo);

  return (
    <CardPage
      title="Sign out of Optare?"
      description={
        prompt.clientName ? (
          <>
            <span className="break-words">{prompt.clientName}</span> asked to sign you out of Optare.
          </>
        ) : (
          'An application asked to sign you out of Optare.'
        )
      }
    >
      <div className="space-y-5">
        {session ? (
          <p className="text-sm text-slate-700">
            Signed in as <strong className="font-semibold break-all text-slate-900">{session.user.email}</strong>
          </p>
        ) : null}
        <NoScript />
        <DecisionButtons
          endpoint="/oauth/logout/end"
          body={{ logout: logout as string }}
          primary={{ value: 'sign_out', label: 'Sign out', pendingLabel: 'Signing out…' }}
          secondary={{ value: 'stay', label: 'Stay signed in', pendingLabel: 'One moment…' }}
        />
      </div>
    </CardPage>
  );
}
