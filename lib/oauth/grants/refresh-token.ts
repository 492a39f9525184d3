import 'server-only';
import { randomUUID } from 'node:crypto';
import { sha256, type Bytes } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { findRefreshToken, rotateIfRenewable } from '../../db/grants';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidGrant } from '../errors';
import { resourcesWithinGrant, stillRegistered } from '../resources';
import { parseScope } from '../scopes';
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

const INVALID = 'The refresh token is invalid, expired or revoked.';

/**
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2). Every use rotates: the
 * presented token is marked rotated and its successor inserted in one statement, which makes
 * every check of the grant in its condition and writes nothing if one fails (rotateIfRenewable);
 * the token is then looked up to give the failure its answer. Presenting a rotated token — a
 * replay, or the loser of two concurrent refreshes — revokes the whole grant (the family, with
 * its access tokens) and is audited as token.refresh_reused. Concurrent refreshes with one token
 * therefore leave no valid token at all; a client must serialise its refreshes.
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
    const conditions = renewalConditions(client, params, now);
    const token = conditions && (await rotateIfRenewable(presented, next, conditions, now));
    if (!token) return refusal(presented, { client, params, audit, now });
    // OIDC Core §12.2: the new ID token has no nonce (there was no new authentication request).
    return userTokenResponse({ client, grant: token.grant, ...issuedWithin(token, client, params), refreshToken: successor, nonce: null }, now);
  },
};

type PresentedToken = Pick<NonNullable<Awaited<ReturnType<typeof findRefreshToken>>>, 'scopes' | 'grant'>;

/** What rotateIfRenewable checks beyond the token itself, or null when a `resource` is malformed. */
function renewalConditions(client: OAuthClientRecord, params: GrantContext['params'], now: Date) {
  const conditions = issuanceConditions(client, params, now);
  return conditions && { ...conditions, requestedScopes: parseScope(params.get('scope')) };
}

/**
 * Why a refresh token was not rotated, as the error to answer with: the token looked up and
 * checked in turn, each failure with its own answer; a rotated one is reuse. Only a race (the
 * token or its grant changed between the two statements) passes every check.
 */
async function refusal(presented: Bytes, { client, params, audit, now }: GrantContext): Promise<never> {
  const token = await findRefreshToken(presented);
  if (!token) throw new InvalidGrant(INVALID);
  checkIssuedToClient(token.grant.clientId, client, 'refresh token');
  if (token.revokedAt !== null || token.grant.revokedAt !== null) throw new InvalidGrant(INVALID);
  if (token.rotatedAt !== null) await refreshTokenReused(token.grant.id, client, audit, now);
  checkNotExpired(token.idleExpiresAt, now, 'refresh token');
  checkNotExpired(token.absoluteExpiresAt, now, 'refresh token');
  checkGrantActive(token.grant, now);
  issuedWithin(token, client, params);
  throw new InvalidGrant(INVALID);
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
