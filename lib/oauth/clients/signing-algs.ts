import 'server-only';
import { getConfig } from '../../config';
import type { SigningAlg } from '../keys/algorithms';
import type { OAuthClientRecord } from './types';

/**
 * The algs that sign a client's tokens: the ones it chose, else the instance default
 * (OPTARE_DEFAULT_SIGNING_ALG, RS256 unless the operator raised it, e.g. to PS256 or ES256 for
 * ASVS Level 2). Resolved at issue time, so changing the setting applies to every client that has
 * not chosen, from the next token on.
 */
export function tokenSigningAlgs(client: Pick<OAuthClientRecord, 'idTokenSignedResponseAlg' | 'accessTokenSignedResponseAlg'>): {
  idToken: SigningAlg;
  accessToken: SigningAlg;
} {
  const fallback = getConfig().defaultSigningAlg;
  return { idToken: client.idTokenSignedResponseAlg ?? fallback, accessToken: client.accessTokenSignedResponseAlg ?? fallback };
}
