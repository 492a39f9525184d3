import type { OAuthClientRecord } from '../../clients/types';
import { CannotRedirect } from '../error-page';

/**
 * redirect_uri: required (OpenID Connect requires it even when the client registered only one),
 * exactly one, and equal character for character to a registered URI: no normalisation of case,
 * trailing slashes, ports, query strings or percent-encoding (RFC 9700 §4.1.3). Failures never
 * redirect.
 */
export function checkRedirectUri(raw: URLSearchParams, client: OAuthClientRecord): string {
  const values = raw.getAll('redirect_uri');
  const [redirectUri] = values;
  if (values.length !== 1 || !redirectUri) {
    throw new CannotRedirect('invalid_redirect_uri', 'redirect_uri is missing or repeated');
  }
  if (!client.redirectUris.includes(redirectUri)) {
    throw new CannotRedirect('invalid_redirect_uri', 'redirect_uri is not registered for the client');
  }
  return redirectUri;
}
