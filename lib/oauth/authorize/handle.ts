import { sha256, type Bytes } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';

/**
 * The opaque handle of a pending authorization request: 256 random bits, the only thing about
 * the request that travels in URLs. The database keeps only its SHA-256.
 */
const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newRequestHandle(): { handle: string; idHash: Bytes } {
  const handle = randomToken(32);
  return { handle, idHash: sha256(handle) };
}

export function isRequestHandle(value: unknown): value is string {
  return typeof value === 'string' && HANDLE_PATTERN.test(value);
}

export function handleHash(handle: string): Bytes {
  return sha256(handle);
}

/** The route that resumes a pending request (lib/oauth/endpoints/authorize.ts). */
export const CONTINUE_PATH = '/oauth/authorize/continue';

/** Where the browser goes after sign-in or sign-up to resume the request. */
export function continuePath(handle: string): string {
  return `${CONTINUE_PATH}?request=${handle}`;
}

export function signInPath(handle: string): string {
  return `/sign-in?request=${handle}`;
}

/** Starts a step-up of the signed-in session for the request (app/sign-in/step-up). */
export function stepUpPath(handle: string): string {
  return `/sign-in/step-up?request=${handle}`;
}

/** The second step of a sign-in or step-up, with the request it resumes (if any). */
export function secondFactorPath(handle: unknown): string {
  return isRequestHandle(handle) ? `/sign-in/second-factor?request=${handle}` : '/sign-in/second-factor';
}

/** Enrollment of a second factor that OPTARE_MFA_REQUIRED asks for, then the request (if any). */
export function enrollPath(handle: unknown): string {
  return isRequestHandle(handle) ? `/sign-in/enroll?request=${handle}` : '/sign-in/enroll';
}

export function consentPath(handle: string): string {
  return `/consent?request=${handle}`;
}

/** The path the sign-in and sign-up endpoints answer with: resume the request, or go home. */
export function afterSignInPath(handle: unknown): string {
  return isRequestHandle(handle) ? continuePath(handle) : '/';
}
