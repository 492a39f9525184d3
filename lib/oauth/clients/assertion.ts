import 'server-only';
import {
  registeredKeySet,
  unverifiedClaims,
  verifyWithRegisteredKeys,
  type JWTPayload,
  type JWTVerifyOptions,
} from '../tokens/registered-key-jwt';
import { CLIENT_ASSERTION_ALGORITHMS, type OAuthClientRecord } from './types';
import { rememberJti } from './jti-replay';

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion may not be valid for longer than this (from now), so jtis need not be kept longer. */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;
/** Clock skew tolerated between the client and Optare. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 30;
const JTI_MAX = 256;

/** Why an assertion was refused: for the logs only, the client sees one generic invalid_client. */
export class AssertionRejected extends Error {
  override name = 'AssertionRejected';
  constructor(readonly reason: string, cause?: unknown) {
    super(reason, { cause });
  }
}

/**
 * The client an assertion claims to come from: its `iss`, which must equal its `sub` (RFC 7523
 * §3). Unverified: only used to look up the keys that must then verify it.
 */
export function assertionClientId(assertion: string): string {
  let claims: JWTPayload;
  try {
    claims = unverifiedClaims(assertion);
  } catch (error) {
    throw new AssertionRejected('malformed_assertion', error);
  }
  if (typeof claims.iss !== 'string' || claims.iss.length === 0 || claims.sub !== claims.iss) {
    throw new AssertionRejected('iss_sub_mismatch');
  }
  return claims.iss;
}

/**
 * Verifies a private_key_jwt client assertion (RFC 7523 §3, OIDC Core §9): signed with RS256,
 * PS256 or ES256 by a key in the client's registered JWKS (keys embedded in or referenced from
 * the header are never used); iss = sub = client_id; aud names one of `audiences`; exp present,
 * not passed and at most five minutes away; nbf and iat (when present) not in the future; jti
 * present and never seen before. Remembers the jti until exp.
 */
export async function verifyClientAssertion(
  assertion: string,
  client: OAuthClientRecord,
  audiences: readonly string[],
): Promise<void> {
  if (!client.jwks) throw new AssertionRejected('no_registered_jwks');
  const options: JWTVerifyOptions = {
    algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
    issuer: client.id,
    subject: client.id,
    audience: [...audiences],
    requiredClaims: ['exp', 'jti'],
    clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
  };
  let payload: JWTPayload;
  try {
    payload = await verifyWithRegisteredKeys(assertion, keySetOf(client), options);
  } catch (error) {
    throw new AssertionRejected(`jwt_${(error as { code?: string }).code ?? 'invalid'}`, error);
  }
  const now = Date.now() / 1000;
  const exp = payload.exp!;
  if (exp > now + ASSERTION_MAX_LIFETIME_SECONDS + ASSERTION_CLOCK_TOLERANCE_SECONDS) throw new AssertionRejected('exp_too_far');
  if (typeof payload.iat === 'number' && payload.iat > now + ASSERTION_CLOCK_TOLERANCE_SECONDS) throw new AssertionRejected('iat_in_future');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > JTI_MAX) throw new AssertionRejected('bad_jti');
  if (!(await rememberJti(client.id, jti, (exp + ASSERTION_CLOCK_TOLERANCE_SECONDS) * 1000))) throw new AssertionRejected('jti_replayed');
}

// One key set per cached client record (records are replaced, never changed, when a client is).
const keySets = new WeakMap<OAuthClientRecord, ReturnType<typeof registeredKeySet>>();
function keySetOf(client: OAuthClientRecord): ReturnType<typeof registeredKeySet> {
  let keys = keySets.get(client);
  if (!keys) {
    keys = registeredKeySet(client.jwks as Parameters<typeof registeredKeySet>[0]);
    keySets.set(client, keys);
  }
  return keys;
}
