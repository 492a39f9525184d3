import { adminApiHandler } from '@/lib/admin/api/define';
import { rotateApiKeyOperation } from '@/lib/admin/api/operations/api-keys';

export const POST = adminApiHandler(rotateApiKeyOperation);
