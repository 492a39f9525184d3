import { adminApiHandler } from '@/lib/admin/api/define';
import { getAuditEventOperation } from '@/lib/admin/api/operations/audit';

export const GET = adminApiHandler(getAuditEventOperation);
