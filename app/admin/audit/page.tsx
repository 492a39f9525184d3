import type { Metadata } from 'next';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { AdminFrame } from '@/components/admin/admin-frame';
import { AuditEventsTable } from '@/components/admin/audit/audit-events-table';
import { AuditFilterForm } from '@/components/admin/audit/audit-filter-form';
import { ChainIntegrity } from '@/components/admin/audit/chain-integrity';
import { AccountSection } from '@/components/account/section';
import { TextLink } from '@/components/ui/text-link';
import {
  auditFilterFormValues,
  auditFilterQuery,
  auditFilterSchema,
  isFiltered,
  rawAuditFilterFormValues,
} from '@/lib/admin/audit-filter';
import { auditActorLabels, CONSOLE_AUDIT_PAGE_SIZE, consoleCursorSchema, listAuditEvents } from '@/lib/admin/audit-log';
import { fieldErrorsOf } from '@/lib/validation/account';

export const metadata: Metadata = { title: 'Audit log' };

type SearchParams = Record<string, string | string[] | undefined>;

const EXPORT_LINK =
  'inline-flex items-center justify-center gap-2 rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-xs ' +
  'ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600';

/**
 * The audit log: filters (the URL's query, so a view can be bookmarked), the matching events
 * newest first, one page at a time ("Older →"), exports of the whole filtered set as CSV or
 * JSON Lines, and the hash chain's integrity check.
 */
export default async function AuditLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const admin = await requireConsoleAdmin();
  const params = await searchParams;
  const parsed = auditFilterSchema.safeParse(params);
  const cursor = consoleCursorSchema.safeParse({ cursor: params.cursor });
  const filter = parsed.success ? parsed.data : null;
  const page = filter && cursor.success ? await listAuditEvents(filter, cursor.data.cursor, CONSOLE_AUDIT_PAGE_SIZE) : null;
  const labels = page ? await auditActorLabels(page.items) : null;
  const query = filter ? auditFilterQuery(filter) : new URLSearchParams();
  const withQuery = (extra: Record<string, string>) => {
    const search = new URLSearchParams(query);
    for (const [name, value] of Object.entries(extra)) search.set(name, value);
    return search.toString();
  };
  const formValues = filter ? auditFilterFormValues(filter) : rawAuditFilterFormValues(params);

  return (
    <AdminFrame
      title="Audit log"
      current="/admin/audit"
      adminEmail={admin.email}
      description="Every sign-in, security change and administrative action, in a tamper-evident hash chain."
    >
      <AccountSection id="audit-filters" title="Filters">
        <AuditFilterForm key={query.toString()} values={formValues} serverErrors={parsed.success ? {} : fieldErrorsOf(parsed.error)} />
      </AccountSection>

      <section aria-labelledby="audit-events-title" className="space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <h2 id="audit-events-title" className="text-lg font-semibold tracking-tight text-slate-900">
            {filter && isFiltered(filter) ? 'Matching events' : 'Events'}
            {cursor.success && cursor.data.cursor !== null ? ', older' : ''}
          </h2>
          {filter ? (
            <div className="flex flex-wrap gap-2" aria-label="Export the matching events" role="group">
              <a href={`/api/admin/console/audit/export?${withQuery({ format: 'csv' })}`} download className={EXPORT_LINK}>
                Export CSV
              </a>
              <a href={`/api/admin/console/audit/export?${withQuery({ format: 'jsonl' })}`} download className={EXPORT_LINK}>
                Export JSON Lines
              </a>
            </div>
          ) : null}
        </div>
        {!filter ? (
          <p className="text-sm text-red-800">Correct the filters above to see events.</p>
        ) : !cursor.success ? (
          <p className="text-sm text-red-800">
            This page link is not valid. <TextLink href={`/admin/audit?${query.toString()}`}>Go to the newest events</TextLink>
          </p>
        ) : page && labels && page.items.length > 0 ? (
          <AuditEventsTable events={page.items} labels={labels} />
        ) : (
          <p className="text-sm text-slate-600">No events match these filters.</p>
        )}
        {filter && cursor.success ? (
          <nav aria-label="Audit log pages" className="flex gap-6 text-sm">
            {cursor.data.cursor !== null ? <TextLink href={`/admin/audit?${query.toString()}`}>Newest</TextLink> : null}
            {page?.nextCursor ? <TextLink href={`/admin/audit?${withQuery({ cursor: page.nextCursor })}`}>Older →</TextLink> : null}
          </nav>
        ) : null}
        <p className="text-xs text-slate-600">
          Exports hold every matching event recorded when they start, oldest first, and are themselves recorded in this log.
        </p>
      </section>

      <AccountSection
        id="audit-integrity"
        title="Chain integrity"
        description="Each event carries the hash of the one before it: editing, deleting or inserting a record breaks the chain from that point. The check reads the whole log."
      >
        <ChainIntegrity />
      </AccountSection>
    </AdminFrame>
  );
}
