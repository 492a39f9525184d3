import { SCOPE_CLAIMS } from './scopes';

/** The user facts standard claims are made of (OIDC Core §5.1). */
export interface ClaimsUser {
  id: string;
  email: string;
  name: string;
  updatedAt: Date;
  /** When the address was verified (lib/auth/email-verification.ts); null or absent: not verified. */
  emailVerifiedAt?: Date | null;
}

export type StandardClaims = { sub: string } & Record<string, string | number | boolean>;

/** Where claims go: the UserInfo response or the ID token (the two members of OIDC Core §5.5). */
export type ClaimsTarget = 'userinfo' | 'id_token';

/** Every user claim Optare can release, computed from the user. */
function claimValues(user: ClaimsUser): Record<string, string | number | boolean> {
  return {
    name: user.name,
    // OIDC Core §5.1: seconds since the epoch.
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    email: user.email,
    // True only once the user opened a link sent to this very address (a change resets it).
    email_verified: Boolean(user.emailVerifiedAt),
  };
}

/**
 * The names of the claims requested for `target` through the `claims` request parameter (OIDC
 * Core §5.5), as stored on the grant: `{ "userinfo": { "name": null }, "id_token": { … } }`.
 * Anything malformed requests nothing; requested values (`value`, `values`, `essential`) do not
 * change what a claim is, so only the names matter here.
 */
export function requestedClaimNames(claimsParameter: unknown, target: ClaimsTarget): string[] {
  if (!isObject(claimsParameter)) return [];
  const member = claimsParameter[target];
  return isObject(member) ? Object.keys(member) : [];
}

/** The scope that releases each standard claim (OIDC Core §5.4): `name` → `profile`, … */
const SCOPE_OF_CLAIM: ReadonlyMap<string, string> = new Map(
  Object.entries(SCOPE_CLAIMS).flatMap(([scope, names]) => names.map((name): [string, string] => [name, scope])),
);

/**
 * The scopes, other than `openid`, whose claims the `claims` parameter names in either member:
 * what a user must consent to before those claims can be released. Claims no scope releases
 * (unknown ones, or protocol claims such as `auth_time`) need none.
 */
export function scopesOfRequestedClaims(claimsParameter: unknown): string[] {
  const scopes = new Set<string>();
  for (const target of ['userinfo', 'id_token'] as const) {
    for (const name of requestedClaimNames(claimsParameter, target)) {
      const scope = SCOPE_OF_CLAIM.get(name);
      if (scope !== undefined && scope !== 'openid') scopes.add(scope);
    }
  }
  return [...scopes];
}

/**
 * The claims about a user released to `target`, never beyond the granted `scopes` (those the
 * user consented to, or a first-party client was allowed):
 * - userinfo: `sub`, the claims of each granted scope (OIDC Core §5.4), and those named in the
 *   `claims` parameter's `userinfo` member whose scope was granted;
 * - id_token: `sub` and those named in the `id_token` member whose scope was granted. Scope
 *   claims go in the ID token only when no access token is issued (§5.4), and Optare always
 *   issues one.
 * The `claims` parameter chooses among what the grant allows; it never widens it (the
 * authorization endpoint turns a claim it names into a request for that claim's scope, which the
 * user sees on the consent page: authorize/checks/claims.ts). Unknown claim names are ignored
 * (§5.5.1: a claim the OP does not have is simply omitted).
 */
export function userClaims(
  user: ClaimsUser,
  scopes: readonly string[],
  claimsParameter: unknown,
  target: ClaimsTarget,
): StandardClaims {
  const values = claimValues(user);
  const granted = new Set(scopes);
  const names = new Set(
    requestedClaimNames(claimsParameter, target).filter((name) => granted.has(SCOPE_OF_CLAIM.get(name) ?? '')),
  );
  if (target === 'userinfo') {
    for (const scope of scopes) {
      const released: readonly string[] | undefined = SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS];
      for (const name of released ?? []) names.add(name);
    }
  }
  const claims: StandardClaims = { sub: user.id };
  for (const name of names) {
    if (Object.hasOwn(values, name)) claims[name] = values[name]!;
  }
  return claims;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
