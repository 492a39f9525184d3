import 'server-only';
import { getConfig } from '../../config';
import { ProtocolResponse } from '../../http/protocol-message';
import { logger } from '../../log/logger';
import { asOAuthError, ServerError } from '../errors';
import { errorPagePath, type ErrorPageCode } from './error-page';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** A 303 See Other: after a POST the browser follows it with a GET (never 307, which re-POSTs). */
export function seeOther(location: string, headers: Record<string, string> = {}): ProtocolResponse {
  return new ProtocolResponse(303, { ...NO_STORE, ...headers, Location: location });
}

/** An absolute URL on Optare for one of its own paths. */
export function optareUrl(path: string): string {
  return `${getConfig().issuer}${path}`;
}

export function errorPageResponse(code: ErrorPageCode): ProtocolResponse {
  return seeOther(optareUrl(errorPagePath(code)));
}

export type ClientResult = { code: string } | { error: unknown };

/**
 * The redirect URI with the response parameters: `code` or `error` and `error_description`,
 * then `state` when the client sent one, and always `iss` (RFC 9207). The registered URI's own
 * query is kept as it is (RFC 6749 §3.1.2); it has no fragment (registration refuses them).
 * Unexpected errors are answered as server_error and logged.
 */
export function clientRedirectUrl(target: { redirectUri: string; state?: string | undefined }, result: ClientResult): string {
  const response = new URLSearchParams();
  if ('code' in result) {
    response.set('code', result.code);
  } else {
    const error = asOAuthError(result.error);
    if (error instanceof ServerError) logger().error({ err: error.privateCause ?? error }, 'authorization request failed');
    response.set('error', error.code);
    response.set('error_description', error.description);
  }
  if (target.state !== undefined) response.set('state', target.state);
  response.set('iss', getConfig().issuer);
  const base = target.redirectUri;
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${response.toString()}`;
}
