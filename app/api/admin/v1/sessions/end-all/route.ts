import { adminApiHandler } from '@/lib/admin/api/define';
import { endAllSessionsOperation } from '@/lib/admin/api/operations/sessions';

export const POST = adminApiHandler(endAllSessionsOperation);
