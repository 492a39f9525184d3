import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AccountSection } from '@/components/account/section';
import { AdminFrame } from '@/components/admin/admin-frame';
import { AdminBadge, StatusBadge } from '@/components/admin/users/badges';
import { ResetMfaForm } from '@/components/admin/users/reset-mfa-form';
import { DeleteUserForm } from '@/components/admin/users/delete-user-form';
import { MFA_RESET_REASON } from '@/lib/admin/user-schemas';
import { SignOutEverywhere } from '@/components/admin/users/sign-out-everywhere';
import { UserActions } from '@/components/admin/users/user-actions';
import { UserAuditEvents } from '@/components/admin/users/user-audit-events';
import { NoScript } from '@/components/ui/no-script';
import { userAuditEvents, userDetail, userSessions } from '@/lib/admin/users';

export const metadata: Metadata = { title: 'User' };

const LINK = 'font-semibold text-brand-700 underline underline-offset-2';

/**
 * One user: profile and account actions, sessions ("Sign out everywhere"), second factors
 * ("Reset MFA" with a reason), connected apps, and the audit events about them, page by page
 * (`?events=<cursor>`).
 */
export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ userId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireConsoleAdmin();
  const { userId } = await params;
  const found = await userDetail(admin.actor, userId);
  if (!found.ok) notFound();
  const { user, mfa, consents } = found.detail;
  const sessions = await userSessions(admin.actor, user.id);
  const { events: cursor } = await searchParams;
  let events = await userAuditEvents(admin.actor, user.id, { cursor: typeof cursor === 'string' ? cursor : undefined });
  const staleCursor = !events.ok && events.error === 'invalid_cursor';
  if (staleCursor) events = await userAuditEvents(admin.actor, user.id);
  const eventsPage = events.ok ? events.page : { items: [], nextCursor: null };
  const self = user.id === admin.userId;
  const hasFactor = mfa.totp.status !== 'none' || mfa.passkeys.length > 0 || mfa.recoveryCodesRemaining > 0 || mfa.rememberedBrowsers > 0;
  const created = when(user.createdAt);

  return (
    <AdminFrame
      title={user.email}
      current="/admin/users"
      adminEmail={admin.email}
      description={
        <span className="flex flex-wrap items-center gap-2">
          <StatusBadge status={user.status} />
          {user.isAdmin ? <AdminBadge /> : null}
          <Link href="/admin/users" className={LINK}>
            All users
          </Link>
        </span>
      }
    >
      <NoScript />
      <AccountSection id="profile" title="Profile">
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
          <Term label="Email">{user.email}</Term>
          <Term label="Name">{user.name}</Term>
          <Term label="User id">
            <span className="font-mono text-xs">{user.id}</span>
          </Term>
          <Term label="Email verified">{user.emailVerifiedAt ? <Moment date={user.emailVerifiedAt} prefix="Yes, " /> : 'No'}</Term>
          <Term label="Created">
            <time dateTime={created.iso}>{created.label}</time>
          </Term>
          <Term label="Status">{user.disabledAt ? <Moment date={user.disabledAt} prefix="Disabled since " /> : 'Active'}</Term>
          <Term label="Administrator">{user.isAdmin ? 'Yes' : 'No'}</Term>
        </dl>
        <UserActions userId={user.id} email={user.email} status={user.status} isAdmin={user.isAdmin} self={self} />
      </AccountSection>

      <AccountSection id="sessions" title="Sessions" description="Browsers signed in to this account now.">
        {sessions.ok && sessions.sessions.length > 0 ? (
          <ul aria-label="Sessions" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
            {sessions.sessions.map((session) => {
              const signedIn = when(session.createdAt);
              const lastSeen = when(session.lastSeenAt);
              return (
                <li key={session.id} data-session-id={session.id} className="px-4 py-3">
                  <p className="font-medium text-slate-900">
                    {session.browser} on {session.os}
                    {self && session.id === admin.sessionId ? (
                      <span className="ml-2 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200">This console</span>
                    ) : null}
                  </p>
                  <p className="text-xs text-slate-600">
                    {session.ip ? <>IP {session.ip} · </> : null}
                    {session.methods}
                  </p>
                  <p className="text-xs text-slate-600">
                    Signed in <time dateTime={signedIn.iso}>{signedIn.label}</time> · Last active <time dateTime={lastSeen.iso}>{lastSeen.label}</time>
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">Not signed in anywhere.</p>
        )}
        <SignOutEverywhere userId={user.id} email={user.email} self={self} />
      </AccountSection>

      <AccountSection
        id="mfa"
        title="Two-step verification"
        description={mfa.required ? 'Required for this user: without a second step, their next sign-in asks them to set one up.' : 'Optional for this user.'}
      >
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
          <Term label="Authenticator app">
            {mfa.totp.status === 'confirmed' && mfa.totp.since ? (
              <Moment date={mfa.totp.since} prefix="Set up " />
            ) : mfa.totp.status === 'pending' ? (
              'Being set up (not confirmed)'
            ) : (
              'None'
            )}
          </Term>
          <Term label="Recovery codes left">{mfa.recoveryCodesRemaining}</Term>
          <Term label="Remembered browsers">{mfa.rememberedBrowsers}</Term>
        </dl>
        {mfa.passkeys.length > 0 ? (
          <ul aria-label="Passkeys" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
            {mfa.passkeys.map((passkey) => {
              const added = when(passkey.createdAt);
              const used = passkey.lastUsedAt ? when(passkey.lastUsedAt) : null;
              return (
                <li key={passkey.id} className="px-4 py-3">
                  <p className="font-medium break-words text-slate-900">{passkey.nickname}</p>
                  <p className="text-xs text-slate-600">
                    {passkey.deviceType === 'synced' ? 'Synced passkey' : 'Device-bound passkey'} · Added <time dateTime={added.iso}>{added.label}</time> ·{' '}
                    {used ? (
                      <>
                        Last used <time dateTime={used.iso}>{used.label}</time>
                      </>
                    ) : (
                      'Never used'
                    )}
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No passkeys.</p>
        )}
        {hasFactor ? <ResetMfaForm userId={user.id} email={user.email} mfaRequired={mfa.required} self={self} /> : <p className="text-sm text-slate-600">Nothing to reset.</p>}
      </AccountSection>

      <AccountSection id="apps" title="Connected apps" description="Apps this user allowed to access their account.">
        {consents.length > 0 ? (
          <ul aria-label="Connected apps" className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
            {consents.map((app) => {
              const granted = when(app.grantedAt);
              return (
                <li key={app.clientId} className="px-4 py-3">
                  <p className="font-medium break-words text-slate-900">
                    {app.name} <span className="font-mono text-xs font-normal text-slate-600">{app.clientId}</span>
                  </p>
                  <p className="text-xs text-slate-600">
                    {app.scopes.join(' ')} · Allowed <time dateTime={granted.iso}>{granted.label}</time>
                  </p>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No connected apps.</p>
        )}
      </AccountSection>

      <AccountSection
        id="privacy"
        title="Data and deletion"
        description="The user’s data as a JSON file (what they download from their account page), or the account deleted for good. Both are recorded in the audit log with your reason."
      >
        {/* A plain GET form: the browser downloads the file; the reason goes into the audit event. */}
        <form method="get" action={`/api/admin/console/users/${user.id}/export`} aria-label="Export user data" className="space-y-3">
          <div className="space-y-1.5">
            <label htmlFor="export-reason" className="block text-sm font-medium text-slate-800">
              Reason for the export
            </label>
            <input
              id="export-reason"
              name="reason"
              required
              minLength={MFA_RESET_REASON.min}
              maxLength={MFA_RESET_REASON.max}
              aria-describedby="export-reason-hint"
              className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-xs focus:border-brand-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40 sm:text-sm"
            />
            <p id="export-reason-hint" className="text-xs leading-5 text-slate-600">
              e.g. the subject access request you are answering.
            </p>
          </div>
          <button
            type="submit"
            className="inline-flex items-center justify-center rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
          >
            Export data
          </button>
        </form>
        {self ? (
          <p className="text-sm text-slate-600">To delete your own account, use “Delete account” on your account page.</p>
        ) : (
          <DeleteUserForm userId={user.id} email={user.email} />
        )}
      </AccountSection>

      <AccountSection
        id="events"
        title="Audit events"
        description={
          <>
            What this user did and what was done to their account, newest first. In the audit log:{' '}
            <Link href={`/admin/audit?actor=${user.id}`} className={LINK}>
              by this user
            </Link>
            ,{' '}
            <Link href={`/admin/audit?subject=${user.id}`} className={LINK}>
              about this user
            </Link>
            .
          </>
        }
      >
        {staleCursor ? <p className="text-sm text-slate-600">That page link is no longer valid; these are the newest events.</p> : null}
        <UserAuditEvents
          userId={user.id}
          events={eventsPage.items.map((event) => ({
            seq: event.seq,
            at: when(event.createdAt),
            type: event.type,
            outcome: event.outcome,
            actor: event.actor,
            ip: event.ip,
            details: event.details,
          }))}
        />
        <nav aria-label="Audit event pages" className="flex gap-4 text-sm">
          {typeof cursor === 'string' && !staleCursor ? (
            <Link href={`/admin/users/${user.id}#events-title`} className={LINK}>
              Newest events
            </Link>
          ) : null}
          {eventsPage.nextCursor ? (
            <Link href={`/admin/users/${user.id}?events=${encodeURIComponent(eventsPage.nextCursor)}#events-title`} className={LINK}>
              Older events
            </Link>
          ) : null}
        </nav>
      </AccountSection>
    </AdminFrame>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-slate-700">{label}</dt>
      <dd className="break-words text-slate-900">{children}</dd>
    </>
  );
}

function Moment({ date, prefix }: { date: Date; prefix: string }) {
  const moment = when(date);
  return (
    <>
      {prefix}
      <time dateTime={moment.iso}>{moment.label}</time>
    </>
  );
}
