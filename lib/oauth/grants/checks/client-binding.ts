import { InvalidGrant } from '../../errors';
import type { OAuthClientRecord } from '../../clients/types';

/**
 * A code or refresh token is bound to the client it was issued to (RFC 6749 §4.1.3, §6). The
 * message is the one for an unknown value, so a client learns nothing about another's tokens.
 */
export function checkIssuedToClient(issuedTo: string, client: OAuthClientRecord, what: 'authorization code' | 'refresh token'): void {
  if (issuedTo !== client.id) throw new InvalidGrant(`The ${what} is invalid, expired or revoked.`);
}
