import 'server-only';
import type { AdminApiOperation } from '../define';

/** The admin API's clients operations. */
export const clientsOperations: AdminApiOperation<any, any, any>[] = [];
