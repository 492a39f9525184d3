import { adminApiHandler } from '@/lib/admin/api/define';
import { createClientOperation, listClients } from '@/lib/admin/api/operations/clients';

export const GET = adminApiHandler(listClients);
export const POST = adminApiHandler(createClientOperation);
