import { InvalidRequest } from '../../errors';
import type { AuthorizeCheck } from './types';

/** The longest nonce kept (the grant's column size). */
export const NONCE_MAX = 512;

/** nonce: optional for the code flow; kept for the ID token when given (OIDC Core §3.1.2.1). */
export const checkNonce: AuthorizeCheck = ({ params }) => {
  const nonce = params.get('nonce');
  if (nonce === undefined) return {};
  if (nonce.length > NONCE_MAX) throw new InvalidRequest(`The nonce is longer than ${NONCE_MAX} characters.`);
  return { nonce };
};
