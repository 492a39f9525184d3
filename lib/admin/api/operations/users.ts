import 'server-only';
import type { AdminApiOperation } from '../define';

/** The admin API's users operations. */
export const usersOperations: AdminApiOperation<any, any, any>[] = [];
