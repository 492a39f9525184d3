import type { Metadata } from 'next';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { ConnectedAppsList } from '@/components/account/connected-apps-list';
import { when } from '@/components/account/dates';
import { AccountSection } from '@/components/account/section';
import { NoScript } from '@/components/ui/no-script';
import { connectedAppsOf } from '@/lib/oauth/connected-apps';

export const metadata: Metadata = { title: 'Connected apps' };

/** The apps the user allowed to access their account. */
export default async function ConnectedAppsPage() {
  const session = await sessionOrSignIn('/account/apps');
  const apps = await connectedAppsOf(session.userId);
  return (
    <AccountFrame
      title="Connected apps"
      current="/account/apps"
      description="Apps you allowed to use your Optare account. Uncheck a permission to take it back, or disconnect an app: either way it loses that access at once and must ask again."
    >
      <NoScript />
      <AccountSection id="apps" title="Apps with access">
        <ConnectedAppsList
          apps={apps.map((app) => ({ clientId: app.clientId, name: app.name, scopes: app.scopes, granted: when(app.grantedAt) }))}
        />
      </AccountSection>
    </AccountFrame>
  );
}
