import { consoleAdminOf } from '@/app/admin/_server/console';
import { queryRecord } from '@/lib/admin/audit-filter';
import { auditExportQuerySchema, exportAuditEvents } from '@/lib/admin/audit-log';
import { jsonRoute } from '@/lib/http/json-route';
import { jsonError } from '@/lib/http/responses';
import { fieldErrorsOf } from '@/lib/validation/account';

/**
 * Downloads the audit events matching the console's filters:
 * `GET ?format=csv|jsonl&type=…&actor=…` (the filter form's parameters). Streamed, and recorded
 * as an audit.exported event. Only a link on the console's own pages starts one: another site
 * cannot make the administrator's browser export (and audit) in their name.
 */
export const GET = jsonRoute(async (request: Request) => {
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    return jsonError(403, 'cross_site_request', 'This request came from another site and was refused.');
  }
  const access = await consoleAdminOf(request);
  if (!access.ok) return access.response;
  const parsed = auditExportQuerySchema.safeParse(queryRecord(new URL(request.url).searchParams));
  if (!parsed.success) return jsonError(400, 'invalid_request', 'Some filters need attention.', fieldErrorsOf(parsed.error));
  const { format, ...filter } = parsed.data;
  return exportAuditEvents(access.admin.actor, filter, format);
});
