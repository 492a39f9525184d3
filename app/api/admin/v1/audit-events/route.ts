import { adminApiHandler } from '@/lib/admin/api/define';
import { listAuditEventsOperation } from '@/lib/admin/api/operations/audit';

export const GET = adminApiHandler(listAuditEventsOperation);
