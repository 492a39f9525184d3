import { adminApiHandler } from '@/lib/admin/api/define';
import { signOutUser } from '@/lib/admin/api/operations/users';

export const POST = adminApiHandler(signOutUser);
