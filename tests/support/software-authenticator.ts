import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A WebAuthn authenticator and browser in software, for tests: it answers creation and request
 * options the way a browser with a passkey would (attestation "none"), with real key pairs and
 * real signatures from node:crypto. Everything a hostile or broken client could change can be
 * overridden per ceremony: the flags, the counter, the origin and type in the client data, the
 * RP ID hashed into the authenticator data, the user handle; and any field can be tampered with
 * after signing (see `tamper`).
 */

export type Algorithm = 'ES256' | 'EdDSA' | 'RS256';

export interface Flags {
  /** User present (UP). */
  up: boolean;
  /** User verified (UV). */
  uv: boolean;
  /** Backup eligible (BE): a synced passkey. */
  be: boolean;
  /** Backed up (BS). */
  bs: boolean;
}

export interface SoftwareCredential {
  id: Buffer;
  algorithm: Algorithm;
  privateKey: KeyObject;
  cosePublicKey: Uint8Array;
  rpId: string;
  /** base64url, as the creation options' user.id. */
  userHandle: string;
  counter: number;
}

export interface AuthenticatorSettings {
  /** The origin the "browser" reports in clientDataJSON. */
  origin: string;
  algorithm?: Algorithm;
  /** Default flags of every ceremony (UP and UV set, BE and BS clear: a device-bound key). */
  flags?: Partial<Flags>;
  /** false: an authenticator that does not count signatures (always 0). */
  countsSignatures?: boolean;
  aaguid?: Uint8Array;
  transports?: string[];
}

export interface CeremonyOverrides {
  origin?: string;
  /** The RP ID whose SHA-256 goes into the authenticator data (default: the one in the options). */
  rpId?: string;
  type?: string;
  challenge?: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  flags?: Partial<Flags>;
  /** The signature counter to send (and remember). */
  counter?: number;
}

export interface RegistrationOverrides extends CeremonyOverrides {
  algorithm?: Algorithm;
  /** Reuse a credential ID (e.g. another user's) or choose its length. */
  credentialId?: Buffer;
  credentialIdLength?: number;
  /** Ignore excludeCredentials, as a broken or hostile client would. */
  ignoreExclude?: boolean;
}

export interface AuthenticationOverrides extends CeremonyOverrides {
  /** Which credential answers (default: the first allowed one, or the newest for the RP ID). */
  credential?: SoftwareCredential;
  /** The user handle to report: a base64url string, or null to omit it. */
  userHandle?: string | null;
}

const FLAG_BITS = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10 } as const;
const FLAG_AT = 0x40;

export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];

  constructor(readonly settings: AuthenticatorSettings) {}

  register(options: PublicKeyCredentialCreationOptionsJSON, overrides: RegistrationOverrides = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(this.settings.origin).hostname;
    if (!overrides.ignoreExclude) {
      for (const excluded of options.excludeCredentials ?? []) {
        if (this.credentials.some((c) => c.rpId === rpId && c.id.toString('base64url') === excluded.id)) {
          throw new Error('InvalidStateError: this authenticator already holds an excluded credential');
        }
      }
    }
    const algorithm = overrides.algorithm ?? this.settings.algorithm ?? 'ES256';
    if (!options.pubKeyCredParams.some((param) => param.alg === COSE_ALG[algorithm])) {
      throw new Error(`NotSupportedError: ${algorithm} was not offered`);
    }
    const { privateKey, cosePublicKey } = generateKey(algorithm);
    const id = overrides.credentialId ?? randomBytes(overrides.credentialIdLength ?? 32);
    const counter = overrides.counter ?? 0;
    const credential: SoftwareCredential = { id, algorithm, privateKey, cosePublicKey, rpId, userHandle: options.user.id, counter };

    const aaguid = this.settings.aaguid ?? new Uint8Array(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      this.authDataHead(overrides.rpId ?? rpId, this.flags(overrides.flags) | FLAG_AT, counter),
      aaguid,
      idLength,
      id,
      cosePublicKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, Uint8Array | string | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', Uint8Array.from(authData)],
      ]),
    );
    this.credentials.push(credential);
    return {
      id: id.toString('base64url'),
      rawId: id.toString('base64url'),
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, overrides),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: this.settings.transports ?? ['hybrid', 'internal'],
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  authenticate(options: PublicKeyCredentialRequestOptionsJSON, overrides: AuthenticationOverrides = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.settings.origin).hostname;
    const credential = overrides.credential ?? this.choose(options, rpId);
    if (!credential) throw new Error('NotAllowedError: no credential for these options');
    if (overrides.counter !== undefined) credential.counter = overrides.counter;
    else if (this.settings.countsSignatures !== false) credential.counter += 1;

    const authenticatorData = this.authDataHead(overrides.rpId ?? rpId, this.flags(overrides.flags), credential.counter);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signed = Buffer.concat([authenticatorData, sha256(Buffer.from(clientDataJSON, 'base64url'))]);
    const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: credential.id.toString('base64url'),
      rawId: credential.id.toString('base64url'),
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signWith(credential, signed).toString('base64url'),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  private choose(options: PublicKeyCredentialRequestOptionsJSON, rpId: string): SoftwareCredential | undefined {
    const allowed = options.allowCredentials ?? [];
    if (allowed.length > 0) {
      return this.credentials.find((c) => c.rpId === rpId && allowed.some((a) => a.id === c.id.toString('base64url')));
    }
    return this.credentials.filter((c) => c.rpId === rpId).at(-1);
  }

  private flags(overrides: Partial<Flags> = {}): number {
    const flags: Flags = { up: true, uv: true, be: false, bs: false, ...this.settings.flags, ...overrides };
    return (Object.keys(FLAG_BITS) as (keyof Flags)[]).reduce((bits, name) => (flags[name] ? bits | FLAG_BITS[name] : bits), 0);
  }

  private authDataHead(rpId: string, flags: number, counter: number): Buffer {
    const head = Buffer.alloc(37);
    sha256(Buffer.from(rpId, 'utf8')).copy(head, 0);
    head.writeUInt8(flags, 32);
    head.writeUInt32BE(counter >>> 0, 33);
    return head;
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const data: Record<string, unknown> = {
      type: overrides.type ?? type,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? this.settings.origin,
      crossOrigin: overrides.crossOrigin ?? false,
      ...(overrides.topOrigin === undefined ? {} : { topOrigin: overrides.topOrigin }),
    };
    return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
  }
}

const COSE_ALG: Record<Algorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };

function generateKey(algorithm: Algorithm): { privateKey: KeyObject; cosePublicKey: Uint8Array } {
  if (algorithm === 'ES256') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, b64(jwk.x!)],
      [-3, b64(jwk.y!)],
    ]);
    return { privateKey, cosePublicKey: isoCBOR.encode(cose) };
  }
  if (algorithm === 'EdDSA') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    // kty OKP (1), alg EdDSA (-8), crv Ed25519 (6), x.
    const cose = new Map<number, number | Uint8Array>([
      [1, 1],
      [3, -8],
      [-1, 6],
      [-2, b64(jwk.x!)],
    ]);
    return { privateKey, cosePublicKey: isoCBOR.encode(cose) };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  // kty RSA (3), alg RS256 (-257), n, e.
  const cose = new Map<number, number | Uint8Array>([
    [1, 3],
    [3, -257],
    [-1, b64(jwk.n!)],
    [-2, b64(jwk.e!)],
  ]);
  return { privateKey, cosePublicKey: isoCBOR.encode(cose) };
}

/** ES256 as WebAuthn wants it (ASN.1 DER, not IEEE P1363), Ed25519 raw, RS256 PKCS#1 v1.5. */
function signWith(credential: SoftwareCredential, data: Buffer): Buffer {
  if (credential.algorithm === 'ES256') return sign('sha256', data, { key: credential.privateKey, dsaEncoding: 'der' });
  if (credential.algorithm === 'EdDSA') return sign(null, data, credential.privateKey);
  return sign('sha256', data, credential.privateKey);
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function b64(value: string): Uint8Array {
  return Uint8Array.from(Buffer.from(value, 'base64url'));
}

/** Decodes a base64url field, lets `mutate` change the bytes, and encodes it again. */
export function tamper(field: string, mutate: (bytes: Buffer) => Buffer | void): string {
  const bytes = Buffer.from(field, 'base64url');
  return (mutate(bytes) ?? bytes).toString('base64url');
}

/** Flips the low bit of one byte (negative index: from the end). */
export function flipByte(field: string, index: number): string {
  return tamper(field, (bytes) => {
    const at = index < 0 ? bytes.length + index : index;
    bytes[at] = bytes[at]! ^ 0x01;
  });
}

/** Rewrites the JSON inside a clientDataJSON field. */
export function editClientData(field: string, edit: (data: Record<string, unknown>) => void): string {
  const data = JSON.parse(Buffer.from(field, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(data);
  return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
}
