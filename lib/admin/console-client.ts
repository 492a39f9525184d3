import 'server-only';
import { hkdfSync } from 'node:crypto';
import { getConfig } from '../config';
import { upsertConsoleClient } from '../db/console-client';
import { invalidateClientCache } from '../oauth/clients/cache';

/**
 * The admin console is an OpenID Connect client of Optare itself (as Keycloak's and Zitadel's
 * consoles are of theirs): a first-party public client with PKCE, created (or brought up to date
 * with the issuer) at every start.
 */
export const CONSOLE_CLIENT_ID = 'optare-admin-console';
/** next-auth's routes for the console. */
export const CONSOLE_AUTH_PATH = '/admin/auth';
export const CONSOLE_PROVIDER_ID = 'optare';

export function consoleRedirectUri(issuer = getConfig().issuer): string {
  return `${issuer}${CONSOLE_AUTH_PATH}/callback/${CONSOLE_PROVIDER_ID}`;
}

export async function ensureConsoleClient(): Promise<void> {
  const issuer = getConfig().issuer;
  await upsertConsoleClient({
    id: CONSOLE_CLIENT_ID,
    name: 'Optare admin console',
    redirectUris: [consoleRedirectUri(issuer)],
    postLogoutRedirectUris: [`${issuer}/admin/sign-in`],
  });
  invalidateClientCache();
}

/** The key that seals the console's session cookie (next-auth's JWE), derived from the encryption key. */
export function consoleCookieSecret(): string {
  const key = hkdfSync('sha256', getConfig().encryption.current, Buffer.alloc(0), 'optare admin console session', 32);
  return Buffer.from(key).toString('base64url');
}
