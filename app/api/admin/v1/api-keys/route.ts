import { adminApiHandler } from '@/lib/admin/api/define';
import { createApiKeyOperation, listApiKeysOperation } from '@/lib/admin/api/operations/api-keys';

export const GET = adminApiHandler(listApiKeysOperation);
export const POST = adminApiHandler(createApiKeyOperation);
