import 'server-only';
import { recordAuditEvent } from '../audit/record';
import type { AuditContext } from '../audit/events';
import { db } from '../db/client';
import { deleteConsent, findConsentScopes, listUserConsents, replaceConsentScopes } from '../db/consents';
import { revokeClientGrantsBeyondScopes, revokeUserGrants } from './grants/revoke';
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

function isClientId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}

export type DisconnectAppResult = { ok: true; grantsRevoked: number } | { ok: false; error: 'app_not_found' };

/**
 * Disconnects an app: in one transaction, the user's consent to it is deleted and every grant
 * of that client for this user revoked (its refresh tokens at once, its access tokens through
 * their `gid`), audited as `consent.revoked`. The app must ask for consent again. An id the user
 * never consented to (or another user's app) is not found and changes nothing.
 */
export async function disconnectApp(userId: string, clientId: unknown, context: AuditContext, now = new Date()): Promise<DisconnectAppResult> {
  if (!isClientId(clientId)) return { ok: false, error: 'app_not_found' };
  const result = await db().$transaction(async (tx) => {
    if (!(await deleteConsent(userId, clientId, tx))) return null;
    const grantsRevoked = await revokeUserGrants(userId, 'revoked_by_user', { clientId, context, now, client: tx });
    await recordAuditEvent({ type: 'consent.revoked', outcome: 'success', actorUserId: userId, subject: clientId, details: { grantsRevoked }, context }, tx);
    return grantsRevoked;
  });
  return result === null ? { ok: false, error: 'app_not_found' } : { ok: true, grantsRevoked: result };
}

export type NarrowConsentResult =
  | { ok: true; outcome: 'narrowed'; scopes: string[]; grantsRevoked: number }
  | { ok: true; outcome: 'unchanged'; scopes: string[] }
  | { ok: true; outcome: 'disconnected'; grantsRevoked: number }
  | { ok: false; error: 'app_not_found' | 'invalid_scopes' | 'scope_not_granted' | 'consent_changed' };

/** The scopes to keep as sent: an array of at most 32 distinct strings of 1 to 64 characters, or null. */
function keptScopesOf(value: unknown): Set<string> | null {
  if (!Array.isArray(value) || value.length > 32) return null;
  if (!value.every((scope): scope is string => typeof scope === 'string' && scope.length > 0 && scope.length <= 64)) return null;
  return new Set(value);
}

/**
 * Narrows the user's consent to an app to the scopes in `keep` (ASVS 10.7.3): scopes can only be
 * removed, never added, so `keep` must be a subset of what the user allowed. Keeping none, or
 * removing `openid` (without it the app cannot sign the user in at all), disconnects the app as
 * disconnectApp does. Otherwise, in one transaction: the consent keeps only those scopes
 * (compare-and-set, so an approval made meanwhile is not lost: `consent_changed`), every grant
 * of that client for this user holding a removed scope is revoked (its refresh tokens at once,
 * its access tokens through `gid`; grants within the kept scopes go on), and `consent.narrowed`
 * records the scopes before and after. Revoking rather than narrowing the grants in place means
 * no token ever outlives a scope the user took back; the app asks again, and the consent page
 * shows, when it next wants a removed scope. Bad input changes nothing.
 */
export async function narrowConsent(userId: string, clientId: unknown, keep: unknown, context: AuditContext, now = new Date()): Promise<NarrowConsentResult> {
  if (!isClientId(clientId)) return { ok: false, error: 'app_not_found' };
  const kept = keptScopesOf(keep);
  if (!kept) return { ok: false, error: 'invalid_scopes' };
  const before = await findConsentScopes(userId, clientId);
  if (!before) return { ok: false, error: 'app_not_found' };
  if ([...kept].some((scope) => !before.includes(scope))) return { ok: false, error: 'scope_not_granted' };
  const after = before.filter((scope) => kept.has(scope));
  if (after.length === before.length) return { ok: true, outcome: 'unchanged', scopes: before };
  if (after.length === 0 || (before.includes('openid') && !kept.has('openid'))) {
    const disconnected = await disconnectApp(userId, clientId, context, now);
    return disconnected.ok ? { ok: true, outcome: 'disconnected', grantsRevoked: disconnected.grantsRevoked } : disconnected;
  }
  const grantsRevoked = await db().$transaction(async (tx) => {
    if (!(await replaceConsentScopes(userId, clientId, before, after, tx))) return null;
    const revoked = await revokeClientGrantsBeyondScopes(userId, clientId, after, { context, now, client: tx });
    await recordAuditEvent(
      { type: 'consent.narrowed', outcome: 'success', actorUserId: userId, subject: clientId, details: { before, after, grantsRevoked: revoked }, context },
      tx,
    );
    return revoked;
  });
  return grantsRevoked === null ? { ok: false, error: 'consent_changed' } : { ok: true, outcome: 'narrowed', scopes: after, grantsRevoked };
}
