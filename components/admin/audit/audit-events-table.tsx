import Link from 'next/link';
import { when } from '@/components/account/dates';
import type { AuditEventRecord } from '@/lib/audit/export';
import { ActorLabel, type ActorLabels } from './actor-label';

/**
 * A page of audit events as a table, newest first: each row's number opens the event. Server
 * component; every value is text React escapes (an event's subject or user agent is whatever a
 * visitor sent).
 */
export function AuditEventsTable({ events, labels }: { events: readonly AuditEventRecord[]; labels: ActorLabels }) {
  return (
    <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 bg-white text-left text-sm">
        <caption className="sr-only">Audit events, newest first</caption>
        <thead className="bg-slate-50 text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-3 py-2">
              #
            </th>
            <th scope="col" className="px-3 py-2">
              Time (UTC)
            </th>
            <th scope="col" className="px-3 py-2">
              Event
            </th>
            <th scope="col" className="px-3 py-2">
              Outcome
            </th>
            <th scope="col" className="px-3 py-2">
              Actor
            </th>
            <th scope="col" className="px-3 py-2">
              Subject
            </th>
            <th scope="col" className="px-3 py-2">
              IP
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((event) => {
            const at = when(new Date(event.createdAt));
            return (
              <tr key={event.seq} className="align-top">
                <td className="px-3 py-2 font-mono whitespace-nowrap">
                  <Link
                    href={`/admin/audit/${event.seq}`}
                    aria-label={`Event ${event.seq}: ${event.type}`}
                    className="font-medium text-brand-600 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600"
                  >
                    {event.seq}
                  </Link>
                </td>
                <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                  <time dateTime={at.iso}>{at.label.replace(/ UTC$/, '')}</time>
                </td>
                <td className="px-3 py-2 font-mono text-slate-900">{event.type}</td>
                <td className="px-3 py-2">
                  <OutcomeBadge outcome={event.outcome} />
                </td>
                <td className="max-w-56 px-3 py-2 break-words text-slate-700">
                  <ActorLabel userId={event.actorUserId} apiKeyId={event.actorApiKeyId} labels={labels} />
                </td>
                <td className="max-w-56 px-3 py-2 font-mono text-xs break-all text-slate-700">{event.subject ?? '—'}</td>
                <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-700">{event.ip ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const failed = outcome === 'failure';
  return (
    <span
      className={
        'inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ' +
        (failed ? 'bg-red-50 text-red-800 ring-red-200' : 'bg-emerald-50 text-emerald-800 ring-emerald-200')
      }
    >
      {failed ? 'Failure' : 'Success'}
    </span>
  );
}
