import { adminApiHandler } from '@/lib/admin/api/define';
import { exportUserOperation } from '@/lib/admin/api/operations/users';

export const GET = adminApiHandler(exportUserOperation);
