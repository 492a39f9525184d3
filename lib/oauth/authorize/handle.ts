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

/** Where the browser goes after sign-in or sign-up to resume the request. */
export function continuePath(handle: string): string {
  return `/oauth/authorize/continue?request=${handle}`;
}

export function signInPath(handle: string): string {
  return `/sign-in?request=${handle}`;
}

export function consentPath(handle: string): string {
  return `/consent?request=${handle}`;
}

/** The path the sign-in and sign-up endpoints answer with: resume the request, or go home. */
export function afterSignInPath(handle: unknown): string {
  return isRequestHandle(handle) ? continuePath(handle) : '/';
}
