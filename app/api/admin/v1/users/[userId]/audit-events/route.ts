import { adminApiHandler } from '@/lib/admin/api/define';
import { listUserAuditEvents } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(listUserAuditEvents);
