import { authorizationCodeGrant } from './authorization-code';
import { clientCredentialsGrant } from './client-credentials';
import { refreshTokenGrant } from './refresh-token';
import type { GrantType } from './types';

/** Every grant type the token endpoint serves, by `grant_type`. Adding one = adding a module here. */
export const GRANT_TYPES: ReadonlyMap<string, GrantType> = new Map(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant].map((grant) => [grant.name, grant]),
);

export type { GrantContext, GrantType, TokenResponse } from './types';
