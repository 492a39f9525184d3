import { adminApiHandler } from '@/lib/admin/api/define';
import { grantAdminOperation, revokeAdminOperation } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(grantAdminOperation);
export const DELETE = adminApiHandler(revokeAdminOperation);
