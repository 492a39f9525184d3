import type { ReactNode } from 'react';
import { when } from '@/components/account/dates';
import { TextLink } from '@/components/ui/text-link';
import type { AuditEventRecord } from '@/lib/audit/export';
import { ActorLabel, type ActorLabels } from './actor-label';
import { OutcomeBadge } from './audit-events-table';

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The `changes` detail (lib/audit/events.ts AuditFieldChange[]), when it has that shape. */
function changesOf(details: unknown): FieldChange[] | null {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  const changes = (details as Record<string, unknown>).changes;
  if (!Array.isArray(changes)) return null;
  return changes.every((change) => typeof change === 'object' && change !== null && typeof (change as FieldChange).field === 'string')
    ? (changes as FieldChange[])
    : null;
}

function otherDetails(details: unknown, withoutChanges: boolean): Record<string, unknown> | null {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  const { changes: _changes, ...rest } = details as Record<string, unknown>;
  const shown = withoutChanges ? rest : (details as Record<string, unknown>);
  return Object.keys(shown).length > 0 ? shown : null;
}

/** A before or after value: text as it is, lists comma-separated, anything else as JSON. */
function ChangeValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-500">(none)</span>;
  if (typeof value === 'string') return <span className="break-words whitespace-pre-wrap">{value}</span>;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.length > 0 ? <span className="break-words">{value.join(', ')}</span> : <span className="text-slate-500">(empty list)</span>;
  }
  return <span className="font-mono">{JSON.stringify(value)}</span>;
}

function Row({ label, children, mono = false }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid gap-1 px-4 py-3 sm:grid-cols-4 sm:gap-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className={`text-sm break-all text-slate-900 sm:col-span-3${mono ? ' font-mono' : ''}`}>{children}</dd>
    </div>
  );
}

/** Filters the log by one value (an actor, a subject): the link says what it shows. */
function FilterLink({ name, value, children }: { name: string; value: string; children: ReactNode }) {
  return <TextLink href={`/admin/audit?${new URLSearchParams({ [name]: value }).toString()}`}>{children}</TextLink>;
}

/**
 * One audit event, every column: who, what, where from, the details (a `changes` detail as a
 * before/after table, the rest as indented JSON) and its place in the hash chain. Server component.
 */
export function AuditEventDetail({ event, labels }: { event: AuditEventRecord; labels: ActorLabels }) {
  const at = when(new Date(event.createdAt));
  const changes = changesOf(event.details);
  const rest = otherDetails(event.details, changes !== null);
  return (
    <div className="space-y-6">
      <section aria-labelledby="event-facts" className="rounded-2xl bg-white shadow-sm ring-1 ring-slate-200">
        <h2 id="event-facts" className="px-4 pt-4 text-lg font-semibold tracking-tight text-slate-900">
          Event
        </h2>
        <dl className="divide-y divide-slate-100">
          <Row label="Seq" mono>
            {event.seq}
          </Row>
          <Row label="Time">
            <time dateTime={at.iso}>{at.label}</time> <span className="font-mono text-xs text-slate-500">({event.createdAt})</span>
          </Row>
          <Row label="Type" mono>
            {event.type}
          </Row>
          <Row label="Outcome">
            <OutcomeBadge outcome={event.outcome} />
          </Row>
          <Row label="Actor">
            <span className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <ActorLabel userId={event.actorUserId} apiKeyId={event.actorApiKeyId} labels={labels} />
              {event.actorUserId ?? event.actorApiKeyId ? (
                <>
                  <span className="font-mono text-xs text-slate-500">{event.actorUserId ?? event.actorApiKeyId}</span>
                  <FilterLink name="actor" value={(event.actorUserId ?? event.actorApiKeyId)!}>
                    Events by this actor
                  </FilterLink>
                </>
              ) : null}
            </span>
          </Row>
          <Row label="Subject">
            {event.subject ? (
              <span className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <span className="font-mono">{event.subject}</span>
                <FilterLink name="subject" value={event.subject}>
                  Events about this subject
                </FilterLink>
              </span>
            ) : (
              <span className="text-slate-500">—</span>
            )}
          </Row>
          <Row label="IP address" mono>
            {event.ip ?? '—'}
          </Row>
          <Row label="User agent">{event.userAgent ?? '—'}</Row>
          <Row label="Request id" mono>
            {event.requestId ?? '—'}
          </Row>
        </dl>
      </section>

      {changes ? (
        <section aria-labelledby="event-changes" className="space-y-3">
          <h2 id="event-changes" className="text-lg font-semibold tracking-tight text-slate-900">
            Changes
          </h2>
          <div className="overflow-x-auto rounded-xl ring-1 ring-slate-200">
            <table className="min-w-full divide-y divide-slate-200 bg-white text-left text-sm">
              <caption className="sr-only">Fields changed, with their values before and after</caption>
              <thead className="bg-slate-50 text-xs font-semibold tracking-wide text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Field
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Before
                  </th>
                  <th scope="col" className="px-3 py-2">
                    After
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {changes.map((change, index) => (
                  <tr key={`${change.field}-${index}`} className="align-top">
                    <th scope="row" className="px-3 py-2 font-mono font-medium text-slate-900">
                      {change.field}
                    </th>
                    <td className="px-3 py-2 text-slate-700">
                      <ChangeValue value={change.before} />
                    </td>
                    <td className="px-3 py-2 text-slate-900">
                      <ChangeValue value={change.after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="event-details" className="space-y-3">
        <h2 id="event-details" className="text-lg font-semibold tracking-tight text-slate-900">
          {changes ? 'Other details' : 'Details'}
        </h2>
        {rest ? (
          <pre className="overflow-x-auto rounded-xl bg-slate-900 px-4 py-3 font-mono text-xs leading-5 text-slate-100">
            {JSON.stringify(rest, null, 2)}
          </pre>
        ) : (
          <p className="text-sm text-slate-600">None recorded.</p>
        )}
      </section>

      <section aria-labelledby="event-chain" className="rounded-2xl bg-white shadow-sm ring-1 ring-slate-200">
        <h2 id="event-chain" className="px-4 pt-4 text-lg font-semibold tracking-tight text-slate-900">
          Hash chain
        </h2>
        <p className="px-4 pt-1 text-sm text-slate-600">hash = SHA-256(previous hash ‖ seq ‖ SHA-256(the event’s content))</p>
        <dl className="divide-y divide-slate-100">
          <Row label="Previous hash" mono>
            {event.prevHash}
          </Row>
          <Row label="Hash" mono>
            {event.hash}
          </Row>
        </dl>
      </section>
    </div>
  );
}
