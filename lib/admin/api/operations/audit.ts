import 'server-only';
import type { AdminApiOperation } from '../define';

/** The admin API's audit operations. */
export const auditOperations: AdminApiOperation<any, any, any>[] = [];
