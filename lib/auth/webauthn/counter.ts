/**
 * WebAuthn §6.1.1: an authenticator that counts signatures sends a larger counter every time. A
 * counter that does not increase, while either side is non-zero, means two copies of the private
 * key may exist (a cloned authenticator). Authenticators that do not count always send 0.
 */
export function counterRegressed(stored: number, received: number): boolean {
  return (stored > 0 || received > 0) && received <= stored;
}
