import type { Metadata } from 'next';
import { sessionOrSignIn } from '@/app/_server/session';
import { AccountFrame } from '@/components/account/account-frame';
import { when } from '@/components/account/dates';
import { AccountSection } from '@/components/account/section';
import { TextLink } from '@/components/ui/text-link';
import { securityActivity } from '@/lib/audit/activity';

export const metadata: Metadata = { title: 'Security activity' };

/** The user's own audit events, newest first, one page per `?before=<seq>`. Server-rendered only. */
export default async function ActivityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await sessionOrSignIn('/account/activity');
  const { before } = await searchParams;
  const page = await securityActivity(session.userId, before);
  return (
    <AccountFrame title="Security activity" current="/account/activity" description="Sign-ins, changes to your security settings and anything unusual on your account, newest first.">
      <AccountSection id="activity" title={before ? 'Earlier activity' : 'Recent activity'}>
        {page.items.length > 0 ? (
          <ol aria-label="Security activity" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
            {page.items.map((item) => {
              const at = when(item.at);
              return (
                <li key={item.seq} className="px-4 py-3">
                  <p className={item.failed ? 'font-medium text-red-800' : 'font-medium text-slate-900'}>{item.title}</p>
                  {item.detail ? <p className="text-sm text-slate-700">{item.detail}</p> : null}
                  <p className="text-xs text-slate-600">
                    <time dateTime={at.iso}>{at.label}</time>
                    {item.device ? <> · {item.device}</> : null}
                    {item.ip ? <> · IP {item.ip}</> : null}
                  </p>
                </li>
              );
            })}
          </ol>
        ) : (
          <p className="text-sm text-slate-600">No activity to show.</p>
        )}
        <nav aria-label="Activity pages" className="flex gap-4 text-sm">
          {before ? <TextLink href="/account/activity">Newest</TextLink> : null}
          {page.nextCursor ? <TextLink href={`/account/activity?before=${page.nextCursor}`}>Older activity</TextLink> : null}
        </nav>
      </AccountSection>
    </AccountFrame>
  );
}
