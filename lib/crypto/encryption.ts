import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for values Optare must read back (TOTP secrets, signing keys):
 * AES-256-GCM, a fresh 96-bit IV per value, and the id of the key that sealed it, so keys can
 * rotate. Format: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url parts). An optional context
 * (e.g. "totp:<user id>") is bound as additional authenticated data, so a sealed value copied
 * to another row does not decrypt.
 */
export interface Keyring {
  current: Uint8Array;
  old: Uint8Array[];
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A short, non-secret identifier of a key: the first 8 hex digits of SHA-256("optare-kid" || key). */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('optare-kid').update(key).digest('hex').slice(0, 8);
}

export function encrypt(plaintext: string | Uint8Array, keyring: Keyring, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, keyId(keyring.current), iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decrypt(sealed: string, keyring: Keyring, context = ''): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not an Optare encrypted value');
  const [, kid, ivText, ciphertext, tagText] = parts as [string, string, string, string, string];
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  // A shortened tag would make forgery far easier (2^32 tries for 4 bytes): only 16 bytes pass.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptionError('malformed encrypted value');
  const key = [keyring.current, ...keyring.old].find((candidate) => keyId(candidate) === kid);
  if (!key) throw new DecryptionError(`no configured key has id ${kid} (add it to OPTARE_ENCRYPTION_KEYS_OLD)`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw new DecryptionError('the value was tampered with, or sealed for another context');
  }
}

/** True when the value was sealed with an old key and should be re-encrypted. */
export function needsReencryption(sealed: string, keyring: Keyring): boolean {
  return sealed.split('.')[1] !== keyId(keyring.current);
}
