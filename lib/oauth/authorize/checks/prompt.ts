import { InvalidRequest } from '../../errors';
import { PROMPTS, type Prompt } from '../request';
import type { AuthorizeCheck } from './types';

const KNOWN = new Set<string>(PROMPTS);

/** prompt: known values only; `none` stands alone (OIDC Core §3.1.2.1). */
export const checkPrompt: AuthorizeCheck = ({ params }) => {
  const values = [...new Set((params.get('prompt') ?? '').split(' ').filter(Boolean))];
  if (values.some((value) => !KNOWN.has(value))) throw new InvalidRequest('The prompt parameter has an unsupported value.');
  if (values.includes('none') && values.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other values.');
  return { prompt: values as Prompt[] };
};
