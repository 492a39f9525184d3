import { InvalidScope } from '../../errors';
import { parseScope } from '../../scopes';

/**
 * RFC 6749 §6: on refresh, `scope` may name a subset of the scope originally granted (never
 * more); omitted, it means all of it. Returns the scopes in their granted order.
 */
export function narrowScope(requested: string | undefined, granted: readonly string[]): string[] {
  if (requested === undefined) return [...granted];
  const scopes = parseScope(requested);
  if (scopes.some((scope) => !granted.includes(scope))) {
    throw new InvalidScope('The requested scope exceeds the scope originally granted.');
  }
  return granted.filter((scope) => scopes.includes(scope));
}

/** Scopes that only mean something for a user: refused in the client_credentials grant. */
const USER_ONLY_SCOPES = ['openid', 'offline_access'];

/**
 * client_credentials (RFC 6749 §4.4.2): `scope` ⊆ the client's scopes, minus the user scopes;
 * omitted, the client gets all of those (RFC 6749 §3.3's pre-defined default).
 */
export function clientCredentialsScope(requested: string | undefined, clientScopes: readonly string[]): string[] {
  const allowed = clientScopes.filter((scope) => !USER_ONLY_SCOPES.includes(scope));
  if (requested === undefined) return allowed;
  const scopes = parseScope(requested);
  if (scopes.some((scope) => USER_ONLY_SCOPES.includes(scope))) {
    throw new InvalidScope('openid and offline_access need a user; they cannot be requested with client_credentials.');
  }
  if (scopes.some((scope) => !allowed.includes(scope))) {
    throw new InvalidScope('The requested scope is not allowed for this client.');
  }
  return scopes;
}
