import 'server-only';
import { db } from './client';

/** Creates the admin console's client, or resets it to what the console needs (it is not editable). */
export async function upsertConsoleClient(client: { id: string; name: string; redirectUris: string[]; postLogoutRedirectUris: string[] }) {
  const settings = {
    name: client.name,
    type: 'public',
    tokenEndpointAuthMethod: 'none',
    secretHash: null,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    corsOrigins: [],
    resources: [],
    grantTypes: ['authorization_code'],
    scopes: ['openid', 'profile', 'email'],
    accessTokenTtl: 300,
    requirePkce: true,
    firstParty: true,
    // The instance default (OPTARE_DEFAULT_SIGNING_ALG): next-auth's openid-client 5 is told the
    // same alg (app/admin/_server/auth-options.ts) and verifies RS256, PS256, ES256 and EdDSA.
    idTokenSignedResponseAlg: null,
    accessTokenSignedResponseAlg: null,
    enabled: true,
  };
  await db().oAuthClient.upsert({ where: { id: client.id }, create: { id: client.id, ...settings }, update: settings });
}
