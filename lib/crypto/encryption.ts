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

/** A short, non-secret identifier of a key: the first 8 hex digits of SHA-256("optare-kid" || key). */
export function keyId(key: Uint8Array): string {
  return createHash('sha256').update('optare-kid').update(key).digest('hex').slice(0, 8);
}

export function encrypt(plaintext: string | Uint8Array, keyring: Keyring, context = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, keyId(keyring.current), iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decrypt(sealed: string, keyring: Keyring, context = ''): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptionError('not an Optare encrypted value');
  const [, kid, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  const key = [keyring.current, ...keyring.old].find((candidate) => keyId(candidate) === kid);
  if (!key) throw new DecryptionError(`no configured key has id ${kid} (add it to OPTARE_ENCRYPTION_KEYS_OLD)`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw new DecryptionError('the value was tampered with, or sealed for another context');
  }
}

/** True when the value was sealed with an old key and should be re-encrypted. */
export function needsReencryption(sealed: string, keyring: Keyring): boolean {
  return sealed.split('.')[1] !== keyId(keyring.current);
}
