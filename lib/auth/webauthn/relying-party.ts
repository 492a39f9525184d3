import 'server-only';
import { COSEALG } from '@simplewebauthn/server/helpers';
import { getConfig } from '../../config';

export const RP_NAME = 'Optare';

/** A ceremony (its challenge and the browser's cookie) lives this long. */
export const CEREMONY_TTL_MS = 5 * 60_000;
export const WEBAUTHN_CEREMONY_TTL_SECONDS = CEREMONY_TTL_MS / 1000;

/**
 * Public key algorithms offered at registration, in order of preference: Ed25519, ES256 (P-256,
 * what nearly every passkey uses) and RS256 (Windows Hello). Listed explicitly: the library's
 * default grows ML-DSA-44 on runtimes that support it, and the list is part of the contract.
 */
export const SUPPORTED_ALGORITHM_IDS: number[] = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

export interface RelyingParty {
  rpID: string;
  rpName: string;
  /** The only origin a ceremony may come from. */
  origin: string;
}

/** The relying party an issuer stands for: https://id.example.com → rpID id.example.com, that origin. */
export function relyingPartyOf(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { rpID: url.hostname, rpName: RP_NAME, origin: url.origin };
}

export function webauthnRelyingParty(): RelyingParty {
  return relyingPartyOf(getConfig().issuer);
}
