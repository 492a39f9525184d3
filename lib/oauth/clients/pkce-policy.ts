import 'server-only';
import { getConfig } from '../../config';
import type { OAuthClientRecord } from './types';

/**
 * Who must use PKCE (RFC 7636, S256 only). By default (OPTARE_PKCE=per-client) a public client
 * always, a confidential one unless it turned requirePkce off (OIDC lets a confidential client rely
 * on its secret and nonce). OPTARE_PKCE=always makes it every client, whatever its flag
 * (ASVS 5.0 10.4.6, RFC 9700 §2.1.1).
 */
export function mustUsePkce(client: Pick<OAuthClientRecord, 'type' | 'requirePkce'>): boolean {
  return getConfig().pkce === 'always' || client.type === 'public' || client.requirePkce;
}

/** Whether every client must use PKCE on this instance (OPTARE_PKCE=always). */
export function pkceAlwaysRequired(): boolean {
  return getConfig().pkce === 'always';
}

/**
 * The field error for client settings that turn PKCE off while OPTARE_PKCE=always, or null. It
 * looks at the raw input (requirePkce defaults to true, so only an explicit false is refused),
 * so the console form, the admin API and the CLI all get it from createClient / updateClient.
 */
export function pkceOffRefusal(input: unknown): string | null {
  if (!pkceAlwaysRequired() || typeof input !== 'object' || input === null) return null;
  if ((input as { requirePkce?: unknown }).requirePkce !== false) return null;
  return 'This server requires PKCE for every client (OPTARE_PKCE=always): turn "Require PKCE" on.';
}
