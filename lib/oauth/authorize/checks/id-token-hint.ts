import 'server-only';
import { InvalidRequest } from '../../errors';
import { verifyIdTokenHint } from '../../tokens/id-token';
import type { AuthorizeCheck } from './types';

/**
 * id_token_hint: an ID token Optare issued to this client (expired ones are fine). Its subject
 * is compared with the signed-in user when the request is decided.
 */
export const checkIdTokenHint: AuthorizeCheck = async ({ params, client }) => {
  const hint = params.get('id_token_hint');
  if (hint === undefined) return {};
  const verified = await verifyIdTokenHint(hint);
  if (!verified.aud.includes(client.id)) throw new InvalidRequest('The id_token_hint was not issued to this client.');
  return { hintSubject: verified.sub };
};
