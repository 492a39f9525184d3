import { InvalidRequest } from '../../errors';
import { claimsRequestSchema } from '../request';
import type { AuthorizeCheck } from './types';

/** claims: a JSON object with optional `userinfo` and `id_token` members (OIDC Core §5.5). */
export const checkClaims: AuthorizeCheck = ({ params }) => {
  const value = params.get('claims');
  if (value === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidRequest('The claims parameter is not valid JSON.');
  }
  const parsed = claimsRequestSchema.safeParse(json);
  if (!parsed.success) throw new InvalidRequest('The claims parameter is not a valid claims request.');
  return { claims: parsed.data };
};
