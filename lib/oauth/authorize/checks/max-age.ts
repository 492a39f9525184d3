import { InvalidRequest } from '../../errors';
import type { AuthorizeCheck } from './types';

/** max_age: seconds since the user last authenticated, a non-negative integer (OIDC Core §3.1.2.1). */
export const checkMaxAge: AuthorizeCheck = ({ params }) => {
  const value = params.get('max_age');
  if (value === undefined) return {};
  const maxAge = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(maxAge)) throw new InvalidRequest('max_age must be a non-negative integer.');
  return { maxAge };
};
