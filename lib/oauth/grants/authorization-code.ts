import 'server-only';
import { randomUUID } from 'node:crypto';
import { sha256, type Bytes } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { consumeIfExchangeable, findAuthorizationCode, insertGrantWithCode, type ExchangeConditions } from '../../db/grants';
import { findEnabledClient } from '../clients/registration';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidGrant } from '../errors';
import { resourcesWithinGrant, stillRegistered } from '../resources';
import { AUTHORIZATION_CODE_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS } from '../tokens/lifetimes';
import { checkIssuedToClient } from './checks/client-binding';
import { checkNotExpired } from './checks/expiry';
import { checkGrantActive } from './checks/grant-active';
import { challengeToMatch, checkPkce } from './checks/pkce';
import { checkRedirectUri } from './checks/redirect-uri';
import { userTokenResponse } from './issue';
import { issuanceConditions } from './issuance-conditions';
import { wantsRefreshToken } from './refresh-token';
import { revokeGrant } from './revoke';
import type { GrantContext, GrantType, TokenResponse } from './types';

export { revokeGrant, type GrantRevocationReason } from './revoke';

export interface AuthorizationCodeInput {
  clientId: string;
  userId: string;
  sessionId: string | null;
  scopes: string[];
  authTime: Date;
  amr: string[];
  acr: string | null;
  nonce: string | null;
  claims: unknown | null;
  /** RFC 8707: the resources the authorization request named (none by default); the tokens' audiences. */
  resources?: string[];
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
}

/**
 * Records what the user authorized (a grant) and returns a fresh authorization code for it: 256
 * random bits, stored only as SHA-256, single-use, valid AUTHORIZATION_CODE_TTL_SECONDS (60 s).
 *
 * The grant lives as long as anything issued from it can: the code, then the access token of the
 * exchange (at most MAX_TOKEN_TTL_SECONDS), and, when a refresh token can be issued, the client's
 * absolute refresh-token lifetime plus one more access token. Access tokens carry the grant id,
 * and a token whose grant row is gone counts as revoked, so the grant must outlive its tokens.
 */
export async function issueAuthorizationCode(input: AuthorizationCodeInput, now = new Date()): Promise<string> {
  const client = await findEnabledClient(input.clientId);
  if (!client) throw new Error(`issueAuthorizationCode: no enabled client ${input.clientId}`);
  const code = randomToken(32);
  const refreshSeconds = wantsRefreshToken(client, input.scopes) ? client.refreshTokenMaxTtl : 0;
  const lifetimeSeconds = AUTHORIZATION_CODE_TTL_SECONDS + refreshSeconds + MAX_TOKEN_TTL_SECONDS;
  await insertGrantWithCode(
    {
      clientId: input.clientId,
      userId: input.userId,
      sessionId: input.sessionId,
      scopes: input.scopes,
      authTime: input.authTime,
      amr: input.amr,
      acr: input.acr,
      nonce: input.nonce,
      claims: input.claims,
      resources: input.resources ?? [],
      createdAt: now,
      expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000),
    },
    {
      codeHash: sha256(code),
      redirectUri: input.redirectUri,
      codeChallenge: input.codeChallenge,
      codeChallengeMethod: input.codeChallengeMethod,
      expiresAt: new Date(now.getTime() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
    },
  );
  return code;
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636) and replay detection (RFC 6749 §4.1.2, RFC 9700 §4.5):
 * the code's second presentation by its client fails and revokes the grant, so every token the
 * first exchange produced stops working.
 */
export const authorizationCodeGrant: GrantType = {
  name: 'authorization_code',
  requiredParameters: ['code', 'redirect_uri'],
  async handle(context: GrantContext): Promise<TokenResponse> {
    const { client, params, now } = context;
    const codeHash = sha256(params.get('code')!);
    const refreshToken = client.grantTypes.includes('refresh_token') ? randomToken(32) : null;
    const refreshTokenRow = refreshToken === null ? null : { id: randomUUID(), tokenHash: sha256(refreshToken) };
    // The single-use decision: one conditional UPDATE, with every check below in its condition,
    // says who won; the refresh token is stored in the same statement, and only for the winner.
    const conditions = exchangeConditions(context);
    const exchanged = conditions && (await consumeIfExchangeable(codeHash, refreshTokenRow, conditions, now));
    if (!exchanged) return refusal(codeHash, context);
    const resources = resourcesWithinGrant(params, stillRegistered(exchanged.grant.resources, client.resources));
    return userTokenResponse(
      { client, grant: exchanged.grant, scopes: exchanged.grant.scopes, resources, refreshToken: exchanged.refreshTokenIssued ? refreshToken : null, nonce: exchanged.grant.nonce },
      now,
    );
  },
};

/** What consumeIfExchangeable checks, or null for a request whose PKCE or resources checkPkce and requestedResources must answer. */
function exchangeConditions({ client, params, now }: GrantContext): ExchangeConditions | null {
  const codeChallenge = challengeToMatch(params.get('code_verifier'), client);
  const issuance = issuanceConditions(client, params, now);
  if (codeChallenge === undefined || issuance === null) return null;
  return {
    ...issuance,
    redirectUri: params.get('redirect_uri')!,
    codeChallenge,
    absoluteExpiresAt: new Date(now.getTime() + client.refreshTokenMaxTtl * 1000),
    grantMarginSeconds: MAX_TOKEN_TTL_SECONDS,
  };
}

/**
 * Why a code was not exchanged, as the error to answer with: the code looked up and checked in
 * turn, each failure with its own answer; a consumed one is a replay. Only a race (the code or
 * its grant changed between the two statements) passes every check.
 */
async function refusal(codeHash: Bytes, { client, params, audit, now }: GrantContext): Promise<never> {
  const code = await findAuthorizationCode(codeHash);
  if (!code) throw new InvalidGrant(INVALID);
  checkIssuedToClient(code.grant.clientId, client, 'authorization code');
  if (code.consumedAt !== null) await codeReplayed(code.grantId, client, audit, now);
  checkNotExpired(code.expiresAt, now, 'authorization code');
  checkRedirectUri(code.redirectUri, params.get('redirect_uri'));
  checkPkce(code, params.get('code_verifier'), client);
  checkGrantActive(code.grant, now);
  resourcesWithinGrant(params, stillRegistered(code.grant.resources, client.resources));
  throw new InvalidGrant(INVALID);
}

const INVALID = 'The authorization code is invalid, expired or revoked.';

async function codeReplayed(grantId: string, client: OAuthClientRecord, audit: GrantContext['audit'], now: Date): Promise<never> {
  await revokeGrant(grantId, 'authorization_code_reused', {
    context: audit,
    now,
    cause: {
      type: 'token.code_reused',
      outcome: 'failure',
      subject: grantId,
      details: { clientId: client.id },
    },
  });
  throw new InvalidGrant(INVALID);
}
