import 'server-only';
import { sha256 } from '../../crypto/hash';
import { randomToken } from '../../crypto/random';
import { consumeCeremony, deleteExpiredCeremonies as deleteExpired, insertCeremony, type CeremonyPurpose } from '../../db/webauthn';
import { isCookieToken } from '../cookies';
import { CEREMONY_TTL_MS } from './relying-party';

/**
 * A ceremony in progress: the challenge Optare sent, for which purpose and which user, until
 * when. The browser holds a random 256-bit token (in an HttpOnly cookie the caller sets); the
 * table holds only its SHA-256. Taking a ceremony deletes it, whatever happens next: a challenge
 * answers one verification, never two.
 */
export type CeremonyFailure = 'ceremony_not_found' | 'ceremony_expired' | 'ceremony_mismatch';

export async function startCeremony(purpose: CeremonyPurpose, userId: string | null, challenge: string, now: Date): Promise<string> {
  const token = randomToken(32);
  await insertCeremony({ idHash: sha256(token), purpose, userId, challenge, expiresAt: new Date(now.getTime() + CEREMONY_TTL_MS) });
  return token;
}

export async function takeCeremony(
  token: unknown,
  expected: { purpose: CeremonyPurpose; userId: string | null },
  now: Date,
): Promise<{ ok: true; challenge: string } | { ok: false; reason: CeremonyFailure }> {
  if (!isCookieToken(token)) return { ok: false, reason: 'ceremony_not_found' };
  const ceremony = await consumeCeremony(sha256(token));
  if (!ceremony) return { ok: false, reason: 'ceremony_not_found' };
  if (ceremony.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'ceremony_expired' };
  const sameUser = ceremony.userId === null ? expected.userId === null : ceremony.userId === expected.userId?.toLowerCase();
  if (ceremony.purpose !== expected.purpose || !sameUser) return { ok: false, reason: 'ceremony_mismatch' };
  return { ok: true, challenge: ceremony.challenge };
}

/** The clean-up: ceremonies the browser never finished. Returns how many were deleted. */
export function deleteExpiredCeremonies(now: Date): Promise<number> {
  return deleteExpired(now);
}
