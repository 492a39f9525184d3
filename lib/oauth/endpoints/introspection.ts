import 'server-only';
import { getConfig } from '../../config';
import { sha256 } from '../../crypto/hash';
import { findRefreshToken } from '../../db/grants';
import type { OAuthClientRecord } from '../clients/types';
import { InvalidToken } from '../errors';
import { ENDPOINT_PATHS } from '../metadata';
import { formatScope } from '../scopes';
import { isAccessTokenRevoked } from '../token-status';
import { verifyAccessToken } from '../tokens/access-token';
import { authenticatedClientRequest, ClientEndpointReply, requireParameters } from './token';
import type { ProtocolRequest, ProtocolResponse } from '../../http/protocol-message';

/** RFC 7662 §2.2. `token_type` is 'Bearer' for access tokens (RFC 6749 §7.1 type) and 'refresh_token' otherwise. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      /** The issuer, or the RFC 8707 resource(s) the token is for. */
      aud?: string | string[];
      iss: string;
      exp: number;
      iat: number;
      jti?: string;
      token_type: 'Bearer' | 'refresh_token';
    };

type Introspector = (token: string, client: OAuthClientRecord, now: Date) => Promise<IntrospectionResponse | null>;

const INACTIVE = { active: false } as const;

/**
 * Token introspection (RFC 7662): POST, client-authenticated. The pipeline:
 *   parse the form → authenticate the client → `token` required → look at the token as the kind
 *   `token_type_hint` suggests first, then the other → the answer.
 * `{ "active": false }` for anything unknown, malformed, expired, revoked (denylisted jti, revoked
 * or deleted grant, disabled user, rotated refresh token) or issued to another client.
 *
 * A client may introspect only the tokens issued to itself (RFC 7662 §4 leaves the policy to the
 * server): Optare has no separate resource-server registrations yet, and this keeps one client
 * from learning anything about another's users and tokens. Resource servers verify access tokens
 * as JWTs (RFC 9068) with the JWKS.
 */
export async function introspectionEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  const reply = new ClientEndpointReply(request);
  try {
    const { client, params } = await authenticatedClientRequest(request, ENDPOINT_PATHS.introspection, reply, 'introspection');
    requireParameters(params, ['token']);
    const token = params.get('token')!;
    const introspectors = params.get('token_type_hint') === 'refresh_token' ? [refreshToken, accessToken] : [accessToken, refreshToken];
    for (const introspect of introspectors) {
      const answer = await introspect(token, client, now);
      if (answer) return reply.json(answer);
    }
    return reply.json(INACTIVE);
  } catch (error) {
    return reply.error(error, 'introspection');
  }
}

/** null when `token` is not a valid access token of this client's; inactive when revoked. */
const accessToken: Introspector = async (token, client, now) => {
  let claims;
  try {
    claims = await verifyAccessToken(token, now);
  } catch (error) {
    if (error instanceof InvalidToken) return null;
    throw error;
  }
  if (claims.client_id !== client.id) return INACTIVE;
  if (await isAccessTokenRevoked(claims)) return INACTIVE;
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    token_type: 'Bearer',
  };
};

/** null when `token` is no refresh token at all; inactive unless it is this client's and usable. */
const refreshToken: Introspector = async (token, client, now) => {
  const found = await findRefreshToken(sha256(token));
  if (!found) return null;
  const { grant } = found;
  const usable =
    grant.clientId === client.id &&
    found.rotatedAt === null &&
    found.revokedAt === null &&
    grant.revokedAt === null &&
    grant.user.disabledAt === null &&
    found.idleExpiresAt > now &&
    found.absoluteExpiresAt > now &&
    grant.expiresAt > now;
  if (!usable) return INACTIVE;
  return {
    active: true,
    scope: formatScope(found.scopes),
    client_id: grant.clientId,
    sub: grant.userId,
    iss: getConfig().issuer,
    exp: Math.floor(found.idleExpiresAt.getTime() / 1000),
    iat: Math.floor(found.createdAt.getTime() / 1000),
    token_type: 'refresh_token',
  };
};
