import 'server-only';
import { getConfig } from '../../config';
import type { ClaimsUserRow } from '../../db/grants';
import { logger } from '../../log/logger';
import { userClaims } from '../claims';
import { findEnabledClient } from '../clients/registration';
import { corsHeaders } from '../cors';
import { asOAuthError, InsufficientScope, InvalidRequest, InvalidToken } from '../errors';
import { paramsFromForm } from '../params';
import { bearerChallenge, NO_STORE, oauthErrorResponse, oauthJson } from '../respond';
import { audienceIncludes } from '../resources';
import { parseScope } from '../scopes';
import { userinfoSourceOf } from '../token-status';
import { verifyAccessToken, type AccessTokenClaims } from '../tokens/access-token';
import { ProtocolResponse, type ProtocolRequest } from '../../http/protocol-message';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 6750 §2.1: `Bearer` 1*SP b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The UserInfo endpoint (OIDC Core §5.3), a protected resource (RFC 6750), GET or POST. Pipeline:
 *   the access token (Authorization: Bearer, or a POST form's access_token, never the query
 *   string; both at once is invalid_request) → verify it (signature, issuer, typ, expiry) →
 *   CORS for its client's origins → issued for Optare itself (`aud` names the issuer: a token
 *   requested for another API with RFC 8707 `resource` is invalid_token here) → not revoked →
 *   `openid` in its scope → its user, enabled →
 *   sub and the claims of the granted scopes and of the `claims` parameter's userinfo member.
 * No token at all: 401 with a bare `WWW-Authenticate: Bearer realm="optare"` (RFC 6750 §3.1);
 * any other failure: the RFC 6750 error in the challenge and the body.
 */
export async function userinfoEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  const origin = request.headers.get('origin');
  let headers = corsHeaders(origin, []);
  try {
    const token = await presentedAccessToken(request);
    if (token === null) return noTokenResponse(headers);
    const claims = await verifyAccessToken(token, now);
    headers = await tokenClientCors(origin, claims.client_id);
    checkAudience(claims);
    const source = await userinfoSourceOf(claims);
    if (source.revoked) throw new InvalidToken('The access token has been revoked.');
    checkOpenidScope(claims);
    return oauthJson(releasedClaims(claims, source), 200, headers);
  } catch (error) {
    const oauthError = asOAuthError(error);
    if (oauthError.status >= 500) logger().error({ err: oauthError.privateCause ?? error, endpoint: 'userinfo' }, 'OAuth endpoint failed');
    return oauthErrorResponse(oauthError, { bearer: true, headers });
  }
}

/**
 * The access token of the request, or null when it carries none. RFC 6750 §2: exactly one
 * method. The query string (§2.3) is never read: URLs end up in logs and Referer headers.
 */
export async function presentedAccessToken(request: ProtocolRequest): Promise<string | null> {
  const fromHeader = headerToken(request.headers.get('authorization'));
  let fromBody: string | null = null;
  if (request.method === 'POST' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
    fromBody = (await paramsFromForm(request)).get('access_token') ?? null;
  }
  if (fromHeader !== null && fromBody !== null) {
    throw new InvalidRequest('The access token was sent in more than one way.');
  }
  return fromHeader ?? fromBody;
}

/** The token of an `Authorization: Bearer` header; null for no header or another scheme. */
function headerToken(header: string | null): string | null {
  if (header === null || !/^\s*bearer(\s|$)/i.test(header)) return null;
  const match = BEARER.exec(header.trim());
  if (!match) throw new InvalidRequest('The Authorization header is malformed.');
  return match[1]!;
}

function noTokenResponse(headers: Record<string, string>): ProtocolResponse {
  return new ProtocolResponse(401, { ...NO_STORE, ...headers, 'WWW-Authenticate': bearerChallenge() });
}

/** CORS headers for the origins of the client the token was issued to (cached lookup). */
async function tokenClientCors(origin: string | null, clientId: string): Promise<Record<string, string>> {
  if (origin === null) return corsHeaders(origin, []);
  const client = await findEnabledClient(clientId);
  return corsHeaders(origin, client?.corsOrigins ?? []);
}

/**
 * RFC 8707 §2 and RFC 9068 §4: a resource accepts only tokens whose `aud` names it. Userinfo is
 * Optare's own resource, so a token for another API is refused, as a token for userinfo is
 * worthless at that API: one leaked token never opens both.
 */
function checkAudience(claims: AccessTokenClaims): void {
  if (!audienceIncludes(claims.aud, getConfig().issuer)) {
    throw new InvalidToken('The access token was issued for another resource.');
  }
}

/** OIDC Core §5.3: userinfo serves tokens issued for an OpenID request only. */
function checkOpenidScope(claims: AccessTokenClaims): void {
  if (!parseScope(claims.scope).includes('openid')) {
    throw new InsufficientScope('The access token was not issued with the openid scope.');
  }
}

function releasedClaims(claims: AccessTokenClaims, { user, grantClaims }: { user: ClaimsUserRow | null; grantClaims: unknown }) {
  if (!UUID.test(claims.sub)) throw new InvalidToken('The access token does not belong to a user.');
  if (!user || user.disabledAt !== null) throw new InvalidToken('The access token has been revoked.');
  return userClaims(user, parseScope(claims.scope), grantClaims, 'userinfo');
}
