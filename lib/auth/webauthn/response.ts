import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Bytes } from '../../crypto/hash';

/**
 * The browser's registration and authentication responses (PublicKeyCredential.toJSON(), as
 * @simplewebauthn/browser sends them), checked before anything reads them: size, shape, types,
 * canonical unpadded base64url. What passes is rebuilt from the checked fields only, so the
 * library never sees a key or a value this module did not look at.
 */

/** Far above any real response (a few hundred bytes to a few kB with attestation certificates). */
export const MAX_RESPONSE_JSON_CHARS = 64 * 1024;
/** WebAuthn §7.1 step 23 (L3): credential IDs are at most 1023 bytes. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;
/** WebAuthn §5.4.3: a user handle is at most 64 bytes. */
const MAX_USER_HANDLE_BYTES = 64;

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export type ResponseFailure = 'response_too_large' | 'malformed_response';
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: ResponseFailure };

export interface ParsedRegistration {
  json: RegistrationResponseJSON;
  credentialId: Bytes;
  clientDataJSON: Bytes;
  attestationObject: Bytes;
  transports: string[];
}

export interface ParsedAssertion {
  json: AuthenticationResponseJSON;
  credentialId: Bytes;
  clientDataJSON: Bytes;
  authenticatorData: Bytes;
  userHandle: Bytes | null;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Unpadded base64url that re-encodes to itself, so one byte string has exactly one spelling. */
export function isCanonicalBase64Url(value: string): boolean {
  return BASE64URL.test(value) && value.length % 4 !== 1 && Buffer.from(value, 'base64url').toString('base64url') === value;
}

export function fromBase64Url(value: string): Bytes {
  return Uint8Array.from(Buffer.from(value, 'base64url'));
}

const base64url = (maxBytes: number) =>
  z
    .string()
    .min(1)
    .max(Math.ceil((maxBytes * 4) / 3))
    .refine(isCanonicalBase64Url);

const credentialId = base64url(MAX_CREDENTIAL_ID_BYTES);
const blob = base64url(MAX_RESPONSE_JSON_CHARS);

const registrationSchema = z
  .object({
    id: credentialId,
    rawId: credentialId,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: blob,
      attestationObject: blob,
      transports: z.array(z.string().max(32)).max(16).optional(),
    }),
  })
  .refine((value) => value.id === value.rawId);

const authenticationSchema = z
  .object({
    id: credentialId,
    rawId: credentialId,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: blob,
      authenticatorData: blob,
      signature: blob,
      userHandle: base64url(MAX_USER_HANDLE_BYTES).nullish(),
    }),
  })
  .refine((value) => value.id === value.rawId);

/** The JSON length of a value, or null when it is not JSON (cycles, BigInt, undefined). */
function jsonLength(input: unknown): number | null {
  try {
    const text = JSON.stringify(input);
    return typeof text === 'string' ? text.length : null;
  } catch {
    return null;
  }
}

function checkSize(input: unknown): ResponseFailure | null {
  const length = jsonLength(input);
  if (length === null) return 'malformed_response';
  return length > MAX_RESPONSE_JSON_CHARS ? 'response_too_large' : null;
}

/** Known transports only, each once: they go back to browsers in excludeCredentials and allowCredentials. */
export function cleanTransports(transports: readonly string[] | undefined): string[] {
  return [...new Set((transports ?? []).filter((transport) => TRANSPORTS.has(transport)))].sort();
}

export function parseRegistrationResponse(input: unknown): Parsed<ParsedRegistration> {
  const tooLarge = checkSize(input);
  if (tooLarge) return { ok: false, reason: tooLarge };
  const parsed = registrationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'malformed_response' };
  const { id, response } = parsed.data;
  const transports = cleanTransports(response.transports);
  return {
    ok: true,
    value: {
      json: {
        id,
        rawId: id,
        type: 'public-key',
        response: { clientDataJSON: response.clientDataJSON, attestationObject: response.attestationObject, transports },
        clientExtensionResults: {},
      },
      credentialId: fromBase64Url(id),
      clientDataJSON: fromBase64Url(response.clientDataJSON),
      attestationObject: fromBase64Url(response.attestationObject),
      transports,
    },
  };
}

export function parseAuthenticationResponse(input: unknown): Parsed<ParsedAssertion> {
  const tooLarge = checkSize(input);
  if (tooLarge) return { ok: false, reason: tooLarge };
  const parsed = authenticationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'malformed_response' };
  const { id, response } = parsed.data;
  const userHandle = response.userHandle ?? undefined;
  return {
    ok: true,
    value: {
      json: {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: response.clientDataJSON,
          authenticatorData: response.authenticatorData,
          signature: response.signature,
          ...(userHandle ? { userHandle } : {}),
        },
        clientExtensionResults: {},
      },
      credentialId: fromBase64Url(id),
      clientDataJSON: fromBase64Url(response.clientDataJSON),
      authenticatorData: fromBase64Url(response.authenticatorData),
      userHandle: userHandle ? fromBase64Url(userHandle) : null,
    },
  };
}
