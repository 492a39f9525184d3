import 'server-only';
import type { OAuthClientRecord } from '../clients/types';
import { isUsableParamValue } from '../params';
import { checkClient } from './checks/client';
import { checkRedirectUri } from './checks/redirect-uri';

/** Where a response may go: a verified client and one of its registered redirect URIs. */
export interface ClientTarget {
  client: OAuthClientRecord;
  redirectUri: string;
  /** Echoed on every redirect, errors included (RFC 6749 §4.1.2). */
  state?: string;
}

/**
 * The first two checks of the authorization endpoint, which decide whether the client's
 * redirect URI may be used at all. They read the raw parameters (a repeated client_id or
 * redirect_uri is refused here, on the error page) and throw CannotRedirect on failure.
 */
export async function verifyTarget(raw: URLSearchParams): Promise<ClientTarget> {
  const client = await checkClient(raw);
  const redirectUri = checkRedirectUri(raw, client);
  const states = raw.getAll('state');
  const state = states.length === 1 && states[0] && isUsableParamValue(states[0]) ? states[0] : undefined;
  return { client, redirectUri, ...(state === undefined ? {} : { state }) };
}
