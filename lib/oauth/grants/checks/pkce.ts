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
  const computed = Buffer.from(s256(verifier));
  if (!constantTimeEqual(computed, Buffer.from(stored.codeChallenge))) {
    throw new InvalidGrant('The code_verifier does not match the code_challenge.');
  }
}

/**
 * The challenge a one-statement exchange requires the stored one to equal (null: the code must
 * have none), or undefined when the code must be looked up for checkPkce to answer: a malformed
 * verifier, or none from a client that must use PKCE. The stored challenge is then compared in
 * SQL; both sides are SHA-256 outputs, of which the presenter can steer neither, so the
 * comparison's timing tells nothing.
 */
export function challengeToMatch(verifier: string | undefined, client: OAuthClientRecord): string | null | undefined {
  if (verifier === undefined) return mustUsePkce(client) ? undefined : null;
  return CODE_VERIFIER.test(verifier) ? s256(verifier) : undefined;
}

const s256 = (verifier: string) => Buffer.from(sha256(verifier)).toString('base64url');
