import 'server-only';
import type { AdminApiOperation } from '../define';

/** The admin API's api-keys operations. */
export const apiKeysOperations: AdminApiOperation<any, any, any>[] = [];
