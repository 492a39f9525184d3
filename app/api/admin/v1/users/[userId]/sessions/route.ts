import { adminApiHandler } from '@/lib/admin/api/define';
import { listUserSessions } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(listUserSessions);
