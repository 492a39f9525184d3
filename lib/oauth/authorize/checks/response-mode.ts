import { InvalidRequest } from '../../errors';
import type { AuthorizeCheck } from './types';

/** response_mode: only `query`, the default for response_type=code (OAuth 2.0 Multiple Response Types §2.1). */
export const checkResponseMode: AuthorizeCheck = ({ params }) => {
  const mode = params.get('response_mode');
  if (mode !== undefined && mode !== 'query') throw new InvalidRequest('Only response_mode=query is supported.');
};
