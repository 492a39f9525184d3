/**
 * WebAuthn §7.1 steps 5-9 and §7.2 steps 10-14: the browser's CollectedClientData must name
 * the ceremony's type, carry the challenge this ceremony issued, come from Optare's origin, and
 * not from inside a frame of another site. Pure; the result says which check failed.
 */
export type ClientDataFailure = 'client_data_invalid' | 'type_mismatch' | 'challenge_mismatch' | 'origin_mismatch' | 'cross_origin';

export interface ExpectedClientData {
  type: 'webauthn.create' | 'webauthn.get';
  challenge: string;
  origin: string;
}

export function checkClientData(clientDataJSON: Uint8Array, expected: ExpectedClientData): { ok: true } | { ok: false; reason: ClientDataFailure } {
  const data = decodeJsonObject(clientDataJSON);
  if (!data) return { ok: false, reason: 'client_data_invalid' };
  const { type, challenge, origin, crossOrigin, topOrigin } = data;
  if (typeof type !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') {
    return { ok: false, reason: 'client_data_invalid' };
  }
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean') return { ok: false, reason: 'client_data_invalid' };
  if (type !== expected.type) return { ok: false, reason: 'type_mismatch' };
  if (challenge !== expected.challenge) return { ok: false, reason: 'challenge_mismatch' };
  if (origin !== expected.origin) return { ok: false, reason: 'origin_mismatch' };
  // Optare's pages are never framed (frame-ancestors 'none'): a ceremony from an iframe is not ours.
  if (crossOrigin === true || topOrigin !== undefined) return { ok: false, reason: 'cross_origin' };
  return { ok: true };
}

function decodeJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
