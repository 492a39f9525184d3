import type { OAuthClientRecord } from '../../clients/types';
import type { OAuthParams } from '../../params';
import type { AuthorizationDetails } from '../request';

export interface CheckInput {
  params: OAuthParams;
  client: OAuthClientRecord;
}

/**
 * One check of the authorization endpoint: throws the OAuthError named after the RFC code, or
 * returns the part of the validated request it is responsible for.
 */
export type AuthorizeCheck = (
  input: CheckInput,
) => Partial<AuthorizationDetails> | void | Promise<Partial<AuthorizationDetails> | void>;
