import { adminApiHandler } from '@/lib/admin/api/define';
import { sendPasswordResetOperation } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(sendPasswordResetOperation);
