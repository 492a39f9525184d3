import { adminApiHandler } from '@/lib/admin/api/define';
import { enableClientOperation } from '@/lib/admin/api/operations/clients';

export const POST = adminApiHandler(enableClientOperation);
