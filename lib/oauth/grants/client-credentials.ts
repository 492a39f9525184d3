import 'server-only';
import { tokenSigningAlgs } from '../clients/signing-algs';
import { UnauthorizedClient } from '../errors';
import { requestedResources } from '../resources';
import { formatScope } from '../scopes';
import { issueAccessToken } from '../tokens/access-token';
import { clientCredentialsScope } from './checks/scope';
import type { GrantContext, GrantType, TokenResponse } from './types';

/**
 * RFC 6749 §4.4, for confidential clients only: an access token whose subject is the client
 * itself. No grant row, no refresh token, no write at all (RFC 6749 §4.4.3); such tokens are
 * revoked one by one through the jti denylist.
 */
export const clientCredentialsGrant: GrantType = {
  name: 'client_credentials',
  requiredParameters: [],
  async handle({ client, params, now }: GrantContext): Promise<TokenResponse> {
    if (client.type !== 'confidential') throw new UnauthorizedClient('Only confidential clients may use client_credentials.');
    const scopes = clientCredentialsScope(params.get('scope'), client.scopes);
    const resources = requestedResources(params, client.resources);
    const access = await issueAccessToken(
      { clientId: client.id, subject: client.id, scopes, ttlSeconds: client.accessTokenTtl, audience: resources, alg: tokenSigningAlgs(client).accessToken },
      now,
    );
    const response: TokenResponse = {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: Math.floor(access.expiresAt.getTime() / 1000) - Math.floor(now.getTime() / 1000),
    };
    if (scopes.length > 0) response.scope = formatScope(scopes);
    return response;
  },
};
