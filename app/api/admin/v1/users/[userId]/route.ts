import { adminApiHandler } from '@/lib/admin/api/define';
import { getUser } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(getUser);
