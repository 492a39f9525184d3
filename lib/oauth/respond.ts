import { asOAuthError, errorBody, InvalidClient, InvalidToken, InsufficientScope, TemporarilyUnavailable, TooManyRequests, type OAuthError } from './errors';
import { ProtocolResponse } from '../http/protocol-message';

/** Token and error responses must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): ProtocolResponse {
  return ProtocolResponse.json(body, status, { ...NO_STORE, ...headers });
}

export interface ErrorResponseOptions {
  /** The client tried HTTP Basic: answer invalid_client with 401 and a Basic challenge. */
  basicAttempted?: boolean;
  /** A protected resource (userinfo): answer token errors with a Bearer challenge (RFC 6750 §3). */
  bearer?: boolean;
  headers?: Record<string, string>;
}

/**
 * The one serializer of OAuth errors for JSON endpoints. Unexpected errors become server_error
 * with a generic description; their cause is for the logs only.
 */
export function oauthErrorResponse(thrown: unknown, options: ErrorResponseOptions = {}): ProtocolResponse {
  const error = asOAuthError(thrown);
  const headers: Record<string, string> = { ...options.headers };
  if (error instanceof InvalidClient) {
    // RFC 6749 §5.2: 401 with a challenge for the scheme the client used; 400 would also be
    // allowed without Basic, but one status keeps clients simple.
    if (options.basicAttempted) headers['WWW-Authenticate'] = 'Basic realm="optare", charset="UTF-8"';
  }
  if (error instanceof TooManyRequests || error instanceof TemporarilyUnavailable) headers['Retry-After'] = String(error.retryAfterSeconds);
  if (options.bearer) {
    if (error instanceof InvalidToken || error instanceof InsufficientScope || error.code === 'invalid_request') {
      headers['WWW-Authenticate'] = bearerChallenge(error);
    }
  }
  return oauthJson(errorBody(error), error.status, headers);
}

/**
 * RFC 6750 §3: `Bearer realm="optare", error="invalid_token", error_description="…"`. The
 * description keeps to the printable ASCII a quoted header value allows (§3: no `"` or `\`), so
 * the header can always be sent.
 */
export function bearerChallenge(error?: OAuthError): string {
  if (!error) return 'Bearer realm="optare"';
  const description = error.description.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `Bearer realm="optare", error="${error.code}", error_description="${description}"`;
}
