import { adminApiHandler } from '@/lib/admin/api/define';
import { enableUserOperation } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(enableUserOperation);
