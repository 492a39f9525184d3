import { adminApiHandler } from '@/lib/admin/api/define';
import { rotateClientSecretOperation } from '@/lib/admin/api/operations/clients';

export const POST = adminApiHandler(rotateClientSecretOperation);
