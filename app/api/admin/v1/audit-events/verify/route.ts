import { adminApiHandler } from '@/lib/admin/api/define';
import { verifyAuditChainOperation } from '@/lib/admin/api/operations/audit';

export const POST = adminApiHandler(verifyAuditChainOperation);
