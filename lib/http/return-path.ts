/**
 * Where the sign-in page may send the user back to after a sign-in that a page asked for
 * (`/sign-in?next=/account/security`, e.g. to re-authenticate before a sensitive change).
 *
 * An allow-list, not a clean-up: only a path of the account area itself, written plainly —
 * `/account` and `/account/<segment>/…` with segments of lower-case letters, digits and hyphens.
 * No scheme, host, `//`, backslash, dot segment, percent-encoding, query or fragment can pass,
 * so no spelling of another site (or of a path outside /account) ever becomes a redirect.
 * Anything else is ignored: the caller goes to its default.
 */

const ACCOUNT_PATH = /^\/account(?:\/[a-z0-9]+(?:-[a-z0-9]+)*)*$/;
const MAX_LENGTH = 200;

export function accountReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return null;
  return ACCOUNT_PATH.test(value) ? value : null;
}
