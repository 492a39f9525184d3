import { InvalidScope } from '../../errors';
import { parseScope, SUPPORTED_SCOPES } from '../../scopes';
import type { AuthorizeCheck } from './types';

const SUPPORTED = new Set<string>(SUPPORTED_SCOPES);

/**
 * scope: required and made of supported scopes the client may request. Without `openid` the
 * request is plain OAuth 2.0: allowed, and it yields no ID token.
 */
export const checkScope: AuthorizeCheck = ({ params, client }) => {
  const scopes = parseScope(params.get('scope'));
  if (scopes.length === 0) throw new InvalidScope('The scope parameter is required.');
  const unknown = scopes.filter((scope) => !SUPPORTED.has(scope));
  if (unknown.length > 0) throw new InvalidScope('The request contains an unsupported scope.');
  const allowed = new Set(client.scopes);
  if (scopes.some((scope) => !allowed.has(scope))) throw new InvalidScope('The client may not request one of the scopes.');
  return { scopes };
};
