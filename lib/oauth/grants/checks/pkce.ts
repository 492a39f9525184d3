import { constantTimeEqual, sha256 } from '../../../crypto/hash';
import { InvalidGrant } from '../../errors';
import { mustUsePkce } from '../../clients/pkce-policy';
import type { OAuthClientRecord } from '../../clients/types';

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface StoredChallenge {
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

/**
 * PKCE (RFC 7636 §4.6), S256 only. A verifier is required exactly when the authorization request
 * carried a challenge: a missing one, or one sent for a code without a challenge, is invalid_grant,
 * as is a code without a challenge for a client that must use PKCE (defence in depth: the
 * authorization endpoint already refuses those requests).
 */
export function checkPkce(stored: StoredChallenge, verifier: string | undefined, client: OAuthClientRecord): void {
  if (stored.codeChallenge === null) {
    if (verifier !== undefined) throw new InvalidGrant('A code_verifier was sent, but the authorization request had no code_challenge.');
    if (mustUsePkce(client)) throw new InvalidGrant('This client must use PKCE.');
    return;
  }
  if (stored.codeChallengeMethod !== 'S256') throw new InvalidGrant('Only the S256 code challenge method is supported.');
  if (verifier === undefined) throw new InvalidGrant('The code_verifier is missing.');
  if (!CODE_VERIFIER.test(verifier)) throw new InvalidGrant('The code_verifier is malformed.');
  const computed = Buffer.from(Buffer.from(sha256(verifier)).toString('base64url'));
  if (!constantTimeEqual(computed, Buffer.from(stored.codeChallenge))) {
    throw new InvalidGrant('The code_verifier does not match the code_challenge.');
  }
}
