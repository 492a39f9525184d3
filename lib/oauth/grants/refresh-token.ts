import 'server-only';
import { randomUUID } from 'node:crypto';
import { sha256, type Bytes } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { findRefreshToken, rotateIfRenewable, rotateRefreshToken, type IssuanceConditions } from '../../db/grants';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidGrant } from '../errors';
import { resourcesWithinGrant, stillRegistered } from '../resources';
import { MAX_TOKEN_TTL_SECONDS } from '../tokens/lifetimes';
import { checkIssuedToClient } from './checks/client-binding';
import { checkNotExpired } from './checks/expiry';
import { checkGrantActive } from './checks/grant-active';
import { narrowScope } from './checks/scope';
import { issuanceConditions } from './issuance-conditions';
import { userTokenResponse } from './issue';
import { revokeGrant } from './revoke';
import type { GrantContext, GrantType, TokenResponse } from './types';

/** A refresh token is issued only for `offline_access` and to a client allowed the refresh_token grant. */
export function wantsRefreshToken(client: OAuthClientRecord, scopes: readonly string[]): boolean {
  return scopes.includes('offline_access') && client.grantTypes.includes('refresh_token');
}

/**
 * The expiries of a new refresh token family: the client's absolute lifetime from now, kept
 * within the grant's life minus one access-token lifetime (so every access token issued with it
 * expires before the grant row may be deleted), and the idle lifetime within that.
 */
export function refreshTokenLifetime(client: OAuthClientRecord, grantExpiresAt: Date, now: Date) {
  const absolute = Math.min(
    now.getTime() + client.refreshTokenMaxTtl * 1000,
    grantExpiresAt.getTime() - MAX_TOKEN_TTL_SECONDS * 1000,
  );
  return idleWithin(client, new Date(absolute), now);
}

function idleWithin(client: OAuthClientRecord, absoluteExpiresAt: Date, now: Date) {
  const idle = Math.min(now.getTime() + client.refreshTokenIdleTtl * 1000, absoluteExpiresAt.getTime());
  return { idleExpiresAt: new Date(idle), absoluteExpiresAt };
}

const INVALID = 'The refresh token is invalid, expired or revoked.';

/**
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2). Every use rotates: the
 * presented token is marked rotated and its successor inserted in one statement, conditioned on
 * the token not being rotated yet. A refresh without `scope` takes that one statement alone, with
 * every check below made in its condition (rotateIfRenewable); when it rotates nothing, the token
 * is looked up and checked step by step, which gives each failure its answer. Presenting a rotated token — a replay, or the loser of two
 * concurrent refreshes — revokes the whole grant (the family, with its access tokens) and is
 * audited as token.refresh_reused. Concurrent refreshes with one token therefore leave no valid
 * token at all; a client must serialise its refreshes.
 *
 * The successor keeps the presented token's scope and absolute expiry (RFC 6749 §6: a new
 * refresh token has the scope of the old one); `scope` only narrows the new access token.
 */
export const refreshTokenGrant: GrantType = {
  name: 'refresh_token',
  requiredParameters: ['refresh_token'],
  async handle({ client, params, audit, now }: GrantContext): Promise<TokenResponse> {
    const presented = sha256(params.get('refresh_token')!);
    const successor = randomToken(32);
    const next = { id: randomUUID(), tokenHash: sha256(successor) };
    // The common refresh takes one statement when every check passes; a failure, or a request
    // whose parameters need parsing first, goes the long way, which rotates only after the checks.
    const conditions = renewalConditions(client, params, now);
    const token = (conditions && (await rotateIfRenewable(presented, next, conditions, now)))
      || (await checkAndRotate(presented, next, { client, params, audit, now }));
    // OIDC Core §12.2: the new ID token has no nonce (there was no new authentication request).
    return userTokenResponse({ client, grant: token.grant, ...issuedWithin(token, client, params), refreshToken: successor, nonce: null }, now);
  },
};

type PresentedToken = NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>;

/** What rotateIfRenewable checks, or null for a request the long way must parse (`scope`, malformed resources). */
function renewalConditions(client: OAuthClientRecord, params: GrantContext['params'], now: Date): IssuanceConditions | null {
  if (params.has('scope')) return null;
  return issuanceConditions(client, params, now);
}

/** The presented token checked in turn (each failure with its own answer), then rotated. */
async function checkAndRotate(presented: Bytes, next: { id: string; tokenHash: Bytes }, { client, params, audit, now }: GrantContext): Promise<PresentedToken> {
  const token = await findRefreshToken(presented);
  if (!token) throw new InvalidGrant(INVALID);
  checkIssuedToClient(token.grant.clientId, client, 'refresh token');
  if (token.revokedAt !== null || token.grant.revokedAt !== null) throw new InvalidGrant(INVALID);
  if (token.rotatedAt !== null) await refreshTokenReused(token.grant.id, client, audit, now);
  checkNotExpired(token.idleExpiresAt, now, 'refresh token');
  checkNotExpired(token.absoluteExpiresAt, now, 'refresh token');
  checkGrantActive(token.grant, now);
  issuedWithin(token, client, params);

  const rotated = await rotateRefreshToken(
    token.id,
    { ...next, grantId: token.grant.id, scopes: token.scopes, createdAt: now, ...idleWithin(client, token.absoluteExpiresAt, now) },
    now,
  );
  if (!rotated) await refreshTokenReused(token.grant.id, client, audit, now);
  return token;
}

/** The new access token's scopes and resources; throws invalid_scope or invalid_target. */
function issuedWithin(token: PresentedToken, client: OAuthClientRecord, params: GrantContext['params']) {
  // A scope the client has since lost is no longer issued, even within an older grant.
  const scopes = narrowScope(params.get('scope'), token.scopes).filter((scope) => client.scopes.includes(scope));
  // RFC 8707 §2.2: a subset of the granted resources, among those the client still has.
  const resources = resourcesWithinGrant(params, stillRegistered(token.grant.resources, client.resources));
  return { scopes, resources };
}

async function refreshTokenReused(grantId: string, client: OAuthClientRecord, audit: GrantContext['audit'], now: Date): Promise<never> {
  await revokeGrant(grantId, 'refresh_token_reused', {
    context: audit,
    now,
    cause: { type: 'token.refresh_reused', outcome: 'failure', subject: grantId, details: { clientId: client.id } },
  });
  throw new InvalidGrant(INVALID);
}
