import { resourceUriProblem } from './clients/settings-schema';
import { InvalidTarget } from './errors';
import { paramValues, type OAuthParams } from './params';

/**
 * RFC 8707 resource indicators. A client registers the APIs it may get access tokens for
 * (`resources`); a request names some of them with one or more `resource` parameters, and the
 * access token's `aud` is then those APIs instead of Optare itself. Values are compared with the
 * registered ones as strings, like redirect URIs: no normalisation.
 */

/**
 * The distinct `resource` values of a request, each checked: an absolute URI without a fragment
 * (RFC 8707 §2) and one of `allowed`. Empty when the request names none. Throws invalid_target.
 */
export function requestedResources(params: OAuthParams, allowed: readonly string[]): string[] {
  const values = distinctResources(params);
  for (const value of values) {
    if (resourceUriProblem(value) !== null) throw new InvalidTarget('Each resource must be an absolute https URI without a fragment.');
    if (!allowed.includes(value)) throw new InvalidTarget('A requested resource is not one this client may get tokens for.');
  }
  return values;
}

/**
 * The distinct `resource` values of a request if each is well formed, else null: what a
 * one-statement token path checks against the grant and client in SQL (requestedResources
 * gives a malformed value its invalid_target once the token or code is looked up).
 */
export function wellFormedResources(params: OAuthParams): string[] | null {
  const values = distinctResources(params);
  return values.every((value) => resourceUriProblem(value) === null) ? values : null;
}

const distinctResources = (params: OAuthParams) => [...new Set(paramValues(params, 'resource'))];

/**
 * The resources of a token request within a grant's (RFC 8707 §2.2): the ones named, which must
 * have been granted (a subset narrows the audience), or, when none are named, all of them.
 */
export function resourcesWithinGrant(params: OAuthParams, granted: readonly string[]): string[] {
  const requested = requestedResources(params, granted);
  return requested.length > 0 ? granted.filter((resource) => requested.includes(resource)) : [...granted];
}

/**
 * The resources of a grant that its client may still get tokens for. A grant whose resources were
 * all unregistered since is refused rather than silently turned into a token for Optare itself.
 */
export function stillRegistered(granted: readonly string[], clientResources: readonly string[]): string[] {
  const kept = granted.filter((resource) => clientResources.includes(resource));
  if (granted.length > 0 && kept.length === 0) throw new InvalidTarget('The client may no longer get tokens for the granted resources.');
  return kept;
}

/** The access token's `aud`: the issuer without resources, one resource as a string, several as an array. */
export function audienceOf(resources: readonly string[], issuer: string): string | string[] {
  if (resources.length === 0) return issuer;
  return resources.length === 1 ? resources[0]! : [...resources];
}

/** Whether an access token's `aud` names `audience` (a string, or an array holding it). */
export function audienceIncludes(aud: string | readonly string[], audience: string): boolean {
  return typeof aud === 'string' ? aud === audience : aud.includes(audience);
}
