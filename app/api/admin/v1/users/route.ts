import { adminApiHandler } from '@/lib/admin/api/define';
import { listUsers } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(listUsers);
