import 'server-only';
import { z } from 'zod';
import { apiJson, defineOperation, pageSchema, type AdminApiOperation } from '../define';
import {
  auditChainStatusSchema,
  auditEventSchema,
  auditEventsQuerySchema,
  auditExportQuerySchema,
  auditSeqSchema,
  checkAuditChain,
  exportAuditEvents,
  getAuditEvent,
  listAuditEvents,
} from '../../audit-log';
import { jsonError } from '../../../http/responses';

const FILTERS_DESCRIPTION =
  'Filters (all optional, combined with AND): `type` (repeat it or separate types with commas), `actor` (an email, a user id, an API key id or an API key prefix `opk_…`), `subject`, `client` (events about that client: as their subject or as details.clientId), `ip` (exact), `outcome` (`success` or `failure`), `from` (inclusive) and `to` (exclusive) as ISO 8601 times (UTC without an offset). Other parameters may be given once only.';

export const listAuditEventsOperation = defineOperation({
  method: 'GET',
  path: '/audit-events',
  operationId: 'listAuditEvents',
  summary: 'List audit events, newest first',
  description: `${FILTERS_DESCRIPTION} Pages by \`cursor\` (the previous page's \`nextCursor\`).`,
  tag: 'Audit',
  scope: 'audit:read',
  query: auditEventsQuerySchema,
  success: { status: 200, description: 'A page of events, newest first.', schema: pageSchema(auditEventSchema) },
  async handle({ query }) {
    const { limit, cursor, ...filter } = query;
    return apiJson(await listAuditEvents(filter, cursor, limit));
  },
});

export const exportAuditEventsOperation = defineOperation({
  method: 'GET',
  path: '/audit-events/export',
  operationId: 'exportAuditEvents',
  summary: 'Export the matching audit events as CSV or JSON Lines',
  description: `${FILTERS_DESCRIPTION} \`format\` is \`csv\` (RFC 4180, a header row, cells a spreadsheet would run as a formula prefixed with an apostrophe) or \`jsonl\` (one event per line, as in the list). The answer is streamed oldest first, covers the events recorded when it started (the X-Audit-Through-Seq header gives the last seq) and is recorded as an audit.exported event.`,
  tag: 'Audit',
  scope: 'audit:read',
  query: auditExportQuerySchema,
  success: { status: 200, description: 'The export, as an attachment: text/csv or application/jsonl.' },
  async handle({ query, actor }) {
    const { format, ...filter } = query;
    return exportAuditEvents(actor, filter, format);
  },
});

export const getAuditEventOperation = defineOperation({
  method: 'GET',
  path: '/audit-events/{seq}',
  operationId: 'getAuditEvent',
  summary: 'Read one audit event',
  tag: 'Audit',
  scope: 'audit:read',
  params: z.object({ seq: auditSeqSchema }),
  success: { status: 200, description: 'The event.', schema: auditEventSchema },
  errors: { 404: 'No event has this number.' },
  async handle({ params }) {
    const event = await getAuditEvent(params.seq);
    return event ? apiJson(event) : jsonError(404, 'not_found', 'No audit event has this number.');
  },
});

export const verifyAuditChainOperation = defineOperation({
  method: 'POST',
  path: '/audit-events/verify',
  operationId: 'verifyAuditChain',
  summary: 'Verify the audit log’s hash chain',
  description:
    'Walks every event oldest first and checks its hash and its link to the previous one, and that the chain head points at the last event. `ok: false` names the first record that is missing or altered; the chain is intact through `intactThroughSeq`.',
  tag: 'Audit',
  scope: 'audit:read',
  success: { status: 200, description: 'The verification’s result.', schema: auditChainStatusSchema },
  async handle() {
    return apiJson(await checkAuditChain());
  },
});

/** The admin API's audit operations. */
export const auditOperations: AdminApiOperation[] = [
  listAuditEventsOperation,
  exportAuditEventsOperation,
  getAuditEventOperation,
  verifyAuditChainOperation,
];
