import { adminApiHandler } from '@/lib/admin/api/define';
import { deleteClientOperation, getClientOperation, updateClientOperation } from '@/lib/admin/api/operations/clients';

export const GET = adminApiHandler(getClientOperation);
export const PATCH = adminApiHandler(updateClientOperation);
export const DELETE = adminApiHandler(deleteClientOperation);
