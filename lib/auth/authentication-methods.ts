/**
 * How a user authenticated, in the vocabulary relying parties read: RFC 8176 `amr` values and
 * Optare's two `acr` levels. Pure functions; the sessions record the result.
 *
 * amr values Optare asserts:
 * - pwd: a password; otp: a one-time code (authenticator app or recovery code);
 * - hwk / swk: a passkey bound to one device / synced between devices; user: the authenticator
 *   tested the user's presence; pin: it verified the user (PIN or biometric);
 * - mfa: two independent factors, something the user has (otp, hwk, swk) and something they
 *   know or are (pwd, pin). A passkey with user verification is two factors by itself.
 */

export const ACR_SINGLE_FACTOR = 'urn:optare:acr:sfa';
export const ACR_MULTI_FACTOR = 'urn:optare:acr:mfa';
/** The OpenID PAPE multi-factor policy URI, which many relying parties send for MFA. */
export const ACR_PAPE_MULTI_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

export const ACR_VALUES_SUPPORTED = [ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR, ACR_PAPE_MULTI_FACTOR] as const;

const POSSESSION = new Set(['otp', 'hwk', 'swk']);
const KNOWLEDGE_OR_INHERENCE = new Set(['pwd', 'pin']);
const ORDER = ['pwd', 'otp', 'hwk', 'swk', 'user', 'pin', 'mfa'];

/** The methods of one authentication combined with those of another; adds `mfa` when they make two factors. */
export function combineAmr(...sets: readonly (readonly string[])[]): string[] {
  const methods = new Set(sets.flat().filter((method) => method !== 'mfa'));
  if (isTwoFactors(methods)) methods.add('mfa');
  return [...methods].sort((a, b) => rank(a) - rank(b));
}

function isTwoFactors(methods: ReadonlySet<string>): boolean {
  return [...methods].some((m) => POSSESSION.has(m)) && [...methods].some((m) => KNOWLEDGE_OR_INHERENCE.has(m));
}

function rank(method: string): number {
  const index = ORDER.indexOf(method);
  return index === -1 ? ORDER.length : index;
}

export function isMultiFactor(amr: readonly string[]): boolean {
  return amr.includes('mfa');
}

/** The `acr` of a session with these methods. */
export function acrOf(amr: readonly string[]): string {
  return isMultiFactor(amr) ? ACR_MULTI_FACTOR : ACR_SINGLE_FACTOR;
}

/**
 * Whether requested acr values (acr_values, or the `claims` parameter's acr `value`/`values`)
 * ask for multi-factor authentication. OIDC Core §3.1.2.1 lists them in order of preference:
 * the first value Optare knows decides, and values it does not know are ignored.
 */
export function asksForMultiFactor(acrValues: readonly string[]): boolean {
  const first = acrValues.find((value) => KNOWN_ACR_VALUES.has(value));
  return first === ACR_MULTI_FACTOR || first === ACR_PAPE_MULTI_FACTOR;
}

const KNOWN_ACR_VALUES: ReadonlySet<string> = new Set(ACR_VALUES_SUPPORTED);
