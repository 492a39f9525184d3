import { isDatabaseUnavailable } from '../db/unavailable';

/**
 * OAuth 2.0 / OpenID Connect errors, one class per error code of the specs (RFC 6749 §4.1.2.1
 * and §5.2, RFC 6750 §3.1, RFC 7009, OIDC Core §3.1.2.6). Each carries its HTTP status, a
 * description safe to show the client, and optionally a private cause for the logs. Branch on
 * `code`, never on the message. Anything that is not an OAuthError is a server_error.
 */
export abstract class OAuthError extends Error {
  abstract readonly code: string;
  readonly status: number = 400;

  constructor(
    readonly description: string,
    readonly privateCause?: unknown,
  ) {
    super(description);
  }

  override get name(): string {
    return `OAuthError(${this.code})`;
  }
}

export class InvalidRequest extends OAuthError {
  readonly code = 'invalid_request';
}
/** Client authentication failed (401; with WWW-Authenticate when the client tried Basic). */
export class InvalidClient extends OAuthError {
  readonly code = 'invalid_client';
  override readonly status = 401;
}
export class InvalidGrant extends OAuthError {
  readonly code = 'invalid_grant';
}
export class UnauthorizedClient extends OAuthError {
  readonly code = 'unauthorized_client';
}
export class UnsupportedGrantType extends OAuthError {
  readonly code = 'unsupported_grant_type';
}
export class UnsupportedResponseType extends OAuthError {
  readonly code = 'unsupported_response_type';
}
export class InvalidScope extends OAuthError {
  readonly code = 'invalid_scope';
}
/** RFC 8707 §2: a `resource` that is malformed, or not one the client may get tokens for. */
export class InvalidTarget extends OAuthError {
  readonly code = 'invalid_target';
}
export class AccessDenied extends OAuthError {
  readonly code = 'access_denied';
}
export class UnsupportedTokenType extends OAuthError {
  readonly code = 'unsupported_token_type';
}
export class LoginRequired extends OAuthError {
  readonly code = 'login_required';
}
export class ConsentRequired extends OAuthError {
  readonly code = 'consent_required';
}
export class InteractionRequired extends OAuthError {
  readonly code = 'interaction_required';
}
export class AccountSelectionRequired extends OAuthError {
  readonly code = 'account_selection_required';
}
export class RequestNotSupported extends OAuthError {
  readonly code = 'request_not_supported';
}
export class RequestUriNotSupported extends OAuthError {
  readonly code = 'request_uri_not_supported';
}
export class RegistrationNotSupported extends OAuthError {
  readonly code = 'registration_not_supported';
}
/** RFC 6750 §3.1: the access token is expired, revoked, malformed or invalid (401). */
export class InvalidToken extends OAuthError {
  readonly code = 'invalid_token';
  override readonly status = 401;
}
export class InsufficientScope extends OAuthError {
  readonly code = 'insufficient_scope';
  override readonly status = 403;
}
export class ServerError extends OAuthError {
  readonly code = 'server_error';
  override readonly status = 500;
}
/**
 * A rate limit refused the request: 429 with Retry-After. OAuth defines no code for it; like the
 * authorization endpoint's temporarily_unavailable (RFC 6749 §4.1.2.1), it means "try later".
 */
export class TooManyRequests extends OAuthError {
  readonly code = 'temporarily_unavailable';
  override readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; retry after ${retryAfterSeconds} seconds.`);
  }
}
export class TemporarilyUnavailable extends OAuthError {
  readonly code = 'temporarily_unavailable';
  override readonly status = 503;
  /** Sent as Retry-After. */
  readonly retryAfterSeconds = 5;
}

/**
 * Anything thrown that is not an OAuthError becomes server_error, with the cause kept private;
 * a database that cannot be reached is temporarily_unavailable (503), worth a retry.
 */
export function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (isDatabaseUnavailable(error)) return new TemporarilyUnavailable('The service is temporarily unavailable; retry in a moment.', error);
  return new ServerError('The server could not complete the request.', error);
}

/** The RFC 6749 §5.2 JSON body of an error response. */
export function errorBody(error: OAuthError): { error: string; error_description: string } {
  return { error: error.code, error_description: error.description };
}
