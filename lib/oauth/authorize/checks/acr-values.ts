import { requestedClaimNames } from '../../claims';
import type { AuthorizeCheck } from './types';

const MAX_VALUES = 16;
const MAX_VALUE_LENGTH = 256;

/**
 * The Authentication Context Class References the client asks for (OIDC Core §3.1.2.1
 * `acr_values`, and §5.5.1.1 an `acr` claim request with `value` or `values` in the `claims`
 * parameter's id_token member), in order of preference. Values Optare does not know are kept
 * and ignored later (a voluntary request is not an error); only the count and length are bounded.
 */
export const checkAcrValues: AuthorizeCheck = ({ params }) => {
  const requested = [...(params.get('acr_values') ?? '').split(' '), ...acrClaimValues(params.get('claims'))]
    .filter((value) => value !== '' && value.length <= MAX_VALUE_LENGTH)
    .slice(0, MAX_VALUES);
  return requested.length === 0 ? {} : { acrValues: [...new Set(requested)] };
};

function acrClaimValues(claimsParameter: string | undefined): string[] {
  if (claimsParameter === undefined) return [];
  let claims: unknown;
  try {
    claims = JSON.parse(claimsParameter);
  } catch {
    return []; // checkClaims answers malformed JSON
  }
  if (!requestedClaimNames(claims, 'id_token').includes('acr')) return [];
  const acr = (claims as { id_token: { acr: unknown } }).id_token.acr;
  if (acr === null || typeof acr !== 'object') return [];
  const { value, values } = acr as { value?: unknown; values?: unknown };
  const list = [value, ...(Array.isArray(values) ? values : [])];
  return list.filter((item): item is string => typeof item === 'string');
}
