import 'server-only';
import type { AdminApiOperation } from './define';
import { apiKeysOperations } from './operations/api-keys';
import { auditOperations } from './operations/audit';
import { clientsOperations } from './operations/clients';
import { sessionsOperations } from './operations/sessions';
import { usersOperations } from './operations/users';

/** Every operation of the admin API: the OpenAPI document lists exactly these. */
export const ADMIN_API_OPERATIONS: readonly AdminApiOperation[] = [
  ...clientsOperations,
  ...usersOperations,
  ...sessionsOperations,
  ...auditOperations,
  ...apiKeysOperations,
];
