import { adminApiHandler } from '@/lib/admin/api/define';
import { disableUserOperation } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(disableUserOperation);
