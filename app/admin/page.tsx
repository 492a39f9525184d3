import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { when } from '@/components/account/dates';
import { AdminFrame } from '@/components/admin/admin-frame';
import { DailyBarChart } from '@/components/admin/charts/daily-bar-chart';
import { HorizontalBarChart } from '@/components/admin/charts/horizontal-bar-chart';
import { ProportionMeter } from '@/components/admin/charts/proportion-meter';
import { formatCount } from '@/components/admin/charts/scale';
import { dashboardData, DASHBOARD_DAYS, TOP_CLIENTS } from '@/lib/admin/dashboard';
import type { SecurityWarning } from '@/lib/admin/security-check';

export const metadata: Metadata = { title: 'Dashboard' };

/**
 * How Optare is doing: the security check's warnings first, then sign-ins per day, second-factor
 * adoption, live sessions and tokens per client. Every chart is SVG rendered here, on the server.
 */
export default async function DashboardPage() {
  const admin = await requireConsoleAdmin();
  const data = await dashboardData();
  const generated = when(data.generatedAt);
  return (
    <AdminFrame
      title="Dashboard"
      current="/admin"
      adminEmail={admin.email}
      description={
        <>
          The last {DASHBOARD_DAYS} days, in UTC, as of <time dateTime={generated.iso}>{generated.label}</time>.
        </>
      }
    >
      <SecurityCheck warnings={data.warnings} />

      <Panel id="sign-ins" title="Sign-ins per day">
        <DailyBarChart
          id="sign-ins-chart"
          title={`Sign-ins per day, last ${DASHBOARD_DAYS} days`}
          days={data.signIns.map((day) => day.day)}
          series={[
            { label: 'successful sign-ins', fillClass: 'fill-emerald-600', swatchClass: 'bg-emerald-600', values: data.signIns.map((day) => day.successes) },
            { label: 'failed sign-ins', fillClass: 'fill-red-500', swatchClass: 'bg-red-500', values: data.signIns.map((day) => day.failures) },
          ]}
        />
      </Panel>

      <div className="grid gap-6 lg:grid-cols-2">
        <Panel id="mfa" title="Two-step verification">
          <ProportionMeter
            id="mfa-chart"
            title="Users with a second factor"
            part={data.mfa.withSecondFactor}
            whole={data.mfa.users}
            wholeLabel={data.mfa.users === 1 ? 'enabled user' : 'enabled users'}
            partLabel="have an authenticator app or a passkey"
          />
        </Panel>
        <Panel id="sessions" title="Active sessions">
          <p className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums" data-figure="active-sessions">
            {formatCount(data.sessions.active)}
          </p>
          <p className="mt-1 text-sm text-slate-600">Signed-in browser sessions that have not expired, by the day they started:</p>
          <div className="mt-3">
            <DailyBarChart
              id="sessions-chart"
              title={`Active sessions by the day they started, last ${DASHBOARD_DAYS} days`}
              size="narrow"
              days={data.sessions.byDay.map((day) => day.day)}
              series={[{ label: 'active sessions', fillClass: 'fill-brand-600', swatchClass: 'bg-brand-600', values: data.sessions.byDay.map((day) => day.count) }]}
            />
          </div>
        </Panel>
      </div>

      <Panel id="tokens" title="Tokens issued per client">
        <p className="mb-3 text-sm text-slate-600">
          Token responses in the last {DASHBOARD_DAYS} days, the {TOP_CLIENTS} busiest clients. Each server adds its counts every 10 seconds.
        </p>
        <HorizontalBarChart
          id="tokens-chart"
          title={`Tokens issued per client, last ${DASHBOARD_DAYS} days`}
          unit="tokens issued"
          items={data.tokens.map((client) => ({ label: client.name ?? `${client.clientId} (deleted)`, detail: client.clientId, value: client.count }))}
          empty={`No tokens were issued in the last ${DASHBOARD_DAYS} days.`}
        />
      </Panel>
    </AdminFrame>
  );
}

function Panel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
      <h2 id={`${id}-heading`} className="mb-4 text-lg font-semibold tracking-tight text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

const SEVERITY = {
  critical: { label: 'Critical', className: 'border-red-200 bg-red-50 text-red-900', badge: 'bg-red-600 text-white' },
  warning: { label: 'Warning', className: 'border-amber-200 bg-amber-50 text-amber-950', badge: 'bg-amber-500 text-amber-950' },
} as const;

/** The security check's findings, or a calm line when there are none. */
function SecurityCheck({ warnings }: { warnings: SecurityWarning[] }) {
  return (
    <section aria-labelledby="security-heading" className="rounded-2xl bg-white px-6 py-6 shadow-sm ring-1 ring-slate-200 sm:px-8">
      <h2 id="security-heading" className="text-lg font-semibold tracking-tight text-slate-900">
        Security check
      </h2>
      {warnings.length === 0 ? (
        <p className="mt-3 text-sm text-emerald-800" data-security-check="clear">
          No problems found: every administrator has a second factor, API and signing keys are within their rotation periods, the issuer uses HTTPS and the
          encryption key comes from the environment.
        </p>
      ) : (
        <ul className="mt-4 space-y-3">
          {warnings.map((warning) => (
            <li key={warning.id} id={`warning-${warning.id}`} data-warning={warning.id} className={`rounded-xl border px-4 py-3 text-sm ${SEVERITY[warning.severity].className}`}>
              <p className="flex flex-wrap items-center gap-2 font-semibold">
                <span className={`rounded-full px-2 py-0.5 text-xs ${SEVERITY[warning.severity].badge}`}>{SEVERITY[warning.severity].label}</span>
                {warning.title}
              </p>
              <p className="mt-1">{warning.detail}</p>
              {warning.href ? (
                <Link href={warning.href} className="mt-1 inline-block font-semibold underline underline-offset-2">
                  Fix it
                </Link>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
