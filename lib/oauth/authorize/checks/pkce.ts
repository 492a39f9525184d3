import { mustUsePkce } from '../../clients/pkce-policy';
import { InvalidRequest } from '../../errors';
import type { AuthorizeCheck } from './types';

/** An S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE (RFC 7636, RFC 9700 §2.1.1): only S256, never plain (nor the implicit plain of a
 * challenge without a method); required for public clients, for confidential clients that did
 * not relax it, and for every client with OPTARE_PKCE=always.
 */
export const checkPkce: AuthorizeCheck = ({ params, client }) => {
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without code_challenge.');
    if (mustUsePkce(client)) {
      throw new InvalidRequest('PKCE is required: send code_challenge with code_challenge_method=S256.');
    }
    return {};
  }
  if (method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256.');
  if (!S256_CHALLENGE.test(challenge)) throw new InvalidRequest('code_challenge must be 43 base64url characters.');
  return { codeChallenge: challenge, codeChallengeMethod: 'S256' };
};
