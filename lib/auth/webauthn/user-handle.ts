import { constantTimeEqual } from '../../crypto/hash';

/**
 * The WebAuthn user handle (user.id in the creation options, userHandle in assertions): the
 * UTF-8 bytes of the user's UUID. Stable, at most 64 bytes, and no personal data (§14.6.1).
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(userId.toLowerCase(), 'utf8'));
}

export function isUserHandleOf(handle: Uint8Array, userId: string): boolean {
  return constantTimeEqual(handle, userHandleOf(userId));
}
