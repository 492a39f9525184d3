import 'server-only';
import type { OAuthParams } from '../params';
import { checkAcrValues } from './checks/acr-values';
import { checkClaims } from './checks/claims';
import { checkIdTokenHint } from './checks/id-token-hint';
import { checkMaxAge } from './checks/max-age';
import { checkNonce } from './checks/nonce';
import { checkPkce } from './checks/pkce';
import { checkPrompt } from './checks/prompt';
import { checkNoRegistration } from './checks/registration';
import { checkNoRequestObject, checkNoRequestUri } from './checks/request-object';
import { checkResponseMode } from './checks/response-mode';
import { checkResources } from './checks/resources';
import { checkResponseType } from './checks/response-type';
import { checkScope } from './checks/scope';
import type { AuthorizeCheck } from './checks/types';
import type { AuthorizationDetails } from './request';
import type { ClientTarget } from './target';

/**
 * The checks that run once the client and its redirect URI are verified (target.ts), in order;
 * the first failure is answered at the redirect URI. display, ui_locales, claims_locales,
 * login_hint and unknown parameters are accepted and ignored.
 */
export const AUTHORIZE_CHECKS: readonly AuthorizeCheck[] = [
  checkResponseType,
  checkResponseMode,
  checkNoRequestObject,
  checkNoRequestUri,
  checkNoRegistration,
  checkScope,
  checkResources,
  checkPkce,
  checkNonce,
  checkPrompt,
  checkMaxAge,
  checkClaims,
  checkAcrValues,
  checkIdTokenHint,
];

export async function validateAuthorizationRequest(params: OAuthParams, target: ClientTarget): Promise<AuthorizationDetails> {
  const details: AuthorizationDetails = {
    clientId: target.client.id,
    redirectUri: target.redirectUri,
    ...(target.state === undefined ? {} : { state: target.state }),
    scopes: [],
    prompt: [],
  };
  for (const check of AUTHORIZE_CHECKS) {
    Object.assign(details, await check({ params, client: target.client }));
  }
  return details;
}
