import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { db } from '../db/client';
import { deleteConsent, listUserConsents } from '../db/consents';
import { revokeUserGrants } from './grants/revoke';
import { SCOPE_DESCRIPTIONS, SUPPORTED_SCOPES, type Scope } from './scopes';

/** Scopes in the order the consent page lists them: known ones first, then any others. */
function scopeRank(scope: string): number {
  const index = SUPPORTED_SCOPES.indexOf(scope as Scope);
  return index === -1 ? SUPPORTED_SCOPES.length : index;
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: { scope: string; description: string }[];
  /** When the user first allowed it, and last allowed more. */
  grantedAt: Date;
  updatedAt: Date;
}

/** Every app the user has consented to, with what they allowed in words. */
export async function connectedAppsOf(userId: string): Promise<ConnectedApp[]> {
  const consents = await listUserConsents(userId);
  return consents.map((consent) => ({
    clientId: consent.clientId,
    name: consent.client.name,
    scopes: [...consent.scopes].sort((a, b) => scopeRank(a) - scopeRank(b) || a.localeCompare(b)).map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope as Scope] ?? scope })),
    grantedAt: consent.createdAt,
    updatedAt: consent.updatedAt,
  }));
}

export type DisconnectAppResult = { ok: true; grantsRevoked: number } | { ok: false; error: 'app_not_found' };

/**
 * Disconnects an app: in one transaction, the user's consent to it is deleted and every grant
 * of that client for this user revoked (its refresh tokens at once, its access tokens through
 * their `gid`), audited as `consent.revoked`. The app must ask for consent again. An id the user
 * never consented to (or another user's app) is not found and changes nothing.
 */
export async function disconnectApp(userId: string, clientId: unknown, context: AuditContext, now = new Date()): Promise<DisconnectAppResult> {
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 64) return { ok: false, error: 'app_not_found' };
  const result = await db().$transaction(async (tx) => {
    if (!(await deleteConsent(userId, clientId, tx))) return null;
    const grantsRevoked = await revokeUserGrants(userId, 'revoked_by_user', { clientId, context, now, client: tx });
    await recordAuditEvent({ type: 'consent.revoked', outcome: 'success', actorUserId: userId, subject: clientId, details: { grantsRevoked }, context }, tx);
    return grantsRevoked;
  });
  return result === null ? { ok: false, error: 'app_not_found' } : { ok: true, grantsRevoked: result };
}
