import { adminApiHandler } from '@/lib/admin/api/define';
import { resetUserMfaOperation } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(resetUserMfaOperation);
