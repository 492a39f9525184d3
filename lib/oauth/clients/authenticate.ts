import 'server-only';
import { getConfig } from '../../config';
import { constantTimeEqual, sha256, type Bytes } from '../../crypto/hash';
import { InvalidClient, InvalidRequest } from '../errors';
import { isUsableParamValue, type OAuthParams } from '../params';
import { AssertionRejected, assertionClientId, JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from './assertion';
import type { LoadedClient } from './cache';
import { loadClient } from './registration';
import type { OAuthClientRecord, TokenEndpointAuthMethod } from './types';
import type { HeaderReader } from '../../http/protocol-message';

/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
 * OIDC Core §9): client_secret_basic, client_secret_post, private_key_jwt, and none for public
 * clients. A client must use the method it registered, and exactly one.
 */

export interface ClientAuthenticationRequest {
  headers: HeaderReader;
  /** The request's parameters, already parsed by the endpoint. */
  params: OAuthParams;
  /**
   * The absolute URL of the endpoint receiving the request, built from the configured issuer
   * (never from Host). A client assertion's `aud` may name it or the issuer.
   */
  endpoint: string;
  /** More accepted assertion audiences, e.g. the token endpoint URL at the revocation endpoint. */
  audiences?: readonly string[];
}

export interface AuthenticatedClient {
  client: OAuthClientRecord;
  method: TokenEndpointAuthMethod;
}

const FAILED = 'Client authentication failed.';

/**
 * invalid_client (401). `basicAttempted` tells the endpoint to answer with
 * `WWW-Authenticate: Basic` (RFC 6749 §5.2): pass it to oauthErrorResponse. The description is
 * the same for every cause; `privateCause.reason` says which, for the logs.
 */
export class ClientAuthenticationFailed extends InvalidClient {
  constructor(
    readonly basicAttempted: boolean,
    reason: string,
    clientId?: string,
    cause?: unknown,
  ) {
    super(FAILED, { reason, clientId, cause });
  }
}

/** Whether a thrown error asks for a Basic challenge: `oauthErrorResponse(e, { basicAttempted: basicAttempted(e) })`. */
export function basicAttempted(error: unknown): boolean {
  return error instanceof ClientAuthenticationFailed && error.basicAttempted;
}

type Credentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string }
  | { method: 'none'; clientId: string };

// Compared against when the client is unknown or has no secret, so that costs the same.
const NO_SECRET_HASH = sha256('optare: no client secret');

/**
 * Authenticates the client of a request. Throws ClientAuthenticationFailed (invalid_client) for
 * an unknown, disabled or wrongly authenticated client, and InvalidRequest when the request uses
 * two methods at once or repeats the Authorization header.
 */
export async function authenticateClient(request: ClientAuthenticationRequest): Promise<AuthenticatedClient> {
  const credentials = presentedCredentials(request);
  const basic = credentials.method === 'client_secret_basic';
  // Not looked up: it names no client, and a NUL would make the query itself fail.
  if (!isUsableParamValue(credentials.clientId)) throw new ClientAuthenticationFailed(basic, 'malformed_client_id');
  const loaded = await loadClient(credentials.clientId);
  const fail = (reason: string, cause?: unknown): never => {
    throw new ClientAuthenticationFailed(basic, reason, credentials.clientId, cause);
  };

  // Hash and compare before looking at the outcome, so unknown clients cost what known ones do.
  const secretMatches = 'secret' in credentials && matchesSecret(sha256(credentials.secret), loaded);

  if (!loaded) return fail('unknown_client');
  const { record: client } = loaded;
  if (!client.enabled) return fail('client_disabled');
  if (client.tokenEndpointAuthMethod !== credentials.method) return fail(`method_mismatch:${credentials.method}`);

  switch (credentials.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!loaded.secretHash || !secretMatches) fail('wrong_secret');
      break;
    case 'private_key_jwt':
      try {
        await verifyClientAssertion(credentials.assertion, client, [request.endpoint, getConfig().issuer, ...(request.audiences ?? [])]);
      } catch (error) {
        if (error instanceof AssertionRejected) fail(error.reason, error.cause);
        throw error;
      }
      break;
    case 'none':
      if (client.type !== 'public') fail('confidential_client_without_credentials');
      break;
  }
  return { client, method: credentials.method };
}

/**
 * Whether the presented secret's hash is the client's secret or, during a rotation's overlap,
 * its previous one. Both comparisons always run, in constant time, whatever the client has.
 */
function matchesSecret(presented: Bytes, loaded: LoadedClient | null, now = Date.now()): boolean {
  const current = loaded?.secretHash ?? null;
  const previous = loaded?.previousSecret && loaded.previousSecret.expiresAt > now ? loaded.previousSecret.hash : null;
  const currentMatches = constantTimeEqual(presented, current ?? NO_SECRET_HASH);
  const previousMatches = constantTimeEqual(presented, previous ?? NO_SECRET_HASH);
  return (current !== null && currentMatches) || (previous !== null && previousMatches);
}

/** What the request presents, checked for shape only: one method, well-formed. */
function presentedCredentials({ headers, params }: ClientAuthenticationRequest): Credentials {
  const basic = basicCredentials(headers.get('authorization'));
  const secret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const assertionType = params.get('client_assertion_type');
  const clientIdParam = params.get('client_id');

  const methods = [basic, secret, assertion ?? assertionType].filter((value) => value !== null && value !== undefined);
  if (methods.length > 1) throw new InvalidRequest('The request uses more than one client authentication method.');

  if (basic) {
    if (clientIdParam !== undefined && clientIdParam !== basic.clientId) {
      throw new ClientAuthenticationFailed(true, 'client_id_mismatch', basic.clientId);
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (secret !== undefined) {
    if (clientIdParam === undefined) throw new ClientAuthenticationFailed(false, 'missing_client_id');
    return { method: 'client_secret_post', clientId: clientIdParam, secret };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertion === undefined || assertionType === undefined) {
      throw new InvalidRequest('client_assertion and client_assertion_type go together.');
    }
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) throw new ClientAuthenticationFailed(false, 'unsupported_assertion_type');
    let clientId: string;
    try {
      clientId = assertionClientId(assertion);
    } catch (error) {
      throw new ClientAuthenticationFailed(false, error instanceof AssertionRejected ? error.reason : 'malformed_assertion');
    }
    if (clientIdParam !== undefined && clientIdParam !== clientId) {
      throw new ClientAuthenticationFailed(false, 'client_id_mismatch', clientId);
    }
    return { method: 'private_key_jwt', clientId, assertion };
  }
  if (clientIdParam !== undefined) return { method: 'none', clientId: clientIdParam };
  throw new ClientAuthenticationFailed(false, 'no_client_authentication');
}

const BASIC = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i;
// decode() without { stream: true } keeps no state between calls: one decoder serves every request.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The client id and secret of an `Authorization: Basic` header (RFC 7617), each form-urlencoded
 * before encoding as RFC 6749 §2.3.1 requires; null when there is no header or another scheme.
 */
function basicCredentials(header: string | null): { clientId: string; secret: string } | null {
  if (header === null || (!/^\s*basic(\s|$)/i.test(header) && !/,\s*basic(\s|$)/i.test(header))) return null;
  // Headers joins repeated fields with ", "; base64 never contains a comma.
  if (header.includes(',')) throw new InvalidRequest('The request has more than one Authorization header.');
  const match = BASIC.exec(header.trim());
  if (!match) throw new ClientAuthenticationFailed(true, 'malformed_basic');
  const encoded = match[1]!;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    throw new ClientAuthenticationFailed(true, 'malformed_basic');
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw new ClientAuthenticationFailed(true, 'malformed_basic');
  }
  const colon = text.indexOf(':');
  if (colon < 0) throw new ClientAuthenticationFailed(true, 'malformed_basic');
  const clientId = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  if (!clientId || !secret) throw new ClientAuthenticationFailed(true, 'malformed_basic', clientId ?? undefined);
  return { clientId, secret };
}

/** application/x-www-form-urlencoded decoding of one value; null when malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
