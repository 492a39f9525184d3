import 'server-only';
import { findUserForClaims, type GrantRow } from '../../db/grants';
import { requestedClaimNames, userClaims } from '../claims';
import { tokenSigningAlgs } from '../clients/signing-algs';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidGrant } from '../errors';
import { formatScope } from '../scopes';
import { issueAccessToken } from '../tokens/access-token';
import { issueIdToken } from '../tokens/id-token';
import type { TokenResponse } from './types';

/**
 * The token response for a user's grant (authorization_code and refresh_token): an access token
 * carrying the grant id (`gid`, so revoking the grant revokes it), and an ID token when `openid`
 * is among `scopes`. The ID token holds no scope claims (OIDC Core §5.4: an access token is
 * issued, so they come from userinfo), only those the `claims` parameter's id_token member asks
 * for, and of those only the ones `scopes` releases.
 */
export async function userTokenResponse(
  input: {
    client: OAuthClientRecord;
    grant: GrantRow;
    scopes: string[];
    /** RFC 8707: the access token's audiences; empty for Optare itself (userinfo). */
    resources: string[];
    refreshToken: string | null;
    nonce: string | null;
  },
  now: Date,
): Promise<TokenResponse> {
  const { client, grant, scopes } = input;
  const algs = tokenSigningAlgs(client);
  const access = await issueAccessToken(
    {
      clientId: client.id,
      subject: grant.userId,
      scopes,
      ttlSeconds: client.accessTokenTtl,
      alg: algs.accessToken,
      grantId: grant.id,
      authTime: grant.authTime,
      amr: grant.amr,
      acr: grant.acr,
      audience: input.resources,
    },
    now,
  );
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: Math.floor(access.expiresAt.getTime() / 1000) - Math.floor(now.getTime() / 1000),
    scope: formatScope(scopes),
  };
  if (input.refreshToken !== null) response.refresh_token = input.refreshToken;
  if (scopes.includes('openid')) {
    response.id_token = await issueIdToken(
      {
        clientId: client.id,
        userId: grant.userId,
        sessionId: grant.sessionId,
        authTime: grant.authTime,
        nonce: input.nonce,
        amr: grant.amr,
        acr: grant.acr,
        accessToken: access.token,
        claims: await idTokenClaims(grant, scopes),
        alg: algs.idToken,
      },
      now,
    );
  }
  return response;
}

/** The claims the `claims` parameter's id_token member asks for, within the scopes of this response. */
async function idTokenClaims(grant: GrantRow, scopes: readonly string[]): Promise<Record<string, unknown> | undefined> {
  if (requestedClaimNames(grant.claims, 'id_token').length === 0) return undefined;
  const user = await findUserForClaims(grant.userId);
  if (!user || user.disabledAt !== null) throw new InvalidGrant('The grant has been revoked.');
  const { sub: _sub, ...claims } = userClaims(user, scopes, grant.claims, 'id_token');
  return claims;
}
