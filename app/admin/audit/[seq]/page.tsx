import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requireConsoleAdmin } from '@/app/admin/_server/console';
import { AdminFrame } from '@/components/admin/admin-frame';
import { AuditEventDetail } from '@/components/admin/audit/audit-event-detail';
import { TextLink } from '@/components/ui/text-link';
import { auditActorLabels, auditSeqSchema, getAuditEvent } from '@/lib/admin/audit-log';

export const metadata: Metadata = { title: 'Audit event' };

/** One audit event with all its columns, its details and its hashes. */
export default async function AuditEventPage({ params }: { params: Promise<{ seq: string }> }) {
  const admin = await requireConsoleAdmin();
  const seq = auditSeqSchema.safeParse((await params).seq);
  const event = seq.success ? await getAuditEvent(seq.data) : null;
  if (!event) notFound();
  const labels = await auditActorLabels([event]);
  return (
    <AdminFrame
      title={`Audit event ${event.seq}`}
      description={<span className="font-mono">{event.type}</span>}
      current="/admin/audit"
      adminEmail={admin.email}
      actions={<TextLink href="/admin/audit">← Back to the audit log</TextLink>}
    >
      <AuditEventDetail event={event} labels={labels} />
    </AdminFrame>
  );
}
