import { adminApiHandler } from '@/lib/admin/api/define';
import { disableClientOperation } from '@/lib/admin/api/operations/clients';

export const POST = adminApiHandler(disableClientOperation);
