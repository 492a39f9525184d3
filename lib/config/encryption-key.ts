/**
 * Decodes an encryption key given as 64 hex characters or as base64/base64url of 32 bytes.
 * Returns null when the text is neither.
 */
export function decodeKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

/**
 * A key is weak when it was clearly not drawn from a random source: too few distinct bytes
 * (all zeros, a repeated pattern, an ASCII phrase). 32 random bytes have ~28 distinct values;
 * fewer than 16 happens with probability far below 2^-100.
 */
export function isWeakKey(key: Buffer): boolean {
  if (new Set(key).size < 16) return true;
  const printable = [...key].every((byte) => byte >= 0x20 && byte < 0x7f);
  return printable;
}

export const KEY_FIX_HINT =
  'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"';
