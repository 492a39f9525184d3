import Link from 'next/link';
import { OutcomeBadge } from '@/components/admin/audit/audit-events-table';

type Moment = { iso: string; label: string };

export type AuditActorItem =
  | { kind: 'user'; id: string; email: string | null }
  | { kind: 'api_key'; id: string; name: string | null; prefix: string | null }
  | null;

/** An event as the user page lists it; the time already formatted by the server. */
export interface UserAuditEventItem {
  seq: string;
  at: Moment;
  type: string;
  outcome: string;
  actor: AuditActorItem;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * The events about a user, newest first: what they did and what was done to their account. Each
 * number opens the event in the audit log. Server component: every value is text React escapes.
 */
export function UserAuditEvents({ userId, events }: { userId: string; events: readonly UserAuditEventItem[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No events to show.</p>;
  return (
    <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 bg-white text-left text-sm">
        <caption className="sr-only">Audit events of this user, newest first</caption>
        <thead className="bg-slate-50 text-xs font-semibold text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">
              #
            </th>
            <th scope="col" className="px-3 py-2">
              Time
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
              IP
            </th>
            <th scope="col" className="px-3 py-2">
              Details
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((event) => (
            <tr key={event.seq} className="align-top">
              <td className="px-3 py-2 font-mono whitespace-nowrap">
                <Link
                  href={`/admin/audit/${event.seq}`}
                  aria-label={`Event ${event.seq}: ${event.type}`}
                  className="text-brand-700 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600"
                >
                  {event.seq}
                </Link>
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-700">
                <time dateTime={event.at.iso}>{event.at.label}</time>
              </td>
              <td className="px-3 py-2 font-mono text-slate-900">{event.type}</td>
              <td className="px-3 py-2">
                <OutcomeBadge outcome={event.outcome} />
              </td>
              <td className="max-w-56 px-3 py-2 break-words text-slate-700">
                <Actor actor={event.actor} userId={userId} />
              </td>
              <td className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-700">{event.ip ?? '—'}</td>
              <td className="max-w-80 px-3 py-2 text-xs break-words text-slate-700">
                <Details details={event.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Actor({ actor, userId }: { actor: AuditActorItem; userId: string }) {
  if (!actor) return <span className="text-slate-500">—</span>;
  if (actor.kind === 'api_key') {
    return (
      <span title={actor.id}>
        API key {actor.name ?? actor.id} {actor.prefix ? <span className="font-mono text-xs text-slate-500">({actor.prefix})</span> : null}
      </span>
    );
  }
  if (actor.id === userId) return <span title={actor.id}>This user</span>;
  return <span title={actor.id}>{actor.email ?? actor.id}</span>;
}

/** Small, secret-free facts of the event: `reason: lost phone`, `isAdmin: false → true`. */
function Details({ details }: { details: Record<string, unknown> }) {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (key === 'changes' && Array.isArray(value)) {
      for (const change of value as Array<{ field?: unknown; before?: unknown; after?: unknown }>) {
        lines.push(`${String(change.field)}: ${text(change.before)} → ${text(change.after)}`);
      }
    } else {
      lines.push(`${key}: ${text(value)}`);
    }
  }
  if (lines.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <ul className="space-y-0.5">
      {lines.map((line, index) => (
        <li key={index}>{line}</li>
      ))}
    </ul>
  );
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
