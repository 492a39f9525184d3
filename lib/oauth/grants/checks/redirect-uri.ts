import { InvalidGrant } from '../../errors';

/**
 * RFC 6749 §4.1.3: redirect_uri must be identical to the one of the authorization request
 * (simple string comparison, RFC 3986 §6.2.1; no normalisation).
 */
export function checkRedirectUri(stored: string, presented: string | undefined): void {
  if (presented !== stored) throw new InvalidGrant('The redirect_uri does not match the one of the authorization request.');
}
