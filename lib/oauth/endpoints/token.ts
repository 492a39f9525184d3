import 'server-only';
import type { AuditContext } from '../../audit/events';
import { auditContextFrom } from '../../http/audit-context';
import { getConfig } from '../../config';
import { logger } from '../../log/logger';
import { countTokenIssued } from '../../metrics/token-issuance';
import { authenticateClient, basicAttempted } from '../clients/authenticate';
import type { OAuthClientRecord } from '../clients/types';
import { corsHeaders } from '../cors';
import { asOAuthError, InvalidRequest, TooManyRequests, UnauthorizedClient, UnsupportedGrantType } from '../errors';
import { consume, limitKey } from '../../rate-limit/limiter';
import { GRANT_TYPES, type GrantType } from '../grants';
import { ENDPOINT_PATHS } from '../metadata';
import { paramsFromForm, type OAuthParams } from '../params';
import { NO_STORE, oauthErrorResponse, oauthJson } from '../respond';
import { ProtocolResponse, type ProtocolRequest } from '../../http/protocol-message';

/**
 * The token endpoint (RFC 6749 §3.2): POST with a form body. Its pipeline:
 *   parse the form → authenticate the client → CORS for the client's origins → the grant type
 *   (known, then allowed for the client) → its required parameters → the grant's handler →
 *   the dashboard's per-client count (in memory; lib/metrics/token-issuance.ts).
 * Every answer is no-store; errors go through the one serializer, with a Basic challenge when
 * the client tried Basic; once the client is known, its registered origins get CORS headers.
 */
export async function tokenEndpoint(request: ProtocolRequest, now = new Date()): Promise<ProtocolResponse> {
  const reply = new ClientEndpointReply(request);
  try {
    const { client, params, audit } = await authenticatedClientRequest(request, ENDPOINT_PATHS.token, reply, 'token');
    const grant = grantTypeFor(params, client);
    requireParameters(params, grant.requiredParameters);
    const body = await grant.handle({ client, params, audit, now });
    countTokenIssued(client.id);
    return reply.json(body);
  } catch (error) {
    return reply.error(error, 'token');
  }
}

/** grant_type is required, must be one Optare serves, and one this client may use. */
export function grantTypeFor(params: OAuthParams, client: OAuthClientRecord): GrantType {
  const name = params.get('grant_type');
  if (name === undefined) throw new InvalidRequest('The grant_type parameter is missing.');
  const grant = GRANT_TYPES.get(name);
  if (!grant) throw new UnsupportedGrantType('This grant_type is not supported.');
  if (!client.grantTypes.includes(name)) throw new UnauthorizedClient('This client may not use this grant_type.');
  return grant;
}

export function requireParameters(params: OAuthParams, names: readonly string[]): void {
  for (const name of names) {
    if (!params.has(name)) throw new InvalidRequest(`The ${name} parameter is missing.`);
  }
}

/**
 * The first steps of every client-authenticated endpoint (token, revocation, introspection):
 * a form body (no repeated parameters, at most 16 kB), then client authentication with the
 * endpoint's URL (and the token endpoint's, for private_key_jwt audiences), then the CORS headers
 * of the client's origins on whatever is answered from here on, then the client's rate limit.
 */
export async function authenticatedClientRequest(
  request: ProtocolRequest,
  path: string,
  reply: ClientEndpointReply,
  limit: 'token' | 'introspection' | 'revocation',
): Promise<{ client: OAuthClientRecord; params: OAuthParams; audit: AuditContext }> {
  const params = await paramsFromForm(request);
  const { issuer } = getConfig();
  const { client } = await authenticateClient({
    headers: request.headers,
    params,
    endpoint: `${issuer}${path}`,
    audiences: [`${issuer}${ENDPOINT_PATHS.token}`],
  });
  reply.clientKnown(client);
  const audit = auditContextFrom(request.headers);
  const verdict = await consume(limit, clientLimitKey(client.id), audit);
  if (!verdict.allowed) throw new TooManyRequests(verdict.retryAfterSeconds);
  return { client, params, audit };
}

/** Authenticated clients' rate-limit keys (a SHA-256 each), computed once rather than per request. */
const clientLimitKeys = new Map<string, string>();

function clientLimitKey(clientId: string): string {
  let key = clientLimitKeys.get(clientId);
  if (key === undefined) {
    if (clientLimitKeys.size >= 1_000) clientLimitKeys.clear();
    key = limitKey('client', clientId);
    clientLimitKeys.set(clientId, key);
  }
  return key;
}

/** How a client-authenticated endpoint answers: no-store JSON, CORS once the client is known. */
export class ClientEndpointReply {
  private readonly origin: string | null;
  private headers: Record<string, string>;

  constructor(request: ProtocolRequest) {
    this.origin = request.headers.get('origin');
    this.headers = corsHeaders(this.origin, []);
  }

  clientKnown(client: OAuthClientRecord): void {
    this.headers = corsHeaders(this.origin, client.corsOrigins);
  }

  json(body: unknown): ProtocolResponse {
    return oauthJson(body, 200, this.headers);
  }

  /** 200 with no body (RFC 7009 §2.2: the client reads only the status). */
  empty(): ProtocolResponse {
    return new ProtocolResponse(200, { ...NO_STORE, ...this.headers });
  }

  error(thrown: unknown, endpoint: string): ProtocolResponse {
    const error = asOAuthError(thrown);
    if (error.status >= 500) logger().error({ err: error.privateCause ?? thrown, endpoint }, 'OAuth endpoint failed');
    return oauthErrorResponse(error, { basicAttempted: basicAttempted(thrown), headers: this.headers });
  }
}
