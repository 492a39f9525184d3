import type { Metadata } from 'next';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { when } from '@/components/account/dates';
import { AccountSection } from '@/components/account/section';
import { SessionsList } from '@/components/account/sessions-list';
import { NoScript } from '@/components/ui/no-script';
import { sessionsOf } from '@/lib/auth/account-sessions';

export const metadata: Metadata = { title: 'Sessions' };

/** Every browser signed in to the account; the route handlers sign them out. */
export default async function SessionsPage() {
  const session = await sessionOrSignIn('/account/sessions');
  const sessions = await sessionsOf(session);
  return (
    <AccountFrame
      title="Where you are signed in"
      current="/account/sessions"
      description="If you do not recognise a session, sign it out and change your password."
    >
      <NoScript />
      <AccountSection id="sessions" title="Active sessions">
        <SessionsList
          sessions={sessions.map((item) => ({
            id: item.id,
            name: `${item.browser} on ${item.os}`,
            ip: item.ip,
            methods: item.methods,
            signedIn: when(item.createdAt),
            lastSeen: when(item.lastSeenAt),
            current: item.current,
          }))}
        />
      </AccountSection>
    </AccountFrame>
  );
}
