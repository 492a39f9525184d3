import 'server-only';
import { z } from 'zod';
import { jsonError } from '../../../http/responses';
import { endAllSessions } from '../../end-all-sessions';
import { endAllSessionsSchema } from '../../end-all-sessions-schema';
import { apiJson, defineOperation, type AdminApiOperation } from '../define';

/** Ending every user's sessions at once (users:write; lib/admin/end-all-sessions.ts). */
export const endAllSessionsOperation = defineOperation({
  method: 'POST',
  path: '/sessions/end-all',
  operationId: 'endAllSessions',
  summary: 'End every user’s sessions',
  description:
    'Ends every session of every user, every unfinished sign-in and every remembered browser: everyone signs in again, with their second factor. ' +
    'Apps’ grants and their refresh and access tokens are not revoked. The reason is recorded in the audit log (sessions.ended_all, with the counts).',
  tag: 'Users',
  scope: 'users:write',
  body: endAllSessionsSchema,
  success: {
    status: 200,
    description: 'What was ended.',
    schema: z.object({
      sessionsEnded: z.number().int(),
      pendingSignInsEnded: z.number().int(),
      trustedDevicesForgotten: z.number().int(),
    }),
  },
  errors: { 400: 'The reason is missing or invalid.' },
  async handle({ body, actor }) {
    const result = await endAllSessions(actor, body);
    if (!result.ok) return jsonError(400, 'invalid_request', 'Some fields need attention.', result.fieldErrors);
    return apiJson(result.ended);
  },
});

export const sessionsOperations: AdminApiOperation[] = [endAllSessionsOperation];
