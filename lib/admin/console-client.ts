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

type Origins = { issuer: string; adminOrigin: string | null };

/**
 * Where browsers reach the console: OPTARE_ADMIN_ORIGIN when set (its own hostname, ASVS 3.5.4),
 * else the issuer. Its server-side calls to the token and userinfo endpoints still go to the issuer.
 */
export function consoleOrigin(config: Origins = getConfig()): string {
  return config.adminOrigin ?? config.issuer;
}

/** A link to a console page from a page of the issuer's host: absolute only when the console has its own. */
export function consoleLink(path: string, config: Origins = getConfig()): string {
  return config.adminOrigin ? `${config.adminOrigin}${path}` : path;
}

/** A link to a page of the issuer's host (account, OpenAPI document) from the console. */
export function issuerLink(path: string, config: Origins = getConfig()): string {
  return config.adminOrigin ? `${config.issuer}${path}` : path;
}

export function consoleRedirectUri(origin = consoleOrigin()): string {
  return `${origin}${CONSOLE_AUTH_PATH}/callback/${CONSOLE_PROVIDER_ID}`;
}

export async function ensureConsoleClient(): Promise<void> {
  const origin = consoleOrigin();
  await upsertConsoleClient({
    id: CONSOLE_CLIENT_ID,
    name: 'Optare admin console',
    redirectUris: [consoleRedirectUri(origin)],
    postLogoutRedirectUris: [`${origin}/admin/sign-in`],
  });
  invalidateClientCache();
}

/** The key that seals the console's session cookie (next-auth's JWE), derived from the encryption key. */
export function consoleCookieSecret(): string {
  const key = hkdfSync('sha256', getConfig().encryption.current, Buffer.alloc(0), 'optare admin console session', 32);
  return Buffer.from(key).toString('base64url');
}
