import { adminApiHandler } from '@/lib/admin/api/define';
import { revokeApiKeyOperation } from '@/lib/admin/api/operations/api-keys';

export const DELETE = adminApiHandler(revokeApiKeyOperation);
