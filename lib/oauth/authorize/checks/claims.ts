import { scopesOfRequestedClaims } from '../../claims';
import { InvalidRequest } from '../../errors';
import { parseScope } from '../../scopes';
import { claimsRequestSchema } from '../request';
import type { AuthorizeCheck } from './types';

/**
 * claims: a JSON object with optional `userinfo` and `id_token` members (OIDC Core §5.5).
 *
 * A claim is released only within the scopes the user consented to (lib/oauth/claims.ts), so a
 * claim named here that the requested scopes do not release is a request for the scope that does:
 * `scope=openid` with `claims={"userinfo":{"name":null}}` asks for `profile` too. That scope then
 * goes through consent like any other (the consent page shows it, `prompt=none` without consent
 * is consent_required) and the token response's `scope` says it was granted. Only scopes the
 * client may request are added; a claim of any other scope is simply not released. Runs after
 * the scope check, whose `scopes` it extends (were the order ever reversed, the scope check would
 * overwrite them and the extra claims would just not be released).
 */
export const checkClaims: AuthorizeCheck = ({ params, client }) => {
  const value = params.get('claims');
  if (value === undefined) return {};
  let json: unknown;
  try {
    // Its strings (names and values) must be well-formed Unicode without NUL: JSON escapes can
    // spell both, and PostgreSQL's jsonb, where the request is kept, stores neither.
    json = JSON.parse(value, (name, member: unknown) => {
      if (!isStorable(name) || (typeof member === 'string' && !isStorable(member))) {
        throw new InvalidRequest('The claims parameter contains a NUL or an unpaired surrogate.');
      }
      return member;
    });
  } catch (error) {
    if (error instanceof InvalidRequest) throw error;
    throw new InvalidRequest('The claims parameter is not valid JSON.');
  }
  const parsed = claimsRequestSchema.safeParse(json);
  if (!parsed.success) throw new InvalidRequest('The claims parameter is not a valid claims request.');
  const scopes = parseScope(params.get('scope'));
  // The claims parameter is OpenID Connect: without openid there is no ID token or userinfo.
  if (!scopes.includes('openid')) return { claims: parsed.data };
  const added = scopesOfRequestedClaims(parsed.data).filter((scope) => client.scopes.includes(scope) && !scopes.includes(scope));
  return added.length === 0 ? { claims: parsed.data } : { claims: parsed.data, scopes: [...scopes, ...added] };
};

function isStorable(text: string): boolean {
  return text.isWellFormed() && !text.includes('\0');
}
