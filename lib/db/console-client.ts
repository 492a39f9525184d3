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
    // next-auth expects RS256 ID tokens (app/admin/_server/auth-options.ts).
    idTokenSignedResponseAlg: 'RS256',
    accessTokenSignedResponseAlg: 'RS256',
    enabled: true,
  };
  await db().oAuthClient.upsert({ where: { id: client.id }, create: { id: client.id, ...settings }, update: settings });
}
