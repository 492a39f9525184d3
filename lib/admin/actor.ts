import type { AuditContext, AuditEventInput } from '../audit/events';

/**
 * Who makes an admin-plane change: a signed-in administrator in the console, or an admin API
 * key. Every change records it (audit actor columns) with the request's context.
 */
export type AdminActor =
  | { kind: 'user'; userId: string; context: AuditContext }
  | { kind: 'api_key'; apiKeyId: string; context: AuditContext };

/** The audit event fields that name the actor and where the request came from. */
export function auditActor(actor: AdminActor): Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'context'> {
  return actor.kind === 'user'
    ? { actorUserId: actor.userId, actorApiKeyId: null, context: actor.context }
    : { actorUserId: null, actorApiKeyId: actor.apiKeyId, context: actor.context };
}
