import { adminApiHandler } from '@/lib/admin/api/define';
import { exportAuditEventsOperation } from '@/lib/admin/api/operations/audit';

export const GET = adminApiHandler(exportAuditEventsOperation);
