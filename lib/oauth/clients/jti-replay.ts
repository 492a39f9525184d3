import 'server-only';
import { sha256 } from '../../crypto/hash';
import { recordAssertionJti } from '../../db/client-assertion-jtis';

/**
 * The `jti`s of client assertions already accepted, each kept until its assertion expires, so
 * that an assertion works once (RFC 7523 §3 item 7, OIDC Core §9), whichever instance it reaches:
 * they live in the database (client_assertion_jtis), keyed by client and the jti's SHA-256.
 * Only assertions with a valid signature get here, so filling the table takes a client's own key.
 */
export function rememberJti(clientId: string, jti: string, expiresAtMs: number, now = new Date()): Promise<boolean> {
  return recordAssertionJti(clientId, sha256(jti), new Date(expiresAtMs), now);
}
