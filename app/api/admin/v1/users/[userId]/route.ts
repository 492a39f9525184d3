import { adminApiHandler } from '@/lib/admin/api/define';
import { deleteUserOperation, getUser } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(getUser);
export const DELETE = adminApiHandler(deleteUserOperation);
